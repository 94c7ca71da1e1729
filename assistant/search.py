"""Rank the measures for a question and judge whether the document covers it at all.

Ranking fuses three views by reciprocal rank (RRF): BM25 over each measure's words (with its part
heading), dense similarity to the measure as a whole, and dense similarity to its best sentence,
clause or phrase. A signal with nothing to say (BM25 on an English question) is left out.

Scope compares the question's best match in the document with its best match among off-topic
statements (`corpus/off_topic.txt`). Raw similarity alone does not separate in- from out-of-scope
questions (an off-topic question about pensions still scores high against a pay clause), and its
level shifts with language; the margin over a null model cancels both effects. Measured: adding
the share of the question's words found in the top measure made this worse (names shared with the
document occur in off-topic questions too).

>>> searcher = Searcher(document, store, embedder)  # doctest: +SKIP
>>> searcher.search("班主任每月绩效多少").ranked[0].measure  # doctest: +SKIP
7
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.bm25 import BM25
from index.document import Document
from index.store import IndexStore
from index.tokenize import tokenize
from model import Embedder

PIECE_KINDS = ("sentence", "clause", "phrase")


@dataclass(frozen=True)
class RankedMeasure:
    measure: int
    score: float  # fused RRF score
    similarity: float  # cosine of the question with the measure's best piece


@dataclass(frozen=True)
class SearchResult:
    question: str
    ranked: tuple[RankedMeasure, ...]  # every measure, best first
    in_scope: bool
    scope_score: float  # > threshold means in scope
    unit_similarity: np.ndarray  # cosine with every unit of the index, in unit order
    tokens: tuple[str, ...]  # the question's BM25 tokens


class Searcher:
    def __init__(self, document: Document, store: IndexStore, embedder: Embedder, *,
                 rrf_k: float = 5.0, scope_threshold: float = -0.005):
        if rrf_k <= 0:
            raise ValueError("rrf_k must be positive")
        if len(document.measures) != store.manifest["corpus"]["measures"]:
            raise ValueError("the index was built from another document: rebuild it")
        self.document, self.store, self.embedder = document, store, embedder
        self.rrf_k, self.scope_threshold = rrf_k, scope_threshold
        numbers = [m.number for m in document.measures]
        self._position = {n: i for i, n in enumerate(numbers)}
        self._numbers = np.array(numbers)
        kinds = np.array([u.kind for u in store.units])
        unit_measures = np.array([u.measure for u in store.units])
        self._whole = np.array([np.flatnonzero((kinds == "measure") & (unit_measures == n))[0] for n in numbers])
        self._piece_owner = np.array([self._position.get(m, -1) for m in unit_measures])
        self._piece_owner[~np.isin(kinds, PIECE_KINDS)] = -1
        self._off_topic = np.flatnonzero(kinds == "off_topic")
        self._bm25 = BM25([list(store.tokens[i]) + list(tokenize(m.part_title))
                           for i, m in zip(self._whole, document.measures)])

    def search(self, question: str) -> SearchResult:
        similarity = self.store.search(self.embedder.query(question))
        tokens = tuple(tokenize(question))
        whole = similarity[self._whole]
        best_piece = np.full(len(self._numbers), -1.0, dtype=np.float32)
        owned = self._piece_owner >= 0
        np.maximum.at(best_piece, self._piece_owner[owned], similarity[owned])
        signals = [whole, best_piece, self._bm25.scores(list(tokens))]
        fused = sum(_reciprocal_ranks(s, self.rrf_k) for s in signals if s.max() > 0)
        order = np.argsort(-fused, kind="stable")
        ranked = tuple(RankedMeasure(int(self._numbers[i]), float(fused[i]), float(best_piece[i])) for i in order)
        # Scope: how much closer the question sits to the document than to what it is not about.
        scope = float(best_piece.max() - similarity[self._off_topic].max())
        return SearchResult(question, ranked, scope > self.scope_threshold, scope, similarity, tokens)


def _reciprocal_ranks(scores: np.ndarray, k: float) -> np.ndarray:
    ranks = np.empty(len(scores))
    ranks[np.argsort(-scores, kind="stable")] = np.arange(len(scores))
    return 1.0 / (k + 1 + ranks)
