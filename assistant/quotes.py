"""Pick, within a measure, the clauses that answer a question.

Candidates are clauses (sentences split on ；/;), so a question about 班主任 gets the clause with
900元 and 1000元, not the whole pay measure. Each is scored by its dense similarity (the best of
the clause, its phrases and its English rendering) and by BM25 over all clauses (with their
renderings), each min-max normalised within the measure, half and half.

>>> QuoteSelector(document, store).select(7, result)  # doctest: +SKIP
['按照非寄宿制学校每班每月900元标准、寄宿制学校每班每月1000元标准,增加绩效工资总量,用于班主任和德育管理团队的绩效考核奖励;']
"""
from __future__ import annotations

from collections import defaultdict
from itertools import accumulate

import numpy as np

from index.bm25 import BM25
from index.document import Document, Span
from index.store import IndexStore


class QuoteSelector:
    def __init__(self, document: Document, store: IndexStore, *, max_quotes: int = 2, keep_ratio: float = 0.7):
        if max_quotes < 1:
            raise ValueError("max_quotes must be at least 1")
        self.max_quotes, self.keep_ratio = max_quotes, keep_ratio
        by_position = {(u.measure, u.kind, u.start, u.end): i for i, u in enumerate(store.units)}
        phrases = defaultdict(list)  # the pieces that stand inside a clause: its phrases and its rendering
        for i, u in enumerate(store.units):
            if u.kind in ("phrase", "clause_en"):
                phrases[u.measure].append((u.start, u.end, i))
        # per measure: (clause, its own unit, units of the phrases inside it)
        self._clauses: dict[int, list[tuple[Span, int, list[int]]]] = {}
        for m in document.measures:
            entries = []
            for sentence in m.sentences:
                kind = "clause" if len(sentence.clauses) > 1 else "sentence"
                for c in sentence.clauses:
                    inside = [i for s, e, i in phrases[m.number] if c.start <= s and e <= c.end]
                    entries.append((c, by_position[(m.number, kind, c.start, c.end)], inside))
            self._clauses[m.number] = entries
        self._bm25 = BM25([list(store.tokens[own]) + [t for i in inside if store.units[i].kind == "clause_en"
                                                      for t in store.tokens[i]]
                           for entries in self._clauses.values() for _, own, inside in entries])
        # each measure's clauses are consecutive rows of the BM25 collection
        ends = list(accumulate(len(entries) for entries in self._clauses.values()))
        self._rows = {n: slice(end - len(entries), end) for (n, entries), end in zip(self._clauses.items(), ends)}

    def select(self, measure: int, similarity: np.ndarray, tokens: tuple[str, ...]) -> list[Span]:
        """The best clauses of `measure`, in document order."""
        entries = self._clauses[measure]
        dense = np.array([max([similarity[own], *similarity[inside]]) for _, own, inside in entries])
        lexical = self._bm25.scores(list(tokens), self._rows[measure])
        combined = _minmax(dense) if lexical.max() <= 0 else 0.5 * _minmax(dense) + 0.5 * _minmax(lexical)
        best = np.argsort(-combined, kind="stable")[: self.max_quotes]
        keep = sorted(i for i in best if combined[i] >= self.keep_ratio * combined[best[0]])
        return [entries[i][0] for i in keep]


def _minmax(values: np.ndarray) -> np.ndarray:
    span = values.max() - values.min()
    return np.ones_like(values) if span <= 0 else (values - values.min()) / span
