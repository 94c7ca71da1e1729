"""The documents served: GET /api/documents, /api/documents/{id} and /api/documents/{id}/articles/{n}."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException, Path

from assistant.answer import version_zh
from assistant.api.deps import AssistantDep
from assistant.api.models import (ERROR_RESPONSES, ArticleDetail, ArticleSummary, DocumentDetail, DocumentId,
                                  DocumentSummary, MeasureDetail, PartOut, SentenceOut)
from assistant.service import PolicyAssistant
from index.document import Document, Measure

router = APIRouter(prefix="/api", tags=["documents"], responses=ERROR_RESPONSES)
NOT_FOUND = {404: {"description": "no such document, or no such article in it"}}


@router.get("/documents", response_model=list[DocumentSummary])
def documents(assistant: AssistantDep) -> list[DocumentSummary]:
    """The documents this server answers from: national laws first, then Shandong's, then Liaocheng's policy."""
    return [summary(assistant.documents[i]) for i in assistant.served]


@router.get("/documents/{document_id}", response_model=DocumentDetail, responses=NOT_FOUND)
def document(assistant: AssistantDep, document_id: DocumentId) -> DocumentDetail:
    """One document with its parts or chapters and the list of its measures or articles."""
    d = served(assistant, document_id)
    return DocumentDetail(
        **summary(d).model_dump(), issuers=list(d.issuers), parts=parts(d),
        measures=[ArticleSummary(measure=m.number, label=m.label, title=m.title, part=d.heading(m),
                                 first_sentence=m.sentences[0].text if m.sentences else m.text)
                  for m in d.measures])


@router.get("/documents/{document_id}/articles/{number}", response_model=ArticleDetail, responses=NOT_FOUND)
def article(assistant: AssistantDep, document_id: DocumentId,
            number: int = Path(ge=-(2**31), le=2**31)) -> ArticleDetail:
    """The full article (or measure) with its sentences and their offsets, to highlight a quote."""
    d = served(assistant, document_id)
    m = measure_of(d, number)
    return ArticleDetail(**detail(d, m).model_dump(), document=d.id, document_title=d.title,
                         document_name=d.name, label=m.label)


def served(assistant: PolicyAssistant, document_id: str) -> Document:
    if document_id not in assistant.served:
        raise HTTPException(404, f"no document {document_id}; this server serves {', '.join(assistant.served)}")
    return assistant.documents[document_id]


def measure_of(document: Document, number: int) -> Measure:
    try:
        return document.measure(number)
    except KeyError:
        raise HTTPException(404, f"no {document.noun} {number}; {document.name} has 1–{len(document.measures)}") from None


def summary(d: Document) -> DocumentSummary:
    return DocumentSummary(id=d.id, title=d.title, name=d.name, title_en=d.title_en, level=d.level, kind=d.kind,
                           date=d.date, version=version_zh(d), in_force=d.in_force, articles=len(d.measures))


def parts(d: Document) -> list[PartOut]:
    return [PartOut(number=p.number, heading=p.heading, measures=list(p.measures)) for p in d.parts]


def detail(d: Document, m: Measure) -> MeasureDetail:
    return MeasureDetail(measure=m.number, title=m.title, part=d.heading(m), text=m.text,
                         sentences=[SentenceOut(text=s.text, start=s.start, end=s.end) for s in m.sentences])
