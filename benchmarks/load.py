"""A bounded load run against the policy assistant's HTTP API (loopback only; stops by itself).

    python benchmarks/load.py --spawn                        # start a server, 16 clients for 60 s
    python benchmarks/load.py --url http://127.0.0.1:8000 --clients 8 --duration 20

About 80% of the requests are real questions (from eval/extra.jsonl and ../shared/eval/dev.jsonl,
varied so that the server's query cache rarely helps) and about 20% are bad ones: empty, blank,
600-character, punctuation-only and control-character questions, invalid JSON, wrong types, unknown
fields, a ~1 MB body (with and without Content-Length), non-UTF-8 bytes, a wrong content type, an
unknown measure, a wrong method. Every bad request must get a 4xx; every request must get a
response. 429 (the per-IP token bucket) is an expected refusal, not a failure.

Exit status: 0 when there was no 5xx and no dropped connection (transport error or timeout), else 1;
2 for a usage error. `run_load()` is the same run as a function (tests import it).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUESTION_FILES = (ROOT / "eval" / "extra.jsonl", ROOT.parent / "shared" / "eval" / "dev.jsonl")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
FALLBACK_QUESTIONS = ["班主任每月绩效多少", "课后服务每课时补助不低于多少元", "What is the bonus for head teachers?",
                      "住房公积金怎么提取出来", "How do I renew my driving licence?"]
# Prefixes and suffixes that keep a question's meaning but make its text new to the server's cache.
PREFIXES_ZH = ["", "请问", "请问一下，", "想了解：", "我想知道", "咨询一下", "麻烦问下", "您好，"]
SUFFIXES_ZH = ["", "？", "呢", "吗", "，谢谢", "。", "？谢谢", "呀"]
PREFIXES_EN = ["", "Please tell me: ", "Quick question: ", "Hi, ", "I'd like to know: ", "Could you say "]
SUFFIXES_EN = ["", "?", " please", ", thanks", " thank you", "!"]


# ---------------------------------------------------------------- questions


def load_questions(files=QUESTION_FILES) -> list[dict]:
    """Rows {"q", "lang", "oos"} from the eval files that exist (never empty)."""
    rows = []
    for path in files:
        if not Path(path).exists():
            continue
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows.append({"q": row["q"], "lang": row.get("lang", "zh"),
                             "oos": bool(row.get("oos")) or not row.get("gold")})
    return rows or [{"q": q, "lang": "en" if q.isascii() else "zh", "oos": False} for q in FALLBACK_QUESTIONS]


def variants(question: str, lang: str = "zh"):
    """Endless distinct rewordings of one question (prefix x suffix, then a numbered tail)."""
    prefixes, suffixes = (PREFIXES_EN, SUFFIXES_EN) if lang == "en" else (PREFIXES_ZH, SUFFIXES_ZH)
    base = question.rstrip("?？。!！ ")
    for s in suffixes:
        for p in prefixes:
            yield f"{p}{base}{s}" if (p or s) else question
    n = 2
    while True:
        for p in prefixes:
            yield f"{p}{base}" + (f" (#{n})" if lang == "en" else f"（第{n}问）")
        n += 1


def distinct_questions(count: int, rows: list[dict] | None = None, seed: int = 0) -> list[str]:
    """`count` distinct question strings, cycling the questions and their variants."""
    rows = rows or load_questions()
    rows = rows[:]
    random.Random(seed).shuffle(rows)
    generators = [variants(r["q"], r["lang"]) for r in rows]
    seen, out = set(), []
    while len(out) < count:
        for gen in generators:
            q = next(gen)
            while q in seen:
                q = next(gen)
            seen.add(q)
            out.append(q)
            if len(out) == count:
                break
    return out


# ---------------------------------------------------------------- bad requests

JSON = {"Content-Type": "application/json"}


async def _huge_chunks():  # an AsyncClient streams an async generator, without Content-Length
    yield b'{"question": "'
    for _ in range(64):
        yield b"x" * 16_384
    yield b'"}'


def bad_requests() -> dict[str, dict]:
    """name -> httpx.request kwargs. Each must be answered with a 4xx."""
    return {
        "empty_question": dict(method="POST", url="/api/ask", json={"question": ""}),
        "blank_question": dict(method="POST", url="/api/ask", json={"question": "   \n\t "}),
        "long_question": dict(method="POST", url="/api/ask", json={"question": "班主任绩效" * 120}),  # 600 chars
        "punctuation_only": dict(method="POST", url="/api/ask", json={"question": "？？？!!!"}),
        "control_chars": dict(method="POST", url="/api/ask", json={"question": "班主任\x00绩效\x1b[2J"}),
        "invalid_json": dict(method="POST", url="/api/ask", content=b'{"question": "\xe7\x8f\xad', headers=JSON),
        "json_not_object": dict(method="POST", url="/api/ask", json=["班主任绩效"]),
        "wrong_type_question": dict(method="POST", url="/api/ask", json={"question": 123}),
        "wrong_type_history": dict(method="POST", url="/api/ask", json={"question": "班主任绩效", "history": "none"}),
        "history_too_long": dict(method="POST", url="/api/ask", json={
            "question": "那寄宿制的呢", "history": [{"question": "班主任绩效", "answer": ""}] * 11}),
        "unknown_field": dict(method="POST", url="/api/ask", json={"question": "班主任绩效", "admin": True}),
        "huge_body": dict(method="POST", url="/api/ask", headers=JSON,  # ~1 MB, with Content-Length
                          content=json.dumps({"question": "政" * 350_000}, ensure_ascii=False).encode()),
        "huge_chunked": dict(method="POST", url="/api/ask", content=_huge_chunks, headers=JSON),
        "non_utf8": dict(method="POST", url="/api/ask", content=b'{"question": "\xff\xfe\xb0\xe0"}', headers=JSON),
        "wrong_content_type": dict(method="POST", url="/api/ask", content="question=班主任绩效".encode(),
                                   headers={"Content-Type": "application/x-www-form-urlencoded"}),
        "unknown_measure": dict(method="GET", url="/api/measures/9999"),
        "measure_not_int": dict(method="GET", url="/api/measures/seven"),
        "unknown_path": dict(method="GET", url="/api/nothing-here"),
        "wrong_method": dict(method="GET", url="/api/ask"),
        "bad_feedback": dict(method="POST", url="/api/feedback", json={"question": "班主任绩效", "rating": "meh"}),
    }


# ---------------------------------------------------------------- the run


@dataclass
class LoadResult:
    url: str
    clients: int
    duration_s: float
    elapsed_s: float = 0.0
    statuses: Counter = field(default_factory=Counter)  # status code -> count (all requests)
    by_kind: dict = field(default_factory=lambda: defaultdict(Counter))  # kind -> Counter(status or error)
    errors: Counter = field(default_factory=Counter)  # transport error type -> count (dropped)
    error_examples: list = field(default_factory=list)  # (kind, error repr), a few
    server_errors: list = field(default_factory=list)  # (kind, status, request summary, body), a few
    latencies: list = field(default_factory=list)  # seconds, every answered request
    ask_latencies: list = field(default_factory=list)  # seconds, answered real questions (200 only)
    bad_accepted: Counter = field(default_factory=Counter)  # bad kinds answered 2xx/3xx
    good_refused: Counter = field(default_factory=Counter)  # real questions answered 4xx other than 429

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + sum(self.errors.values())

    @property
    def count_5xx(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500)

    @property
    def dropped(self) -> int:
        return sum(self.errors.values())

    @property
    def ok(self) -> bool:
        return self.count_5xx == 0 and self.dropped == 0 and self.requests > 0

    def summary(self) -> dict:
        return {
            "url": self.url, "clients": self.clients, "duration_s": self.duration_s,
            "elapsed_s": round(self.elapsed_s, 2), "requests": self.requests,
            "throughput_rps": round(self.requests / self.elapsed_s, 2) if self.elapsed_s else 0.0,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "rate_limited_429": self.statuses.get(429, 0),
            "server_errors_5xx": self.count_5xx, "dropped": self.dropped, "errors": dict(self.errors),
            "latency_ms": percentiles_ms(self.latencies),
            "ask_200_latency_ms": percentiles_ms(self.ask_latencies),
            "by_kind": {k: {str(s): n for s, n in sorted(c.items(), key=str)} for k, c in sorted(self.by_kind.items())},
            "bad_accepted": dict(self.bad_accepted), "good_refused": dict(self.good_refused),
            "server_error_examples": self.server_errors[:10], "error_examples": self.error_examples[:10],
            "ok": self.ok,
        }


def percentiles_ms(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def pick(p: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))], 1)

    return {"n": len(ordered), "p50": pick(50), "p95": pick(95), "p99": pick(99), "max": round(1000 * ordered[-1], 1)}


def check_loopback(url: str) -> str:
    """The URL without a trailing slash; ValueError unless it is http(s) on a loopback host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError(f"refusing {url!r}: this load script only targets 127.0.0.1, localhost or ::1")
    return url.rstrip("/")


