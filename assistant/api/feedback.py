"""POST /api/feedback: a 👍/👎 on an answer, stored durably."""
from __future__ import annotations

from fastapi import APIRouter

from assistant.api.deps import FeedbackDep
from assistant.api.models import ERROR_RESPONSES, FeedbackRequest, FeedbackStored

router = APIRouter(prefix="/api", tags=["feedback"], responses=ERROR_RESPONSES)


@router.post("/feedback", response_model=FeedbackStored, status_code=201)
def feedback(body: FeedbackRequest, store: FeedbackDep) -> FeedbackStored:
    store.add_rating(body.question, body.answer_measures, body.rating, body.reason)
    return FeedbackStored()
