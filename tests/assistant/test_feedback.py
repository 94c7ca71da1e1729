"""Feedback: what is accepted, what staff see in the report, and that answers never wait for (or
fail with) the feedback database, locked, unusable or read-only."""
from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.api.app import open_feedback
from assistant.feedback import FeedbackStore
from tests.conftest import ROOT, read_only, start_server, stop_server

SECURITY = ("content-security-policy", "x-content-type-options", "referrer-policy")
OUT_OF_SCOPE = "驾驶证怎么换证"


def _report(db, *args):
    return subprocess.run([sys.executable, "-m", "assistant.cli", "feedback", *args], cwd=ROOT, capture_output=True,
                          env={"POLICY_ASSISTANT_FEEDBACK_DB": str(db), "PATH": ""}, timeout=60)


@pytest.mark.parametrize("change", [
    {"reason": "没答到\x1b[2J点上"}, {"reason": "响铃\x07"}, {"reason": "回车\r覆盖"}, {"answer_measures": [0]},
    {"answer_measures": [25]}, {"answer_measures": [-7]}, {"answer_measures": [1, 2, 3, 4, 5, 6]},
    {"answer_measures": ["7"]}])
def test_a_rating_is_refused_with_422(client, change):
    response = client.post("/api/feedback", json={"question": "班主任补助", "answer_measures": [7], "rating": "down",
                                                  **change})
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_input"


def test_a_rating_with_a_multi_line_reason_is_stored(client):
    response = client.post("/api/feedback", json={"question": "班主任补助", "answer_measures": [7, 8], "rating": "down",
                                                  "reason": "第一行\n第二行"})
    assert response.status_code == 201 and response.json() == {"status": "stored"}


def test_the_report_escapes_what_a_terminal_would_act_on(tmp_path):
    """Entries stored before these checks (or by another client of the database) may hold anything."""
    db = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(db)
    forged = "幼儿园收费\n 999  downvoted    伪造的一行"
    store.add_rating(forged, [12], "down", "理由\x1b]0;title\x07\r 覆盖\u202e")
    store.add_rating("正常的问题", [7], "down")
    store.log_unanswered("换\x1b[31m驾照")
    store.close()
    result = _report(db)
    assert result.returncode == 0, result.stderr
    output = result.stdout.decode()
    assert all(ch == "\n" or ch.isprintable() for ch in output)
    lines = output.splitlines()
    entries = [line for line in lines if not line.startswith("      teach: ")]
    assert len(entries) == 3 and len(lines) == 6  # one line per entry (forged row included), one teach line each
    forged_line = next(line for line in entries if "幼儿园收费" in line)
    assert forged_line.startswith("   1  downvoted") and "\\n 999  downvoted" in forged_line
    assert "\\x1b]0;title\\x07\\r" in forged_line and "\\u202e" in forged_line
    assert any("换\\x1b[31m驾照" in line for line in entries)
    assert "policy-assistant teach $'换\\x1b[31m驾照' --not-covered" in output  # runnable in bash as printed
    assert json.loads(_report(db, "--json").stdout)[0]["question"] in (forged, "正常的问题", "换\x1b[31m驾照")


def _hold_write_lock(db):
    """Another process holding the database's write lock until its stdin closes."""
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys; db = sqlite3.connect(sys.argv[1], isolation_level=None); "
        "db.execute('BEGIN IMMEDIATE'); print('locked', flush=True); sys.stdin.read()"), str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_locked_database_delays_no_answer_and_gives_ratings_503(tmp_path, settings, assistant):
    db = tmp_path / "feedback.sqlite3"
    locked = settings.model_copy(update={"feedback_db": db, "feedback_busy_timeout": 0.5})
    with TestClient(create_app(locked, assistant)) as client:
        holder = _hold_write_lock(db)
        try:
            answer = client.post("/api/ask", json={"question": OUT_OF_SCOPE})
            assert answer.status_code == 200 and answer.json()["in_scope"] is False
            rating = client.post("/api/feedback", json={"question": "班主任补助", "answer_measures": [7],
                                                        "rating": "up"})
            assert rating.status_code == 503 and int(rating.headers["retry-after"]) >= 1
            assert rating.json()["error"]["code"] == "unavailable" and all(h in rating.headers for h in SECURITY)
        finally:
            holder.stdin.close()
            holder.wait(timeout=10)
        store = client.app.state.feedback
        assert store.flush(timeout=30)
        assert [(p.question, p.count) for p in store.problems()] == [(OUT_OF_SCOPE, 1)]  # written once unlocked
        assert client.post("/api/feedback", json={"question": "班主任补助", "answer_measures": [7],
                                                  "rating": "up"}).status_code == 201


