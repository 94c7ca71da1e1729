"""The typed shape of a document: parts (or chapters), numbered measures (or articles), sentences and clauses.

Offsets (`start`, `end`) are character positions in the owning measure's `text`, so a quote can be
highlighted in place.
"""
from __future__ import annotations

from dataclasses import dataclass

# How a list item of a text begins: （一）, (二). Its lead-in ends with a colon (教师享有下列权利：).
LIST_ITEM = "[（(][一二三四五六七八九十]+[）)]"


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
    """A numbered measure of a policy (第7条 提高教师待遇) or an article of a statute (第二十五条)."""

    number: int
    label: str  # how the document numbers it: "第7条", "第二十五条"
    title: str  # the words before the first 。 ("提高教师待遇"); an article's is its label
    part: int  # number of the part or chapter it belongs to; 0 in a document without them
    part_title: str  # e.g. "坚持教师为本,打造高素质专业化师资队伍", "待遇"
    text: str  # the policy measure's text after "7." (title included); the article's after "第X条 "
    sentences: tuple[Sentence, ...]  # the body after the title

    @property
    def clauses(self) -> tuple[Span, ...]:
        return tuple(c for s in self.sentences for c in s.clauses)


@dataclass(frozen=True)
class Part:
    """A part of a policy (二、…) or a chapter of a statute (第六章 待遇)."""

    number: int
    heading: str  # as the document writes it: "二、坚持教师为本,…", "第六章 待遇"
    title: str
    measures: tuple[int, ...]


@dataclass(frozen=True)
class Document:
    """One text of the corpus and what is known about it (`corpus/NAME.json`)."""

    title: str
    issuers: tuple[str, ...]
    date: str  # ISO 8601: the version of the text (issued, adopted or last amended)
    preamble: str
    parts: tuple[Part, ...]
    measures: tuple[Measure, ...]
    id: str = ""  # the file stem: "teachers-law"
    family: str = ""  # the parser that read it: "policy" (意见: parts and measures) or "statute" (章/条)
    level: str = ""  # 国家 | 山东省 | 聊城市
    kind: str = ""  # 法律 | 行政法规 | 地方性法规 | 政策文件
    short_title: str = ""  # how people name it: 教师法
    aliases: tuple[str, ...] = ()  # other names people use, Chinese or English
    title_en: str = ""
    version: str = ""  # what happened on `date`: 修正, 修订, 通过 (empty: nothing to show)
    in_force: str = ""  # ISO 8601: since when this version applies

    def measure(self, number: int) -> Measure:
        for m in self.measures:
            if m.number == number:
                return m
        raise KeyError(f"no {self.noun} {number}; {self.name} has 1–{len(self.measures)}")

    def part(self, number: int) -> Part:
        for p in self.parts:
            if p.number == number:
                return p
        raise KeyError(f"no part {number}; {self.name} has 1–{len(self.parts)}")

    def heading(self, measure: Measure) -> str:
        """The heading of the measure's part or chapter; empty in a document without them."""
        return self.part(measure.part).heading if measure.part else ""

    @property
    def name(self) -> str:
        """The short name people use, else the title."""
        return self.short_title or self.title

    @property
    def noun(self) -> str:
        return "article" if self.family == "statute" else "measure"


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
