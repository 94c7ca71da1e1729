"""Direct references to a measure or part, answered without any search.

Staff often know where to look: 第7条, 第十二条, "7.", measure 7, 第二部分, 二、, part 2. A reference
that is not a valid number (第0条, 第-1条, 第二四条, 第九九九九条) is still a reference: the caller
answers it with the valid range instead of searching for it.

>>> find_references("第十二条讲了什么")
Reference(measures=(12,), parts=(), malformed=(), rest='讲了什么')
>>> find_references("What does measure 7 say?").measures
(7,)
>>> find_references("第二部分有哪些内容").parts
(2,)
>>> find_references("第0条和第-1条").measures, find_references("第二四条").malformed
((0, -1), ('第二四条',))
>>> find_references("班主任每月多少钱") is None
True
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.numerals import CHINESE_NUMERAL_CHARS, chinese_numeral_value

_NUMERALS = CHINESE_NUMERAL_CHARS + "千万"
_NUM = rf"(-?\s*\d+|[{_NUMERALS}]+)"
_MEASURE_PATTERNS = (
    re.compile(rf"第\s*{_NUM}\s*[条项点款]"),
    re.compile(r"(?:\b(?:measure|article|clause|item|point|section)|#)\s*(-?\s*\d+)\b", re.IGNORECASE),
    re.compile(r"^\s*(\d{1,3})\s*[.．、](?!\d)"),
)
_PART_PATTERNS = (
    re.compile(rf"第\s*{_NUM}\s*(?:大)?部分"),
    re.compile(r"\bpart\s*(-?\s*\d+)\b", re.IGNORECASE),
    re.compile(rf"^\s*([{CHINESE_NUMERAL_CHARS}]{{1,3}})\s*、"),
)


@dataclass(frozen=True)
class Reference:
    measures: tuple[int, ...]  # as written, possibly out of range (0, -1, 9999)
    parts: tuple[int, ...]
    malformed: tuple[str, ...]  # references whose number is not a number (第二四条)
    rest: str  # the question with the references taken out


def find_references(question: str) -> Reference | None:
    """The measures and parts `question` names, in the order named; None when it names none."""
    measures, bad_measures, rest = _collect(_MEASURE_PATTERNS, question)
    parts, bad_parts, rest = _collect(_PART_PATTERNS, rest)
    if not (measures or parts or bad_measures or bad_parts):
        return None
    return Reference(measures, parts, bad_measures + bad_parts, rest.strip())


def _collect(patterns: tuple[re.Pattern[str], ...], text: str) -> tuple[tuple[int, ...], tuple[str, ...], str]:
    found: list[tuple[int, int]] = []  # (position, number)
    malformed: list[tuple[int, str]] = []
    for pattern in patterns:
        for match in pattern.finditer(text):
            value = _to_int(match.group(1))
            if value is None:
                malformed.append((match.start(), match.group(0).strip()))
            else:
                found.append((match.start(), value))
        text = pattern.sub(" ", text)
    numbers = tuple(dict.fromkeys(n for _, n in sorted(found)))
    return numbers, tuple(m for _, m in sorted(malformed)), text


def _to_int(numeral: str) -> int | None:
    numeral = re.sub(r"\s+", "", numeral)
    if re.fullmatch(r"-?\d+", numeral):
        return int(numeral)
    return chinese_numeral_value(numeral)
