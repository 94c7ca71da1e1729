"""A built index is verified on load: stale or damaged artifacts are refused or rebuilt, never used."""
import json
import shutil

import pytest

from assistant.service import open_index
from index.build import build_index
from index.corpus import corpus_checksum
from index.store import IndexStale, load_index


@pytest.fixture(scope="module")
def built(tmp_path_factory, settings, assistant):
    """A private copy of the document and a fresh index built from it."""
    folder = tmp_path_factory.mktemp("corpus")
    document = folder / settings.document.name
    shutil.copy(settings.document, document)
    shutil.copy(settings.document.with_suffix(".json"), document.with_suffix(".json"))
    index_dir = folder / "index"
    manifest = build_index(document, settings.off_topic, assistant.embedder, index_dir)
    return document, index_dir, manifest


def _load(document, index_dir, settings, model_id):
    return load_index(index_dir, corpus_sha256=corpus_checksum(document, settings.off_topic), model_id=model_id)


def test_manifest_records_what_the_index_was_built_from(built, assistant):
    _, index_dir, manifest = built
    assert manifest["model"] == {"id": assistant.embedder.model_id, "dim": 384}
    assert manifest["corpus"]["measures"] == 24 and len(manifest["corpus"]["sha256"]) == 64
    assert {"faiss-cpu", "sentence-transformers", "jieba"} <= set(manifest["libraries"])
    assert json.loads((index_dir / "manifest.json").read_text()) == manifest


def test_fresh_index_loads(built, settings, assistant):
    document, index_dir, _ = built
    store = _load(document, index_dir, settings, assistant.embedder.model_id)
    assert store.dense.ntotal == len(store.units) and store.units[0].kind == "measure"


def test_another_model_is_refused(built, settings):
    document, index_dir, _ = built
    with pytest.raises(IndexStale, match="model"):
        _load(document, index_dir, settings, "BAAI/bge-small-zh-v1.5")


def test_damaged_artifact_is_refused(built, settings, assistant, tmp_path):
    document, index_dir, _ = built
    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    with open(copy / "dense.faiss", "r+b") as f:
        f.seek(100)
        f.write(b"\x00garbage\x00")
    with pytest.raises(IndexStale, match="damaged"):
        _load(document, copy, settings, assistant.embedder.model_id)


def test_changed_document_makes_the_index_stale_and_it_is_rebuilt(built, settings, assistant):
    document, index_dir, _ = built
    document.write_text(document.read_text(encoding="utf-8").replace("900元", "950元"), encoding="utf-8")
    with pytest.raises(IndexStale, match="changed"):
        _load(document, index_dir, settings, assistant.embedder.model_id)
    moved = settings.model_copy(update={"document": document, "index_dir": index_dir})
    with pytest.raises(IndexStale):
        open_index(moved, assistant.embedder, rebuild=False)
    store = open_index(moved, assistant.embedder, rebuild=True)
    assert any("950元" in u.text for u in store.units)


def test_missing_index_says_how_to_build(tmp_path, settings, assistant):
    with pytest.raises(IndexStale, match="policy-assistant build"):
        load_index(tmp_path / "nothing", corpus_sha256="x", model_id=assistant.embedder.model_id)
