"""Parse a policy text of the 《…意见》 family into a `Document`.

The family: a title line, page chrome, a preamble, parts headed `一、…`, measures numbered `1.` or
`1．` (each "title。body"), and a signature of issuers and a date. Numbering must be continuous;
anything else raises `ParseError` naming the line, because a silently mis-numbered measure would
be cited wrongly.

>>> doc = parse_document("标题\\n一、总则\\n1.甲事项。内容一;内容二。\\n2.乙事项。内容三。\\n某某委员会\\n2023年8月28日")
>>> [m.title for m in doc.measures], doc.parts[0].title, doc.date, doc.issuers
(['甲事项', '乙事项'], '总则', '2023-08-28', ('某某委员会',))
>>> [c.text for c in doc.measures[0].clauses]
['内容一;', '内容二。']
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from index.document import Document, Measure, Part, Sentence, Span
from index.numerals import CHINESE_NUMERAL_CHARS, chinese_to_int

# Lines a web page wraps around the text (font-size switcher, QR-code prompt).
_CHROME = re.compile(r"^(字号[:：]?.*|大\s*中\s*小|扫码使用手机浏览本页内容|打印本页|关闭窗口|【?[打印关闭]+】?)$")
_PART = re.compile(rf"^([{CHINESE_NUMERAL_CHARS}]+)[、,，]\s*(\S.*)$")
_MEASURE = re.compile(r"^(\d{1,3})\s*[.．、]\s*(\S.*)$")
_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")

SENTENCE_ENDS = "。！？!?｡"
CLAUSE_ENDS = "；;"


class ParseError(ValueError):
    """The text does not have the structure of a numbered policy document."""

    def __init__(self, line_no: int, line: str, problem: str):
        super().__init__(f"line {line_no}: {problem}: {line[:40]!r}")
        self.line_no = line_no


@dataclass
class _Draft:
    number: int
    part: int
    line_no: int
    text: list[str] = field(default_factory=list)


def parse_document(text: str, metadata: Mapping[str, object] | None = None) -> Document:
    """Parse `text`; `metadata` (title, issuers, date) overrides what the text says."""
    metadata = metadata or {}
    lines = [(no, line.strip()) for no, line in enumerate(text.splitlines(), start=1)]
    lines = [(no, line) for no, line in lines if line and not _CHROME.match(line)]
    if not lines:
        raise ParseError(1, "", "empty document")

    title_line = lines[0][1]
    preamble: list[str] = []
    parts: list[tuple[int, str, str]] = []  # (number, numeral, title)
    drafts: list[_Draft] = []
    trailer: list[tuple[int, str]] = []

    for no, line in lines[1:]:
        if part := _PART.match(line):
            numeral, title = part.groups()
            expected = len(parts) + 1
            if chinese_to_int(numeral) != expected:
                raise ParseError(no, line, f"part {numeral} where part {expected} was expected")
            parts.append((expected, numeral, title))
            trailer = []
        elif measure := _MEASURE.match(line):
            number, body = int(measure.group(1)), measure.group(2)
            if not parts:
                raise ParseError(no, line, f"measure {number} comes before any part (一、…)")
            expected = len(drafts) + 1
            if number != expected:
                kind = "duplicate" if number < expected else "gap in numbering"
                raise ParseError(no, line, f"{kind}: measure {number} where {expected} was expected")
            drafts.append(_Draft(number, len(parts), no, [body]))
            trailer = []
        elif not drafts:
            if parts:
                raise ParseError(no, line, "text under a part before its first measure")
            preamble.append(line)
        else:
            # Lines after a measure are either its continuation or the signature; we only know
            # which once the date line shows up, so hold them back.
            trailer.append((no, line))
            if _DATE.match(line):
                break
    else:
        trailer_is_signature = bool(trailer) and _DATE.match(trailer[-1][1]) is not None
        if trailer and not trailer_is_signature:
            drafts[-1].text.extend(line for _, line in trailer)
            trailer = []

    if not drafts:
        raise ParseError(lines[-1][0], lines[-1][1], "no numbered measures found")

    signature = [line for _, line in trailer]
    date = _iso_date(signature[-1]) if signature else ""
    issuers = tuple(signature[:-1])
    part_titles = {number: title for number, _, title in parts}
    measures = tuple(_measure(d, part_titles[d.part]) for d in drafts)
    return Document(
        title=str(metadata.get("title") or title_line),
        issuers=tuple(metadata.get("issuers") or issuers),  # type: ignore[arg-type]
        date=str(metadata.get("date") or date),
        preamble="\n".join(preamble),
        parts=tuple(
            Part(number, numeral, title, tuple(m.number for m in measures if m.part == number))
            for number, numeral, title in parts
        ),
        measures=measures,
    )


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


def _measure(draft: _Draft, part_title: str) -> Measure:
    text = "".join(draft.text)
    title, sep, _ = text.partition("。")
    if not sep or not title:
        raise ParseError(draft.line_no, text, f"measure {draft.number} has no title ending in 。")
    body_start = len(title) + 1
    sentences = tuple(
        Sentence(s.text, s.start, s.end, tuple(split_spans(s.text, CLAUSE_ENDS, s.start)))
        for s in split_spans(text[body_start:], SENTENCE_ENDS, body_start)
    )
    return Measure(draft.number, title, draft.part, part_title, text, sentences)


def _iso_date(line: str) -> str:
    year, month, day = _DATE.match(line).groups()  # type: ignore[union-attr]
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
