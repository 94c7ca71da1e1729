"""Recognise what is not a question before any search: small talk, and text no question can be read from.

Small talk is a message made only of the phrases in `corpus/smalltalk.tsv` (greetings, thanks,
goodbyes, "ok", "who are you"), with fillers allowed. Unreadable is a message with no content word
at all: keyboard mashes (asdfghjkl), a repeated interjection (啊啊啊啊), digits or punctuation alone.

>>> talk = SmallTalk.from_file(Path("corpus/smalltalk.tsv"))
>>> talk.classify("你好！"), talk.classify("Thank you so much"), talk.classify("asdfghjkl")
('greeting', 'thanks', 'unclear')
>>> talk.classify("你好，班主任补助多少") is None, talk.classify("bullying") is None
(True, True)
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from index.tokenize import ENGLISH_STOPWORDS, content_words

FILLER = "filler"
UNCLEAR = "unclear"
_UNIT = re.compile(r"[a-z]+|[\u3400-\u9fff]|\d+")
_LATIN_WORD = re.compile(r"[a-z]+")
_VOWELS = set("aeiouy")


def _units(text: str) -> tuple[str, ...]:
    """Latin words and single CJK characters, lower-cased; punctuation, spaces and emoji dropped."""
    return tuple(_UNIT.findall(text.lower()))


@dataclass(frozen=True)
class SmallTalk:
    phrases: dict[tuple[str, ...], str]  # phrase units -> kind

    @classmethod
    def from_file(cls, path: Path) -> SmallTalk:
        phrases = {}
        for line_no, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            kind, sep, phrase = line.partition("\t")
            if not sep or not _units(phrase):
                raise ValueError(f"{path}:{line_no}: expected KIND<TAB>phrase, got {line[:40]!r}")
            phrases[_units(phrase)] = kind.strip()
        return cls(phrases)

    def classify(self, text: str) -> str | None:
        """The small-talk kind, "unclear" for unreadable text, or None for something to search."""
        kinds = self._segment(_units(text))
        if kinds is not None and any(k != FILLER for k in kinds):
            return next(k for k in kinds if k != FILLER)
        return None if has_content(text) else UNCLEAR

    def _segment(self, units: tuple[str, ...]) -> list[str] | None:
        """Cover `units` entirely with known phrases (longest first); None when they cannot be."""
        if not units:
            return None
        longest = max(len(p) for p in self.phrases)
        best: list[list[str] | None] = [[]] + [None] * len(units)
        for end in range(1, len(units) + 1):
            for size in range(min(longest, end), 0, -1):
                kind = self.phrases.get(units[end - size:end])
                if kind is not None and best[end - size] is not None:
                    best[end] = best[end - size] + [kind]  # type: ignore[operator]
                    break
        return best[-1]


def has_content(text: str) -> bool:
    """Does `text` hold at least one word that could carry a topic?

    >>> has_content("啊啊啊啊"), has_content("123456"), has_content("sdfsdf jkl"), has_content("近视")
    (False, False, False, True)
    """
    if any(len(set(w)) > 1 for w in content_words(text) if not w.isascii()):
        return True
    return any(_looks_like_a_word(w) for w in _LATIN_WORD.findall(text.lower()) if w not in ENGLISH_STOPWORDS)


def _looks_like_a_word(word: str) -> bool:
    if len(word) < 2 or len(set(word)) == 1:
        return False
    vowels = sum(ch in _VOWELS for ch in word)
    longest_consonant_run = max(len(run) for run in re.split("[aeiouy]", word))
    return vowels > 0 and (len(word) < 4 or vowels / len(word) >= 0.2) and longest_consonant_run < 5
