"""The model artifact records what it was built from and how faithful it is; a stale one is refused or rebuilt."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from model import ModelError, load_embedder
from model.artifact import ArtifactStale, artifact_dir, load_artifact
from model.source import Source


@pytest.fixture
def copy(tmp_path, assistant) -> Path:
    """A private copy of the serving artifact."""
    dest = tmp_path / Path(assistant.embedder.path).name
    shutil.copytree(assistant.embedder.path, dest)
    return dest


def test_manifest_records_source_variant_vocabulary_and_fidelity(assistant, source):
    manifest = assistant.embedder.artifact
    assert manifest["variant"] == "int8"
    assert manifest["source"] == {"id": source.model_id, "sha256": source.sha256}
    assert manifest["fidelity"]["texts"] >= 100 and manifest["fidelity"]["kinds"] == ["query", "passage"]
    assert manifest["fidelity"]["cosine_min"] >= 0.995
    assert manifest["vocabulary"]["pruned"] and manifest["vocabulary"]["ids_changed"] == 0
    assert manifest["vocabulary"]["pieces_after"] < 0.6 * manifest["vocabulary"]["pieces_before"]
    # every weight of the 12 layers (q, k, v, attention out, FFN in, FFN out) in int8 but the one kept on
    # 4 bits, and the word embeddings on 4 bits
    assert manifest["quantization"]["nodes"] == {"MatMulInteger": 71, "MatMulNBits": 1, "GatherBlockQuantized": 1}
    assert manifest["quantization"]["kept_4bit"]["nodes"] == ["/model/encoder/layer.4/output/dense/MatMul_Q4"]
    folder = Path(assistant.embedder.path)
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "model.onnx", "tokenizer.json"]
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8")) == manifest


def test_the_served_model_is_under_a_quarter_of_the_converted_fp16_weights(assistant, source):
    served = (Path(assistant.embedder.path) / "model.onnx").stat().st_size
    converted = (Path(source.st_location()) / "model.safetensors").stat().st_size  # stored fp16, full vocabulary
    assert served < 0.25 * converted


def test_a_damaged_model_file_is_refused(copy, source):
    with open(copy / "model.onnx", "r+b") as f:
        f.seek(4096)
        f.write(b"\x00garbage\x00")
    with pytest.raises(ArtifactStale, match="damaged"):
        load_artifact(copy, source, "int8")


def test_changed_source_weights_make_it_stale(copy, source, tmp_path):
    other = tmp_path / "e5-small-q4.bin"
    other.write_bytes(b"E5S1 another release")
    with pytest.raises(ArtifactStale, match="source weights .* changed"):
        load_artifact(copy, Source(source.model_id, other, source.cache_dir), "int8")


@pytest.mark.parametrize("variant", ["q4", "fp32"])
def test_another_variant_is_refused(copy, source, variant):
    with pytest.raises(ArtifactStale, match=f"int8 variant, {variant} is configured"):
        load_artifact(copy, source, variant)


def test_a_missing_artifact_without_build_says_how_to_build(tmp_path, settings):
    with pytest.raises(ModelError, match="policy-assistant build"):
        load_embedder(settings.model, cache_dir=tmp_path, build=False)


def test_a_stale_artifact_is_rebuilt_and_fp32_matches_torch(tmp_path, settings, source, assistant):
    # The int8 folder where the fp32 one belongs: stale, so it is rebuilt (in a child process).
    stale = artifact_dir(Source(source.model_id, source.origin, tmp_path), "fp32")
    shutil.copytree(assistant.embedder.path, stale)
    embedder = load_embedder(settings.model, variant="fp32", cache_dir=tmp_path)
    assert embedder.model_id == f"{source.model_id}@onnx-fp32-r1" and embedder.variant == "fp32"
    assert embedder.artifact["quantization"] is None
    assert embedder.artifact["fidelity"]["cosine_min"] >= 0.9999  # the export itself changes nothing
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folders left


def test_a_hub_name_needs_the_torch_backend(tmp_path):
    with pytest.raises(ModelError, match="MODEL_BACKEND=torch"):
        load_embedder("someone/some-hub-model", cache_dir=tmp_path)


def test_the_int8_recipe_quantizes_a_graph_without_the_kept_projection_entirely(tmp_path):
    # another model's graph, whose names do not match KEEP_4BIT: every projection in int8
    from onnx import TensorProto, helper, numpy_helper

    from model.quantize import nodes_on_4_bits, quantize_int8, quantized_nodes

    weight = numpy_helper.from_array(np.ones((32, 32), dtype=np.float32), "w")
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"], name="/layer.0/intermediate/dense/MatMul")],
                              "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 32])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 32])], [weight])
    quantized = quantize_int8(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), tmp_path)
    assert quantized_nodes(quantized) == {"MatMulInteger": 1} and nodes_on_4_bits(quantized) == []
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("where", [0, 4096])  # the header (the model cannot even be read) or the weights
def test_a_damaged_model_is_not_served(tmp_path, settings, source, assistant, where):
    folder = artifact_dir(Source(source.model_id, source.origin, tmp_path), "int8")
    shutil.copytree(assistant.embedder.path, folder)
    with open(folder / "model.onnx", "r+b") as f:
        f.seek(where)
        f.write(b"\x00garbage\x00")
    with pytest.raises(ModelError, match="model.onnx is damaged.*policy-assistant build"):
        load_embedder(settings.model, cache_dir=tmp_path, build=False)
