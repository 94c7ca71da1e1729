"""Shared fixtures: the real model, a real index, a real HTTP server on loopback.

Everything heavy is session-scoped: the model is converted once into .cache/ and loaded once per
process; the live server is one uvicorn subprocess for the whole run.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
DEV_SET = ROOT.parent / "shared" / "eval" / "dev.jsonl"
POLICY = "liaocheng-education-2023"  # the Liaocheng policy: tests of one-document behaviour ask within it


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    from assistant.settings import Settings

    return Settings(feedback_db=tmp_path_factory.mktemp("feedback") / "feedback.sqlite3",
                    rate_limit_per_minute=100_000, rate_limit_burst=10_000)


@pytest.fixture(scope="session")
def assistant(settings):
    from assistant.service import PolicyAssistant

    return PolicyAssistant(settings)


@pytest.fixture(scope="session")
def document(assistant):
    """The Liaocheng policy."""
    return assistant.policy


def copy_corpus(settings, folder: Path, documents: Sequence[str] | None = None) -> Path:
    """A private copy of the corpus folder (every document, or those named, with their companions, and
    the other data files) beside a copy of the built index, so that a rebuild reuses its vectors."""
    from index.corpus import document_paths

    left_out = {p.stem for p in document_paths(settings.corpus)} - set(documents) if documents else set()
    folder.mkdir(parents=True, exist_ok=True)
    for path in settings.corpus.iterdir():
        if path.name.split(".")[0] not in left_out:
            shutil.copy(path, folder / path.name)
    shutil.copytree(settings.index_dir, folder / "index")
    return folder


@pytest.fixture(scope="session")
def client(settings, assistant):
    """An HTTP client speaking to the app in-process (same routes, middleware and handlers)."""
    from fastapi.testclient import TestClient

    from assistant.api import create_app

    with TestClient(create_app(settings, assistant)) as test_client:
        yield test_client


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(log_path: Path, **settings: str) -> dict[str, str]:
    """The environment of a test server: feedback beside its log, no rate limit to speak of, and
    `settings` as POLICY_ASSISTANT_<NAME> variables."""
    return {**os.environ, "HF_HUB_OFFLINE": "1",
            "POLICY_ASSISTANT_FEEDBACK_DB": str(log_path.parent / "feedback.sqlite3"),
            "POLICY_ASSISTANT_RATE_LIMIT_PER_MINUTE": "100000", "POLICY_ASSISTANT_RATE_LIMIT_BURST": "10000",
            **{f"POLICY_ASSISTANT_{name.upper()}": value for name, value in settings.items()}}


def serve_command(*extra_args: str) -> list[str]:
    return [sys.executable, "-m", "assistant.cli", "serve", *extra_args]


def start_server(log_path: Path, *extra_args: str, prefix: Sequence[str] = (), **settings: str
                 ) -> tuple[subprocess.Popen, str]:
    """Run `policy-assistant serve` (after the `prefix` command, if any) on a free loopback port
    until healthy; the caller stops it."""
    port = _free_port()
    env = server_env(log_path, **settings)
    with open(log_path, "w") as log:
        process = subprocess.Popen([*prefix, *serve_command("--port", str(port), *extra_args)],
                                   cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; see {log_path}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"server did not become healthy within 120 s; see {log_path}")


def read_only(folder: Path) -> list[str]:
    """A command prefix that runs its command with `folder` read-only: a read-only bind mount in a
    private mount namespace for root (who may write anywhere else), file modes for anyone else."""
    if os.geteuid() != 0:
        for path in (folder, *folder.rglob("*")):
            path.chmod(path.stat().st_mode & ~0o222)
        return []
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    prefix = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, str(folder)]
    probe = subprocess.run([*prefix, "touch", str(folder / ".probe")], capture_output=True)
    if probe.returncode == 0 or b"Read-only" not in probe.stderr:
        pytest.skip(f"cannot make a read-only folder here: {probe.stderr.decode(errors='replace').strip()}")
    return prefix


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, assistant):
    """A real uvicorn server on loopback, as `policy-assistant serve` runs it; yields its base URL.

    Depends on `assistant` so that the index is built before the server looks for it."""
    process, url = start_server(tmp_path_factory.mktemp("live") / "server.log")
    yield url
    stop_server(process)
