"""POST /api/ask: a question (with the last turns, and the documents to answer from) in, the cited Answer out."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response

from assistant.api.deps import AssistantDep, FeedbackDep
from assistant.api.models import ERROR_RESPONSES, AskRequest
from assistant.schemas import Answer

router = APIRouter(prefix="/api", tags=["ask"], responses=ERROR_RESPONSES)


@router.post("/ask", response_model=Answer)
def ask(body: AskRequest, assistant: AssistantDep, feedback: FeedbackDep) -> Response:
    # A plain `def`: FastAPI runs it in its thread pool, so encoding never blocks the event loop.
    try:
        documents = assistant.check_documents(body.documents) if body.documents else None
    except ValueError as unknown:
        raise HTTPException(422, f"documents: {unknown}") from None
    answer = assistant.ask(body.question, body.history, documents=documents)
    if answer.kind == "not_covered" and feedback is not None:  # what staff may teach; small talk is not a gap
        feedback.log_unanswered(body.question)  # queued: the answer never waits for the database
    # The Answer as JSON here, once: returned as a model, it would be validated again against
    # `response_model` (on another trip through the thread pool) before being encoded.
    return Response(answer.model_dump_json(), media_type="application/json")
