"""Okapi BM25 over pre-tokenized documents (a few hundred here, so plain numpy is enough).

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
        self._counts = [Counter(doc) for doc in documents]
        lengths = np.array([len(doc) for doc in documents], dtype=np.float32)
        self._norm = k1 * (1 - b + b * lengths / max(lengths.mean(), 1.0))
        df = Counter(term for counts in self._counts for term in counts)
        n = len(documents)
        self._idf = {term: float(np.log(1 + (n - f + 0.5) / (f + 0.5))) for term, f in df.items()}

    def scores(self, query: list[str], rows: slice = slice(None)) -> np.ndarray:
        """One score per document in `rows` (all by default; IDF stays that of the whole collection);
        all zeros when no query term occurs."""
        counts, norm = self._counts[rows], self._norm[rows]
        out = np.zeros(len(counts), dtype=np.float32)
        for term in set(query):
            idf = self._idf.get(term)
            if idf is None:
                continue
            tf = np.array([c.get(term, 0) for c in counts], dtype=np.float32)
            out += idf * tf * (self.k1 + 1) / (tf + norm)
        return out
