"""The typed shape of a policy document: parts, numbered measures, sentences and clauses.

Offsets (`start`, `end`) are character positions in the owning measure's `text`, so a quote can be
highlighted in place.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A piece of a measure's text: `measure.text[start:end] == text`."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Sentence(Span):
    """A sentence ending in 。 (or !/?), split into clauses on ；/;."""

    clauses: tuple[Span, ...]


@dataclass(frozen=True)
class Measure:
    number: int
    title: str  # the words before the first 。, e.g. "提高教师待遇"
    part: int  # number of the part it belongs to
    part_title: str  # e.g. "坚持教师为本,打造高素质专业化师资队伍"
    text: str  # full text after "7.", title included
    sentences: tuple[Sentence, ...]  # the body after the title

    @property
    def clauses(self) -> tuple[Span, ...]:
        return tuple(c for s in self.sentences for c in s.clauses)


@dataclass(frozen=True)
class Part:
    number: int
    numeral: str  # "二"
    title: str
    measures: tuple[int, ...]

    @property
    def heading(self) -> str:
        return f"{self.numeral}、{self.title}"


@dataclass(frozen=True)
class Document:
    title: str
    issuers: tuple[str, ...]
    date: str  # ISO 8601, e.g. "2023-08-28"
    preamble: str
    parts: tuple[Part, ...]
    measures: tuple[Measure, ...]

    def measure(self, number: int) -> Measure:
        for m in self.measures:
            if m.number == number:
                return m
        raise KeyError(f"no measure {number}; this document has 1–{len(self.measures)}")

    def part(self, number: int) -> Part:
        for p in self.parts:
            if p.number == number:
                return p
        raise KeyError(f"no part {number}; this document has 1–{len(self.parts)}")


@dataclass(frozen=True)
class Rendering:
    """An unofficial English rendering of a document, aligned clause by clause; the Chinese is authoritative."""

    note: str
    title: str
    parts: dict[int, str]  # part number -> heading
    titles: dict[int, str]  # measure number -> title
    clauses: dict[tuple[int, int, int], str]  # (measure, start, end) of a clause -> its rendering

    def clause(self, measure: int, span: Span) -> str | None:
        return self.clauses.get((measure, span.start, span.end))

    def measure_text(self, measure: Measure) -> str:
        """The whole measure in English, title first, as far as it is rendered."""
        title = self.titles.get(measure.number)
        pieces = [f"{title}." if title else ""] + [self.clause(measure.number, c) or "" for c in measure.clauses]
        return " ".join(p for p in pieces if p)


@dataclass(frozen=True)
class EverydayQuestion:
    """A question people ask in their own words, and the measure that answers it (corpus/*.questions.tsv)."""

    measure: int
    text: str
