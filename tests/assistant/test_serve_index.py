"""`serve` with an index that does not fit its document: rebuilt with one line saying why, or, with
`--no-build` or a read-only index folder, refused with the reason and the command to run."""
from __future__ import annotations

import json
import subprocess

import httpx
import pytest

from tests.conftest import POLICY, ROOT, copy_corpus, read_only, serve_command, server_env, start_server, stop_server


TAUGHT = "班主任一个月到底多拿多少钱"  # an everyday question added to the corpus after the index was built


@pytest.fixture
def stale(tmp_path, settings, assistant):
    """A copy of the built index beside a copy of the corpus that has changed since (one more
    everyday question for measure 7 of the policy)."""
    folder = copy_corpus(settings, tmp_path / "data")
    with open(folder / f"{POLICY}.questions.tsv", "a", encoding="utf-8") as questions:
        questions.write(f"7\t{TAUGHT}\n")
    return folder, ["--index-dir", str(folder / "index"), "--corpus", str(folder)]


def _refused(tmp_path, args, prefix=()) -> str:
    log = tmp_path / "server.log"
    result = subprocess.run([*prefix, *serve_command("--port", "0", *args)], cwd=ROOT, env=server_env(log),
                            capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output and "Application startup failed" in output
    return output


def test_no_build_refuses_a_stale_index_with_the_reason_and_the_command(tmp_path, stale):
    folder, args = stale
    output = _refused(tmp_path, [*args, "--no-build"])
    assert f"cannot start: index at {folder / 'index'} cannot be used: the corpus has changed since it was built" in output
    assert "`policy-assistant build`" in output


def test_a_read_only_index_folder_is_refused_not_rebuilt(tmp_path, stale):
    folder, args = stale
    output = _refused(tmp_path, args, prefix=read_only(folder))
    assert "the corpus has changed since it was built" in output and "cannot be rebuilt there" in output
    assert "Read-only file system" in output or "Permission denied" in output
    assert "policy-assistant build --index-dir" in output and "POLICY_ASSISTANT_INDEX_DIR" in output


def test_a_stale_index_is_rebuilt_with_one_line_saying_why(tmp_path, stale):
    folder, args = stale
    built_for = json.loads((folder / "index" / "manifest.json").read_text())["corpus"]["sha256"]
    process, url = start_server(tmp_path / "server.log", *args)
    try:
        answer = httpx.post(f"{url}/api/ask", json={"question": TAUGHT, "documents": [POLICY]}, timeout=60).json()
        assert answer["citations"][0]["measure"] == 7
        assert json.loads((folder / "index" / "manifest.json").read_text())["corpus"]["sha256"] != built_for
    finally:
        stop_server(process)
    log = (tmp_path / "server.log").read_text()
    assert log.count("rebuilding the index at") == 1
    assert f"rebuilding the index at {folder / 'index'}: the corpus has changed since it was built" in log
