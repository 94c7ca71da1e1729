"""The assistant as one object: load (or build) everything once, then answer questions.

The pipeline for one question: a reference (第7条) is answered from that measure, or with the
valid range when it does not exist; small talk or unreadable text is answered without any search;
anything else is searched, its quotes selected, and `answerability` decides whether they answer.
A follow-up (那寄宿制的呢？) is searched together with the previous question, but whether it is
answerable is judged on its own words: history is never quoted and never decides scope alone.

>>> assistant = PolicyAssistant(Settings())  # doctest: +SKIP
>>> assistant.ask("班主任每月绩效多少").citations[0].measure  # doctest: +SKIP
7
"""
from __future__ import annotations

import hashlib
import logging
import re
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from assistant.answer import Cited, Composer, language
from assistant.answerability import AnswerabilityModel, Evidence, Vocabulary, gather_evidence
from assistant.quotes import QuoteSelector
from assistant.references import Reference, find_references
from assistant.schemas import Answer, Turn
from assistant.search import SearchResult, Searcher
from assistant.settings import Settings
from assistant.smalltalk import SmallTalk
from index.build import build_index
from index.document import Span
from index.corpus import CorpusFiles, corpus_checksum, read_document, read_everyday_questions, read_rendering
from index.store import IndexStale, IndexStore, load_index
from index.tokenize import content_words, tokenize
from index.tokenize import preload as preload_dictionary
from model import Embedder, load_embedder

log = logging.getLogger("assistant.service")

# A follow-up leans on the previous turn: it opens with a linking word or points back with a
# demonstrative, and carries little topic of its own (那寄宿制的呢？ / What about boarding schools?).
_LINKING = re.compile(r"^\s*(那么?|那要是|那如果|还有|另外|以及|and\b|also\b|what about\b|how about\b|what if\b)", re.I)
_POINTING = re.compile(r"(这个|那个|这些|那些|这种|它们?|其|\bthis\b|\bthat\b|\bthose\b|\bthese\b|\bit\b|\bthey\b)", re.I)
_ENGLISH_FILLER = frozenset("a an the is are was were do does did what how about and also if for of to in on at "
                            "with this that these those it they them can could will would i we you my our".split())
SUGGESTIONS = 3


def open_embedder(settings: Settings, *, build: bool = True) -> Embedder:
    """The embedder the settings name; `build`: may a missing model artifact be built first?"""
    return load_embedder(settings.model, backend=settings.model_backend, variant=settings.model_variant,
                         cache_dir=settings.cache_dir, query_cache_size=settings.query_cache_size,
                         threads=settings.model_threads, build=build)


def open_index(settings: Settings, embedder: Embedder, *, rebuild: bool, progress: bool = False) -> IndexStore:
    """Load the index; when it is missing or stale, rebuild it (saying why) if allowed and the folder
    is writable, else raise IndexStale saying why and what to run."""
    checksum = corpus_checksum(settings.document, settings.off_topic)
    try:
        return load_index(settings.index_dir, corpus_sha256=checksum, model_id=embedder.model_id)
    except IndexStale as stale:
        if not rebuild:
            raise
        if problem := _cannot_rebuild_in(settings.index_dir):
            raise IndexStale(f"the index at {settings.index_dir} cannot be used ({stale.reason}) and cannot be "
                             f"rebuilt there ({problem}): run `policy-assistant build --index-dir FOLDER` with a "
                             f"writable FOLDER and set POLICY_ASSISTANT_INDEX_DIR to it", stale.reason) from None
        log.warning("rebuilding the index at %s: %s", settings.index_dir, stale.reason)
    build_index(settings.document, settings.off_topic, embedder, settings.index_dir, progress=progress)
    return load_index(settings.index_dir, corpus_sha256=checksum, model_id=embedder.model_id)


def _cannot_rebuild_in(index_dir: Path) -> str | None:
    """Why a new index cannot replace `index_dir` (it is staged in the parent folder, then swapped in)."""
    try:
        index_dir.parent.mkdir(parents=True, exist_ok=True)
        for folder in (index_dir.parent, index_dir) if index_dir.is_dir() else (index_dir.parent,):
            tempfile.TemporaryDirectory(prefix=".probe-", dir=folder).cleanup()
    except OSError as exc:
        return f"{exc.strerror or exc}: {exc.filename or index_dir}"
    return None


def is_follow_up(question: str) -> bool:
    """Does the question lean on an earlier turn rather than stand on its own?"""
    if not (_LINKING.search(question) or _POINTING.search(question)):
        return False
    words = {w.lower() for w in content_words(question)} - _ENGLISH_FILLER
    return len(words) <= 2


@dataclass(frozen=True)
class Considered:
    """A searched question before the verdict: ranking, the quotes it would give, the evidence."""

    result: SearchResult
    cited: list[Cited]
    evidence: Evidence


