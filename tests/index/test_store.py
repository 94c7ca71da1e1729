"""A built index is verified on load: stale or damaged artifacts are refused or rebuilt, never used."""
import json
import shutil

import numpy as np
import pytest

from assistant.service import open_index
from index.build import build_index, embed_units, previous_vectors
from index.corpus import corpus_checksum, document_paths
from index.store import IndexStale, load_index
from index.units import Unit
from tests.conftest import POLICY, copy_corpus


@pytest.fixture(scope="module")
def built(tmp_path_factory, settings, assistant):
    """A private copy of two documents and an index built from them (beside a copy of the full index,
    whose vectors the build reuses)."""
    corpus = copy_corpus(settings, tmp_path_factory.mktemp("data") / "corpus", [POLICY, "teachers-law"])
    index_dir = corpus / "index"
    manifest = build_index(corpus, corpus / "off_topic.txt", assistant.embedder, index_dir)
    return corpus, index_dir, manifest


def _checksum(corpus):
    return corpus_checksum(document_paths(corpus), corpus / "off_topic.txt")


def _load(corpus, index_dir, model_id):
    return load_index(index_dir, corpus_sha256=_checksum(corpus), model_id=model_id)


def test_manifest_records_what_the_index_was_built_from(built, assistant):
    _, index_dir, manifest = built
    assert manifest["model"] == {"id": assistant.embedder.model_id, "dim": 384}
    assert manifest["corpus"]["documents"] == {POLICY: {"measures": 24, "parts": 4},
                                               "teachers-law": {"measures": 43, "parts": 9}}
    assert manifest["corpus"]["measures"] == 67 and len(manifest["corpus"]["sha256"]) == 64
    assert {"faiss-cpu", "onnxruntime", "jieba"} <= set(manifest["libraries"])
    assert json.loads((index_dir / "manifest.json").read_text()) == manifest


def test_every_unit_carries_its_document_and_an_article_its_chapter(built, assistant):
    corpus, index_dir, _ = built
    store = _load(corpus, index_dir, assistant.embedder.model_id)
    assert store.dense.ntotal == len(store.units) and store.units[0].kind == "measure"
    assert {u.document for u in store.units if u.kind != "off_topic"} == {POLICY, "teachers-law"}
    article = next(u for u in store.units if u.document == "teachers-law" and u.measure == 25 and u.kind == "measure")
    assert article.embedded == f"教师法 第六章 待遇：{article.text}" and article.text.startswith("教师的平均工资水平")
    policy = next(u for u in store.units if u.document == POLICY and u.kind == "measure")
    assert policy.embedded == policy.text  # a measure's title is in its text


def test_another_model_is_refused(built):
    corpus, index_dir, _ = built
    with pytest.raises(IndexStale, match="model"):
        _load(corpus, index_dir, "BAAI/bge-small-zh-v1.5")


def test_an_index_tokenized_under_other_rules_is_refused(built, assistant, tmp_path):
    corpus, index_dir, _ = built
    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["tokenizer"] = "0" * 16  # as if a stop word had changed since it was built
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexStale, match="tokenizer"):
        _load(corpus, copy, assistant.embedder.model_id)


def test_damaged_artifact_is_refused(built, assistant, tmp_path):
    corpus, index_dir, _ = built
    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    with open(copy / "dense.faiss", "r+b") as f:
        f.seek(100)
        f.write(b"\x00garbage\x00")
    with pytest.raises(IndexStale, match="damaged"):
        _load(corpus, copy, assistant.embedder.model_id)


def test_changed_document_makes_the_index_stale_and_only_what_changed_is_embedded(built, settings, assistant):
    corpus, index_dir, _ = built
    law = corpus / "teachers-law.txt"
    law.write_text(law.read_text(encoding="utf-8").replace("每年九月十日为教师节。", "每年九月十一日为教师节。"),
                   encoding="utf-8")
    with pytest.raises(IndexStale, match="changed"):
        _load(corpus, index_dir, assistant.embedder.model_id)
    moved = settings.model_copy(update={"corpus": corpus, "off_topic": corpus / "off_topic.txt", "index_dir": index_dir})
    with pytest.raises(IndexStale):
        open_index(moved, assistant.embedder, rebuild=False)
    store = open_index(moved, assistant.embedder, rebuild=True)
    assert any("九月十一日" in u.text for u in store.units)


def test_a_rebuild_embeds_only_texts_the_old_index_lacks(built, assistant):
    corpus, index_dir, _ = built
    known = previous_vectors(index_dir, assistant.embedder.model_id)
    units = [u for u in load_index(index_dir, corpus_sha256=_checksum(corpus), model_id=assistant.embedder.model_id
                                   ).units if u.kind in ("measure", "question")][:3]
    assert all((u.kind == "question", u.embedded) in known for u in units)
    marker = np.full(384, 1 / np.sqrt(384), dtype=np.float32)  # no text embeds to this
    known[(units[0].kind == "question", units[0].embedded)] = marker
    new = Unit("teachers-law", 6, "sentence", "一段索引里没有的新文字。", 0, 12)
    vectors = embed_units([*units, new], assistant.embedder, known=known)
    assert np.array_equal(vectors[0], marker)  # taken from the old index, not embedded again
    assert np.allclose(vectors[3], assistant.embedder.passages([new.text])[0], atol=1e-5)
    assert previous_vectors(corpus / "nothing", assistant.embedder.model_id) == {}


def test_missing_index_says_how_to_build(tmp_path, assistant):
    with pytest.raises(IndexStale, match="policy-assistant build"):
        load_index(tmp_path / "nothing", corpus_sha256="x", model_id=assistant.embedder.model_id)


def test_dense_scores_are_the_flat_index_search_in_unit_order(assistant):
    store = assistant.store
    query = assistant.embedder.query("班主任每月绩效多少")
    scores, ids = store.dense.search(query.reshape(1, -1), store.dense.ntotal)
    expected = np.empty(store.dense.ntotal, dtype=np.float32)
    expected[ids[0]] = scores[0]
    assert np.array_equal(store.search(query), expected)
