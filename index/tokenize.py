"""Lexical tokens for BM25: jieba search-mode words plus character bigrams.

Words catch whole terms (班主任, 课后服务); bigrams catch the parts of terms jieba splits
differently in a question than in the document (特教 vs 特殊教育 share nothing, but 寄宿制 and
非寄宿制学校 share 寄宿). Function words carry no topic and are dropped.

>>> tokens = tokenize("班主任每月绩效多少？")
>>> "班主任" in tokens, "寄宿" in tokenize("非寄宿制学校"), "多少" in tokens
(True, True, False)
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import threading

import jieba

jieba.setLogLevel(logging.WARNING)

# Question and function words: frequent in questions, absent from policy text, topic-free.
STOPWORDS = frozenset(
    "的 了 吗 呢 吧 啊 呀 么 是 在 有 和 与 及 或 也 都 就 还 又 被 把 给 对 从 向 以 为 等 这 那 哪 "
    "这个 那个 这些 那些 什么 怎么 怎样 怎么样 如何 多少 几 哪些 哪里 哪个 为什么 能 能不能 可以 "
    "会 会不会 要 需要 应该 是否 有没有 没有 我 我们 你 你们 他 她 它 他们 咱 孩子的 请问 一下 "
    "现在 今年 目前 规定 政策 文件 意见 里 中 上 下 个 一个 每".split()
)
# English function and question words, for questions asked in English and the English rendering.
ENGLISH_STOPWORDS = frozenset(
    "a an the and or but if then so of to in on at by for with from into about as is are was were be been "
    "being am do does did doing have has had having will would shall should can could may might must it its "
    "this that these those there here what which who whom whose when where why how i me my we our us you your "
    "he she him her his they them their not no yes any all some each every such than too very just also "
    "more most other only own same please tell know want get got there's what's does anyone someone".split()
)
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_CONTENT_POS = re.compile(r"^(n|nr|ns|nt|nz|ng|v|vn|l|eng|j|an)$")  # nouns, verbs, idioms, names, abbreviations
_PUNCT = re.compile(r"[\W_]+")
_LATIN = re.compile(r"[A-Za-z]+|\d+(?:\.\d+)?")
_SUFFIXES = (("ies", "y"), ("ing", ""), ("ly", ""), ("sses", "ss"), ("ses", "s"), ("ers", "er"), ("ed", ""), ("s", ""))


def fingerprint() -> str:
    """A digest of the rules that turn text into tokens and words. The index stores its units' tokens,
    so an index built under other rules (a changed stop word) must be rebuilt, not silently mixed."""
    rules = [sorted(STOPWORDS), sorted(ENGLISH_STOPWORDS), _CONTENT_POS.pattern, _CJK_RUN.pattern,
             _LATIN.pattern, _SUFFIXES]
    return hashlib.sha256(json.dumps(rules, ensure_ascii=False).encode()).hexdigest()[:16]


def preload() -> None:
    """Load jieba's dictionaries (~1 s, ~60 MB) in a background thread, beside other start-up work.

    The first `tokenize` waits for them (jieba initialises under a lock, an import under the import
    lock), so nothing changes but the time a starting server takes."""
    threading.Thread(target=_load_dictionaries, name="jieba-dictionaries", daemon=True).start()


def _load_dictionaries() -> None:
    jieba.initialize()
    from jieba import posseg  # noqa: F401  (its word tags: `chinese_words`)


def tokenize(text: str) -> list[str]:
    """Tokens of `text`, in order; repeats kept (BM25 counts them)."""
    tokens: list[str] = []
    for run in _CJK_RUN.findall(text):
        tokens.extend(run[i:i + 2] for i in range(len(run) - 1))
        tokens.extend(w for w in jieba.cut_for_search(run) if w not in STOPWORDS and len(w) > 1)
        if len(run) == 1 and run not in STOPWORDS:
            tokens.append(run)
    tokens.extend(english_stem(w) for w in _LATIN.findall(text.lower()) if w not in ENGLISH_STOPWORDS)
    return [t for t in tokens if t not in STOPWORDS]


def english_stem(word: str) -> str:
    """A light suffix stripper, so that teachers/teacher and schools/school meet.

    >>> [english_stem(w) for w in ("teachers", "classes", "bullying", "studies", "pay", "getting", "mentioned")]
    ['teacher', 'class', 'bully', 'study', 'pay', 'get', 'mention']
    """
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            stem = word[: len(word) - len(suffix)] + replacement
            # getting -> get, planned -> plan: a doubled final consonant belongs to the suffix
            if suffix in ("ing", "ed") and len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "aeiouls":
                stem = stem[:-1]
            return stem
    return word


def chinese_words(text: str) -> list[str]:
    """The Chinese nouns and verbs of `text` (by jieba's part-of-speech tags), function words aside.

    >>> chinese_words("幼儿园不得组织入园考试")
    ['幼儿园', '不得', '组织', '入园', '考试']
    """
    import jieba.posseg  # loaded on first use (or by `preload`): the tag dictionary is slow to read

    return [w for w, flag in jieba.posseg.cut(text)
            if len(w) > 1 and not w.isascii() and _CONTENT_POS.match(flag) and w not in STOPWORDS]


def content_words(text: str) -> list[str]:
    """jieba words that carry topic: no function words, no punctuation, no single characters.

    >>> content_words("那这个标准是多少")
    ['标准']
    """
    return [w for w in jieba.cut(text) if len(w) > 1 and w not in STOPWORDS and not _PUNCT.fullmatch(w)]
