"""The FastAPI application: load the assistant once at start-up, wire routers, serve the web page.

    uvicorn --factory assistant.api:create_app
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from assistant.api import ask, feedback, health, measures
from assistant.api.security import BodyLimit, TokenBucket, install_error_handlers, install_middleware
from assistant.feedback import FeedbackStore
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.service import PolicyAssistant


def create_app(settings: Settings | None = None, assistant: PolicyAssistant | None = None) -> FastAPI:
    """`assistant`: an already loaded one to share (tests); by default it is loaded at start-up."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from assistant.service import PolicyAssistant  # loads torch: only when the server starts

        app.state.assistant = assistant or PolicyAssistant(settings)
        app.state.feedback = FeedbackStore(settings.feedback_db)
        yield
        app.state.feedback.close()

    app = FastAPI(title="聊城教育政策助手 API", version="0.1.0", lifespan=lifespan,
                  description="Cited, extractive answers from 《关于新时代聊城教育高质量发展的意见》.")
    install_error_handlers(app)
    install_middleware(app, TokenBucket(settings.rate_limit_per_minute, settings.rate_limit_burst))
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type"])
    app.add_middleware(BodyLimit)
    for module in (ask, measures, feedback, health):
        app.include_router(module.router)

    index_html = settings.web_dir / "index.html"
    app.mount("/static", StaticFiles(directory=settings.web_dir), name="static")

    @app.get("/", include_in_schema=False)
    def home() -> FileResponse:
        return FileResponse(index_html, media_type="text/html; charset=utf-8")

    return app
