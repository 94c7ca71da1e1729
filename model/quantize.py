"""Dynamic int8 quantization of the exported encoder, with the layers that matter kept in fp32.

onnxruntime's `quantize_dynamic` stores weights as int8 (one scale per output channel) and quantizes
activations on the fly; optimum's quantizer is not used (it fails on graphs onnxruntime has fused).
Which layers stay fp32 was measured, not guessed (`benchmarks/quantize_study.py`; table in the README):
keeping the twelve feed-forward output projections (`layer.N/output/dense`) in fp32 gave the best
Recall@1 and the closest vectors of every candidate (cosine to fp32 ≥ 0.998, against 0.993 with
everything int8), for ~20 MB and ~45% more time than everything int8. FFN input, attention output,
or the first and last layers in fp32 instead were all further from fp32 and scored lower.

Dynamic quantization scales activations per call, over the whole input tensor: a text's vector
depends on what it is batched with, so `model.runtime` embeds one text per call, for the index too.

>>> quantize(Path("/tmp/fp32.onnx"), Path("/tmp/int8.onnx"))  # doctest: +SKIP
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

KEEP_FP32 = r"/layer\.\d+/output/dense/MatMul$"  # the FFN output projections (not attention/output/dense)


def quantize(src: Path, dst: Path, *, keep_fp32: str = KEEP_FP32) -> list[str]:
    """Write the int8 graph of `src` to `dst`; the names of the nodes left in fp32."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    nodes = onnx.load(str(src), load_external_data=False).graph.node
    excluded = [n.name for n in nodes if n.op_type in ("MatMul", "Gather") and keep_fp32 and re.search(keep_fp32, n.name)]
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # it advises "pre-processing" on every call: measured, no gain here
    try:
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True,
                         nodes_to_exclude=excluded)
    finally:
        root.setLevel(level)
    return excluded
