"""The Liaocheng policy, as clients of one document know it: GET /api/document, /api/measures and
/api/measures/{n} (the other documents are under /api/documents)."""
from __future__ import annotations

from fastapi import APIRouter, Path

from assistant.api.deps import AssistantDep
from assistant.api.documents import detail, measure_of, parts
from assistant.api.models import ERROR_RESPONSES, DocumentOut, MeasureDetail, MeasureSummary

router = APIRouter(prefix="/api", tags=["document"], responses=ERROR_RESPONSES)


@router.get("/document", response_model=DocumentOut)
def document(assistant: AssistantDep) -> DocumentOut:
    doc = assistant.policy
    return DocumentOut(title=doc.title, issuers=list(doc.issuers), date=doc.date, parts=parts(doc))


@router.get("/measures", response_model=list[MeasureSummary])
def measures(assistant: AssistantDep) -> list[MeasureSummary]:
    doc = assistant.policy
    return [MeasureSummary(measure=m.number, title=m.title, part=doc.heading(m)) for m in doc.measures]


@router.get("/measures/{number}", response_model=MeasureDetail, responses={404: {"description": "no such measure"}})
def measure(assistant: AssistantDep, number: int = Path(ge=-(2**31), le=2**31)) -> MeasureDetail:
    doc = assistant.policy
    return detail(doc, measure_of(doc, number))
