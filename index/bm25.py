"""Okapi BM25 over pre-tokenized documents (a few hundred here, so plain numpy is enough).

Each term keeps its postings (the documents holding it, ascending, and how often), so a question's
few terms touch only the documents that hold them; a term absent from a document adds nothing to its
score.

>>> bm25 = BM25([["班主任", "绩效"], ["幼儿园"]])
>>> int(bm25.scores(["班主任"]).argmax())
0
"""
from __future__ import annotations

from collections import Counter

import numpy as np


class BM25:
    def __init__(self, documents: list[list[str]], k1: float = 1.2, b: float = 0.75):
        if not documents:
            raise ValueError("BM25 needs at least one document")
        self.k1, self.b = k1, b
        lengths = np.array([len(doc) for doc in documents], dtype=np.float32)
        self._norm = k1 * (1 - b + b * lengths / max(lengths.mean(), 1.0))
        counts = [Counter(doc) for doc in documents]
        self._terms: dict[str, int] = {}
        term_of = [self._terms.setdefault(term, len(self._terms)) for c in counts for term in c]
        # postings of term k: _holders/_tf[_starts[k]:_starts[k + 1]] (stable sort: documents ascending)
        order = np.argsort(np.array(term_of, dtype=np.int64), kind="stable")
        self._holders = np.repeat(np.arange(len(counts)), [len(c) for c in counts])[order]
        self._tf = np.array([n for c in counts for n in c.values()], dtype=np.float32)[order]
        held = np.bincount(np.array(term_of, dtype=np.int64), minlength=len(self._terms))
        self._starts = np.concatenate(([0], np.cumsum(held))).tolist()
        n = len(documents)
        self._idf = [float(np.log(1 + (n - f + 0.5) / (f + 0.5))) for f in held.tolist()]

    def scores(self, query: list[str], rows: slice = slice(None)) -> np.ndarray:
        """One score per document in `rows` (a contiguous range, all by default; IDF stays that of the
        whole collection); all zeros when no query term occurs."""
        start, stop, _ = rows.indices(len(self._norm))
        out = np.zeros(max(stop - start, 0), dtype=np.float32)
        for term in set(query):
            k = self._terms.get(term)
            if k is None:
                continue
            holders = self._holders[self._starts[k]:self._starts[k + 1]]
            tf = self._tf[self._starts[k]:self._starts[k + 1]]
            lo, hi = np.searchsorted(holders, (start, stop))
            holders, tf = holders[lo:hi], tf[lo:hi]
            out[holders - start] += self._idf[k] * tf * (self.k1 + 1) / (tf + self._norm[holders])
        return out
