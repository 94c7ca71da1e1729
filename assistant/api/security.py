"""What stands between the internet and the routes: body size limit, rate limit, security headers,
and error bodies that say what went wrong in Chinese and English without leaking internals."""
from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("assistant.api")

MAX_BODY_BYTES = 64 * 1024  # a question plus a few turns of history is a few KB
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
# The interactive /docs page loads its own inline script; it gets a looser policy than the app.
DOCS_PATHS = ("/docs", "/redoc")

_MESSAGES = {
    400: ("请求格式不正确。", "The request is malformed."),
    404: ("没有找到请求的内容。", "Not found."),
    405: ("不支持这种请求方式。", "Method not allowed."),
    413: ("请求内容太大。", "The request body is too large."),
    415: ("请以 JSON 格式发送。", "Send the body as JSON."),
    422: ("输入无效，请检查后重试（问题需为1到500个字，不能只有标点或控制字符）。",
          "Invalid input; please check and retry (a question is 1–500 characters of text)."),
    429: ("请求过于频繁，请稍后再试。", "Too many requests; please retry later."),
    500: ("服务器内部错误，请稍后再试。", "Internal server error; please retry later."),
}


def error_response(status: int, detail: str | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    zh, en = _MESSAGES.get(status, _MESSAGES[400] if status < 500 else _MESSAGES[500])
    code = {404: "not_found", 413: "too_large", 422: "invalid_input", 429: "rate_limited"}.get(status, f"http_{status}")
    return JSONResponse({"detail": detail or en, "error": {"code": code, "message_zh": zh, "message_en": en}},
                        status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'body'}: {e.get('msg', '')}"
                             for e in exc.errors()[:5])
        return error_response(422, problems[:300] or None)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else None
        return error_response(exc.status_code, detail, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)  # the trace stays in the server log
        return error_response(500)


class BodyLimit:
    """Refuse bodies over `limit` bytes with 413: by Content-Length before reading a byte; a body
    without a length (chunked) is read up to the limit, then refused or handed on."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES):
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if not length.isdigit():
                return await _send_json(send, error_response(400))
            if int(length) > self.limit:
                return await _send_json(send, error_response(413))
            return await self.app(scope, receive, send)
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                return await _send_json(send, error_response(413))
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _send_json(send: Send, response: JSONResponse) -> None:
    await send({"type": "http.response.start", "status": response.status_code,
                "headers": [(k.encode(), v.encode()) for k, v in response.headers.items()] + [
                    (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": response.body})


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


def install_middleware(app: FastAPI, bucket: TokenBucket) -> None:
    @app.middleware("http")
    async def _guard(request: Request, call_next):
        if request.url.path.startswith("/api/"):
            wait = bucket.take(request.client.host if request.client else "unknown")
            if wait > 0:
                return _with_headers(request, error_response(429, headers={"Retry-After": str(math.ceil(wait))}))
        return _with_headers(request, await call_next(request))


def _with_headers(request: Request, response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.url.path.startswith(DOCS_PATHS):
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; frame-ancestors 'none'")
    return response
