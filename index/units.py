"""The retrieval units of a document: each measure (or article) whole, its sentences, clauses and
phrases, their English rendering, and the everyday questions that point to it. Every unit carries
its document's id.

Dense search scores a measure both as a whole and by its best-matching piece: a question about one
rule in a long measure matches the rule's phrase far better than the whole measure's average. The
rendering lets an English question meet English text; the everyday questions let a colloquial one
meet the words people use rather than the document's.

A statute's article has no title of its own, so its document's short name and chapter heading stand
in for one (`context`, embedded before the article's text: 教师法 第六章 待遇：…); a policy measure's
title is part of its text.

Phrases (pieces between commas) are units only in a policy: it packs many rules into one long
sentence joined by commas, while a statute gives each rule its own paragraph or list item, so its
sentences are already the pieces (and phrases would triple the index, and its build time).

>>> from index.parse import parse_document
>>> doc = parse_document("T\\n一、P\\n1.甲。按照A标准,用于B;按照C标准,用于D。\\n")
>>> [u.kind for u in units_of(doc)]
['measure', 'sentence', 'clause', 'clause', 'phrase', 'phrase']
>>> [(u.document, u.kind) for u in units_of(doc, questions=[EverydayQuestion(1, "甲怎么办")])][-1]
('', 'question')
>>> law = parse_document("某法\\n第一章 总则\\n第一条 甲。", {"short_title": "某法"})
>>> [u.embedded for u in units_of(law)]
['某法 第一章 总则：甲。', '甲。']
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from index.document import Document, EverydayQuestion, Rendering, Span
from index.parse import split_spans

PHRASE_ENDS = ",，、:："
MIN_PHRASE_CHARS = 6  # shorter pieces ("用于B,") match almost any question

# Kinds whose similarity says how well one piece of a measure matches (best piece per measure).
PIECE_KINDS = ("sentence", "clause", "phrase", "clause_en")
WHOLE_KINDS = ("measure", "measure_en")
# Kinds whose words say what a measure is about: its BM25 document and its vocabulary.
MEASURE_WORD_KINDS = ("measure", "measure_en", "question")


@dataclass(frozen=True)
class Unit:
    document: str  # the document's id; empty for off-topic statements, which belong to none
    measure: int  # 0 for off-topic statements, which belong to no measure
    kind: str  # "measure" | "sentence" | "clause" | "phrase" | "measure_en" | "clause_en" | "question" | "off_topic"
    text: str
    start: int  # the span of the measure's Chinese text it stands for (0, 0 for questions)
    end: int
    context: str = ""  # what is embedded before the text: a statute article's document and chapter

    @property
    def embedded(self) -> str:
        """The text the model sees for this unit."""
        return f"{self.context}：{self.text}" if self.context else self.text


def units_of(document: Document, rendering: Rendering | None = None,
             questions: Sequence[EverydayQuestion] = ()) -> Iterator[Unit]:
    doc = document.id
    phrases = document.family != "statute"
    for m in document.measures:
        context = f"{document.name} {document.heading(m)}".strip() if document.family == "statute" else ""
        yield Unit(doc, m.number, "measure", m.text, 0, len(m.text), context)
        for sentence in m.sentences:
            yield Unit(doc, m.number, "sentence", sentence.text, sentence.start, sentence.end)
            clauses = sentence.clauses if len(sentence.clauses) > 1 else ()
            for clause in clauses:
                yield Unit(doc, m.number, "clause", clause.text, clause.start, clause.end)
            if phrases:
                for clause in sentence.clauses:
                    yield from _phrases(doc, m.number, clause)
        if rendering is not None:
            if text := rendering.measure_text(m):
                yield Unit(doc, m.number, "measure_en", text, 0, len(m.text))
            for clause in m.clauses:
                if text := rendering.clause(m.number, clause):
                    yield Unit(doc, m.number, "clause_en", text, clause.start, clause.end)
    for q in questions:
        yield Unit(doc, q.measure, "question", q.text, 0, 0)


def _phrases(doc: str, measure: int, clause: Span) -> Iterator[Unit]:
    phrases = list(split_spans(clause.text, PHRASE_ENDS, clause.start))
    if len(phrases) > 1:
        for p in phrases:
            if len(p.text) >= MIN_PHRASE_CHARS:
                yield Unit(doc, measure, "phrase", p.text, p.start, p.end)
