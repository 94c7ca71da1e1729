"""Compose the readable answer: quotes with their documents and clause numbers, and nothing else asserted.

Chinese questions get Chinese framing, English ones English framing; the quotes always stay in the
original Chinese, because they are the texts. For an English question each quote is followed by
its unofficial English rendering where there is one, marked as such.

When the quotes come from several documents, the answer groups them by document, national law
first, then Shandong's regulations, then Liaocheng's policy, and says which level each is; a law
shows the date of its version, since a later amendment may not be in the corpus.

>>> language("Can teachers punish students?"), language("班主任 bonus")
('en', 'zh')
>>> joined(["国家", "山东省", "聊城市"])
'国家、山东省和聊城市'
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assistant.schemas import Answer, Citation
from index.corpus import LEVELS
from index.document import Document, Measure, Rendering, Span

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
EN_MARK = "Unofficial translation"
_LEVEL_EN = {"国家": "national", "山东省": "Shandong provincial", "聊城市": "Liaocheng municipal"}
_KIND_EN = {"法律": "law", "行政法规": "administrative regulation", "地方性法规": "regulation", "政策文件": "policy"}
_VERSION_EN = {"修正": "amended", "修订": "revised", "通过": "adopted", "印发": "issued"}


@dataclass(frozen=True)
class Cited:
    document: Document
    measure: Measure
    score: float
    quotes: list[Span]  # empty: related, not answering

    @property
    def key(self) -> tuple[str, int]:
        return (self.document.id, self.measure.number)


@dataclass(frozen=True)
class Composer:
    """Turns what the assistant decided into an `Answer` in the question's language."""

    documents: Mapping[str, Document]  # id -> document, in corpus order
    renderings: Mapping[str, Rendering]  # id -> its unofficial English rendering, where there is one

    def answer(self, question: str, cited: list[Cited]) -> Answer:
        """`cited`: measures with quotes first (they answer), then related ones without."""
        lang = language(question)
        answering = [c for c in cited if c.quotes]
        groups = _by_document(answering)
        if len(groups) == 1:
            document, items = groups[0]
            lines = [self._lead(document, items, lang)]
            lines += [line for c in items for line in self._quote_lines(c, lang, named=False)]
        else:
            levels = list(dict.fromkeys(document.level for document, _ in groups))
            lines = [f"These texts answer it: {joined([_LEVEL_EN.get(l, l) for l in levels], 'and')} "
                     f"(quoted in the original Chinese):" if lang == "en" else f"以下依次是{joined(levels)}的规定："]
            for document, items in groups:
                lines.append(self._group_heading(document, lang))
                lines += [line for c in items for line in self._quote_lines(c, lang, named=True)]
        return Answer(question=question, in_scope=True, kind="answer", lang=lang, lead=lines[0], answer="\n".join(lines),
                      citations=[self.citation(c) for c in cited])

    def not_covered(self, question: str, related: list[Cited], missing: Sequence[str],
                    scope: Sequence[Document]) -> Answer:
        lang = language(question)
        several = len(scope) > 1
        names = [self._name(c, several) for c in related]
        if lang == "en":
            if several:
                what = (f'says anything about {", ".join(f"“{m}”" for m in missing)}' if missing
                        else "covers this question")
                lead = f"None of the {len(scope)} documents ({self._describe(scope, 'en')}) {what}, so there is nothing to quote."
            else:
                what = (f'does not say anything about {", ".join(f"“{m}”" for m in missing)}' if missing
                        else "does not cover this question")
                lead = f'The document "{scope[0].title}" {what}, so there is nothing to quote.'
            rest = f" What it does cover nearby (possibly related, 可能相关): {'; '.join(names)}." if names else ""
            hint = " Try other words, or browse the measures."
        else:
            what = f"没有提到{'、'.join(f'“{m}”' for m in missing)}" if missing else "没有涉及这个问题"
            lead = (f"现有{len(scope)}份文件（{self._describe(scope, 'zh')}）都{what}，无法给出依据。" if several
                    else f"《{scope[0].title}》{what}，无法给出依据。")
            rest = f"它涉及的相关内容（可能相关）：{'；'.join(names)}。" if names else ""
            hint = "可以换个说法，或浏览全部条款。"
        return Answer(question=question, in_scope=False, kind="not_covered", lang=lang, lead=lead,
                      answer=lead + rest + hint, missing=list(missing), citations=[self.citation(c) for c in related])

    def invalid_reference(self, question: str, documents: Sequence[Document], numbers: Sequence[int],
                          parts: Sequence[int], malformed: Sequence[str]) -> Answer:
        """`documents`: the ones the reference may mean (one when the question names it)."""
        lang = language(question)
        if lang == "en":
            named = [f"measure {n}" for n in numbers] + [f"part {n}" for n in parts] + [f"“{m}”" for m in malformed]
            ranges = "; ".join(_range_en(d) for d in documents[:3]) + ("; …" if len(documents) > 3 else "")
            example = "measure 7" if documents[0].family != "statute" else f"{_english_name(documents[0])} article 1"
            lead = f"There is no {', '.join(named)}: {ranges}; ask for one of those, e.g. “{example}”."
        else:
            named = [f"第{n}条" for n in numbers] + [f"第{n}部分" for n in parts] + [f"“{m}”" for m in malformed]
            if len(documents) == 1 and documents[0].family != "statute":
                d = documents[0]
                lead = (f"没有{'、'.join(named)}：本文件共{len(d.parts)}个部分、{len(d.measures)}条"
                        f"（第1—{len(d.measures)}条），请输入其中的条号，例如“第7条”。")
            elif len(documents) == 1:
                d = documents[0]
                lead = f"没有{'、'.join(named)}：{_range_zh(d)}。请输入其中的条号，例如“{d.name}{d.measures[0].label}”。"
            else:
                longest = max(documents, key=lambda d: len(d.measures))
                lead = (f"没有{'、'.join(named)}：这{len(documents)}份文件的条号都从第一条开始，最多的《{longest.name}》"
                        f"共{len(longest.measures)}条。请带上文件名提问，例如“{longest.name}第一条”。")
        return Answer(question=question, in_scope=False, kind="invalid_reference", lang=lang, lead=lead,
                      answer=lead, citations=[])

    def choose_document(self, question: str, number: int, documents: Sequence[Document], *, part: bool = False) -> Answer:
        """An article (第十二条) or chapter named without its document while several documents have
        one: ask which, offering each as a question to click."""
        lang = language(question)
        if lang == "en":
            noun = "chapter" if part else "article"
            lead = f"{noun.capitalize()} {number} of which document? Several have one; choose:"
            suggestions = [f"{_english_name(d)} {noun} {number}" for d in documents]
        else:
            label = f"第{number}章" if part else f"第{number}条"
            lead = f"您问的是哪份文件的{label}？请选择："
            suggestions = [f"{d.name}{self._part_label(d, number) if part else self._label(d, number)}" for d in documents]
        answer = "\n".join([lead, *(f"· {s}" for s in suggestions)])
        return Answer(question=question, in_scope=False, kind="choose_document", lang=lang, lead=lead,
                      answer=answer, suggestions=suggestions, citations=[])

    def smalltalk(self, question: str, kind: str, suggestions: list[str], scope: Sequence[Document]) -> Answer:
        lang = language(question)
        if kind == "unclear":
            lead = ("I could not read a question there. Please rephrase it, for example:" if lang == "en"
                    else "没能看懂这个问题，请换个说法。比如可以这样问：")
        else:
            what = (f"《{scope[0].title}》" if len(scope) == 1 else self._describe(scope, "zh")) if lang == "zh" else (
                "the Liaocheng education policy document" if len(scope) == 1 and scope[0].family != "statute"
                else (f'"{scope[0].title_en or scope[0].title}"' if len(scope) == 1 else self._describe(scope, "en")))
            lead = _SMALLTALK_REPLIES[kind][lang == "en"].format(what=what)
        answer = "\n".join([lead, *(f"· {s}" for s in suggestions)])
        return Answer(question=question, in_scope=False, kind="unclear" if kind == "unclear" else "smalltalk",
                      lang=lang, lead=lead, answer=answer, suggestions=suggestions, citations=[])

    def part(self, question: str, document: Document, part_numbers: Sequence[int]) -> Answer:
        """A part's (or chapter's) measures: each by its title, or an article by its first sentence."""
        lines, cited = [], []
        for number in part_numbers:
            part = document.part(number)
            lines.append(f"{part.heading}：")
            for n in part.measures:
                m = document.measure(n)
                first = Span(m.title, 0, len(m.title)) if document.family != "statute" else m.sentences[0]
                lines.append(f"  {m.label} {m.title}" if document.family != "statute" else f"  {m.label} {first.text}")
                cited.append(Cited(document, m, 1.0, [first]))
        if document.family == "statute":
            lines[0] = f"《{document.title}》{lines[0]}"
        return Answer(question=question, in_scope=True, kind="answer", lang=language(question), lead=lines[0],
                      answer="\n".join(lines), citations=[self.citation(c) for c in cited])

    def citation(self, cited: Cited) -> Citation:
        d, m = cited.document, cited.measure
        rendering = self.renderings.get(d.id)
        rendered = [self._rendering(d, m, q) for q in cited.quotes]
        return Citation(document=d.id, document_title=d.title, document_name=d.name, document_level=d.level,
                        document_version=version_zh(d), measure=m.number, title=m.title, part=d.heading(m),
                        title_en=rendering.titles.get(m.number) if rendering else None,
                        score=round(cited.score, 4), quotes=[q.text for q in cited.quotes],
                        quotes_en=[r or "" for r in rendered] if any(rendered) else [], text=m.text)

    def _lead(self, document: Document, items: list[Cited], lang: str) -> str:
        if lang == "en":
            numbers = ", ".join(str(c.measure.number) for c in items)
            if document.family != "statute":
                return (f'Measure {numbers} of "{document.title}" says (quoted in the original Chinese, with an '
                        f"unofficial English translation):")
            return (f"Article {numbers} of the {document.title_en or document.title} ({self._describe([document], 'en')}, "
                    f"{version_en(document)}) says (quoted in the original Chinese):")
        labels = "、".join(c.measure.label for c in items)
        version = f"（{version_zh(document)}）" if document.version else ""
        prefix = f"{document.level}{document.kind}" if document.family == "statute" else ""
        return f"{prefix}《{document.title}》{version}{labels}这样规定："

    def _group_heading(self, document: Document, lang: str) -> str:
        if lang == "en":
            version = f", {version_en(document)}" if document.version else ""
            return f"[{self._describe([document], 'en')}{version}] {document.title_en or document.title}:"
        version = f"（{version_zh(document)}）" if document.version else ""
        return f"【{document.level}{document.kind}】《{document.title}》{version}："

    def _quote_lines(self, c: Cited, lang: str, *, named: bool) -> list[str]:
        d, m = c.document, c.measure
        lines = []
        for quote in c.quotes:
            if lang == "en":
                where = (f"Measure {m.number}, {m.label} {m.title}" if d.family != "statute"
                         else f"{_english_name(d)}, Article {m.number}, {m.label}")
                lines.append(f"“{quote.text}” ({where})")
                if rendered := self._rendering(d, m, quote):
                    lines.append(f"  [{EN_MARK}] {rendered}")
            else:
                lines.append(f"“{quote.text}”（{m.label} · {m.title}）" if d.family != "statute"
                             else f"“{quote.text}”（{d.name} {m.label}）")
        return lines

    def _name(self, c: Cited, several: bool) -> str:
        """How a related measure is named: 第7条 提高教师待遇, 教师法 第二十五条."""
        d, m = c.document, c.measure
        if d.family == "statute":
            return f"{d.name} {m.label}"
        return f"{d.name} {m.label} {m.title}" if several else f"{m.label} {m.title}"

    def _label(self, document: Document, number: int) -> str:
        try:
            return document.measure(number).label
        except KeyError:
            return f"第{number}条"

    def _part_label(self, document: Document, number: int) -> str:
        if document.family != "statute":
            return f"第{number}部分"
        return document.part(number).heading.split(" ")[0]

    def _describe(self, scope: Sequence[Document], lang: str) -> str:
        """What a set of documents is: 国家、山东省和聊城市的教育法律法规和政策."""
        levels = [level for level in LEVELS if any(d.level == level for d in scope)]
        kinds = {d.family for d in scope}
        if lang == "en":
            what = ("education laws and policy" if kinds == {"statute", "policy"}
                    else "education laws" if kinds == {"statute"} else "education policy")
            if len(scope) == 1:
                return f"{_LEVEL_EN.get(scope[0].level, scope[0].level)} {_KIND_EN.get(scope[0].kind, 'text')}"
            return f"{joined([_LEVEL_EN.get(l, l) for l in levels], 'and')} {what}"
        what = "教育法律法规和政策" if kinds == {"statute", "policy"} else "教育法律法规" if kinds == {"statute"} else "教育政策"
        return f"{joined(levels)}的{what}"

    def _rendering(self, document: Document, measure: Measure, span: Span) -> str | None:
        rendering = self.renderings.get(document.id)
        if rendering is None:
            return None
        if span.start == 0 and span.end == len(measure.text):
            return rendering.measure_text(measure)
        if span.start == 0 and span.text == measure.title:
            return rendering.titles.get(measure.number)
        return rendering.clause(measure.number, span)


