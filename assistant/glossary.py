"""English words users type → the Chinese terms the documents use for them.

The laws have no English rendering, so an English question ("Can a kindergarten give my kid an
entrance test?") shares no word with the article that answers it (幼儿园不得组织入园考试). The
curated glossary (`corpus/glossary.tsv`, written from the documents; every Chinese term occurs in
one of them) lets the lexical search and the word-coverage checks read the question in the
documents' words as well. Variants match on stemmed words, a phrase on consecutive words.

>>> glossary = Glossary.parse("kindergarten | preschool\\t幼儿园\\nentrance test\\t入园考试 | 测试\\n")
>>> glossary.terms("Can a kindergarten give my kid an entrance test?")
['幼儿园', '入园考试', '测试']
>>> glossary.terms_by_word("an entrance test for preschools")
{'entrance': ['入园考试', '测试'], 'test': ['入园考试', '测试'], 'preschools': ['幼儿园']}
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from index.tokenize import english_stem

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _stems(text: str) -> tuple[str, ...]:
    return tuple(english_stem(w) for w in _WORD.findall(text.lower()))


class Glossary:
    def __init__(self, entries: dict[tuple[str, ...], list[str]]):
        if any(not variant or not terms for variant, terms in entries.items()):
            raise ValueError("every glossary variant needs words and Chinese terms")
        self._entries = entries
        self._longest = max((len(v) for v in entries), default=0)

    @classmethod
    def parse(cls, text: str, source: str = "glossary", generic: Iterable[str] = ()) -> Glossary:
        """`generic`: words that carry no topic (corpus/generic_words.txt). Alone they are not read into
        the documents' words: "child" as 儿童 | 未成年人 | 少年 | 子女 would rank every article that names a
        child above the one about the question's topic. In a phrase they count ("teachers' children")."""
        ignored = {english_stem(w.lower()) for w in generic if w.isascii()}
        entries: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            english, sep, chinese = line.partition("\t")
            terms = [t.strip() for t in chinese.split("|") if t.strip()]
            if not sep or not terms:
                raise ValueError(f"{source}:{number}: expected 'english | variants<TAB>中文 | 词语', got {line!r}")
            for variant in english.split("|"):
                if (stems := _stems(variant)) and not (len(stems) == 1 and stems[0] in ignored):
                    entries[stems].extend(t for t in terms if t not in entries[stems])
        return cls(dict(entries))

    @classmethod
    def from_file(cls, path: Path, generic: Iterable[str] = ()) -> Glossary:
        return cls.parse(Path(path).read_text(encoding="utf-8"), str(path), generic)

    def terms(self, question: str) -> list[str]:
        """The Chinese terms of every variant standing in `question` (none for a Chinese question)."""
        return list(dict.fromkeys(t for _, terms in self._standing(question) for t in terms))

    def terms_by_word(self, question: str) -> dict[str, list[str]]:
        """For each word of `question` within a variant standing there, that variant's Chinese terms:
        "homeroom" of "homeroom teacher" is 班主任, though the glossary has no "homeroom" alone."""
        found: dict[str, list[str]] = defaultdict(list)
        for words, terms in self._standing(question):
            for word in words:
                found[word].extend(terms)
        return {word: list(dict.fromkeys(terms)) for word, terms in found.items()}

    def _standing(self, question: str) -> Iterator[tuple[list[str], list[str]]]:
        """(the question's words, the Chinese terms) of each variant standing in it, in order: by
        where it starts, then shortest first."""
        words = _WORD.findall(question.lower())
        stems = tuple(english_stem(w) for w in words)
        for start in range(len(stems)):
            for size in range(1, min(self._longest, len(stems) - start) + 1):
                if terms := self._entries.get(stems[start:start + size]):
                    yield words[start:start + size], terms
