"""The assistant as one object: load (or build) everything once, then answer questions.

The pipeline for one question, within a scope (the documents it may answer from: the served ones,
or those a request chooses): a question that names documents (学前教育法规定…) is answered from
them alone; a reference (第7条, 义务教育法第十二条) is answered from that article, with the valid range
when it does not exist, or by asking which document is meant when several have one and neither the
question nor the conversation says; small talk or unreadable text is answered without any search;
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
from functools import cached_property, lru_cache
from pathlib import Path

from assistant.answer import Cited, Composer, language
from assistant.answerability import AnswerabilityModel, Evidence, Vocabulary, fact_cues, gather_evidence
from assistant.glossary import Glossary
from assistant.quotes import QuoteSelector
from assistant.references import Reference, find_references
from assistant.routing import DocumentNames
from assistant.schemas import Answer, Turn
from assistant.search import SCOPES_CACHED, RankedMeasure, SearchResult, Searcher
from assistant.settings import Settings
from assistant.smalltalk import SmallTalk
from index.build import build_index
from index.corpus import corpus_checksum, document_paths, read_corpus
from index.document import Document, Span
from index.store import IndexStale, IndexStore, load_index
from index.tokenize import content_words, tokenize
from index.tokenize import preload as preload_dictionary
from index.units import MEASURE_WORD_KINDS
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
    checksum = corpus_checksum(document_paths(settings.corpus), settings.off_topic)
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
    build_index(settings.corpus, settings.off_topic, embedder, settings.index_dir, progress=progress)
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
        self.sources = {s.document.id: s for s in read_corpus(settings.corpus)}
        self.documents: dict[str, Document] = {i: s.document for i, s in self.sources.items()}
        if unknown := [i for i in settings.documents if i not in self.documents]:
            raise ValueError(f"unknown document {', '.join(unknown)}; the corpus has {', '.join(self.documents)}")
        self.served = tuple(i for i in self.documents if i in settings.documents or not settings.documents)
        # (document, question, its language): suggestions pick from these on every decline
        self.everyday = [(i, q, language(q.text)) for i, s in self.sources.items() for q in s.questions]
        self.embedder = embedder or open_embedder(settings, build=build_if_missing)
        self.store = open_index(settings, self.embedder, rebuild=build_if_missing, progress=progress)
        documents = list(self.documents.values())
        self._generic = frozenset(w.strip().lower() for w in Path(settings.generic_words).read_text(encoding="utf-8").splitlines()
                                  if w.strip() and not w.startswith("#"))
        self.glossary = Glossary.from_file(settings.glossary, self._generic)
        self.searcher = Searcher(documents, self.store, self.embedder, rrf_k=settings.rrf_k, glossary=self.glossary)
        self.quotes = QuoteSelector(documents, self.store, max_quotes=settings.max_quotes)
        self.compose = Composer(self.documents, {i: s.rendering for i, s in self.sources.items() if s.rendering})
        self.names = DocumentNames(documents)
        self.smalltalk = SmallTalk.from_file(settings.smalltalk)
        # per measure: the texts and content words of its vocabulary (the index tagged the words)
        self._texts: dict[tuple[str, int], list[str]] = defaultdict(list)
        self._words: dict[tuple[str, int], set[str]] = defaultdict(set)
        for unit, words in zip(self.store.units, self.store.words):
            if unit.kind in MEASURE_WORD_KINDS:
                self._texts[(unit.document, unit.measure)].append(unit.text)
                self._words[(unit.document, unit.measure)].update(words)
        self._measure_vocabulary = {key: Vocabulary(texts, self._generic, self._words[key])
                                    for key, texts in self._texts.items()}
        self._vocabulary = lru_cache(maxsize=SCOPES_CACHED)(self._scope_vocabulary)

    @cached_property
    def answerability(self) -> AnswerabilityModel:
        # Loaded on first use, so that `fit-answerability` can gather evidence before a model exists.
        return AnswerabilityModel.load(self.settings.answerability_model)

    @property
    def policy(self) -> Document:
        """The Liaocheng policy, which the /api/measures routes serve."""
        return self.documents[self.settings.policy_document]

    def check_documents(self, ids: Sequence[str]) -> tuple[str, ...]:
        """`ids` in corpus order; ValueError naming the served ids for one that is not served."""
        if unknown := [i for i in ids if i not in self.served]:
            raise ValueError(f"unknown document {', '.join(unknown)}; this server answers from {', '.join(self.served)}")
        return tuple(i for i in self.served if i in ids)

    def ask(self, question: str, history: Sequence[Turn] = (), documents: Sequence[str] | None = None) -> Answer:
        """Answer `question` from `documents` (ids; by default the served ones)."""
        question = question.strip()
        scope = self.check_documents(documents) if documents else self.served
        named = self.names.find(question)
        if unserved := [i for i in named if i not in scope]:
            scope_docs = [self.documents[i] for i in scope]
            return self.compose.not_covered(question, [], [self.documents[i].name for i in unserved], scope_docs)
        previous = history[-1].question.strip() if history else ""
        if (reference := find_references(question)) is not None:
            return self._answer_reference(question, reference, scope, self._conversation(named, history, scope))
        if kind := self.smalltalk.classify(question):
            return self.compose.smalltalk(question, kind, self.suggestions(question, scope),
                                          [self.documents[i] for i in scope])
        if previous and is_follow_up(question):
            earlier = find_references(previous)
            earlier_named = self._named(previous, scope)
            context = self._conversation(earlier_named, history, scope)
            if earlier is not None and earlier.measures and len(context) == 1 and self._valid(earlier, context[0]):
                # "第7条讲了什么" → "那寄宿制的呢？": ask within the same measure.
                return self._answer_reference(question, Reference(earlier.measures, (), (), question), scope, context)
            # Ranked and quoted with the previous question, judged on its own words: "那高铁票呢？" after
            # a pay question must not borrow the pay question's closeness to the documents.
            earlier_scope = earlier_named or scope
            in_context = self.consider(question, earlier_scope, context=previous)
            return self._answer_search(question, in_context, earlier_scope,
                                       judged_on=self.consider(question, earlier_scope))
        answering = named or scope  # every document it names is in scope by now
        return self._answer_search(question, self.consider(question, answering), answering)

    def answer_scope(self, question: str, scope: Sequence[str]) -> tuple[str, ...]:
        """The documents a question is searched in: those of `scope` it names, else all of `scope`."""
        return self._named(question, scope) or tuple(scope)

    def consider(self, question: str, scope: Sequence[str] | None = None, context: str = "") -> Considered:
        """Search `scope` (with the previous question as context, if any) and gather the answerability
        evidence from the question's own words."""
        scope = tuple(scope or self.served)
        result = self.searcher.search(f"{context} {question}".strip(), scope)
        ranked = result.ranked[: self.settings.top_k]
        answering = self._answering(ranked)
        cues = fact_cues(question)
        wanted = (lambda text: any(c.found_in(text, question) for c in cues)) if cues else None
        cited = [self._cited(r.key, r.score, self.quotes.select(r.key, result.unit_similarity, result.tokens, wanted))
                 for r in answering]
        cited += [self._cited(r.key, r.score, []) for r in ranked[len(answering):]]
        evidence = gather_evidence(
            question, margin=result.best_piece - result.best_off_topic, piece=result.best_piece,
            asked=result.best_question, top=self._measure_vocabulary[ranked[0].key],
            quotes=[q.text for q in cited[0].quotes], vocabulary=self._vocabulary(tuple(sorted(scope))),
            glossary=self.glossary, text=cited[0].measure.text,
            others=[(c.measure.text, [q.text for q in c.quotes]) for c in cited[1:len(answering)]], cues=cues)
        return Considered(result, cited, evidence)

    def _answering(self, ranked: Sequence[RankedMeasure]) -> list[RankedMeasure]:
        """The measures an answer quotes: the best; the second when it scores close to it; the third
        when close too and from another level (national, provincial, local) than those two, so that
        each level that answers is quoted."""
        answering = [r for i, r in enumerate(ranked[:3])
                     if i == 0 or r.score >= self.settings.second_measure_ratio * ranked[0].score]
        if len(answering) == 3 and self._level(answering[2]) in {self._level(r) for r in answering[:2]}:
            answering.pop()
        return answering

    def _level(self, ranked: RankedMeasure) -> str:
        return self.documents[ranked.key[0]].level

    def suggestions(self, question: str, scope: Sequence[str] | None = None) -> list[str]:
        """A few everyday questions in the question's language, from different measures, varied by question."""
        lang = language(question)
        scope = scope or self.served
        pool = [(i, q) for i, q, q_lang in self.everyday if q_lang == lang and i in scope]
        if not pool:
            return []
        start = int(hashlib.sha256(question.encode()).hexdigest(), 16) % len(pool)
        picked, measures = [], set()
        for i, q in pool[start:] + pool[:start]:
            if (i, q.measure) not in measures:
                picked.append(q.text)
                measures.add((i, q.measure))
            if len(picked) == SUGGESTIONS:
                break
        return picked

    def _cited(self, key: tuple[str, int], score: float, quotes: list[Span]) -> Cited:
        document = self.documents[key[0]]
        return Cited(document, document.measure(key[1]), score, quotes)

    def _scope_vocabulary(self, scope: tuple[str, ...]) -> Vocabulary:
        keys = [key for key in self._texts if key[0] in scope]
        return Vocabulary([t for key in keys for t in self._texts[key]], self._generic,
                          {w for key in keys for w in self._words[key]})

    def _named(self, text: str, scope: Sequence[str]) -> tuple[str, ...]:
        """The documents of `scope` that `text` names, in the order named."""
        return tuple(i for i in self.names.find(text) if i in scope)

    def _conversation(self, named: Sequence[str], history: Sequence[Turn], scope: Sequence[str]) -> tuple[str, ...]:
        """The documents a reference is read in: `named` (those of the scope its question names), else
        those of the last turn that named or quoted one (its question, else the first document its answer
        names by title), else the scope when it is one document."""
        for turn in reversed(history):
            if named:
                break
            named = self._named(turn.question, scope) or tuple(i for i in self.names.find(turn.answer)[:1] if i in scope)
        if named:
            return tuple(named)
        return tuple(scope) if len(scope) == 1 else ()

    def _answer_search(self, question: str, considered: Considered, scope: Sequence[str],
                       judged_on: Considered | None = None) -> Answer:
        verdict = self.answerability.judge((judged_on or considered).evidence)
        if verdict.answerable:
            return self.compose.answer(question, considered.cited)
        related = [Cited(c.document, c.measure, c.score, []) for c in considered.cited]
        return self.compose.not_covered(question, related, verdict.missing, [self.documents[i] for i in scope])

    def _valid(self, reference: Reference, document: str) -> bool:
        d = self.documents[document]
        count, part_count = len(d.measures), len(d.parts)
        return (not reference.malformed and all(1 <= n <= count for n in reference.measures)
                and all(1 <= n <= part_count for n in reference.parts))

    def _answer_reference(self, question: str, reference: Reference, scope: Sequence[str],
                          context: Sequence[str]) -> Answer:
        if not context:
            # the policy, this assistant's own document, is offered first; then the laws in corpus order
            having = sorted((i for i in scope if self._valid(reference, i)),
                            key=lambda i: i != self.settings.policy_document)
            if len(having) == 1:
                context = having
            elif having:
                number = (reference.measures or reference.parts)[0]
                return self.compose.choose_document(question, number, [self.documents[i] for i in having],
                                                    part=not reference.measures)
            else:
                context = scope
        document = self.documents[context[0]]
        if not self._valid(reference, document.id):
            return self.compose.invalid_reference(
                question, [self.documents[i] for i in context],
                [n for n in reference.measures if not 1 <= n <= len(document.measures)],
                [n for n in reference.parts if not 1 <= n <= len(document.parts)], reference.malformed)
        if not reference.measures:
            return self.compose.part(question, document, reference.parts)
        rest = self.names.without(reference.rest, document.id)
        result = self.searcher.search(rest, (document.id,)) if self._asks_within(document, reference.measures, rest) else None
        cited = []
        for n in reference.measures:
            m = document.measure(n)
            quotes = (self.quotes.select((document.id, n), result.unit_similarity, result.tokens) if result
                      else [Span(m.text, 0, len(m.text))])
            cited.append(Cited(document, m, 1.0, quotes))
        return self.compose.answer(question, cited)

    def _asks_within(self, document: Document, numbers: Sequence[int], rest: str) -> bool:
        """Does the rest of the question name something the referenced measures talk about?"""
        words = {t for t in tokenize(rest) if len(t) >= 2}
        return any(w in document.measure(n).text for n in numbers for w in words)
