"""Read a document from the corpus folder: `NAME.txt` plus its metadata in `NAME.json`."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from index.document import Document
from index.parse import parse_document


def read_document(path: Path) -> Document:
    """Parse `path`, taking title, issuers and date from the sidecar `.json` where present."""
    if not path.is_file():
        raise FileNotFoundError(f"document not found: {path} (set POLICY_ASSISTANT_DOCUMENT)")
    sidecar = path.with_suffix(".json")
    metadata = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.is_file() else {}
    return parse_document(path.read_text(encoding="utf-8"), metadata)


def corpus_checksum(path: Path, *extra: Path) -> str:
    """sha256 over the text, its metadata and `extra` files: changing any makes a built index stale."""
    digest = hashlib.sha256()
    for part in (path, path.with_suffix(".json"), *extra):
        if part.is_file():
            digest.update(part.read_bytes())
    return digest.hexdigest()
