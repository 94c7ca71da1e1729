"""Bad input, limits and headers: a clear 4xx in Chinese and English, never a 5xx or a leak."""
import json
import multiprocessing
import os
import signal
import socket
import sqlite3
import threading
import time

import httpx
import pytest

from assistant.api import create_app
from assistant.feedback import FeedbackStore


def _assert_clean_error(response, status):
    assert response.status_code == status
    body = response.json()
    assert body["error"]["message_zh"] and body["error"]["message_en"]
    text = response.text
    assert "Traceback" not in text and "/work" not in text and ".py" not in text


@pytest.mark.parametrize("payload", [
    {"question": ""}, {"question": " \n\t "}, {"question": "x" * 501}, {"question": "？！。…"},
    {"question": "班主任\x00绩效"}, {"question": "a\x1b[31m"}, {"question": 42}, {"question": ["班主任"]},
    {"question": None}, {}, {"question": "班主任", "unexpected": 1},
    {"question": "班主任", "history": "not a list"}, {"question": "班主任", "history": [{"question": 1}]},
])
def test_bad_questions_get_422(client, payload):
    _assert_clean_error(client.post("/api/ask", json=payload), 422)


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe\x00\x01", b"[]", b'"just a string"'])
def test_malformed_bodies_get_4xx(client, body):
    response = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500
    _assert_clean_error(response, response.status_code)


def test_a_1mb_body_is_refused_with_413_before_it_is_read(live_server):
    response = httpx.post(f"{live_server}/api/ask", content=b"{" + b" " * (1 << 20) + b"}",
                          headers={"content-type": "application/json"}, timeout=30)
    _assert_clean_error(response, 413)


def test_a_chunked_oversized_body_is_refused(live_server):
    def chunks():
        for _ in range(64):
            yield b"x" * 16384
    response = httpx.post(f"{live_server}/api/ask", content=chunks(), headers={"content-type": "application/json"},
                          timeout=30)
    _assert_clean_error(response, 413)


def test_security_headers(client):
    for path in ("/", "/api/health", "/static/app.js"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


def test_no_cors_unless_configured(client, settings, assistant):
    response = client.get("/api/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers
    from fastapi.testclient import TestClient
    allowed = settings.model_copy(update={"cors_origins": ["https://school.example"]})
    with TestClient(create_app(allowed, assistant)) as other:
        response = other.get("/api/health", headers={"Origin": "https://school.example"})
        assert response.headers["access-control-allow-origin"] == "https://school.example"


@pytest.mark.parametrize("path", ["/static/../assistant/settings.py", "/static/%2e%2e/assistant/settings.py",
                                  "/static/..%2f..%2fetc/passwd", "/static/%2e%2e%2f%2e%2e%2fpyproject.toml"])
def test_static_files_cannot_escape_web(live_server, path):
    response = httpx.get(f"{live_server}{path}", timeout=10)
    assert response.status_code == 404 and "BaseSettings" not in response.text and "root:" not in response.text


def test_rate_limit_answers_429_with_retry_after(settings, assistant):
    from fastapi.testclient import TestClient
    strict = settings.model_copy(update={"rate_limit_per_minute": 60, "rate_limit_burst": 3})
    with TestClient(create_app(strict, assistant)) as limited:
        statuses = [limited.get("/api/health").status_code for _ in range(5)]
        assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
        response = limited.get("/api/health")
        assert int(response.headers["retry-after"]) >= 1
        _assert_clean_error(response, 429)


def test_default_rate_limit_allows_a_class_sharing_one_ip():
    from assistant.settings import Settings
    defaults = Settings()
    assert defaults.rate_limit_burst >= 40 and defaults.rate_limit_per_minute >= 60


def test_concurrent_ratings_are_all_stored(client, settings):
    before = FeedbackStore(settings.feedback_db).count()

    def rate(i):
        for j in range(10):
            r = client.post("/api/feedback", json={"question": f"并发{i}-{j}", "answer_measures": [7], "rating": "up"})
            assert r.status_code == 201
    threads = [threading.Thread(target=rate, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert FeedbackStore(settings.feedback_db).count() == before + 80


def _write_forever(path):
    store = FeedbackStore(path)
    i = 0
    while True:
        store.add_rating(f"问题{i}", [1, 2], "down", "理由" * 50)
        i += 1


def test_a_process_killed_mid_write_leaves_a_valid_database(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    FeedbackStore(path).close()
    writer = multiprocessing.get_context("spawn").Process(target=_write_forever, args=(path,))
    writer.start()
    reader, deadline = FeedbackStore(path), time.monotonic() + 20
    while reader.count() < 50 and time.monotonic() < deadline:
        time.sleep(0.05)
    reader.close()
    os.kill(writer.pid, signal.SIGKILL)
    writer.join()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    count = FeedbackStore(path).count()
    assert count >= 50
    store = FeedbackStore(path)
    store.add_rating("之后", [3], "up")
    assert store.count() == count + 1


def test_repeated_questions_skip_the_model(assistant):
    cache = assistant.embedder.query
    assistant.ask("学校食堂陪餐制度")
    hits = cache.cache_info().hits
    assistant.ask("学校食堂陪餐制度")
    assert cache.cache_info().hits == hits + 1


def test_several_workers_share_the_read_only_index_and_answer_concurrently(tmp_path, assistant):
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import POLICY, start_server, stop_server

    process, url = start_server(tmp_path / "server.log", "--workers", "2", client_timeout="1")
    try:
        for _ in range(4):  # every worker runs serve's protocol: a request that stalls is cut off
            with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=20) as sock:
                sock.sendall(b"GET / HTTP/1.1\r\n")
                assert sock.recv(100).startswith(b"HTTP/1.1 408 ")
        questions = ["班主任每月绩效多少", "评星定级在哪一条？", "孩子近视学校管不管", "Can teachers punish students?"] * 4
        expected = {"班主任每月绩效多少": 7, "评星定级在哪一条？": 19, "孩子近视学校管不管": 3,
                    "Can teachers punish students?": 6}
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda q: httpx.post(f"{url}/api/ask", json={"question": q, "documents": [POLICY]},
                                                         timeout=60), questions))
        assert all(r.status_code == 200 for r in answers)
        assert all(r.json()["citations"][0]["measure"] == expected[r.json()["question"]] for r in answers)
    finally:
        stop_server(process)
