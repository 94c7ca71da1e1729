"""The 章/条 family: laws and regulations of chapters and articles.

A title line, dated lines of adoption and amendment, then chapters `第X章 标题` (the title possibly
spaced, 总 则) and articles `第X条 正文`, one paragraph per line; an article runs until the next article
or chapter, its list items (（一）… or (一)…) each on a line. Chapters may be absent altogether, or the
first heading may be missing (the text starts with articles and the first heading is 第二章). Articles
and chapters must be numbered without gaps or repeats; anything else raises `ParseError` naming the line.

>>> from index.parse.common import lines_of
>>> doc = parse(lines_of("某法\\n2020年1月1日 通过\\n第一章 总 则\\n第一条 甲。\\n第二条 乙：\\n（一）丙；\\n（二）丁。\\n第二章 附则\\n第三条 戊。"))
>>> [(m.label, m.part, m.part_title) for m in doc.measures], doc.parts[0].heading, doc.date
([('第一条', 1, '总则'), ('第二条', 1, '总则'), ('第三条', 2, '附则')], '第一章 总则', '2020-01-01')
>>> [s.text for s in doc.measure(2).sentences]
['乙：', '（一）丙；', '（二）丁。']
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from index.document import Document, Measure, Part
from index.numerals import CHINESE_NUMERAL_CHARS, chinese_numeral_value, int_to_chinese
from index.parse.common import DATE, Line, ParseError, document, iso_date, sentences_of

NAME = "statute"
_ARTICLE = re.compile(rf"^第([{CHINESE_NUMERAL_CHARS}]+)条[\s\u3000]+(\S.*)$")
_CHAPTER = re.compile(rf"^第([{CHINESE_NUMERAL_CHARS}]+)章(?:[\s\u3000]+(\S.*))?$")


def recognises(lines: Sequence[Line]) -> bool:
    """Articles 第一条 … at the start of lines — the shape of a statute."""
    return any(_ARTICLE.match(line.text) for line in lines[1:])


def parse(lines: Sequence[Line], metadata: Mapping[str, object] | None = None) -> Document:
    if not lines:
        raise ParseError(1, "", "empty document")
    preamble: list[str] = []
    chapters: list[tuple[int, str]] = []  # (number, title)
    articles: list[tuple[int, int, list[str]]] = []  # (number, chapter, paragraphs)
    for line in lines[1:]:
        if chapter := _CHAPTER.match(line.text):
            number = _number(chapter.group(1), line, "chapter")
            title = re.sub(r"\s+", "", chapter.group(2) or "")
            if not chapters and articles:
                # The text starts with articles: their heading (第一章) is missing from the source.
                if number != 2:
                    raise ParseError(line.no, line.text, f"articles before 第{chapter.group(1)}章, the first chapter")
                chapters.append((1, ""))
                articles = [(n, 1, paragraphs) for n, _, paragraphs in articles]
            expected = len(chapters) + 1
            if number != expected:
                problem = "duplicate" if number < expected else "gap in numbering"
                raise ParseError(line.no, line.text, f"{problem}: chapter {number} where {expected} was expected")
            if chapters and not any(a[1] == chapters[-1][0] for a in articles):
                raise ParseError(line.no, line.text, f"chapter {chapters[-1][0]} has no articles")
            chapters.append((number, title))
        elif article := _ARTICLE.match(line.text):
            number = _number(article.group(1), line, "article")
            expected = len(articles) + 1
            if number != expected:
                problem = "duplicate" if number < expected else "gap in numbering"
                raise ParseError(line.no, line.text, f"{problem}: article {number} where {expected} was expected")
            articles.append((number, len(chapters), [article.group(2)]))
        elif articles:
            articles[-1][2].append(line.text)
        else:
            preamble.append(line.text)
    if not articles:
        raise ParseError(lines[-1].no, lines[-1].text, "no articles (第一条 …) found")
    if chapters and not any(a[1] == chapters[-1][0] for a in articles):
        raise ParseError(lines[-1].no, lines[-1].text, f"chapter {chapters[-1][0]} has no articles")

    titles = dict(chapters)
    measures = []
    for number, chapter, paragraphs in articles:
        text = "\n".join(paragraphs)
        label = f"第{int_to_chinese(number)}条"
        measures.append(Measure(number, label, label, chapter, titles.get(chapter, ""), text, sentences_of(text)))
    parts = [Part(n, f"第{int_to_chinese(n)}章 {title}".strip(), title,
                  tuple(m.number for m in measures if m.part == n)) for n, title in chapters]
    dates = [iso_date(line) for line in preamble if DATE.search(line)]
    return document(NAME, title=lines[0].text, issuers=(), date=max(dates, default=""),
                    preamble="\n".join(preamble), parts=parts, measures=measures, metadata=metadata or {})


def _number(numeral: str, line: Line, what: str) -> int:
    value = chinese_numeral_value(numeral)
    if value is None or value < 1:
        raise ParseError(line.no, line.text, f"{what} number {numeral} is not a number")
    return value
