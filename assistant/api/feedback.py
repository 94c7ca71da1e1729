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
    documents = body.answer_documents or [assistant.settings.policy_document] * len(body.answer_measures)
    if len(documents) != len(body.answer_measures):
        raise HTTPException(422, "answer_documents: one document for each of answer_measures")
    for document_id, number in zip(documents, body.answer_measures):
        if document_id not in assistant.served:
            raise HTTPException(422, f"answer_documents: no document {document_id}")
        d = assistant.documents[document_id]
        if not 1 <= number <= len(d.measures):
            raise HTTPException(422, f"answer_measures: no measure {number}; {d.name} has 1–{len(d.measures)}")
    cited = body.answer_measures if body.answer_documents is None else [
        f"{d}:{n}" for d, n in zip(documents, body.answer_measures)]
    if store is None:
        raise HTTPException(503, "feedback is not collected on this server")
    try:
        store.add_rating(body.question, cited, body.rating, body.reason)
    except FeedbackBusy:
        raise HTTPException(503, "the feedback database is busy; retry shortly",
                            headers={"Retry-After": str(RETRY_AFTER_SECONDS)}) from None
    return FeedbackStored()
