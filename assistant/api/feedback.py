"""POST /api/feedback: a 👍/👎 on an answer, stored durably."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException

from assistant.api.deps import AssistantDep, FeedbackDep
from assistant.api.models import ERROR_RESPONSES, ErrorBody, FeedbackRequest, FeedbackStored
from assistant.feedback import FeedbackBusy

router = APIRouter(prefix="/api", tags=["feedback"], responses=ERROR_RESPONSES)
RETRY_AFTER_SECONDS = 5


@router.post("/feedback", response_model=FeedbackStored, status_code=201, responses={
    503: {"model": ErrorBody, "description": "feedback cannot be stored now (see Retry-After) or is disabled"}})
def feedback(body: FeedbackRequest, store: FeedbackDep, assistant: AssistantDep) -> FeedbackStored:
    count = len(assistant.document.measures)
    unknown = [n for n in body.answer_measures if not 1 <= n <= count]
    if unknown:
        raise HTTPException(422, f"answer_measures: no measure {unknown[0]}; this document has 1–{count}")
    if store is None:
        raise HTTPException(503, "feedback is not collected on this server")
    try:
        store.add_rating(body.question, body.answer_measures, body.rating, body.reason)
    except FeedbackBusy:
        raise HTTPException(503, "the feedback database is busy; retry shortly",
                            headers={"Retry-After": str(RETRY_AFTER_SECONDS)}) from None
    return FeedbackStored()
