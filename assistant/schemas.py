"""The records the CLI, the API and the web page share: the JSON contract of an answer."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

AnswerKind = Literal["answer", "not_covered", "smalltalk", "unclear", "invalid_reference"]


class Citation(BaseModel):
    measure: int = Field(description="measure number, as in 第7条")
    title: str = Field(description="the measure's title, e.g. 提高教师待遇")
    title_en: str | None = Field(default=None, description="unofficial English rendering of the title")
    part: str = Field(description="the part heading, e.g. 二、坚持教师为本,…")
    score: float = Field(description="retrieval score; higher is better")
    quotes: list[str] = Field(description="verbatim sentences of the measure that answer; empty for a merely related measure")
    quotes_en: list[str] = Field(default_factory=list,
                                 description="unofficial English rendering of each quote, parallel to `quotes` "
                                             "(empty when there is none); the Chinese is authoritative")
    text: str = Field(description="the measure's full text")


class Answer(BaseModel):
    question: str
    in_scope: bool = Field(description="false when the document does not cover the question (or it is not one)")
    kind: AnswerKind = Field(default="answer", description=(
        "answer: quotes that answer; not_covered: the document does not answer it; smalltalk: a greeting or "
        "thanks; unclear: no question could be read; invalid_reference: names a measure that does not exist"))
    lang: Literal["zh", "en"] = Field(default="zh", description="the language of the question and of the framing")
    lead: str = Field(default="", description="one short opening line: what the document says, or why it declines")
    answer: str = Field(description="readable answer: quotes with their clause numbers, nothing else asserted")
    missing: list[str] = Field(default_factory=list,
                               description="not_covered: what the question asks that the document does not address")
    suggestions: list[str] = Field(default_factory=list, description="example questions to try instead")
    citations: list[Citation] = Field(description="best first: cited measures, then related ones")


class Turn(BaseModel):
    """One earlier exchange, for reading a follow-up question in context."""

    question: str = Field(max_length=500)
    answer: str = Field(default="", max_length=5000)
