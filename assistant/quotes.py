"""Pick, within a measure (or article), the clauses that answer a question.

Candidates are clauses (sentences split on ；/;), so a question about 班主任 gets the clause with
900元 and 1000元, not the whole pay measure. Each is scored by its dense similarity (the best of
the clause, its phrases and its English rendering) and by BM25 over all clauses (with their
renderings), each min-max normalised within the measure, half and half. BM25 statistics are those of
the measure's own document. When the question asks for a kind of fact (an amount, a date, a time
span), a clause holding one comes first if it matches the question well enough (`FACT_GATE`).
A list's lead-in (教师享有下列权利：) says nothing alone: it is quoted with its items, and an item
with its lead-in. A law's sentence is quoted whole, and a short article entirely (`WHOLE_ARTICLE_CHARS`).

>>> QuoteSelector(documents, store).select(("liaocheng-education-2023", 7), result)  # doctest: +SKIP
['按照非寄宿制学校每班每月900元标准、寄宿制学校每班每月1000元标准,增加绩效工资总量,用于班主任和德育管理团队的绩效考核奖励;']
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from itertools import accumulate

import numpy as np

from index.bm25 import BM25
from index.document import LIST_ITEM, Document, Span
from index.store import IndexStore


class QuoteSelector:
    def __init__(self, documents: Sequence[Document], store: IndexStore, *, max_quotes: int = 2,
                 keep_ratio: float = 0.7):
        if max_quotes < 1:
            raise ValueError("max_quotes must be at least 1")
        self.max_quotes, self.keep_ratio = max_quotes, keep_ratio
        by_position = {(u.document, u.measure, u.kind, u.start, u.end): i for i, u in enumerate(store.units)}
        phrases = defaultdict(list)  # the pieces that stand inside a clause: its phrases and its rendering
        for i, u in enumerate(store.units):
            if u.kind in ("phrase", "clause_en"):
                phrases[(u.document, u.measure)].append((u.start, u.end, i))
        # per measure: (candidate span, the units whose similarity is its own: its clauses, their phrases
        # and renderings). A policy measure runs long, so its candidates are clauses; a law's sentence is
        # one rule whose clauses qualify each other (不得…；为年满十六周岁的…), so it is quoted whole.
        self._candidates: dict[tuple[str, int], list[tuple[Span, list[int]]]] = {}
        self._bm25: dict[str, BM25] = {}
        self._rows: dict[tuple[str, int], slice] = {}
        self._statutes = {d.id for d in documents if d.family == "statute"}
        for document in documents:
            keys = []
            for m in document.measures:
                key = (document.id, m.number)
                entries = []
                for sentence in m.sentences:
                    kind = "clause" if len(sentence.clauses) > 1 else "sentence"
                    clauses = [(c, [by_position[(document.id, m.number, kind, c.start, c.end)],
                                    *(i for s, e, i in phrases[key] if c.start <= s and e <= c.end)])
                               for c in sentence.clauses]
                    if document.family == "statute":
                        clauses = [(sentence, [i for _, units in clauses for i in units])]
                    entries.extend(clauses)
                self._candidates[key] = entries
                keys.append(key)
            self._bm25[document.id] = BM25([[t for i in units if store.units[i].kind in WORD_KINDS for t in store.tokens[i]]
                                             for key in keys for _, units in self._candidates[key]])
            # each measure's candidates are consecutive rows of its document's BM25 collection
            ends = list(accumulate(len(self._candidates[key]) for key in keys))
            self._rows.update({key: slice(end - len(self._candidates[key]), end) for key, end in zip(keys, ends)})

    def select(self, key: tuple[str, int], similarity: np.ndarray, tokens: tuple[str, ...],
               wanted: Callable[[str], bool] | None = None) -> list[Span]:
        """The best clauses of measure `key` (document id, number), in document order; `wanted(text)`:
        does a clause hold the kind of fact the question asks for."""
        entries = self._candidates[key]
        if key[0] in self._statutes and sum(len(span.text) for span, _ in entries) <= WHOLE_ARTICLE_CHARS:
            return [span for span, _ in entries]
        dense = np.array([similarity[units].max() for _, units in entries])
        lexical = self._bm25[key[0]].scores(list(tokens), self._rows[key])
        combined = _minmax(dense) if lexical.max() <= 0 else 0.5 * _minmax(dense) + 0.5 * _minmax(lexical)
        if wanted is not None:
            combined = combined + np.array([1.0 if wanted(span.text) and c >= FACT_GATE * combined.max() else 0.0
                                            for (span, _), c in zip(entries, combined)])
        best = np.argsort(-combined, kind="stable")[: self.max_quotes]
        keep = {int(i) for i in best if combined[i] >= self.keep_ratio * combined[best[0]]}
        for i in list(keep):
            keep.update(_items(entries, i, combined))
            keep.update(_lead_in(entries, i))
        return [entries[i][0] for i in sorted(keep)]


# A clause holding the asked-for fact comes first only if it matches at least this share of the best
# clause's score: else any number in the measure would pass for the answer (and the decline rule
# that a question asking for an amount needs quotes holding one would never fire).
FACT_GATE = 0.5
# A law's article up to this long (nine in ten are) is quoted whole: its sentences read as one rule,
# and the one that matches the question best is often the exception, not the rule it qualifies.
WHOLE_ARTICLE_CHARS = 200
# BM25 reads a candidate's own words and its rendering, not its phrases (their words are already inside)
WORD_KINDS = ("clause", "sentence", "clause_en")
_LEAD_IN = re.compile(r"[：:]$")
_ITEM = re.compile("^" + LIST_ITEM)
MAX_ITEMS = 6  # of a longer list, only the best-matching items are quoted with its lead-in


def _items(entries: list[tuple[Span, list[int]]], lead_in: int, combined: np.ndarray) -> list[int]:
    """The list items (（一）…) following clause `lead_in` when it is a list's lead-in, else none."""
    if not _LEAD_IN.search(entries[lead_in][0].text):
        return []
    items = []
    for i in range(lead_in + 1, len(entries)):
        if not _ITEM.match(entries[i][0].text):
            break
        items.append(i)
    return sorted(items, key=lambda i: -combined[i])[:MAX_ITEMS]


def _lead_in(entries: list[tuple[Span, list[int]]], item: int) -> list[int]:
    """The lead-in of the list clause `item` belongs to (（九）克扣…伙食费 means nothing without
    幼儿园有下列情形之一的…吊销办学许可证：), else none."""
    if not _ITEM.match(entries[item][0].text):
        return []
    for i in range(item - 1, -1, -1):
        if not _ITEM.match(entries[i][0].text):
            return [i] if _LEAD_IN.search(entries[i][0].text) else []
    return []


def _minmax(values: np.ndarray) -> np.ndarray:
    span = values.max() - values.min()
    return np.ones_like(values) if span <= 0 else (values - values.min()) / span
