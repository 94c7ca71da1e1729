"""Compose the readable answer: quotes with their clause numbers, and nothing else asserted.

Chinese questions get Chinese framing, English ones English framing; the quotes always stay in the
original Chinese, because they are the policy.

>>> is_english("Can teachers punish students?"), is_english("班主任 bonus")
(True, False)
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.schemas import Answer, Citation
from index.document import Document, Measure

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Cited:
    measure: Measure
    score: float
    quotes: list[str]  # empty: related, not answering


def is_english(text: str) -> bool:
    return bool(_LATIN.search(text)) and not _CJK.search(text)


def citation(cited: Cited, document: Document) -> Citation:
    m = cited.measure
    return Citation(measure=m.number, title=m.title, part=document.part(m.part).heading,
                    score=round(cited.score, 4), quotes=cited.quotes, text=m.text)


def answer_in_scope(question: str, cited: list[Cited], document: Document) -> Answer:
    """`cited`: measures with quotes first (they answer), then related ones without."""
    english = is_english(question)
    lines = [f'According to "{document.title}" (quoted in the original Chinese):' if english
             else f"根据《{document.title}》："]
    for c in cited:
        for quote in c.quotes:
            lines.append(f"“{quote}”（第{c.measure.number}条 · {c.measure.title}）" if not english
                         else f"“{quote}” (Measure {c.measure.number}, 第{c.measure.number}条 {c.measure.title})")
    return Answer(question=question, in_scope=True, answer="\n".join(lines),
                  citations=[citation(c, document) for c in cited])


def answer_out_of_scope(question: str, related: list[Cited], document: Document) -> Answer:
    names = [f"第{c.measure.number}条 {c.measure.title}" for c in related]
    if is_english(question):
        text = (f'The document "{document.title}" does not cover this question, so there is nothing '
                f"to quote. Possibly related (可能相关): {'; '.join(names)}.")
    else:
        text = f"《{document.title}》没有涉及这个问题，无法给出依据。可能相关：{'；'.join(names)}。"
    return Answer(question=question, in_scope=False, answer=text,
                  citations=[citation(c, document) for c in related])


def answer_missing_reference(question: str, measures: list[int], parts: list[int], document: Document) -> Answer:
    count, part_count = len(document.measures), len(document.parts)
    if is_english(question):
        missing = ", ".join([f"measure {n}" for n in measures] + [f"part {n}" for n in parts])
        text = f"The document has parts 1–{part_count} and measures 1–{count} only; there is no {missing}."
    else:
        missing = "、".join([f"第{n}条" for n in measures] + [f"第{n}部分" for n in parts])
        text = f"本文件共{part_count}个部分、{count}条（第1—{count}条），没有{missing}。"
    return Answer(question=question, in_scope=False, answer=text, citations=[])


def answer_part(question: str, part_numbers: list[int], document: Document) -> Answer:
    lines, cited = [], []
    for number in part_numbers:
        part = document.part(number)
        lines.append(f"{part.heading}：")
        for n in part.measures:
            m = document.measure(n)
            lines.append(f"  第{n}条 {m.title}")
            cited.append(Cited(m, 1.0, [m.title]))
    return Answer(question=question, in_scope=True, answer="\n".join(lines),
                  citations=[citation(c, document) for c in cited])