def _by_document(cited: list[Cited]) -> list[tuple[Document, list[Cited]]]:
    """Group by document, national first, then provincial, then local (best first within a level)."""
    groups: dict[str, tuple[Document, list[Cited]]] = {}
    for c in cited:
        groups.setdefault(c.document.id, (c.document, []))[1].append(c)
    rank = {level: i for i, level in enumerate(LEVELS)}
    return sorted(groups.values(), key=lambda g: rank.get(g[0].level, len(LEVELS)))


def version_zh(document: Document) -> str:
    """2009年8月27日修正, 2024年11月8日通过，2025年6月1日起施行; empty when the version is not shown."""
    if not document.version:
        return ""
    text = f"{_date_zh(document.date)}{document.version}"
    if document.in_force and document.in_force != document.date:
        text += f"，{_date_zh(document.in_force)}起施行"
    return text


def version_en(document: Document) -> str:
    text = f"{_VERSION_EN.get(document.version, document.version)} {document.date}"
    if document.in_force and document.in_force != document.date:
        text += f", in force from {document.in_force}"
    return text


def _date_zh(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{int(year)}年{int(month)}月{int(day)}日"


def _range_zh(document: Document) -> str:
    count = len(document.measures)
    if document.family != "statute":
        return f"《{document.name}》共{count}条（第1—{count}条）"
    chapters = f"{len(document.parts)}章、" if document.parts else ""
    return f"《{document.name}》共{chapters}{count}条（第一条至{document.measures[-1].label}）"


def _range_en(document: Document) -> str:
    noun = "measures" if document.family != "statute" else "articles"
    parts = f" and parts 1–{len(document.parts)}" if document.family != "statute" else ""
    name = "the document" if document.family != "statute" else f"the {_english_name(document)}"
    return f"{name} has {noun} 1–{len(document.measures)}{parts}"


def _english_name(document: Document) -> str:
    return next((a for a in document.aliases if a.isascii()), document.title_en or document.title)


def joined(items: Sequence[str], last: str = "和") -> str:
    """国家、山东省和聊城市; national, Shandong and Liaocheng."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    separator = "、" if last == "和" else ", "
    space = "" if last == "和" else " "
    return separator.join(items[:-1]) + f"{space}{last}{space}" + items[-1]


_SMALLTALK_REPLIES = {  # kind -> (Chinese, English); {what}: the documents answered from
    "greeting": ("您好！我是聊城教育政策助手，用{what}的原文回答问题。比如可以问：",
                 "Hello! I answer questions by quoting {what}. You could ask:"),
    "thanks": ("不客气！还有问题可以继续问，比如：", "You're welcome! Feel free to ask more, for example:"),
    "bye": ("再见！需要时随时回来问。也可以试试：", "Goodbye! Come back any time. You could also ask:"),
    "ack": ("好的。还想了解什么？比如：", "All right. What else would you like to know? For example:"),
    "identity": ("我是聊城教育政策助手：只引用{what}的原文作答，并注明出自第几条；文件没有写到的，我会直说。比如可以问：",
                 "I am the Liaocheng education policy assistant: I answer only with quotes from {what} "
                 "and name the measure they come from; when it does not cover something, I say so. You could ask:"),
    "laugh": ("😊 有什么想问的？比如：", "😊 Anything you would like to ask? For example:"),
}


def language(text: str) -> str:
    return "en" if _LATIN.search(text) and not _CJK.search(text) else "zh"