def test_unanswered_questions_are_counted_in_a_bounded_window(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3", keep=3)
    for question in ["甲", "乙", "丙", "丁", "戊", "戊", "戊"]:
        store.log_unanswered(question)
        store.flush()
    assert [(p.question, p.count) for p in store.problems()] == [("戊", 3), ("丁", 1), ("丙", 1)]
    rows = sqlite3.connect(store.path).execute("SELECT COUNT(*) FROM unanswered_questions").fetchone()[0]
    assert rows == 3 and store.dropped == 0
    store.close()


def test_a_database_with_a_row_per_request_is_migrated_to_counts(tmp_path):
    db = tmp_path / "feedback.sqlite3"
    old = sqlite3.connect(db)
    old.executescript("""
        CREATE TABLE unanswered (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL DEFAULT (datetime('now')),
                                 question TEXT NOT NULL);
        INSERT INTO unanswered (question) VALUES ('社保怎么补缴'), ('社保怎么补缴'), ('驾照');""")
    old.close()
    store = FeedbackStore(db)
    assert sorted((p.question, p.count) for p in store.problems()) == [("社保怎么补缴", 2), ("驾照", 1)]
    store.close()


@pytest.mark.parametrize("where", ["a directory", "under a file"])
def test_an_unusable_location_disables_feedback_with_one_clear_line(tmp_path, settings, caplog, where):
    path = tmp_path if where == "a directory" else tmp_path / "a-file" / "feedback.sqlite3"
    (tmp_path / "a-file").write_text("not a folder")
    with caplog.at_level(logging.ERROR, logger="assistant.api"):
        assert open_feedback(settings.model_copy(update={"feedback_db": path})) is None
    [record] = caplog.records
    assert f"POLICY_ASSISTANT_FEEDBACK_DB={path}" in record.getMessage() and "disabled" in record.getMessage()


def test_a_server_whose_feedback_folder_is_read_only_still_answers(tmp_path, assistant):
    folder = tmp_path / "feedback"
    folder.mkdir()
    FeedbackStore(folder / "feedback.sqlite3").close()
    process, url = start_server(tmp_path / "server.log", prefix=read_only(folder),
                                feedback_db=str(folder / "feedback.sqlite3"))
    try:
        answer = httpx.post(f"{url}/api/ask", json={"question": OUT_OF_SCOPE}, timeout=60)
        assert answer.status_code == 200 and answer.json()["in_scope"] is False
        rating = httpx.post(f"{url}/api/feedback", json={"question": "班主任补助", "answer_measures": [7],
                                                         "rating": "up"}, timeout=60)
        assert rating.status_code == 503 and rating.json()["detail"] == "feedback is not collected on this server"
        assert all(h in rating.headers for h in SECURITY)
    finally:
        stop_server(process)
    log = (tmp_path / "server.log").read_text()
    assert f"feedback is disabled: POLICY_ASSISTANT_FEEDBACK_DB={folder / 'feedback.sqlite3'}" in log
    assert "Traceback" not in log


def test_the_report_reads_a_read_only_database(tmp_path):
    folder = tmp_path / "feedback"
    folder.mkdir()
    store = FeedbackStore(folder / "feedback.sqlite3")
    store.add_rating("幼儿园收费", [12], "down")
    store.close()
    result = subprocess.run([*read_only(folder), sys.executable, "-m", "assistant.cli", "feedback"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60,
                            env={"POLICY_ASSISTANT_FEEDBACK_DB": str(folder / "feedback.sqlite3"), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert "幼儿园收费" in result.stdout and "Traceback" not in result.stderr


def test_the_report_on_an_unreadable_database_says_so(tmp_path):
    (tmp_path / "feedback.sqlite3").mkdir()
    result = _report(tmp_path / "feedback.sqlite3")
    assert result.returncode == 2
    stderr = result.stderr.decode()
    assert "cannot read the feedback database" in stderr and "POLICY_ASSISTANT_FEEDBACK_DB" in stderr
    assert "Traceback" not in stderr
