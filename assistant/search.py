"""Rank the measures for a question by fusing lexical and dense views of the document.

Ranking fuses, by reciprocal rank (RRF), BM25 over each measure's words (its Chinese text, part
heading, English rendering and everyday questions), dense similarity to the measure as a whole (in
Chinese or English, whichever is closer), to its best sentence, clause or phrase (either language),
and to its best everyday question. A signal with nothing to say (BM25 when no word matches) is left out.

Whether the document answers the question at all is not decided here but in `answerability`, from
the evidence this returns (similarities, the null-model margin).

>>> searcher = Searcher(document, store, embedder)  # doctest: +SKIP
>>> searcher.search("班主任每月绩效多少").ranked[0].measure  # doctest: +SKIP
7
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from index.bm25 import BM25
from index.document import Document
from index.store import IndexStore
from index.tokenize import tokenize
from index.units import PIECE_KINDS, WHOLE_KINDS
from model import Embedder


@dataclass(frozen=True)
class RankedMeasure:
    measure: int
    score: float  # fused RRF score
    similarity: float  # cosine of the question with the measure's best piece


@dataclass(frozen=True)
class SearchResult:
    question: str
    ranked: tuple[RankedMeasure, ...]  # every measure, best first
    unit_similarity: np.ndarray  # cosine with every unit of the index, in unit order
    tokens: tuple[str, ...]  # the question's BM25 tokens
    best_piece: float  # the best cosine with any piece of the document
    best_question: float  # the best cosine with any everyday question
    best_off_topic: float  # the best cosine with any statement of what the document is not about


class Searcher:
    def __init__(self, document: Document, store: IndexStore, embedder: Embedder, *, rrf_k: float = 5.0):
        if rrf_k <= 0:
            raise ValueError("rrf_k must be positive")
        if len(document.measures) != store.manifest["corpus"]["measures"]:
            raise ValueError("the index was built from another document: rebuild it")
        self.document, self.store, self.embedder, self.rrf_k = document, store, embedder, rrf_k
        numbers = [m.number for m in document.measures]
        position = {n: i for i, n in enumerate(numbers)}
        self._numbers = np.array(numbers)
        kinds = np.array([u.kind for u in store.units])
        owner = np.array([position.get(u.measure, -1) for u in store.units])
        self._owners = {name: np.where(np.isin(kinds, group), owner, -1)
                        for name, group in (("whole", WHOLE_KINDS), ("piece", PIECE_KINDS), ("question", ("question",)))}
        self._off_topic = np.flatnonzero(kinds == "off_topic")
        self._taught = {_normalise(u.text): position[u.measure] for u in store.units if u.kind == "question"}
        bags: dict[int, list[str]] = defaultdict(list)
        for i, unit in enumerate(store.units):
            if unit.kind in ("measure", "measure_en", "question"):
                bags[unit.measure].extend(store.tokens[i])
        self._bm25 = BM25([bags[m.number] + tokenize(m.part_title) for m in document.measures])

    def search(self, question: str) -> SearchResult:
        similarity = self.store.search(self.embedder.query(question))
        tokens = tuple(tokenize(question))
        whole, piece, asked = (self._best_per_measure(similarity, self._owners[n]) for n in ("whole", "piece", "question"))
        lexical = self._bm25.scores(list(tokens))
        fused = sum(_reciprocal_ranks(s, self.rrf_k) for s in (lexical, whole, piece, asked) if s.max() > 0)
        if (taught := self._taught.get(_normalise(question))) is not None:
            fused[taught] = fused.max() + 1.0  # a question staff taught word for word is answered from its measure
        order = np.argsort(-fused, kind="stable")
        ranked = tuple(RankedMeasure(int(self._numbers[i]), float(fused[i]), float(piece[i])) for i in order)
        off_topic = float(similarity[self._off_topic].max()) if len(self._off_topic) else 0.0
        return SearchResult(question, ranked, similarity, tokens, float(piece.max()), float(asked.max()),
                            off_topic)

    def _best_per_measure(self, similarity: np.ndarray, owner: np.ndarray) -> np.ndarray:
        best = np.full(len(self._numbers), -1.0, dtype=np.float32)
        owned = owner >= 0
        np.maximum.at(best, owner[owned], similarity[owned])
        return best


def _normalise(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _reciprocal_ranks(scores: np.ndarray, k: float) -> np.ndarray:
    ranks = np.empty(len(scores))
    ranks[np.argsort(-scores, kind="stable")] = np.arange(len(scores))
    return 1.0 / (k + 1 + ranks)
