"""Rank the measures and articles for a question by fusing lexical and dense views of the documents.

Ranking fuses, by reciprocal rank (RRF), BM25 over each measure's words (its Chinese text, part
heading, English rendering and everyday questions), dense similarity to the measure as a whole (in
Chinese or English, whichever is closer), to its best sentence, clause or phrase (either language),
and to its best everyday question. A signal with nothing to say (BM25 when no word matches) is left out.

One index holds every document; a search runs over a scope, the documents it may answer from. Its
BM25 statistics are those of the scope alone, so that searching one document ranks exactly as an
index of that document alone would. A view only some documents of the scope have (an English
rendering, everyday questions) is left out of the scope's ranking: it would rank those documents
above the others for no reason but their having it. A statute's article is also found by its
document's short name and chapter heading (a policy measure carries its own title).

Whether the documents answer the question at all is not decided here but in `answerability`, from
the evidence this returns (similarities, the null-model margin).

>>> searcher = Searcher(documents, store, embedder)  # doctest: +SKIP
>>> searcher.search("班主任每月绩效多少", ("liaocheng-education-2023",)).ranked[0].measure  # doctest: +SKIP
7
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from assistant.glossary import Glossary
from index.bm25 import BM25
from index.document import Document
from index.store import IndexStore
from index.tokenize import tokenize
from index.units import MEASURE_WORD_KINDS, PIECE_KINDS, WHOLE_KINDS
from model import Embedder

SCOPES_CACHED = 64  # scopes (sets of documents) whose BM25 is kept; each is a few MB


class RankedMeasure(NamedTuple):
    document: str  # the document's id
    measure: int
    score: float  # fused RRF score
    similarity: float  # cosine of the question with the measure's best piece

    @property
    def key(self) -> tuple[str, int]:
        return (self.document, self.measure)


class Ranking(Sequence[RankedMeasure]):
    """Every measure of a scope, best first; each made when it is read (an answer reads a few of hundreds)."""

    def __init__(self, keys: list[tuple[str, int]], rows: np.ndarray, order: np.ndarray, scores: np.ndarray,
                 similarity: np.ndarray):
        self._keys, self._rows, self._order, self._scores, self._similarity = keys, rows, order, scores, similarity

    def __len__(self) -> int:
        return len(self._order)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self))))
        row = self._order[i]
        return RankedMeasure(*self._keys[self._rows[row]], float(self._scores[row]), float(self._similarity[row]))


@dataclass(frozen=True)
class SearchResult:
    question: str
    ranked: Ranking  # every measure of the scope, best first
    unit_similarity: np.ndarray  # cosine with every unit of the index, in unit order
    tokens: tuple[str, ...]  # the question's BM25 tokens
    best_piece: float  # the best cosine with any piece of the scope's documents
    best_question: float  # the best cosine with any everyday question of the scope
    best_off_topic: float  # the best cosine with any statement of what no document is about


@dataclass(frozen=True)
class _Groups:
    """Units grouped by the measure they belong to: `units[starts[i]:starts[i + 1]]` are measure `measures[i]`'s."""

    units: np.ndarray
    starts: np.ndarray
    measures: np.ndarray  # positions in `Searcher.keys`

    @classmethod
    def of(cls, owner: np.ndarray) -> _Groups:
        """From each unit's measure position (-1: a unit left out)."""
        units = np.flatnonzero(owner >= 0)
        units = units[np.argsort(owner[units], kind="stable")]
        measures, starts = np.unique(owner[units], return_index=True)
        return cls(units, starts, measures)


@dataclass(frozen=True)
class _Scope:
    rows: np.ndarray  # positions (in `Searcher.keys`) of the measures in scope, in document order
    bm25: BM25
    owners: dict[str, _Groups]  # per signal: the units it reads, grouped by measure
    glossed: bool  # English questions are read through the glossary: some document lacks an English rendering


