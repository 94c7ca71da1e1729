"""The HTTP/1.1 protocol `policy-assistant serve` runs: uvicorn's httptools one, plus a deadline for
a request's line and headers.

uvicorn times out only idle keep-alive connections; a client that connects and sends nothing, or
trickles its headers a byte at a time, holds its socket for ever. Here the headers must be complete
within `client_timeout` seconds of the connection opening or of the request's first byte; else
the client gets 408 and the connection is closed. (Once the headers are in, the app's RequestBody
middleware gives the body the same bound.)

    uvicorn --factory assistant.api:create_app --http assistant.api.protocol:DeadlineHttpProtocol
"""
from __future__ import annotations

import asyncio
from functools import lru_cache

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from assistant.api.errors import error_response
from assistant.api.security import SECURITY_HEADERS
from assistant.settings import Settings


@lru_cache(maxsize=1)
def _timeout() -> float:
    return Settings().client_timeout  # read once per worker process, from the environment like the app


class DeadlineHttpProtocol(HttpToolsProtocol):
    _deadline: asyncio.TimerHandle | None = None
    _request_begun = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._request_begun = True
        if self._deadline is None:
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        self._request_begun = False
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(_timeout(), self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self._request_begun:  # a connection that never sent a byte gets no answer, only the close
            self.transport.write(_raw_408())
        self.transport.close()


@lru_cache(maxsize=1)
def _raw_408() -> bytes:
    response = error_response(408)
    headers = [*((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()),
               *response.raw_headers, (b"connection", b"close")]
    return b"".join([b"HTTP/1.1 408 Request Timeout\r\n", *(k + b": " + v + b"\r\n" for k, v in headers), b"\r\n",
                     response.body])
