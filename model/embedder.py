"""What every embedding backend offers the rest of the code, and what they share.

An embedder has `model_id` (names the weights *and* the backend/variant, so an index built with one
variant is never served with another), `dim`, `path`, `backend`, `variant`, `artifact` (the model
artifact's manifest, or None), `query(text)` (a cached, read-only unit float32 vector),
`queries(texts)` (the same for many, batched and uncached: an index of everyday questions) and
`passages(texts)` (one unit float32 row per text).
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Literal, Protocol

import numpy as np

Kind = Literal["query", "passage"]


class ModelError(RuntimeError):
    """The embedding model cannot be found, built or loaded; the message says what to do."""


class Embedder(Protocol):
    model_id: str
    dim: int
    path: str
    backend: str
    variant: str
    artifact: dict | None

    def query(self, text: str) -> np.ndarray: ...

    def queries(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray: ...

    def passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray: ...


class CachedEmbedder:
    """The part every backend shares: the query cache and the output contract.

    A backend sets the attributes of `Embedder`, calls `_start_cache` and implements `_encode`.
    """

    def _start_cache(self, size: int) -> None:
        if size < 0:
            raise ValueError("query_cache_size must be >= 0")
        self.query = lru_cache(maxsize=size)(self._embed_query)

    def passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Unit vectors, one row per text, float32."""
        return self._encode(list(texts), "passage", progress)

    def queries(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """`query` for many texts at once: batched, not cached."""
        return self._encode(list(texts), "query", progress)

    def _embed_query(self, text: str) -> np.ndarray:
        vector = self._encode([text], "query", False)[0]
        vector.setflags(write=False)  # shared by the cache: nobody may change it
        return vector

    def _encode(self, texts: list[str], kind: Kind, progress: bool) -> np.ndarray:
        raise NotImplementedError
