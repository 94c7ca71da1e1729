"""Prune the tokenizer's vocabulary to the scripts this assistant's users write, with an id remap.

multilingual-e5 carries 250k SentencePiece pieces for ~100 languages; the word-embedding matrix and
the tokenizer are most of its memory. A piece is kept when every character in it is of a kept script
(Latin, CJK, digits, Greek, Bopomofo and everything that is not a letter: punctuation, symbols,
the "▁" word mark), plus the special tokens and the lowest-scoring piece (a unigram tokenizer prices
an unknown character from the lowest score). The kept pieces keep their order, so the specials keep
their ids, and the embedding matrix keeps exactly their rows.

Why the ids cannot change on kept-script text: a unigram segmentation only uses pieces that are
substrings of the text, and every such piece is kept; every character of a kept piece is also a
piece of its own, so no character of such text becomes unknown. `check_ids` verifies it anyway on
the texts it is given. Text in other scripts degrades to `<unk>` (one per character), never an error.

>>> kept_piece("教师"), kept_piece("▁teacher"), kept_piece("▁учитель"), kept_piece("①、")
(True, True, False, True)
"""
from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.convert import unknown_chars_pattern
from model.unigram import UnigramTokenizer

# First word of the Unicode name of a letter, mark or number that is kept ("CJK UNIFIED IDEOGRAPH-73ED").
KEPT_SCRIPTS = frozenset({
    "LATIN", "CJK", "IDEOGRAPHIC", "BOPOMOFO", "GREEK", "DIGIT", "COMBINING", "MODIFIER", "CARON",
    "VARIATION", "DINGBAT", "DOUBLE", "FULLWIDTH", "SUPERSCRIPT", "SUBSCRIPT", "CIRCLED", "PARENTHESIZED",
    "ROMAN", "VULGAR",
})


def kept_char(char: str) -> bool:
    if unicodedata.category(char)[0] not in "LMN":  # punctuation, symbols, spaces
        return True
    return unicodedata.name(char, "?").split(" ", 1)[0] in KEPT_SCRIPTS


def kept_piece(piece: str) -> bool:
    return all(kept_char(c) for c in piece)


@dataclass(frozen=True)
class Pruned:
    tokenizer: dict  # tokenizer.json with the kept pieces, ids remapped
    kept: np.ndarray  # old id of each new id, ascending
    pieces_before: int


def prune_tokenizer(tokenizer: dict) -> Pruned:
    """The pruned tokenizer.json of a unigram tokenizer (ValueError for another kind)."""
    model = tokenizer["model"]
    if model.get("type") != "Unigram":
        raise ValueError(f"vocabulary pruning needs a unigram tokenizer, not {model.get('type')}")
    vocab = model["vocab"]
    scores = np.array([score for _, score in vocab])
    special = {t["id"] for t in tokenizer.get("added_tokens", [])} | {model["unk_id"], int(scores.argmin())}
    kept = np.array([i for i, (piece, _) in enumerate(vocab) if i in special or kept_piece(piece)])
    new_id = {int(old): new for new, old in enumerate(kept)}

    out = json.loads(json.dumps(tokenizer))  # a deep copy
    out["model"]["vocab"] = [vocab[i] for i in kept]
    out["model"]["unk_id"] = new_id[model["unk_id"]]
    for token in out.get("added_tokens", []):
        token["id"] = new_id[token["id"]]
    for special_token in (out.get("post_processor") or {}).get("special_tokens", {}).values():
        special_token["ids"] = [new_id[i] for i in special_token["ids"]]
    if out.get("padding"):
        out["padding"]["pad_id"] = new_id[out["padding"]["pad_id"]]
    _isolate_unknown(out, [p for p, _ in vocab], [p for p, _ in out["model"]["vocab"]])
    return Pruned(out, kept, len(vocab))


def _isolate_unknown(tokenizer: dict, before: list[str], after: list[str]) -> None:
    """Re-aim the split that makes each unknown character its own `<unk>` (see model.convert)."""
    old = unknown_chars_pattern(before)
    steps = (tokenizer.get("pre_tokenizer") or {}).get("pretokenizers", [])
    for step in steps:
        if step.get("type") == "Split" and step.get("pattern", {}).get("Regex") == old:
            step["pattern"]["Regex"] = unknown_chars_pattern(after)


def check_ids(before: dict, after: Pruned, texts: Sequence[str]) -> list[str]:
    """The texts whose ids differ between `tokenizers` on the full vocabulary and the serving tokenizer
    (`model.unigram`) on the pruned one, after remapping."""
    from tokenizers import Tokenizer

    full = Tokenizer.from_str(json.dumps(before))
    pruned = UnigramTokenizer(after.tokenizer, max_length=1 << 30)
    old_ids = [e.ids for e in full.encode_batch(list(texts))]
    return [t for t, ids in zip(texts, old_ids) if after.kept[pruned.encode(t)].tolist() != ids]


def prune_embeddings(onnx_model, kept: np.ndarray) -> int:
    """Keep only the rows `kept` of the word-embedding matrix of an ONNX encoder; its row count before."""
    from onnx import numpy_helper

    gathers = [n for n in onnx_model.graph.node if n.op_type == "Gather" and "word_embeddings" in n.name]
    if len(gathers) != 1:
        raise ValueError(f"expected one word-embedding lookup in the graph, found {len(gathers)}")
    name = gathers[0].input[0]
    for i, tensor in enumerate(onnx_model.graph.initializer):
        if tensor.name == name:
            matrix = numpy_helper.to_array(tensor)
            onnx_model.graph.initializer[i].CopyFrom(numpy_helper.from_array(matrix[kept], name))
            return matrix.shape[0]
    raise ValueError(f"the word-embedding matrix {name} is not an initializer of the graph")


def prune_model(folder: Path, onnx_in: Path, onnx_out: Path, tokenizer_out: Path,
                probes: Sequence[str]) -> dict:
    """Write the pruned graph and tokenizer (unigram tokenizers only); refuse when any probe's ids change."""
    import onnx

    from model.export import transformer_dir

    tokenizer = json.loads((transformer_dir(folder) / "tokenizer.json").read_text(encoding="utf-8"))
    if tokenizer["model"].get("type") != "Unigram":  # e.g. WordPiece: small vocabularies, left whole
        return {"pruned": False, "pieces": len(tokenizer["model"].get("vocab", ()))}
    pruned = prune_tokenizer(tokenizer)
    changed = check_ids(tokenizer, pruned, probes)
    if changed:
        raise ValueError(f"pruning changed the token ids of {len(changed)} texts, e.g. {changed[0]!r}")
    graph = onnx.load(str(onnx_in))
    rows = prune_embeddings(graph, pruned.kept)
    onnx.save(graph, str(onnx_out))
    Path(tokenizer_out).write_text(json.dumps(pruned.tokenizer, ensure_ascii=False), encoding="utf-8")
    return {"pruned": True, "pieces_before": pruned.pieces_before, "pieces_after": len(pruned.kept), "embedding_rows_before": rows,
            "ids_checked_on": len(probes), "ids_changed": 0}