class PolicyAssistant:
    def __init__(self, settings: Settings, *, build_if_missing: bool = True, progress: bool = False,
                 embedder: Embedder | None = None):
        """`embedder`: one already loaded to share (benchmarks); by default the one the settings name."""
        preload_dictionary()  # overlaps jieba's dictionary with loading the model and the index
        self.settings = settings
        self.document = read_document(settings.document)
        files = CorpusFiles(settings.document)
        self.rendering = read_rendering(self.document, files.rendering)
        self.everyday = read_everyday_questions(self.document, files.questions)
        self.embedder = embedder or open_embedder(settings, build=build_if_missing)
        self.store = open_index(settings, self.embedder, rebuild=build_if_missing, progress=progress)
        self.searcher = Searcher(self.document, self.store, self.embedder, rrf_k=settings.rrf_k)
        self.quotes = QuoteSelector(self.document, self.store, max_quotes=settings.max_quotes)
        self.compose = Composer(self.document, self.rendering)
        self.smalltalk = SmallTalk.from_file(settings.smalltalk)
        generic = frozenset(w.strip().lower() for w in Path(settings.generic_words).read_text(encoding="utf-8").splitlines()
                            if w.strip() and not w.startswith("#"))
        per_measure = defaultdict(list)
        for unit in self.store.units:
            if unit.kind in ("measure", "measure_en", "question"):
                per_measure[unit.measure].append(unit.text)
        self.vocabulary = Vocabulary([t for texts in per_measure.values() for t in texts], generic)
        self._measure_vocabulary = {n: Vocabulary(texts, generic) for n, texts in per_measure.items() if n}

    @cached_property
    def answerability(self) -> AnswerabilityModel:
        # Loaded on first use, so that `fit-answerability` can gather evidence before a model exists.
        return AnswerabilityModel.load(self.settings.answerability_model)

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        question = question.strip()
        if (reference := find_references(question)) is not None:
            return self._answer_reference(question, reference)
        if kind := self.smalltalk.classify(question):
            return self.compose.smalltalk(question, kind, self.suggestions(question))
        previous = history[-1].question.strip() if history else ""
        if previous and is_follow_up(question):
            earlier = find_references(previous)
            if earlier is not None and earlier.measures and self._valid(earlier):
                # "第7条讲了什么" → "那寄宿制的呢？": ask within the same measure.
                return self._answer_reference(question, Reference(earlier.measures, (), (), question))
            # Ranked and quoted with the previous question, judged on its own words: "那高铁票呢？" after
            # a pay question must not borrow the pay question's closeness to the document.
            in_context = self.consider(question, context=previous)
            return self._answer_search(question, in_context, judged_on=self.consider(question))
        return self._answer_search(question, self.consider(question))

    def consider(self, question: str, context: str = "") -> Considered:
        """Search (with the previous question as context, if any) and gather the answerability evidence
        from the question's own words."""
        result = self.searcher.search(f"{context} {question}".strip())
        ranked = result.ranked[: self.settings.top_k]
        best = ranked[0].score
        answering = [r for i, r in enumerate(ranked) if i == 0 or (
            i == 1 and r.score >= self.settings.second_measure_ratio * best)]
        measure = self.document.measure
        cited = [Cited(measure(r.measure), r.score, self.quotes.select(r.measure, result.unit_similarity, result.tokens))
                 for r in answering]
        cited += [Cited(measure(r.measure), r.score, []) for r in ranked[len(answering):]]
        evidence = gather_evidence(
            question, margin=result.best_piece - result.best_off_topic, piece=result.best_piece,
            asked=result.best_question, top=self._measure_vocabulary[ranked[0].measure],
            quotes=[q.text for q in cited[0].quotes], vocabulary=self.vocabulary)
        return Considered(result, cited, evidence)

    def suggestions(self, question: str) -> list[str]:
        """A few everyday questions in the question's language, from different measures, varied by question."""
        lang = language(question)
        pool = [q for q in self.everyday if language(q.text) == lang]
        if not pool:
            return []
        start = int(hashlib.sha256(question.encode()).hexdigest(), 16) % len(pool)
        picked, measures = [], set()
        for q in pool[start:] + pool[:start]:
            if q.measure not in measures:
                picked.append(q.text)
                measures.add(q.measure)
            if len(picked) == SUGGESTIONS:
                break
        return picked

    def _answer_search(self, question: str, considered: Considered, judged_on: Considered | None = None) -> Answer:
        verdict = self.answerability.judge((judged_on or considered).evidence)
        if verdict.answerable:
            return self.compose.answer(question, considered.cited)
        related = [Cited(c.measure, c.score, []) for c in considered.cited]
        return self.compose.not_covered(question, related, verdict.missing)

    def _valid(self, reference: Reference) -> bool:
        count, part_count = len(self.document.measures), len(self.document.parts)
        return (not reference.malformed and all(1 <= n <= count for n in reference.measures)
                and all(1 <= n <= part_count for n in reference.parts))

    def _answer_reference(self, question: str, reference: Reference) -> Answer:
        if not self._valid(reference):
            count, part_count = len(self.document.measures), len(self.document.parts)
            return self.compose.invalid_reference(
                question, [n for n in reference.measures if not 1 <= n <= count],
                [n for n in reference.parts if not 1 <= n <= part_count], reference.malformed)
        if not reference.measures:
            return self.compose.part(question, reference.parts)
        result = self.searcher.search(reference.rest) if self._asks_within(reference) else None
        cited = []
        for n in reference.measures:
            m = self.document.measure(n)
            quotes = (self.quotes.select(n, result.unit_similarity, result.tokens) if result
                      else [Span(m.text, 0, len(m.text))])
            cited.append(Cited(m, 1.0, quotes))
        return self.compose.answer(question, cited)

    def _asks_within(self, reference: Reference) -> bool:
        """Does the rest of the question name something the referenced measures talk about?"""
        words = {t for t in tokenize(reference.rest) if len(t) >= 2}
        return any(w in self.document.measure(n).text for n in reference.measures for w in words)
