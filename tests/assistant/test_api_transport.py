"""What a client sees at the socket, on a real `policy-assistant serve` (loopback): refused bodies
are answered and drained, slow clients are timed out, the client is the TCP peer unless a trusted
proxy says otherwise, HEAD works and redirects stay on the host asked for."""
from __future__ import annotations

import json
import socket
import time

import httpx
import pytest

from tests.conftest import start_server, stop_server

CLIENT_TIMEOUT = 2.0
DRAIN_SECONDS = 2.0
DRAIN_BYTES = 4 * 1024 * 1024
PROXY = "127.0.0.2"  # all of 127/8 is loopback: a client bound here plays the trusted proxy
SECURITY = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")


@pytest.fixture(scope="module")
def server(tmp_path_factory, assistant):
    """A server with short client timeouts, a small rate limit and one trusted proxy."""
    process, url = start_server(tmp_path_factory.mktemp("transport") / "server.log",
                                client_timeout=str(CLIENT_TIMEOUT), drain_seconds=str(DRAIN_SECONDS),
                                drain_bytes=str(DRAIN_BYTES), rate_limit_per_minute="1", rate_limit_burst="3",
                                trusted_proxies=json.dumps([PROXY]))
    yield url
    stop_server(process)


def _address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


def _exchange(url: str, head: bytes, body: bytes = b"", *, wait: float = 20) -> bytes:
    """Write the whole request first, then read the whole answer, as a naive client does; a reset
    on the way fails the test."""
    with socket.create_connection(_address(url), timeout=wait) as sock:
        sock.sendall(head + body)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def _parse(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def _assert_error(raw: bytes, status: int, code: str) -> dict[str, str]:
    got, headers, body = _parse(raw)
    assert got == status
    assert all(name in headers for name in SECURITY), headers
    assert len(body) == int(headers["content-length"])
    error = json.loads(body)["error"]
    assert error["code"] == code and error["message_zh"] and error["message_en"]
    return headers


def _post_head(length: int | None, content_type: str = "application/json") -> bytes:
    size = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return f"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n{size}\r\n\r\n".encode()


@pytest.mark.parametrize("size", [150_000, 1_000_000])
def test_an_oversized_body_written_before_reading_gets_the_413(server, size):
    raw = _exchange(server, _post_head(size), b"{" + b" " * (size - 2) + b"}")
    assert _assert_error(raw, 413, "too_large")["connection"] == "close"


def test_an_oversized_chunked_body_written_before_reading_gets_the_413(server):
    chunks = b"".join(b"4000\r\n" + b"x" * 0x4000 + b"\r\n" for _ in range(40)) + b"0\r\n\r\n"
    _assert_error(_exchange(server, _post_head(None), chunks), 413, "too_large")


def test_a_body_that_is_not_json_gets_415_and_is_drained(server):
    _assert_error(_exchange(server, _post_head(300_000, "text/plain"), b"x" * 300_000), 415, "unsupported_media_type")


def test_draining_stops_at_its_bound(server):
    """A client that never stops sending is cut off after about DRAIN_BYTES or DRAIN_SECONDS."""
    with socket.create_connection(_address(server), timeout=30) as sock:
        sock.sendall(_post_head(None))
        sent, started = 0, time.monotonic()
        with pytest.raises(OSError):  # reset or broken pipe once the server closes
            while time.monotonic() - started < 30:
                sock.sendall(b"4000\r\n" + b"x" * 0x4000 + b"\r\n")
                sent += 0x4000
    assert time.monotonic() - started < DRAIN_SECONDS + 10
    assert sent < DRAIN_BYTES + 16 * 1024 * 1024  # the bound plus what socket buffers hold


@pytest.mark.parametrize("partial", [b"GET /api/health HTTP/1.1\r\nHost: x\r\n",
                                     b"GET /api/hea"])
def test_headers_that_stall_get_408_and_the_connection_closed(server, partial):
    started = time.monotonic()
    raw = _exchange(server, partial)
    assert time.monotonic() - started < CLIENT_TIMEOUT + 5
    assert _assert_error(raw, 408, "timeout")["connection"] == "close"


def test_a_body_that_stalls_gets_408_and_the_connection_closed(server):
    started = time.monotonic()
    raw = _exchange(server, _post_head(100), '{"question": "班主'.encode())
    assert time.monotonic() - started < CLIENT_TIMEOUT + 5
    _assert_error(raw, 408, "timeout")


def test_a_connection_that_sends_nothing_is_closed(server):
    started = time.monotonic()
    assert _exchange(server, b"") == b""
    assert time.monotonic() - started < CLIENT_TIMEOUT + 5


def test_x_forwarded_for_from_an_untrusted_peer_does_not_buy_a_new_bucket(server):
    """Burst 3 (the start-up health check took one): rotating X-Forwarded-For changes nothing."""
    statuses = [httpx.get(f"{server}/api/measures/1", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
                for i in range(5)]
    assert statuses[0] == 200 and statuses[-2:] == [429, 429]
    response = httpx.get(f"{server}/api/measures/1", headers={"X-Forwarded-For": "198.51.100.99"})
    assert response.status_code == 429 and int(response.headers["retry-after"]) >= 1
    assert all(name in response.headers for name in SECURITY)


def test_a_trusted_proxy_names_the_client(server):
    with httpx.Client(transport=httpx.HTTPTransport(local_address=PROXY)) as proxy:
        def get(client):
            return proxy.get(f"{server}/api/measures/1", headers={"X-Forwarded-For": client}).status_code
        assert [get(f"203.0.113.{i}") for i in range(6)] == [200] * 6  # six clients, one request each
        assert [get("203.0.113.50") for _ in range(4)] == [200, 200, 200, 429]  # one client past its burst


def test_head_of_the_page(server):
    response = httpx.head(f"{server}/")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"].startswith("text/html") and int(response.headers["content-length"]) > 1000
    assert all(name in response.headers for name in SECURITY)


def test_redirects_do_not_echo_the_host_header(server):
    response = httpx.get(f"{server}/static", headers={"Host": "evil.example"})
    assert response.status_code in (301, 307, 308)
    assert response.headers["location"] == "/static/"
    assert all(name in response.headers for name in SECURITY)
