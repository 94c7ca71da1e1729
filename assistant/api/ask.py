"""POST /api/ask: a question (with the last turns) in, the cited Answer out."""
from __future__ import annotations

from fastapi import APIRouter

from assistant.api.deps import AssistantDep, FeedbackDep
from assistant.api.models import ERROR_RESPONSES, AskRequest
from assistant.schemas import Answer

router = APIRouter(prefix="/api", tags=["ask"], responses=ERROR_RESPONSES)


@router.post("/ask", response_model=Answer)
def ask(body: AskRequest, assistant: AssistantDep, feedback: FeedbackDep) -> Answer:
    # A plain `def`: FastAPI runs it in its thread pool, so encoding never blocks the event loop.
    answer = assistant.ask(body.question, body.history)
    if answer.kind == "not_covered" and feedback is not None:  # what staff may teach; small talk is not a gap
        feedback.log_unanswered(body.question)  # queued: the answer never waits for the database
    return answer