def run_load(url: str, *, clients: int = 16, duration: float = 60.0, bad_ratio: float = 0.2, seed: int = 0,
             timeout: float = 30.0, questions: list[dict] | None = None) -> LoadResult:
    """`clients` concurrent clients for `duration` seconds; returns the counts (asserts nothing)."""
    url = check_loopback(url)
    if clients < 1 or duration <= 0 or not 0 <= bad_ratio <= 1:
        raise ValueError("clients >= 1, duration > 0 and 0 <= bad_ratio <= 1")
    return asyncio.run(_run(url, clients, duration, bad_ratio, seed, timeout, questions or load_questions()))


async def _run(url, clients, duration, bad_ratio, seed, timeout, rows) -> LoadResult:
    result = LoadResult(url=url, clients=clients, duration_s=duration)
    bad = bad_requests()
    bad_names = sorted(bad)
    question_stream = iter(distinct_questions(200_000 if duration > 600 else 50_000, rows, seed))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    start = time.monotonic()
    deadline = start + duration

    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as client:

        async def one_client(n: int) -> None:
            rng = random.Random(seed * 1000 + n)
            while time.monotonic() < deadline:
                if rng.random() < bad_ratio:
                    kind = rng.choice(bad_names)
                    request = dict(bad[kind])
                    if callable(request.get("content")):
                        request["content"] = request["content"]()
                else:
                    kind = "ask"
                    request = dict(method="POST", url="/api/ask", json={"question": next(question_stream)})
                t0 = time.perf_counter()
                try:
                    response = await client.request(**request)
                except httpx.TransportError as exc:  # includes timeouts: the server never answered
                    result.errors[type(exc).__name__] += 1
                    result.by_kind[kind][type(exc).__name__] += 1
                    if len(result.error_examples) < 20:
                        result.error_examples.append([kind, repr(exc)[:300]])
                    continue
                elapsed = time.perf_counter() - t0
                status = response.status_code
                result.statuses[status] += 1
                result.by_kind[kind][status] += 1
                result.latencies.append(elapsed)
                if status >= 500 and len(result.server_errors) < 20:
                    result.server_errors.append([kind, status, _describe(request), response.text[:300]])
                if kind == "ask":
                    if status == 200:
                        result.ask_latencies.append(elapsed)
                    elif 400 <= status < 500 and status != 429:
                        result.good_refused[f"{status} {request['json']['question']}"[:120]] += 1
                elif status < 400:
                    result.bad_accepted[kind] += 1

        tasks = [asyncio.create_task(one_client(n)) for n in range(clients)]
        try:  # a last guard: each request is bounded by `timeout`, so this never fires on a live server
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=duration + timeout + 10)
        except asyncio.TimeoutError:
            result.errors["RunDeadline"] += 1
    result.elapsed_s = time.monotonic() - start
    return result


