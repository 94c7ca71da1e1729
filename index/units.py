"""The retrieval units of a document: each measure whole, its sentences, clauses and phrases, their
English rendering, and the everyday questions that point to it.

Dense search scores a measure both as a whole and by its best-matching piece: a question about one
rule in a long measure matches the rule's phrase far better than the whole measure's average. The
rendering lets an English question meet English text; the everyday questions let a colloquial one
meet the words people use rather than the document's.

>>> from index.parse import parse_document
>>> doc = parse_document("T\\n一、P\\n1.甲。按照A标准,用于B;按照C标准,用于D。\\n")
>>> [u.kind for u in units_of(doc)]
['measure', 'sentence', 'clause', 'clause', 'phrase', 'phrase']
>>> [u.kind for u in units_of(doc, questions=[EverydayQuestion(1, "甲怎么办")])][-1]
'question'
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


@dataclass(frozen=True)
class Unit:
    measure: int  # 0 for off-topic statements, which belong to no measure
    kind: str  # "measure" | "sentence" | "clause" | "phrase" | "measure_en" | "clause_en" | "question" | "off_topic"
    text: str
    start: int  # the span of the measure's Chinese text it stands for (0, 0 for questions)
    end: int


def units_of(document: Document, rendering: Rendering | None = None,
             questions: Sequence[EverydayQuestion] = ()) -> Iterator[Unit]:
    for m in document.measures:
        yield Unit(m.number, "measure", m.text, 0, len(m.text))
        for sentence in m.sentences:
            yield Unit(m.number, "sentence", sentence.text, sentence.start, sentence.end)
            clauses = sentence.clauses if len(sentence.clauses) > 1 else ()
            for clause in clauses:
                yield Unit(m.number, "clause", clause.text, clause.start, clause.end)
            for clause in sentence.clauses:
                yield from _phrases(m.number, clause)
        if rendering is not None:
            if text := rendering.measure_text(m):
                yield Unit(m.number, "measure_en", text, 0, len(m.text))
            for clause in m.clauses:
                if text := rendering.clause(m.number, clause):
                    yield Unit(m.number, "clause_en", text, clause.start, clause.end)
    for q in questions:
        yield Unit(q.measure, "question", q.text, 0, 0)


def _phrases(measure: int, clause: Span) -> Iterator[Unit]:
    phrases = list(split_spans(clause.text, PHRASE_ENDS, clause.start))
    if len(phrases) > 1:
        for p in phrases:
            if len(p.text) >= MIN_PHRASE_CHARS:
                yield Unit(measure, "phrase", p.text, p.start, p.end)
