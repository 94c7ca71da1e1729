"""The FastAPI application: load the assistant once at start-up, wire routers, serve the web page.

    policy-assistant serve      # or, with the same protections:
    uvicorn --factory assistant.api:create_app --no-proxy-headers --http assistant.api.protocol:DeadlineHttpProtocol

What a request passes through, outermost first: security headers, the error shield, the trusted
proxy (only when configured), CORS (only when configured), the request body (type, size, time),
the rate limit, then the routes.
"""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from assistant.api import ask, documents, feedback, health, measures
from assistant.api.body import RequestBody
from assistant.api.docs import DOCS_PAGES, DOCS_POLICY, install_docs
from assistant.api.errors import ErrorShield, install_error_handlers
from assistant.api.memory import limit_malloc_arenas
from assistant.api.security import RateLimit, SecurityHeaders, TokenBucket
from assistant.feedback import FeedbackStore, FeedbackUnavailable
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.service import PolicyAssistant

log = logging.getLogger("assistant.api")


def create_app(settings: Settings | None = None, assistant: PolicyAssistant | None = None) -> FastAPI:
    """`assistant`: an already loaded one to share (tests); by default it is loaded at start-up."""
    settings = settings or Settings()
    limit_malloc_arenas(settings.malloc_arenas)  # before any thread of the server allocates

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from assistant.service import PolicyAssistant  # loads torch: only when the server starts

        app.state.assistant = assistant or PolicyAssistant(settings, build_if_missing=settings.auto_build)
        app.state.feedback = open_feedback(settings)
        yield
        if app.state.feedback is not None:
            app.state.feedback.close()

    app = FastAPI(title="聊城教育政策助手 API", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  swagger_ui_oauth2_redirect_url=None,
                  description="Cited, extractive answers from 《关于新时代聊城教育高质量发展的意见》 and the "
                              "national and Shandong education laws it builds on.")
    install_error_handlers(app)
    # add_middleware puts each new one outside the ones before it.
    app.add_middleware(RateLimit, bucket=TokenBucket(settings.rate_limit_per_minute, settings.rate_limit_burst))
    # Outside everything that may answer early: a body left unread would be read by uvicorn, unbounded.
    app.add_middleware(RequestBody, timeout=settings.client_timeout, drain_bytes=settings.drain_bytes,
                       drain_seconds=settings.drain_seconds)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type"])
    if settings.trusted_proxies:  # else the peer is the client, whatever X-Forwarded-For says
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.add_middleware(ErrorShield)
    app.add_middleware(SecurityHeaders, policies=dict.fromkeys(DOCS_PAGES, DOCS_POLICY))
    for module in (ask, measures, documents, feedback, health):
        app.include_router(module.router)
    install_docs(app)

    index_html = settings.web_dir / "index.html"
    app.mount("/static", StaticFiles(directory=settings.web_dir), name="static")

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def home() -> FileResponse:
        return FileResponse(index_html, media_type="text/html; charset=utf-8")

    return app


def open_feedback(settings: Settings) -> FeedbackStore | None:
    """The feedback store, or None (feedback disabled, answers unaffected) where it cannot live."""
    try:
        return FeedbackStore(settings.feedback_db, busy_timeout=settings.feedback_busy_timeout,
                             keep=settings.unanswered_keep)
    except FeedbackUnavailable as exc:
        log.error("feedback is disabled: POLICY_ASSISTANT_FEEDBACK_DB=%s cannot be used (%s); "
                  "point it at a writable file and restart", settings.feedback_db, exc.__cause__ or exc)
        return None
