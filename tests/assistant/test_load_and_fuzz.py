"""The API under a short load (a real server) and under schema-driven fuzzing (in-process).

(a) benchmarks/load.py's run for ~8 s with 8 clients against the live server: real questions and
    bad requests mixed; no 5xx, no dropped connection, every bad request refused with a 4xx.
(b) schemathesis generates valid and invalid requests from /openapi.json for every operation
    (bounded: a fixed number of examples each, derandomized) and checks each response: never a
    server error, a status code the schema documents, a body and content type matching the schema.
"""
from __future__ import annotations

import importlib.util
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOAD_SECONDS = 8
LOAD_CLIENTS = 8
MAX_EXAMPLES = 25  # per operation and generation mode
FUZZ_BUDGET_S = 45  # stop generating for further operations past this


def _load_module():
    spec = importlib.util.spec_from_file_location("benchmarks_load", ROOT / "benchmarks" / "load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- (a) load


def test_short_load_run_has_no_server_errors_and_no_dropped_connections(live_server):
    load = _load_module()
    result = load.run_load(live_server, clients=LOAD_CLIENTS, duration=LOAD_SECONDS, seed=7)
    summary = result.summary()
    assert result.requests >= LOAD_CLIENTS, summary
    assert result.by_kind["ask"][200] > 0, summary["by_kind"].get("ask")
    assert result.count_5xx == 0, summary["server_error_examples"]
    assert result.dropped == 0, (summary["errors"], summary["error_examples"])
    assert not result.bad_accepted, f"bad requests answered without an error: {dict(result.bad_accepted)}"
    assert not result.good_refused, f"real questions refused: {dict(result.good_refused)}"


def test_load_script_refuses_hosts_other_than_loopback():
    load = _load_module()
    for url in ("http://example.com", "http://10.0.0.1:8000", "http://127.0.0.1.example.com", "ftp://127.0.0.1"):
        with pytest.raises(ValueError):
            load.run_load(url, clients=1, duration=1)
    with pytest.raises(SystemExit) as exit_info:
        load.main(["--url", "http://192.168.1.1:8000", "--duration", "1"])
    assert exit_info.value.code == 2


# ---------------------------------------------------------------- (b) schema fuzzing

CHECK_NAMES = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
               "response_schema_conformance")


@pytest.fixture(scope="module")
def fuzz_findings(settings, assistant):
    """{check name: [finding, ...]} over every operation, valid and invalid inputs; each finding is
    unique per (check, operation, status) and carries the request (as curl) that shows it."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given
    from hypothesis import settings as hypothesis_settings
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.failures import FailureGroup
    from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                                   status_code_conformance)

    from assistant.api import create_app

    checks = dict(zip(CHECK_NAMES, (not_a_server_error, status_code_conformance, content_type_conformance,
                                    response_schema_conformance)))
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(settings, assistant))
    findings: dict[str, dict] = defaultdict(dict)
    stats = defaultdict(lambda: defaultdict(int))  # operation -> status -> count
    started = time.monotonic()

    def exerciser(operation, mode):
        @hypothesis_settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                             phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def exercise(case):
            response = case.call()
            stats[operation.label][response.status_code] += 1
            for name, check in checks.items():
                try:
                    case.validate_response(response, checks=[check])
                except FailureGroup as group:
                    key = (operation.label, response.status_code)
                    if key not in findings[name]:
                        failure = group.exceptions[0]
                        findings[name][key] = {
                            "operation": operation.label, "mode": mode.value, "status": response.status_code,
                            "title": failure.title, "message": str(failure.message)[:400],
                            "request": _shorten(case.as_curl_command()), "body": response.text[:300]}

        return exercise

    for loaded in schema.get_all_operations():
        operation = loaded.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if time.monotonic() - started > FUZZ_BUDGET_S:
                stats[operation.label]["skipped (time budget)"] += 1
                continue
            try:
                exerciser(operation, mode)()
            except Exception as exc:  # e.g. no invalid input can be generated for an operation without inputs
                stats[operation.label][f"generation {mode.value}: {type(exc).__name__}: {str(exc)[:200]}"] += 1
    print("\nschemathesis responses per operation:")
    for label, counts in stats.items():
        print(f"  {label}: {dict(counts)}")
    return {name: list(found.values()) for name, found in findings.items()} | {"_stats": stats}


def _shorten(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _explain(found: list[dict]) -> str:
    return "\n\n".join(f"{f['operation']} -> {f['status']} ({f['mode']}): {f['title']}\n  {f['message']}\n"
                       f"  request: {f['request']}\n  body: {f['body']}" for f in found)


def test_fuzzing_exercised_every_operation(fuzz_findings):
    stats = fuzz_findings["_stats"]
    assert {"POST /api/ask", "POST /api/feedback", "GET /api/health", "GET /api/measures",
            "GET /api/measures/{number}", "GET /api/document"} <= set(stats)
    for label, counts in stats.items():
        assert sum(n for status, n in counts.items() if isinstance(status, int)) > 0, (label, dict(counts))


def test_fuzzing_finds_no_server_errors(fuzz_findings):
    found = fuzz_findings.get("not_a_server_error", [])
    assert not found, _explain(found)


def test_fuzzing_status_codes_are_documented(fuzz_findings):
    found = fuzz_findings.get("status_code_conformance", [])
    assert not found, _explain(found)


def test_fuzzing_responses_match_the_schema(fuzz_findings):
    found = fuzz_findings.get("response_schema_conformance", []) + fuzz_findings.get("content_type_conformance", [])
    assert not found, _explain(found)