def _describe(request: dict) -> str:
    body = request.get("json", request.get("content", b""))
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body, ensure_ascii=False) if not hasattr(body, "__next__") else "<chunked body>"
    text = body.decode("utf-8", "backslashreplace") if isinstance(body, bytes) else body
    return f"{request['method']} {request['url']} {text[:200]}"


# ---------------------------------------------------------------- a server of our own


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SpawnedServer:
    process: subprocess.Popen
    url: str
    log_path: Path
    spawned_at: float  # time.monotonic() just before Popen

    def peak_rss_bytes(self) -> int | None:
        """VmHWM of the server process and its children (uvicorn workers), summed; None if gone."""
        total, found = 0, False
        for pid in [self.process.pid, *_children(self.process.pid)]:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1]) * 1024
                        found = True
            except OSError:
                pass
        return total if found else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def spawn_server(*, env: dict[str, str] | None = None, workers: int = 1, log_dir: Path | None = None,
                 rate_limit: int = 1_000_000) -> SpawnedServer:
    """Start `python -m assistant.cli serve` on a free loopback port (does not wait; see wait_*).

    The feedback database goes to a temporary folder, never the real one, and the rate limit is
    raised to `rate_limit` per minute (and burst) so that load is not throttled.
    """
    log_dir = Path(log_dir or tempfile.mkdtemp(prefix="policy-assistant-bench-"))
    port = free_port()
    full_env = dict(os.environ, HF_HUB_OFFLINE="1", POLICY_ASSISTANT_FEEDBACK_DB=str(log_dir / "feedback.sqlite3"),
                    POLICY_ASSISTANT_RATE_LIMIT_PER_MINUTE=str(rate_limit),
                    POLICY_ASSISTANT_RATE_LIMIT_BURST=str(rate_limit))
    full_env.update(env or {})
    log_path = log_dir / "server.log"
    with open(log_path, "w") as log:  # the child keeps its own descriptor
        spawned_at = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(workers)], cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    return SpawnedServer(process, f"http://127.0.0.1:{port}", log_path, spawned_at)


