"""Fixtures for the model package: the source weights and their full (unpruned) tokenizer."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from model.export import transformer_dir
from model.source import resolve_source


@pytest.fixture(scope="session")
def source(settings):
    return resolve_source(settings.model, settings.cache_dir)


@pytest.fixture(scope="session")
def full_tokenizer(source) -> dict:
    """tokenizer.json of the converted sentence-transformers folder, all 250k pieces."""
    path = transformer_dir(Path(source.st_location())) / "tokenizer.json"
    return json.loads(path.read_text(encoding="utf-8"))
