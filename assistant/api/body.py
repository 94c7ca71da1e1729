"""Every request body is taken in here before a route sees it: JSON only on the API (415), at most
`limit` bytes (413, by Content-Length before a byte is read), and delivered within `timeout`
seconds of the headers (408), so a stalled upload cannot hold a connection.

A refused body is not left unread: closing a socket with unread input makes the kernel send a
reset, and a client still writing its body would see ECONNRESET instead of the answer. So the
answer goes out first, then the rest of the body is read and discarded ("lingering close") up to
`drain_bytes` or `drain_seconds`, and only then is the connection closed.
"""
from __future__ import annotations

import asyncio

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.api.errors import error_response, send_response

MAX_BODY_BYTES = 64 * 1024  # a question plus a few turns of history is a few KB


class _TooLarge(Exception):
    pass


class _Gone(Exception):
    pass


class RequestBody:
    def __init__(self, app: ASGIApp, *, timeout: float, drain_bytes: int, drain_seconds: float,
                 limit: int = MAX_BODY_BYTES):
        self.app, self.limit, self.timeout = app, limit, timeout
        self.drain_bytes, self.drain_seconds = drain_bytes, drain_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        has_body = (length is not None and length != "0") or "transfer-encoding" in headers
        if has_body and scope["path"].startswith("/api/") and not is_json(headers.get("content-type", "")):
            return await self._refuse(415, receive, send, headers)
        if length is not None and not length.isdigit():
            return await self._refuse(400, receive, send, headers)
        if length is not None and int(length) > self.limit:
            return await self._refuse(413, receive, send, headers)
        try:
            body = await asyncio.wait_for(self._read(receive), self.timeout)
        except _TooLarge:
            return await self._refuse(413, receive, send, headers)
        except asyncio.TimeoutError:
            return await send_response(send, error_response(408), close=True)
        except _Gone:
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive) -> bytes:
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                raise _Gone
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                raise _TooLarge
        return bytes(body)

    async def _refuse(self, status: int, receive: Receive, send: Send, headers: Headers) -> None:
        """Answer `status`, then drain what the client is still sending (see the module docstring)."""
        await send_response(send, error_response(status), close=True, more_body=True)
        length = headers.get("content-length", "")
        # A client waiting for "100 Continue" sends no body after a final answer; a declared body
        # beyond the bound would be cut off anyway: in both cases there is nothing worth waiting for.
        worth_draining = (headers.get("expect", "").lower() != "100-continue"
                          and not (length.isdigit() and int(length) > self.drain_bytes))
        if worth_draining:
            await self._drain(receive)
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _drain(self, receive: Receive) -> None:
        loop = asyncio.get_running_loop()
        deadline, left = loop.time() + self.drain_seconds, self.drain_bytes
        while left > 0:
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                return
            if message["type"] != "http.request":
                return
            left -= len(message.get("body", b""))
            if not message.get("more_body", False):
                return


def is_json(content_type: str) -> bool:
    """
    >>> [is_json(t) for t in ("application/json", "application/json; charset=utf-8", "application/problem+json",
    ...                       "text/plain", "")]
    [True, True, True, False, False]
    """
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))
