"""Direct references to a measure or part, answered without any search.

Staff often know where to look: 第7条, 第十二条, "7.", measure 7, 第二部分, 二、, part 2.

>>> find_references("第十二条讲了什么")
Reference(measures=(12,), parts=(), rest='讲了什么')
>>> find_references("What does measure 7 say?").measures
(7,)
>>> find_references("第二部分有哪些内容").parts
(2,)
>>> find_references("班主任每月多少钱") is None
True
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.numerals import CHINESE_NUMERAL_CHARS, chinese_to_int

_NUM = rf"(\d{{1,3}}|[{CHINESE_NUMERAL_CHARS}]{{1,4}})"
_MEASURE_PATTERNS = (
    re.compile(rf"第\s*{_NUM}\s*[条项点款]"),
    re.compile(r"(?:\b(?:measure|article|clause|item|point|section)|#)\s*(\d{1,3})\b", re.IGNORECASE),
    re.compile(r"^\s*(\d{1,3})\s*[.．、](?!\d)"),
)
_PART_PATTERNS = (
    re.compile(rf"第\s*{_NUM}\s*(?:大)?部分"),
    re.compile(r"\bpart\s*(\d{1,2})\b", re.IGNORECASE),
    re.compile(rf"^\s*([{CHINESE_NUMERAL_CHARS}]{{1,3}})\s*、"),
)


@dataclass(frozen=True)
class Reference:
    measures: tuple[int, ...]
    parts: tuple[int, ...]
    rest: str  # the question with the references taken out


def find_references(question: str) -> Reference | None:
    """The measures and parts `question` names, in the order named; None when it names none."""
    measures, rest = _collect(_MEASURE_PATTERNS, question)
    parts, rest = _collect(_PART_PATTERNS, rest)
    if not measures and not parts:
        return None
    return Reference(measures, parts, rest.strip())


def _collect(patterns: tuple[re.Pattern[str], ...], text: str) -> tuple[tuple[int, ...], str]:
    found: list[tuple[int, int]] = []  # (position, number)
    for pattern in patterns:
        for match in pattern.finditer(text):
            found.append((match.start(), _to_int(match.group(1))))
        text = pattern.sub(" ", text)
    numbers = tuple(dict.fromkeys(n for _, n in sorted(found) if n > 0))
    return numbers, text


def _to_int(numeral: str) -> int:
    return int(numeral) if numeral.isdigit() else chinese_to_int(numeral)
