"""The document itself: GET /api/document, /api/measures and /api/measures/{n}."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException, Path

from assistant.api.deps import AssistantDep
from assistant.api.models import ERROR_RESPONSES, DocumentOut, MeasureDetail, MeasureSummary, PartOut, SentenceOut

router = APIRouter(prefix="/api", tags=["document"], responses=ERROR_RESPONSES)


@router.get("/document", response_model=DocumentOut)
def document(assistant: AssistantDep) -> DocumentOut:
    doc = assistant.document
    return DocumentOut(title=doc.title, issuers=list(doc.issuers), date=doc.date,
                       parts=[PartOut(number=p.number, heading=p.heading, measures=list(p.measures)) for p in doc.parts])


@router.get("/measures", response_model=list[MeasureSummary])
def measures(assistant: AssistantDep) -> list[MeasureSummary]:
    doc = assistant.document
    return [MeasureSummary(measure=m.number, title=m.title, part=doc.part(m.part).heading) for m in doc.measures]


@router.get("/measures/{number}", response_model=MeasureDetail, responses={404: {"description": "no such measure"}})
def measure(assistant: AssistantDep, number: int = Path(ge=-(2**31), le=2**31)) -> MeasureDetail:
    doc = assistant.document
    try:
        m = doc.measure(number)
    except KeyError:
        raise HTTPException(404, f"no measure {number}; this document has 1–{len(doc.measures)}") from None
    return MeasureDetail(measure=m.number, title=m.title, part=doc.part(m.part).heading, text=m.text,
                         sentences=[SentenceOut(text=s.text, start=s.start, end=s.end) for s in m.sentences])
