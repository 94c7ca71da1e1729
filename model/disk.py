"""What the model artifact and the search index share on disk: checksums, versions, swapping a folder in.

>>> installed_versions(["numpy", "no-such-package"])["no-such-package"]
'absent'
"""
from __future__ import annotations

import hashlib
import shutil
import uuid
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

_CHUNK = 1 << 20  # hash in pieces: reading a model file whole would raise the process's peak memory


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    update_digest(digest, path)
    return digest.hexdigest()


def update_digest(digest, path: Path) -> None:
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)


def installed_versions(names: Iterable[str]) -> dict[str, str]:
    def _version(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "absent"
    return {name: _version(name) for name in names}


def swap_in(new: Path, target: Path) -> None:
    """Replace `target` by the finished folder `new` in two renames: a reader sees the old or the new one."""
    old = target.with_name(f".old-{target.name}-{uuid.uuid4().hex[:8]}")
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
