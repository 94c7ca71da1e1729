"""The 《…意见》 family: a policy of parts and numbered measures.

A title line, page chrome, a preamble, parts headed `一、…`, measures numbered `1.` or `1．` (each
"title。body"), and a signature of issuers and a date. Numbering must be continuous; anything else
raises `ParseError` naming the line, because a silently mis-numbered measure would be cited wrongly.

>>> from index.parse.common import lines_of
>>> doc = parse(lines_of("标题\\n一、总则\\n1.甲事项。内容一;内容二。\\n2.乙事项。内容三。\\n某某委员会\\n2023年8月28日"))
>>> [m.title for m in doc.measures], doc.parts[0].title, doc.date, doc.issuers
(['甲事项', '乙事项'], '总则', '2023-08-28', ('某某委员会',))
>>> [c.text for c in doc.measures[0].clauses], doc.measures[0].label
(['内容一;', '内容二。'], '第1条')
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from index.document import Document, Measure, Part
from index.numerals import CHINESE_NUMERAL_CHARS, chinese_to_int
from index.parse.common import Line, ParseError, document, iso_date, sentences_of

NAME = "policy"
# Lines a web page wraps around the text (font-size switcher, QR-code prompt).
_CHROME = re.compile(r"^(字号[:：]?.*|大\s*中\s*小|扫码使用手机浏览本页内容|打印本页|关闭窗口|【?[打印关闭]+】?)$")
_PART = re.compile(rf"^([{CHINESE_NUMERAL_CHARS}]+)[、,，]\s*(\S.*)$")
_MEASURE = re.compile(r"^(\d{1,3})\s*[.．、]\s*(\S.*)$")
_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")


def recognises(lines: Sequence[Line]) -> bool:
    """Parts 一、… or measures 1. — the shape of a policy (broken numbering is for `parse` to name)."""
    return any(_PART.match(line.text) or _MEASURE.match(line.text) for line in lines[1:])


@dataclass
class _Draft:
    number: int
    part: int
    line_no: int
    text: list[str] = field(default_factory=list)


def parse(lines: Sequence[Line], metadata: Mapping[str, object] | None = None) -> Document:
    lines = [line for line in lines if not _CHROME.match(line.text)]
    if not lines:
        raise ParseError(1, "", "empty document")

    preamble: list[str] = []
    parts: list[tuple[int, str, str]] = []  # (number, numeral, title)
    drafts: list[_Draft] = []
    trailer: list[Line] = []

    for line in lines[1:]:
        no, text = line.no, line.text
        if part := _PART.match(text):
            numeral, title = part.groups()
            expected = len(parts) + 1
            if chinese_to_int(numeral) != expected:
                raise ParseError(no, text, f"part {numeral} where part {expected} was expected")
            parts.append((expected, numeral, title))
            trailer = []
        elif measure := _MEASURE.match(text):
            number, body = int(measure.group(1)), measure.group(2)
            if not parts:
                raise ParseError(no, text, f"measure {number} comes before any part (一、…)")
            expected = len(drafts) + 1
            if number != expected:
                kind = "duplicate" if number < expected else "gap in numbering"
                raise ParseError(no, text, f"{kind}: measure {number} where {expected} was expected")
            drafts.append(_Draft(number, len(parts), no, [body]))
            trailer = []
        elif not drafts:
            if parts:
                raise ParseError(no, text, "text under a part before its first measure")
            preamble.append(text)
        else:
            # Lines after a measure are either its continuation or the signature; we only know
            # which once the date line shows up, so hold them back.
            trailer.append(line)
            if _DATE.match(text):
                break
    else:
        trailer_is_signature = bool(trailer) and _DATE.match(trailer[-1].text) is not None
        if trailer and not trailer_is_signature:
            drafts[-1].text.extend(line.text for line in trailer)
            trailer = []

    if not drafts:
        raise ParseError(lines[-1].no, lines[-1].text, "no numbered measures found")

    signature = [line.text for line in trailer]
    part_titles = {number: title for number, _, title in parts}
    measures = [_measure(d, part_titles[d.part]) for d in drafts]
    return document(
        NAME, title=lines[0].text, issuers=signature[:-1], date=iso_date(signature[-1]) if signature else "",
        preamble="\n".join(preamble),
        parts=[Part(number, f"{numeral}、{title}", title, tuple(m.number for m in measures if m.part == number))
               for number, numeral, title in parts],
        measures=measures, metadata=metadata or {})


def _measure(draft: _Draft, part_title: str) -> Measure:
    text = "".join(draft.text)
    title, sep, _ = text.partition("。")
    if not sep or not title:
        raise ParseError(draft.line_no, text, f"measure {draft.number} has no title ending in 。")
    body_start = len(title) + 1
    return Measure(draft.number, f"第{draft.number}条", title, draft.part, part_title, text,
                   sentences_of(text[body_start:], body_start))
