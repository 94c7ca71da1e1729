"""The assistant as one object: load (or build) everything once, then answer questions.

>>> assistant = PolicyAssistant(Settings())  # doctest: +SKIP
>>> assistant.ask("班主任每月绩效多少").citations[0].measure  # doctest: +SKIP
7
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answer import (Cited, answer_in_scope, answer_missing_reference, answer_out_of_scope,
                              answer_part)
from assistant.quotes import QuoteSelector
from assistant.references import Reference, find_references
from assistant.schemas import Answer, Turn
from assistant.search import SearchResult, Searcher
from assistant.settings import Settings
from index.build import build_index
from index.corpus import corpus_checksum, read_document
from index.store import IndexStale, IndexStore, load_index
from index.tokenize import content_words, tokenize
from index.tokenize import preload as preload_dictionary
from model import Embedder, load_embedder

# A follow-up leans on the previous turn: it opens with a linking word or points back with a
# demonstrative, and carries little topic of its own (那寄宿制的呢？ / What about boarding schools?).
_LINKING = re.compile(r"^\s*(那么?|那要是|那如果|还有|另外|以及|and\b|also\b|what about\b|how about\b|what if\b)", re.I)
_POINTING = re.compile(r"(这个|那个|这些|那些|这种|它们?|其|\bthis\b|\bthat\b|\bthose\b|\bthese\b|\bit\b|\bthey\b)", re.I)
_ENGLISH_FILLER = frozenset("a an the is are was were do does did what how about and also if for of to in on at "
                            "with this that these those it they them can could will would i we you my our".split())


def open_embedder(settings: Settings, *, build: bool = True) -> Embedder:
    """The embedder the settings name; `build`: may a missing model artifact be built first?"""
    return load_embedder(settings.model, backend=settings.model_backend, variant=settings.model_variant,
                         cache_dir=settings.cache_dir, query_cache_size=settings.query_cache_size,
                         threads=settings.model_threads, build=build)


def open_index(settings: Settings, embedder: Embedder, *, rebuild: bool, progress: bool = False) -> IndexStore:
    """Load the index; when it is missing or stale, rebuild it if allowed, else raise IndexStale."""
    checksum = corpus_checksum(settings.document, settings.off_topic)
    try:
        return load_index(settings.index_dir, corpus_sha256=checksum, model_id=embedder.model_id)
    except IndexStale:
        if not rebuild:
            raise
    build_index(settings.document, settings.off_topic, embedder, settings.index_dir, progress=progress)
    return load_index(settings.index_dir, corpus_sha256=checksum, model_id=embedder.model_id)


def is_follow_up(question: str) -> bool:
    """Does the question lean on an earlier turn rather than stand on its own?"""
    if not (_LINKING.search(question) or _POINTING.search(question)):
        return False
    words = {w.lower() for w in content_words(question)} - _ENGLISH_FILLER
    return len(words) <= 2


class PolicyAssistant:
    def __init__(self, settings: Settings, *, build_if_missing: bool = True, progress: bool = False,
                 embedder: Embedder | None = None):
        """`embedder`: one already loaded to share (benchmarks); by default the one the settings name."""
        preload_dictionary()  # overlaps jieba's dictionary with loading the model and the index
        self.settings = settings
        self.document = read_document(settings.document)
        self.embedder = embedder or open_embedder(settings, build=build_if_missing)
        self.store = open_index(settings, self.embedder, rebuild=build_if_missing, progress=progress)
        self.searcher = Searcher(self.document, self.store, self.embedder, rrf_k=settings.rrf_k,
                                 scope_threshold=settings.scope_threshold)
        self.quotes = QuoteSelector(self.document, self.store, max_quotes=settings.max_quotes)

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        question = question.strip()
        reference = find_references(question)
        if reference is None and history and is_follow_up(question):
            reference = find_references(history[-1].question)
            if reference is None:
                return self._answer_search(question, self.search(f"{history[-1].question} {question}"))
        if reference is not None:
            return self._answer_reference(question, reference)
        return self._answer_search(question, self.search(question))

    def search(self, question: str) -> SearchResult:
        return self.searcher.search(question)

    def _answer_search(self, question: str, result: SearchResult) -> Answer:
        ranked = result.ranked[: self.settings.top_k]
        measure = self.document.measure
        if not result.in_scope:
            return answer_out_of_scope(question, [Cited(measure(r.measure), r.score, []) for r in ranked], self.document)
        best = ranked[0].score
        answering = [r for i, r in enumerate(ranked) if i == 0 or (
            i == 1 and r.score >= self.settings.second_measure_ratio * best)]
        cited = [Cited(measure(r.measure), r.score, self.quotes.select(r.measure, result.unit_similarity, result.tokens))
                 for r in answering]
        related = [Cited(measure(r.measure), r.score, []) for r in ranked[len(answering):]]
        return answer_in_scope(question, cited + related, self.document)

    def _answer_reference(self, question: str, reference: Reference) -> Answer:
        count, part_count = len(self.document.measures), len(self.document.parts)
        missing_measures = [n for n in reference.measures if not 1 <= n <= count]
        missing_parts = [n for n in reference.parts if not 1 <= n <= part_count]
        if missing_measures or missing_parts:
            return answer_missing_reference(question, missing_measures, missing_parts, self.document)
        if not reference.measures:
            return answer_part(question, list(reference.parts), self.document)
        result = self.search(reference.rest) if self._asks_within(reference) else None
        cited = []
        for n in reference.measures:
            m = self.document.measure(n)
            quotes = self.quotes.select(n, result.unit_similarity, result.tokens) if result else [m.text]
            cited.append(Cited(m, 1.0, quotes))
        return answer_in_scope(question, cited, self.document)

    def _asks_within(self, reference: Reference) -> bool:
        """Does the rest of the question name something the referenced measures talk about?"""
        words = {t for t in tokenize(reference.rest) if len(t) >= 2}
        return any(w in self.document.measure(n).text for n in reference.measures for w in words)
