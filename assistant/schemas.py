"""The records the CLI, the API and the web page share: the JSON contract of an answer."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

AnswerKind = Literal["answer", "not_covered", "smalltalk", "unclear", "invalid_reference", "choose_document"]
# What a document is, as both a citation and the API's list of documents describe it.
DocumentName = Annotated[str, Field(description="the short name people use, e.g. 教师法")]
DocumentLevel = Annotated[str, Field(description="国家 (national), 山东省 (provincial) or 聊城市 (local)")]
DocumentVersion = Annotated[str, Field(description="the version of a law's text, e.g. 2009年8月27日修正; "
                                                   "empty for the policy")]


class Citation(BaseModel):
    document: str = Field(description="the document's id, e.g. teachers-law or liaocheng-education-2023")
    document_title: str = Field(description="the document's full title, e.g. 中华人民共和国教师法")
    document_name: DocumentName
    document_level: DocumentLevel
    document_version: DocumentVersion
    measure: int = Field(description="the measure or article number, as in 第7条 or 第二十五条 (25)")
    title: str = Field(description="the measure's title (提高教师待遇), or the article's label (第二十五条)")
    title_en: str | None = Field(default=None, description="unofficial English rendering of the title")
    part: str = Field(description="the part or chapter heading, e.g. 二、坚持教师为本,… or 第六章 待遇; empty if none")
    score: float = Field(description="retrieval score; higher is better")
    quotes: list[str] = Field(description="verbatim sentences of the measure that answer; empty for a merely related measure")
    quotes_en: list[str] = Field(default_factory=list,
                                 description="unofficial English rendering of each quote, parallel to `quotes` "
                                             "(empty when there is none); the Chinese is authoritative")
    text: str = Field(description="the measure's full text")


class Answer(BaseModel):
    question: str
    in_scope: bool = Field(description="false when no document covers the question (or it is not one)")
    kind: AnswerKind = Field(default="answer", description=(
        "answer: quotes that answer; not_covered: no document answers it; smalltalk: a greeting or "
        "thanks; unclear: no question could be read; invalid_reference: names a measure that does not exist; "
        "choose_document: names an article (第十二条) without saying of which document; `suggestions` offers each"))
    lang: Literal["zh", "en"] = Field(default="zh", description="the language of the question and of the framing")
    lead: str = Field(default="", description="one short opening line: what the document says, or why it declines")
    answer: str = Field(description="readable answer: quotes with their documents and clause numbers, nothing else asserted")
    missing: list[str] = Field(default_factory=list,
                               description="not_covered: what the question asks that no document addresses")
    suggestions: list[str] = Field(default_factory=list, description="example questions to try instead")
    citations: list[Citation] = Field(description="best first: cited measures, then related ones")


class Turn(BaseModel):
    """One earlier exchange, for reading a follow-up question in context."""

    question: str = Field(max_length=500)
    answer: str = Field(default="", max_length=5000)