class Searcher:
    def __init__(self, documents: Sequence[Document], store: IndexStore, embedder: Embedder, *, rrf_k: float = 5.0,
                 glossary: Glossary | None = None):
        if rrf_k <= 0:
            raise ValueError("rrf_k must be positive")
        built = store.manifest["corpus"]["documents"]
        if {d.id: len(d.measures) for d in documents} != {k: v["measures"] for k, v in built.items()}:
            raise ValueError("the index was built from other documents: rebuild it")
        self.documents = {d.id: d for d in documents}
        self.store, self.embedder, self.rrf_k = store, embedder, rrf_k
        self.glossary = glossary or Glossary({})
        self.keys = [(d.id, m.number) for d in documents for m in d.measures]
        position = {key: i for i, key in enumerate(self.keys)}
        self._document_of = np.array([doc for doc, _ in self.keys])
        self._kinds = kinds = np.array([u.kind for u in store.units])
        self._owner = owner = np.array([position.get((u.document, u.measure), -1) for u in store.units])
        self._unit_document = np.array([u.document for u in store.units])
        self._off_topic = np.flatnonzero(kinds == "off_topic")
        self._taught = {_normalise(u.text): position[(u.document, u.measure)] for u in store.units if u.kind == "question"}
        self._bags: list[dict[str, list[str]]] = [defaultdict(list) for _ in self.keys]  # per measure: kind -> tokens
        for i, unit in enumerate(store.units):
            if unit.kind in MEASURE_WORD_KINDS and owner[i] >= 0:
                self._bags[owner[i]][unit.kind].extend(store.tokens[i])
        headings = lru_cache(maxsize=None)(tokenize)  # a chapter's articles share one heading: tagged once
        for i, (doc, n) in enumerate(self.keys):
            document = self.documents[doc]
            names = document.name if document.family == "statute" else ""
            self._bags[i]["heading"] = list(headings(f"{names} {document.measure(n).part_title}"))
        self._has = {kind: set(self._unit_document[kinds == kind]) for kind in ("measure_en", "question")}
        self._scope = lru_cache(maxsize=SCOPES_CACHED)(self._make_scope)

    def search(self, question: str, documents: Sequence[str]) -> SearchResult:
        """Rank the measures of `documents` (ids) for `question`."""
        scope = self._scope(tuple(sorted(documents)))
        similarity = self.store.search(self.embedder.query(question))
        # An English question is also read in the documents' own words where a document has no English
        # rendering to meet it; a rendering, aligned clause by clause, matches it better than a word list.
        glossed = self.glossary.terms(question) if scope.glossed else []
        tokens = tuple(tokenize(" ".join([question, *glossed])))
        whole, piece, asked = (self._best_per_measure(similarity, scope.owners[n])[scope.rows]
                               for n in ("whole", "piece", "question"))
        lexical = scope.bm25.scores(list(tokens))
        fused = sum(_reciprocal_ranks(s, self.rrf_k) for s in (lexical, whole, piece, asked) if s.max() > 0)
        taught = self._taught.get(_normalise(question))
        if taught is not None and (inside := np.flatnonzero(scope.rows == taught)).size:
            fused[inside[0]] = fused.max() + 1.0  # a question staff taught word for word is answered from its measure
        ranked = Ranking(self.keys, scope.rows, np.argsort(-fused, kind="stable"), fused, piece)
        off_topic = float(similarity[self._off_topic].max()) if len(self._off_topic) else 0.0
        return SearchResult(question, ranked, similarity, tokens, float(piece.max()), float(asked.max()),
                            off_topic)

    def _make_scope(self, documents: tuple[str, ...]) -> _Scope:
        unknown = set(documents) - set(self.documents)
        if unknown or not documents:
            raise ValueError(f"unknown documents {sorted(unknown)}: the index holds {sorted(self.documents)}")
        # a view counts only when every document of the scope has it
        left_out = {kind for kind, having in self._has.items() if not set(documents) <= having}
        if "measure_en" in left_out:
            left_out.add("clause_en")
        rows = np.flatnonzero(np.isin(self._document_of, documents))
        in_scope = np.isin(self._unit_document, documents) & ~np.isin(self._kinds, list(left_out))
        owners = {name: _Groups.of(np.where(in_scope & np.isin(self._kinds, group), self._owner, -1))
                  for name, group in (("whole", WHOLE_KINDS), ("piece", PIECE_KINDS), ("question", ("question",)))}
        bags = [[t for kind, tokens in self._bags[i].items() if kind not in left_out for t in tokens] for i in rows]
        return _Scope(rows, BM25(bags), owners, glossed="measure_en" in left_out)

    def _best_per_measure(self, similarity: np.ndarray, groups: _Groups) -> np.ndarray:
        best = np.full(len(self.keys), -1.0, dtype=np.float32)  # -1: a measure without units of the signal
        if len(groups.units):
            maxima = np.maximum.reduceat(similarity[groups.units], groups.starts)
            best[groups.measures] = np.maximum(maxima, -1.0)  # never below a measure without units
        return best


def _normalise(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _reciprocal_ranks(scores: np.ndarray, k: float) -> np.ndarray:
    ranks = np.empty(len(scores))
    ranks[np.argsort(-scores, kind="stable")] = np.arange(len(scores))
    return 1.0 / (k + 1 + ranks)
