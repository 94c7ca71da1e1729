"""A SentencePiece-unigram tokenizer in plain Python: the ids `tokenizers` gives, at a fifth of its memory.

`tokenizers` keeps a unigram vocabulary in a byte trie: ~110 MB for the 137k pieces the pruned
multilingual-e5 vocabulary keeps, the largest single part of a serving process. Here the pieces sit in
one dict (~20 MB) and the segmentation is the same Viterbi search over it, step for step as in
`tokenizers` (pieces tried shortest first at each character, a later candidate replaces an earlier one
only when strictly better, an unknown character priced at the lowest score minus 10, runs of unknowns
fused), so the ids are identical: `model.prune.check_ids` verifies that on every build, and
tests/model/test_prune.py on the corpus and every question the project scores. Normalisation and
pre-tokenisation are `tokenizers`' own, run from the same tokenizer.json.

Queries are short, so the search costs ~0.1 ms next to ~5 ms of encoder.

>>> tokenizer = UnigramTokenizer.from_file(Path(".cache/models/…-onnx-int8/tokenizer.json"))  # doctest: +SKIP
>>> tokenizer.encode("query: 班主任")  # doctest: +SKIP
[0, 41, 1294, 12, 6, 131887, 2]
"""
from __future__ import annotations

import json
import re
from pathlib import Path

_UNKNOWN_PENALTY = 10.0  # tokenizers' kUnkPenalty


class UnigramTokenizer:
    def __init__(self, tokenizer: dict, *, max_length: int = 512):
        from tokenizers import Tokenizer

        model = tokenizer["model"]
        if model.get("type") != "Unigram":
            raise ValueError(f"not a unigram tokenizer: {model.get('type')}")
        pieces = [piece for piece, _ in model["vocab"]]
        self._scores = [float(score) for _, score in model["vocab"]]
        self._ids = {piece: i for i, piece in enumerate(pieces)}  # a repeated piece: the last wins, as in tokenizers
        self._longest = max(map(len, pieces))
        self._unk = int(model["unk_id"])
        self._unk_score = min(self._scores) - _UNKNOWN_PENALTY
        # The normaliser and pre-tokeniser come from `tokenizers`, on a one-piece vocabulary.
        shell = dict(tokenizer, model={"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0]]},
                     added_tokens=[], post_processor=None)
        self._shell = Tokenizer.from_str(json.dumps(shell))
        specials = sorted(tokenizer.get("added_tokens", []), key=lambda t: -len(t["content"]))
        self._special_ids = {t["content"]: t["id"] for t in specials}
        self._specials = re.compile("(" + "|".join(
            (r"\s*" if t.get("lstrip") else "") + re.escape(t["content"]) + (r"\s*" if t.get("rstrip") else "")
            for t in specials) + ")") if specials else None
        self._wrap = self._template(tokenizer.get("post_processor"))
        self._max_content = max_length - len(self._wrap[0]) - len(self._wrap[1])

    @classmethod
    def from_file(cls, path: Path, *, max_length: int = 512) -> UnigramTokenizer:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")), max_length=max_length)

    def encode(self, text: str) -> list[int]:
        """Token ids with the template's special tokens around them, truncated to `max_length`."""
        ids: list[int] = []
        parts = self._specials.split(text) if self._specials else [text]
        for i, part in enumerate(parts):
            if i % 2:  # a special token written in the text
                ids.append(self._special_ids[part.strip()])
            elif part:
                normal = self._shell.normalizer.normalize_str(part) if self._shell.normalizer else part
                words = self._shell.pre_tokenizer.pre_tokenize_str(normal) if self._shell.pre_tokenizer else [(normal, None)]
                for word, _ in words:
                    ids.extend(self._segment(word))
        head, tail = self._wrap
        return head + ids[: self._max_content] + tail

    def _segment(self, word: str) -> list[int]:
        """The best-scoring segmentation of one pre-token (Viterbi), unknown runs fused."""
        n = len(word)
        best = [0.0] * (n + 1)
        start: list[int | None] = [None] * (n + 1)
        start[0] = 0
        token = [self._unk] * (n + 1)
        ids, scores = self._ids, self._scores
        for i in range(n):
            here, single = best[i], False
            for end in range(i + 1, min(n, i + self._longest) + 1):
                piece = ids.get(word[i:end])
                if piece is None:
                    continue
                score = scores[piece] + here
                if start[end] is None or score > best[end]:
                    best[end], start[end], token[end] = score, i, piece
                single = single or end == i + 1
            if not single:
                score = self._unk_score + here
                if start[i + 1] is None or score > best[i + 1]:
                    best[i + 1], start[i + 1], token[i + 1] = score, i, self._unk
        out: list[int] = []
        end = n
        while end > 0:
            if not (token[end] == self._unk and out and out[-1] == self._unk):
                out.append(token[end])
            end = start[end]
        return out[::-1]

    @staticmethod
    def _template(post_processor: dict | None) -> tuple[list[int], list[int]]:
        """Ids before and after the text in the single-sequence template (`<s> $A </s>`)."""
        if not post_processor or post_processor.get("type") != "TemplateProcessing":
            return [], []
        specials = post_processor.get("special_tokens", {})
        head: list[int] = []
        tail: list[int] = []
        side = head
        for item in post_processor["single"]:
            if "Sequence" in item:
                side = tail
            else:
                side.extend(specials[item["SpecialToken"]["id"]]["ids"])
        return head, tail