def wait_until(server: SpawnedServer, *, ask: bool = False, timeout: float = 120.0) -> float:
    """Seconds from spawning until /api/health (or, with `ask`, a POST /api/ask) returns 200."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=server.url, timeout=30) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"server exited with {server.process.returncode}; see {server.log_path}")
            try:
                response = (client.post("/api/ask", json={"question": "班主任每月绩效多少"}) if ask
                            else client.get("/api/health"))
                if response.status_code == 200:
                    return time.monotonic() - server.spawned_at
            except httpx.TransportError:
                pass
            time.sleep(0.05)
    raise RuntimeError(f"server did not answer within {timeout:.0f} s; see {server.log_path}")


# ---------------------------------------------------------------- command line


def print_report(result: LoadResult, ok: bool | None = None) -> None:
    s = result.summary()
    lat, ask = s["latency_ms"], s["ask_200_latency_ms"]
    print(f"\n{s['requests']} requests from {s['clients']} clients in {s['elapsed_s']} s "
          f"= {s['throughput_rps']} req/s against {s['url']}")
    print("status codes: " + ", ".join(f"{k}: {v}" for k, v in s["statuses"].items()))
    if lat.get("n"):
        print(f"latency, all answered   p50 {lat['p50']} ms  p95 {lat['p95']} ms  p99 {lat['p99']} ms  max {lat['max']} ms")
    if ask.get("n"):
        print(f"latency, /api/ask 200   p50 {ask['p50']} ms  p95 {ask['p95']} ms  p99 {ask['p99']} ms  (n={ask['n']})")
    print("\nper kind:")
    for kind, counts in s["by_kind"].items():
        print(f"  {kind:<20} " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
    if s["rate_limited_429"]:
        print(f"\nnote: {s['rate_limited_429']} requests were refused with 429 (rate limit): expected, not a failure")
    if s["bad_accepted"]:
        print(f"warning: bad requests answered without an error: {s['bad_accepted']}")
    if s["good_refused"]:
        print(f"warning: real questions refused with a 4xx: {dict(list(s['good_refused'].items())[:5])}")
    for example in s["server_error_examples"]:
        print(f"5xx: {example}")
    for example in s["error_examples"]:
        print(f"transport error: {example}")
    verdict = "PASS" if (result.ok if ok is None else ok) else "FAIL"
    print(f"\n{verdict}: {s['server_errors_5xx']} server errors (5xx), {s['dropped']} dropped connections")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="a running server on loopback, e.g. http://127.0.0.1:8000")
    target.add_argument("--spawn", action="store_true", help="start `python -m assistant.cli serve` for the run")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds (the run stops by itself)")
    parser.add_argument("--bad-ratio", type=float, default=0.2)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers, with --spawn")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.duration <= 0 or args.duration > 3600:
        parser.error("--clients must be >= 1 and --duration in (0, 3600]")
    if args.url:
        try:
            check_loopback(args.url)
        except ValueError as exc:
            parser.error(str(exc))

    server = None
    try:
        if args.spawn:
            server = spawn_server(workers=args.workers)
            print(f"spawned server at {server.url} (log {server.log_path}); ready in "
                  f"{wait_until(server):.1f} s", flush=True)
        url = server.url if server else args.url
        print(f"load: {args.clients} clients for {args.duration:g} s, {args.bad_ratio:.0%} bad requests", flush=True)
        result = run_load(url, clients=args.clients, duration=args.duration, bad_ratio=args.bad_ratio,
                          seed=args.seed, timeout=args.timeout)
        summary = result.summary()
        if server:
            rss = server.peak_rss_bytes()
            summary["server_peak_rss_mb"] = round(rss / 2**20, 1) if rss else None
            print(f"server peak RSS: {summary['server_peak_rss_mb']} MB")
            if server.process.poll() is not None:
                print(f"server exited during the run with {server.process.returncode}; see {server.log_path}")
                summary["ok"] = False
    finally:
        if server:
            server.stop()
    print_report(result, summary["ok"])
    if args.json:
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
