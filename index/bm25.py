"""Okapi BM25 over pre-tokenized documents (a few hundred here, so plain numpy is enough).

Each term keeps its postings (the documents holding it and how often), so a question's few terms
touch only the documents that hold them; a term absent from a document adds nothing to its score.

>>> bm25 = BM25([["班主任", "绩效"], ["幼儿园"]])
>>> int(bm25.scores(["班主任"]).argmax())
0
"""
from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np


class BM25:
    def __init__(self, documents: list[list[str]], k1: float = 1.2, b: float = 0.75):
        if not documents:
            raise ValueError("BM25 needs at least one document")
        self.k1, self.b = k1, b
        lengths = np.array([len(doc) for doc in documents], dtype=np.float32)
        self._norm = k1 * (1 - b + b * lengths / max(lengths.mean(), 1.0))
        postings: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for i, doc in enumerate(documents):
            for term, count in Counter(doc).items():
                postings[term][0].append(i)
                postings[term][1].append(count)
        # per term: the documents holding it, ascending, and its count in each
        self._postings = {term: (np.array(rows, dtype=np.int64), np.array(counts, dtype=np.float32))
                          for term, (rows, counts) in postings.items()}
        n = len(documents)
        self._idf = {term: float(np.log(1 + (n - len(rows) + 0.5) / (len(rows) + 0.5)))
                     for term, (rows, _) in postings.items()}

    def scores(self, query: list[str], rows: slice = slice(None)) -> np.ndarray:
        """One score per document in `rows` (a contiguous range, all by default; IDF stays that of the
        whole collection); all zeros when no query term occurs."""
        start, stop, _ = rows.indices(len(self._norm))
        out = np.zeros(max(stop - start, 0), dtype=np.float32)
        for term in set(query):
            idf = self._idf.get(term)
            if idf is None:
                continue
            holders, tf = self._postings[term]
            lo, hi = np.searchsorted(holders, (start, stop))
            holders, tf = holders[lo:hi], tf[lo:hi]
            out[holders - start] += idf * tf * (self.k1 + 1) / (tf + self._norm[holders])
        return out
