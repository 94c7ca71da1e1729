"""Typed dependencies: what a route needs, taken from the app's state set up at start-up.

They are `async def` although they await nothing: FastAPI runs a plain `def` dependency in its thread
pool, one hand-off to a worker thread and back per dependency per request, for an attribute lookup.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from assistant.feedback import FeedbackStore
from assistant.service import PolicyAssistant


async def _assistant(request: Request) -> PolicyAssistant:
    return request.app.state.assistant


async def _feedback(request: Request) -> FeedbackStore | None:
    """None when the configured database location cannot be used (logged at start-up)."""
    return request.app.state.feedback


AssistantDep = Annotated[PolicyAssistant, Depends(_assistant)]
FeedbackDep = Annotated[FeedbackStore | None, Depends(_feedback)]
