"""What every document family shares: the error that names the line, span splitting, sentences and
clauses with offsets, dates, and the metadata that overrides what a text says about itself."""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from index.document import Document, Measure, Part, Sentence, Span

SENTENCE_ENDS = "。！？!?｡"
CLAUSE_ENDS = "；;"
DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


class ParseError(ValueError):
    """The text does not have the structure of its family; the message names the line."""

    def __init__(self, line_no: int, line: str, problem: str):
        super().__init__(f"line {line_no}: {problem}: {line[:40]!r}")
        self.line_no = line_no


@dataclass(frozen=True)
class Line:
    no: int  # 1-based, in the original text
    text: str  # stripped


def lines_of(text: str) -> list[Line]:
    """The non-empty lines of `text`, stripped, with their line numbers."""
    return [Line(no, line.strip()) for no, line in enumerate(text.splitlines(), start=1) if line.strip()]


def split_spans(text: str, ends: str, offset: int = 0) -> Iterator[Span]:
    """Split `text` after each character in `ends`, keeping the delimiter with its piece.

    >>> [s.text for s in split_spans("甲,乙;丙", ",;")]
    ['甲,', '乙;', '丙']
    """
    start = 0
    for i, ch in enumerate(text):
        if ch in ends:
            if text[start:i].strip():
                yield Span(text[start:i + 1], offset + start, offset + i + 1)
            start = i + 1
    if text[start:].strip():
        yield Span(text[start:], offset + start, offset + len(text))


def sentences_of(text: str, offset: int = 0) -> tuple[Sentence, ...]:
    """Sentences (split after 。！？ and at line breaks: a paragraph or a list item never runs on),
    each split into clauses on ；/;.

    >>> [s.text for s in sentences_of("甲：\\n（一）乙；\\n（二）丙。丁")]
    ['甲：', '（一）乙；', '（二）丙。', '丁']
    """
    sentences = []
    position = 0
    for paragraph in text.split("\n"):
        for s in split_spans(paragraph, SENTENCE_ENDS, offset + position):
            sentences.append(Sentence(s.text, s.start, s.end, tuple(split_spans(s.text, CLAUSE_ENDS, s.start))))
        position += len(paragraph) + 1
    return tuple(sentences)


def iso_date(text: str) -> str:
    """The first date written 2023年8月28日 in `text`, as 2023-08-28; empty when there is none."""
    match = DATE.search(text)
    if not match:
        return ""
    year, month, day = match.groups()
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


def document(family: str, *, title: str, issuers: Sequence[str], date: str, preamble: str,
             parts: Sequence[Part], measures: Sequence[Measure], metadata: Mapping[str, object]) -> Document:
    """The parsed document with `metadata` (corpus/NAME.json) taking precedence over what the text says."""

    def given(key: str, default: object = "") -> object:
        return metadata.get(key) or default

    return Document(
        title=str(given("title", title)), issuers=tuple(given("issuers", issuers)),  # type: ignore[arg-type]
        date=str(given("date", date)), preamble=preamble, parts=tuple(parts), measures=tuple(measures),
        id=str(given("id")), family=family, level=str(given("level")), kind=str(given("kind")),
        short_title=str(given("short_title")), aliases=tuple(given("aliases", ())),  # type: ignore[arg-type]
        title_en=str(given("title_en")), version=str(given("version")), in_force=str(given("in_force")))
