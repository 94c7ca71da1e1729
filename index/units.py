"""The retrieval units of a document: each measure whole, and its sentences, clauses and phrases.

Dense search scores a measure both as a whole and by its best-matching piece: a question about one
rule in a long measure matches the rule's phrase far better than the whole measure's average.

>>> from index.parse import parse_document
>>> doc = parse_document("T\\n一、P\\n1.甲。按照A标准,用于B;按照C标准,用于D。\\n")
>>> [u.kind for u in units_of(doc)]
['measure', 'sentence', 'clause', 'clause', 'phrase', 'phrase']
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from index.document import Document, Span
from index.parse import split_spans

PHRASE_ENDS = ",，、:："
MIN_PHRASE_CHARS = 6  # shorter pieces ("用于B,") match almost any question


@dataclass(frozen=True)
class Unit:
    measure: int  # 0 for off-topic statements, which belong to no measure
    kind: str  # "measure" | "sentence" | "clause" | "phrase" | "off_topic"
    text: str
    start: int
    end: int


def units_of(document: Document) -> Iterator[Unit]:
    for m in document.measures:
        yield Unit(m.number, "measure", m.text, 0, len(m.text))
        for sentence in m.sentences:
            yield Unit(m.number, "sentence", sentence.text, sentence.start, sentence.end)
            clauses = sentence.clauses if len(sentence.clauses) > 1 else ()
            for clause in clauses:
                yield Unit(m.number, "clause", clause.text, clause.start, clause.end)
            for clause in sentence.clauses:
                yield from _phrases(m.number, clause)


def _phrases(measure: int, clause: Span) -> Iterator[Unit]:
    phrases = list(split_spans(clause.text, PHRASE_ENDS, clause.start))
    if len(phrases) > 1:
        for p in phrases:
            if len(p.text) >= MIN_PHRASE_CHARS:
                yield Unit(measure, "phrase", p.text, p.start, p.end)
