"""The torch-free embedder: unit vectors close to the torch model's, independent of batching, robust input."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.evaluate import load_cases
from model.torch_backend import TorchEmbedder

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def reference(source):
    return TorchEmbedder(source)


@pytest.fixture(scope="module")
def questions() -> list[str]:
    return [c["q"] for c in load_cases(ROOT / "eval" / "extra.jsonl")]


def test_serving_embedder_is_onnx_int8_and_says_so(assistant, source):
    embedder = assistant.embedder
    assert (embedder.backend, embedder.variant, embedder.dim) == ("onnx", "int8", 384)
    assert embedder.model_id == f"{source.model_id}@onnx-int8-r1"


def test_query_vectors_are_unit_float32_cached_and_read_only(assistant):
    vector = assistant.embedder.query("班主任每月绩效多少")
    assert vector.dtype == np.float32 and vector.shape == (384,)
    assert abs(float(np.linalg.norm(vector)) - 1) < 1e-5
    assert assistant.embedder.query("班主任每月绩效多少") is vector
    with pytest.raises(ValueError):
        vector[0] = 1.0


def test_int8_vectors_stay_close_to_the_torch_fp32_model(assistant, reference, questions, document):
    queries = np.stack([assistant.embedder._embed_query(q) for q in questions])
    assert np.sum(queries * reference._encode(questions, "query", False), axis=1).min() >= 0.995
    texts = [m.text for m in document.measures]
    assert np.sum(assistant.embedder.passages(texts) * reference.passages(texts), axis=1).min() >= 0.995


def test_a_passage_vector_does_not_depend_on_its_batch(assistant, document):
    texts = [m.text for m in document.measures[:6]]
    together = assistant.embedder.passages(texts)
    alone = np.stack([assistant.embedder.passages([t])[0] for t in texts])
    assert np.array_equal(together, alone)


@pytest.mark.parametrize("text", ["", "？", "教育" * 2000, "Учитель получает надбавку", "🎓📚", "a\tb\nc"])
def test_any_text_gives_a_unit_vector(assistant, text):
    vector = assistant.embedder.passages([text])[0]
    assert np.isfinite(vector).all() and abs(float(np.linalg.norm(vector)) - 1) < 1e-5
