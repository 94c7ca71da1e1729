"""The records the CLI, the API and the web page share: the JSON contract of an answer."""
from __future__ import annotations

from pydantic import BaseModel, Field


class Citation(BaseModel):
    measure: int = Field(description="measure number, as in 第7条")
    title: str = Field(description="the measure's title, e.g. 提高教师待遇")
    part: str = Field(description="the part heading, e.g. 二、坚持教师为本,…")
    score: float = Field(description="retrieval score; higher is better")
    quotes: list[str] = Field(description="verbatim sentences of the measure that answer; empty for a merely related measure")
    text: str = Field(description="the measure's full text")


class Answer(BaseModel):
    question: str
    in_scope: bool = Field(description="false when the document does not cover the question")
    answer: str = Field(description="readable answer: quotes with their clause numbers, nothing else asserted")
    citations: list[Citation] = Field(description="best first: cited measures, then related ones")


class Turn(BaseModel):
    """One earlier exchange, for reading a follow-up question in context."""

    question: str = Field(max_length=500)
    answer: str = Field(default="", max_length=5000)
