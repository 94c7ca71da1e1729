"""Compose the readable answer: quotes with their clause numbers, and nothing else asserted.

Chinese questions get Chinese framing, English ones English framing; the quotes always stay in the
original Chinese, because they are the policy. For an English question each quote is followed by
its unofficial English rendering, marked as such.

>>> language("Can teachers punish students?"), language("班主任 bonus")
('en', 'zh')
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.schemas import Answer, Citation
from index.document import Document, Measure, Rendering, Span

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
EN_MARK = "Unofficial translation"


@dataclass(frozen=True)
class Cited:
    measure: Measure
    score: float
    quotes: list[Span]  # empty: related, not answering


@dataclass(frozen=True)
class Composer:
    """Turns what the assistant decided into an `Answer` in the question's language."""

    document: Document
    rendering: Rendering | None = None

    def answer(self, question: str, cited: list[Cited]) -> Answer:
        """`cited`: measures with quotes first (they answer), then related ones without."""
        lang = language(question)
        answering = [c for c in cited if c.quotes]
        numbers = "、".join(f"第{c.measure.number}条" for c in answering)
        if lang == "en":
            lead = (f'Measure {", ".join(str(c.measure.number) for c in answering)} of "{self.document.title}" '
                    f"says (quoted in the original Chinese, with an unofficial English translation):")
        else:
            lead = f"《{self.document.title}》{numbers}这样规定："
        lines = [lead]
        for c in answering:
            for quote in c.quotes:
                if lang == "en":
                    lines.append(f"“{quote.text}” (Measure {c.measure.number}, 第{c.measure.number}条 {c.measure.title})")
                    if rendered := self._rendering(c.measure, quote):
                        lines.append(f"  [{EN_MARK}] {rendered}")
                else:
                    lines.append(f"“{quote.text}”（第{c.measure.number}条 · {c.measure.title}）")
        return Answer(question=question, in_scope=True, kind="answer", lang=lang, lead=lead, answer="\n".join(lines),
                      citations=[self.citation(c) for c in cited])

    def not_covered(self, question: str, related: list[Cited], missing: Sequence[str]) -> Answer:
        lang = language(question)
        names = [f"第{c.measure.number}条 {c.measure.title}" for c in related]
        if lang == "en":
            what = f'does not say anything about {", ".join(f"“{m}”" for m in missing)}' if missing else "does not cover this question"
            lead = f'The document "{self.document.title}" {what}, so there is nothing to quote.'
            rest = f" What it does cover nearby (possibly related, 可能相关): {'; '.join(names)}." if names else ""
            hint = " Try other words, or browse the measures."
        else:
            what = f"没有提到{'、'.join(f'“{m}”' for m in missing)}" if missing else "没有涉及这个问题"
            lead = f"《{self.document.title}》{what}，无法给出依据。"
            rest = f"它涉及的相关内容（可能相关）：{'；'.join(names)}。" if names else ""
            hint = "可以换个说法，或浏览全部条款。"
        return Answer(question=question, in_scope=False, kind="not_covered", lang=lang, lead=lead,
                      answer=lead + rest + hint, missing=list(missing), citations=[self.citation(c) for c in related])

    def invalid_reference(self, question: str, numbers: Sequence[int], parts: Sequence[int],
                          malformed: Sequence[str]) -> Answer:
        lang = language(question)
        count, part_count = len(self.document.measures), len(self.document.parts)
        if lang == "en":
            named = [f"measure {n}" for n in numbers] + [f"part {n}" for n in parts] + [f"“{m}”" for m in malformed]
            lead = (f"There is no {', '.join(named)}: the document has measures 1–{count} and parts 1–{part_count}; "
                    f"ask for one of those, e.g. “measure 7”.")
        else:
            named = [f"第{n}条" for n in numbers] + [f"第{n}部分" for n in parts] + [f"“{m}”" for m in malformed]
            lead = (f"没有{'、'.join(named)}：本文件共{part_count}个部分、{count}条（第1—{count}条），"
                    f"请输入其中的条号，例如“第7条”。")
        return Answer(question=question, in_scope=False, kind="invalid_reference", lang=lang, lead=lead,
                      answer=lead, citations=[])

    def smalltalk(self, question: str, kind: str, suggestions: list[str]) -> Answer:
        lang = language(question)
        if kind == "unclear":
            lead = ("I could not read a question there. Please rephrase it, for example:" if lang == "en"
                    else "没能看懂这个问题，请换个说法。比如可以这样问：")
        else:
            lead = _SMALLTALK_REPLIES[kind][lang == "en"].format(title=self.document.title)
        answer = "\n".join([lead, *(f"· {s}" for s in suggestions)])
        return Answer(question=question, in_scope=False, kind="unclear" if kind == "unclear" else "smalltalk",
                      lang=lang, lead=lead, answer=answer, suggestions=suggestions, citations=[])

    def part(self, question: str, part_numbers: Sequence[int]) -> Answer:
        lines, cited = [], []
        for number in part_numbers:
            part = self.document.part(number)
            lines.append(f"{part.heading}：")
            for n in part.measures:
                m = self.document.measure(n)
                lines.append(f"  第{n}条 {m.title}")
                cited.append(Cited(m, 1.0, [Span(m.title, 0, len(m.title))]))
        return Answer(question=question, in_scope=True, kind="answer", lang=language(question), lead=lines[0],
                      answer="\n".join(lines), citations=[self.citation(c) for c in cited])

    def citation(self, cited: Cited) -> Citation:
        m = cited.measure
        rendered = [self._rendering(m, q) for q in cited.quotes]
        return Citation(measure=m.number, title=m.title, part=self.document.part(m.part).heading,
                        title_en=self.rendering.titles.get(m.number) if self.rendering else None,
                        score=round(cited.score, 4), quotes=[q.text for q in cited.quotes],
                        quotes_en=[r or "" for r in rendered] if any(rendered) else [], text=m.text)

    def _rendering(self, measure: Measure, span: Span) -> str | None:
        if self.rendering is None:
            return None
        if span.start == 0 and span.end == len(measure.text):
            return self.rendering.measure_text(measure)
        if span.start == 0 and span.text == measure.title:
            return self.rendering.titles.get(measure.number)
        return self.rendering.clause(measure.number, span)


_SMALLTALK_REPLIES = {  # kind -> (Chinese, English)
    "greeting": ("您好！我是聊城教育政策助手，用《{title}》的原文回答问题。比如可以问：",
                 "Hello! I answer questions by quoting the Liaocheng education policy document. You could ask:"),
    "thanks": ("不客气！还有问题可以继续问，比如：", "You're welcome! Feel free to ask more, for example:"),
    "bye": ("再见！需要时随时回来问。也可以试试：", "Goodbye! Come back any time. You could also ask:"),
    "ack": ("好的。还想了解什么？比如：", "All right. What else would you like to know? For example:"),
    "identity": ("我是聊城教育政策助手：只引用《{title}》的原文作答，并注明出自第几条；文件没有写到的，我会直说。比如可以问：",
                 "I am the Liaocheng education policy assistant: I answer only with quotes from the policy document "
                 "and name the measure they come from; when it does not cover something, I say so. You could ask:"),
    "laugh": ("😊 有什么想问的？比如：", "😊 Anything you would like to ask? For example:"),
}


def language(text: str) -> str:
    return "en" if _LATIN.search(text) and not _CJK.search(text) else "zh"
