"""Error responses that say what went wrong in Chinese and English and leak nothing: no path, no
traceback, whatever failed. The traceback of an unexpected error goes to the server log only."""
from __future__ import annotations

import logging
import sys

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("assistant.api")

_MESSAGES = {
    400: ("请求格式不正确。", "The request is malformed."),
    404: ("没有找到请求的内容。", "Not found."),
    405: ("不支持这种请求方式。", "Method not allowed."),
    408: ("请求发送超时，请重试。", "The request did not arrive in time; please retry."),
    413: ("请求内容太大。", "The request body is too large."),
    415: ("请以 JSON 格式发送。", "Send the body as JSON."),
    422: ("输入无效，请检查后重试（问题需为1到500个字，不能只有标点或控制字符）。",
          "Invalid input; please check and retry (a question is 1–500 characters of text)."),
    429: ("请求过于频繁，请稍后再试。", "Too many requests; please retry later."),
    500: ("服务器内部错误，请稍后再试。", "Internal server error; please retry later."),
    503: ("服务暂时不可用，请稍后再试。", "Temporarily unavailable; please retry later."),
}
_CODES = {404: "not_found", 408: "timeout", 413: "too_large", 415: "unsupported_media_type", 422: "invalid_input",
          429: "rate_limited", 503: "unavailable"}
# Start-up errors of these types carry a message that says what to do (as in the CLI).
EXPLAINED_ERRORS = (OSError, ValueError, RuntimeError)


def error_response(status: int, detail: str | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    zh, en = _MESSAGES.get(status, _MESSAGES[400] if status < 500 else _MESSAGES[500])
    return JSONResponse({"detail": detail or en, "error": {"code": _CODES.get(status, f"http_{status}"),
                                                           "message_zh": zh, "message_en": en}},
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


class ErrorShield:
    """Catches what the routes did not: an unexpected error becomes the usual 500 body (inside the
    security headers, unlike Starlette's own last-resort handler), and a start-up failure whose
    message says what to do is reported as that one line instead of a traceback."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return await self.app(scope, receive, _explained_startup_failure(send))
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s", scope.get("path"))
            if started:
                raise  # half a response is out: only closing the connection is left, which the server does
            await send_response(send, error_response(500))


def _explained_startup_failure(send: Send) -> Send:
    async def lifespan_send(message: Message) -> None:
        # Starlette sends "startup.failed" with the formatted traceback from inside its `except`
        # block, so the exception being handled is the one that stopped the start-up.
        failure = sys.exc_info()[1]
        if message["type"] == "lifespan.startup.failed" and isinstance(failure, EXPLAINED_ERRORS):
            message = {**message, "message": f"cannot start: {failure}"}
        await send(message)
    return lifespan_send


async def send_response(send: Send, response: JSONResponse, *, close: bool = False, more_body: bool = False) -> None:
    """Send a whole response from ASGI middleware; `more_body` leaves it open for one final empty message."""
    headers = list(response.raw_headers) + ([(b"connection", b"close")] if close else [])
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": response.body, "more_body": more_body})
