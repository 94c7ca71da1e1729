"""Which layers must stay fp32 when the encoder is quantized to int8? Measured, one candidate at a time.

    python benchmarks/quantize_study.py [--out benchmarks/quantize_study.json]

Every candidate is the pruned fp32 ONNX artifact quantized with `model.quantize.quantize` and a
different set of nodes kept fp32. For each: cosine to the torch fp32 model on `model/probes.txt`
(query and passage side), query-embedding p50, model size, and the project's own scores with an index
built by that candidate (`../shared/eval/dev.jsonl` where present, `eval/extra.jsonl`). The fp32 ONNX
artifact and the torch model are scored beside them. The recipe's choice (`model.quantize.KEEP_FP32`)
is the cheapest candidate that keeps every score at the fp32 level; README "Model" has the table.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from assistant.evaluate import load_cases, score, summarise  # noqa: E402
from assistant.service import PolicyAssistant, open_embedder  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from model.artifact import MANIFEST, measure_fidelity, probe_texts  # noqa: E402
from model.quantize import KEEP_FP32, quantize  # noqa: E402
from model.runtime import MODEL_FILE, TOKENIZER_FILE, OnnxEmbedder  # noqa: E402
from model.source import resolve_source  # noqa: E402

CANDIDATES = {  # name: regex over node names kept fp32 ("" = everything int8)
    "all int8": "",
    "FFN output fp32 (recipe)": KEEP_FP32,
    "FFN input fp32": r"/intermediate/dense/MatMul$",
    "attention output fp32": r"/attention/output/dense/MatMul$",
    "FFN output + word embeddings fp32": KEEP_FP32 + r"|word_embeddings/Gather$",
    "first and last layer fp32": r"/layer\.(0|11)/.*MatMul$",
}
EVAL_SETS = {"dev": ROOT.parent / "shared" / "eval" / "dev.jsonl", "extra": ROOT / "eval" / "extra.jsonl"}
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
        t0 = time.perf_counter()
        embedder._embed_query(q)
        times.append(time.perf_counter() - t0)
    times.sort()
    shutil.rmtree(tmp / "index", ignore_errors=True)
    return {"scores": scores, "query_p50_ms": round(1000 * times[len(times) // 2], 2),
            "seconds": round(time.perf_counter() - started, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "quantize_study.json")
    args = parser.parse_args(argv)
    settings = Settings()
    fp32 = open_embedder(settings.model_copy(update={"model_variant": "fp32"}))
    source = resolve_source(settings.model, settings.cache_dir)
    probes = probe_texts()
    rows = {}
    with tempfile.TemporaryDirectory(prefix="quantize-study-") as tmp:
        tmp = Path(tmp)
        rows["torch fp32"] = evaluate(open_embedder(settings.model_copy(update={"model_backend": "torch"})), settings, tmp)
        rows["onnx fp32 (pruned)"] = evaluate(fp32, settings, tmp) | {
            "fidelity": measure_fidelity(source, Path(fp32.path), fp32.artifact, probes),
            "model_mb": round((Path(fp32.path) / MODEL_FILE).stat().st_size / 1e6, 1)}
        for name, keep in CANDIDATES.items():
            print(f"candidate: {name}", flush=True)
            folder = tmp / "candidate"
            folder.mkdir(exist_ok=True)
            kept = quantize(Path(fp32.path) / MODEL_FILE, folder / MODEL_FILE, keep_fp32=keep)
            shutil.copyfile(Path(fp32.path) / TOKENIZER_FILE, folder / TOKENIZER_FILE)
            manifest = fp32.artifact | {"variant": "int8"}
            (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
            embedder = OnnxEmbedder(folder, manifest, model_id=f"study/{name}")
            rows[name] = evaluate(embedder, settings, tmp) | {
                "fp32_nodes": len(kept), "fidelity": measure_fidelity(source, folder, manifest, probes),
                "model_mb": round((folder / MODEL_FILE).stat().st_size / 1e6, 1)}
            print(json.dumps(rows[name], ensure_ascii=False), flush=True)
    args.out.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\n{'candidate':36} {'cos min/mean':>14} {'p50 ms':>7} {'MB':>6}  dev R@1  extra R@1/R@3/fact/oos")
    for name, row in rows.items():
        fid = row.get("fidelity")
        cos = f"{fid['cosine_min']:.4f}/{fid['cosine_mean']:.4f}" if fid else "1/1"
        dev, extra = row["scores"].get("dev", {}), row["scores"]["extra"]
        print(f"{name:36} {cos:>14} {row['query_p50_ms']:>7} {row.get('model_mb', ''):>6}  "
              f"{dev.get('recall@1', '-'):>7}  {extra['recall@1']}/{extra['recall@3']}/{extra['fact_hit']}/"
              f"{extra['oos_declined']}")
    print(f"\nreport: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
