"""Security headers on every response, the per-client rate limit, and who the client is.

The client is the peer of the TCP connection (`scope["client"]`). The server never rewrites it from
X-Forwarded-For (`serve` starts uvicorn without proxy headers); the app does, only when the peer is
one of `trusted_proxies` (see app.py). Otherwise anyone could pick a fresh rate-limit bucket per
request by sending that header.
"""
from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.api.errors import error_response, send_response

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                                "frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every response (errors, preflights and redirects included); a page
    in `policies` gets its own Content-Security-Policy. A redirect to this same host becomes a
    relative one, so a forged Host header is never echoed back as a place to go."""

    def __init__(self, app: ASGIApp, policies: dict[str, str] | None = None):
        self.app, self.policies = app, policies or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        host = Headers(scope=scope).get("host", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", []))
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if scope["path"] in self.policies:
                    headers["Content-Security-Policy"] = self.policies[scope["path"]]
                if "location" in headers:
                    headers["Location"] = _relative_if_same_host(headers["location"], host)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _relative_if_same_host(location: str, host: str) -> str:
    """
    >>> _relative_if_same_host("http://evil.example/static/?a=1", "evil.example")
    '/static/?a=1'
    >>> _relative_if_same_host("https://school.example/", "evil.example")
    'https://school.example/'
    """
    url = urlsplit(location)
    if not url.netloc or url.netloc.lower() != host.lower():
        return location
    return (url.path or "/") + (f"?{url.query}" if url.query else "")


def client_key(host: str) -> str:
    """The rate-limit bucket of a client address: IPv6 clients get a whole /64 each (one subscriber's
    share), so rotating addresses within it does not buy fresh buckets.

    >>> client_key("2001:db8::1") == client_key("2001:db8::ffff:2")
    True
    >>> client_key("203.0.113.7")
    '203.0.113.7'
    """
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class TokenBucket:
    """Per-client buckets: `rate` tokens a second up to `burst`; a request takes one."""

    def __init__(self, per_minute: int, burst: int, max_clients: int = 10_000):
        if per_minute < 1 or burst < 1:
            raise ValueError("rate limit and burst must be at least 1")
        self.rate, self.burst, self.max_clients = per_minute / 60.0, float(burst), max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str, now: float | None = None) -> float:
        """0 when allowed, else the seconds to wait before a token is free."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self._buckets[client] = (tokens - 1 if wait == 0 else tokens, now)
            while len(self._buckets) > self.max_clients:  # forget the longest-idle clients
                self._buckets.popitem(last=False)
            return wait


class RateLimit:
    """429 with Retry-After for a client past its bucket on /api/ (the page and its files are free)."""

    def __init__(self, app: ASGIApp, bucket: TokenBucket):
        self.app, self.bucket = app, bucket

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            client = scope.get("client")
            wait = self.bucket.take(client_key(client[0]) if client else "unknown")
            if wait > 0:
                return await send_response(send, error_response(429, headers={"Retry-After": str(math.ceil(wait))}))
        await self.app(scope, receive, send)
