"""Request and response bodies of the HTTP API (the Answer itself is `assistant.schemas.Answer`)."""
from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from assistant.schemas import DocumentLevel, DocumentName, DocumentVersion, Turn

MAX_QUESTION_CHARS = 500
MAX_RATED_MEASURES = 5  # an answer quotes one or two measures; a few more when the question names them
MAX_DOCUMENTS = 32  # more than a corpus holds
DocumentId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
_HAS_WORD = re.compile(r"[\w\u3400-\u9fff]")


def _no_control_characters(value: str | None) -> str | None:
    if value is not None and any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value):
        raise ValueError("contains control characters")
    return value


def _clean_question(value: str) -> str:
    value = _no_control_characters(value.strip())
    if not value:
        raise ValueError("question is empty")
    if len(value) > MAX_QUESTION_CHARS:
        raise ValueError(f"question is longer than {MAX_QUESTION_CHARS} characters")
    if not _HAS_WORD.search(value):
        raise ValueError("question has no words, only punctuation")
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class HistoryTurn(Strict, Turn):
    """An earlier turn, checked like a question; only the last turn's question is read, so a client
    need not send more (`answer` is accepted for older clients)."""

    _check_question = field_validator("question")(_clean_question)


class AskRequest(Strict):
    question: str = Field(min_length=1, max_length=2 * MAX_QUESTION_CHARS,
                          description=f"1–{MAX_QUESTION_CHARS} characters after trimming",
                          examples=["班主任每月绩效多少？"])
    history: list[HistoryTurn] = Field(default_factory=list, max_length=10, description="the last few turns, oldest first")
    documents: list[DocumentId] | None = Field(default=None, min_length=1, max_length=MAX_DOCUMENTS,
                                               description="answer from these documents only (ids of GET /api/documents); "
                                                           "default: every document the server serves",
                                               examples=[["teachers-law", "compulsory-education-law"]])

    _check_question = field_validator("question")(_clean_question)


class FeedbackRequest(Strict):
    question: str = Field(min_length=1, max_length=2 * MAX_QUESTION_CHARS)
    answer_measures: list[int] = Field(default_factory=list, max_length=MAX_RATED_MEASURES,
                                       description="the measures the rated answer cited; each must exist")
    answer_documents: list[DocumentId] | None = Field(
        default=None, max_length=MAX_RATED_MEASURES,
        description="the document of each of `answer_measures`, in order; default: all of the Liaocheng policy")
    rating: Literal["up", "down"]
    reason: str | None = Field(default=None, max_length=500)

    _check_question = field_validator("question")(_clean_question)
    _check_reason = field_validator("reason")(_no_control_characters)


class FeedbackStored(BaseModel):
    status: Literal["stored"] = "stored"


class MeasureSummary(BaseModel):
    measure: int
    title: str
    part: str


class SentenceOut(BaseModel):
    text: str
    start: int
    end: int


class MeasureDetail(MeasureSummary):
    text: str
    sentences: list[SentenceOut]


class PartOut(BaseModel):
    number: int
    heading: str
    measures: list[int]


class DocumentOut(BaseModel):
    title: str
    issuers: list[str]
    date: str
    parts: list[PartOut]


class DocumentSummary(BaseModel):
    id: str = Field(description="as in `documents` of POST /api/ask and in citations")
    title: str
    name: DocumentName
    title_en: str
    level: DocumentLevel
    kind: str = Field(description="法律, 行政法规, 地方性法规 or 政策文件")
    date: str = Field(description="ISO date of the version of the text")
    version: DocumentVersion
    in_force: str = Field(description="ISO date since which this version applies")
    articles: int = Field(description="how many measures or articles it has")


class ArticleSummary(BaseModel):
    measure: int
    label: str = Field(description="第7条 or 第二十五条")
    title: str
    part: str
    first_sentence: str = Field(description="the article's first sentence, verbatim")


class DocumentDetail(DocumentSummary):
    issuers: list[str]
    parts: list[PartOut] = Field(description="parts or chapters; empty when the text has none")
    measures: list[ArticleSummary]


class ArticleDetail(MeasureDetail):
    document: str
    document_title: str
    document_name: DocumentName
    label: str


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    documents: int = Field(description="how many documents are served")
    measures: int = Field(description="how many measures and articles they have")
    model: str


class ErrorDetail(BaseModel):
    code: str
    message_zh: str
    message_en: str


class ErrorBody(BaseModel):
    detail: str
    error: ErrorDetail


# Every /api route can answer these; documenting them keeps the OpenAPI schema honest for clients.
ERROR_RESPONSES: dict[int | str, dict] = {
    status: {"model": ErrorBody, "description": description} for status, description in (
        (400, "malformed body"), (408, "headers or body not received in time"), (413, "body too large"),
        (415, "body is not JSON"), (422, "invalid input"), (429, "too many requests; see Retry-After"))
}
