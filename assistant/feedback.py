"""Durable store of ratings and of questions the document did not cover (SQLite, WAL mode).

WAL lets readers go on while one connection writes, and a process killed mid-write leaves the last
committed state. Every write goes through `_write`, one short transaction each.

>>> store = FeedbackStore(Path(":memory:"))
>>> store.add_rating("班主任补助", [7], "down", "没说寄宿制")
>>> [(p.question, p.kind) for p in store.problems()]
[('班主任补助', 'downvoted')]
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    question TEXT NOT NULL,
    answer_measures TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    reason TEXT
);
CREATE TABLE IF NOT EXISTS unanswered (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    question TEXT NOT NULL
);
"""


class Problem(NamedTuple):
    question: str
    kind: str  # "downvoted" | "out_of_scope"
    count: int
    reasons: str


class FeedbackStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=30000")  # other worker processes may hold the write lock
        self._db.executescript(_SCHEMA)

    def add_rating(self, question: str, answer_measures: Sequence[int], rating: str, reason: str | None = None) -> None:
        self._write("INSERT INTO feedback (question, answer_measures, rating, reason) VALUES (?, ?, ?, ?)",
                    (question, json.dumps(list(answer_measures)), rating, reason or None))

    def add_unanswered(self, question: str) -> None:
        self._write("INSERT INTO unanswered (question) VALUES (?)", (question,))

    def problems(self, limit: int = 50) -> list[Problem]:
        """Downvoted and out-of-scope questions, the most frequent first."""
        rows = self._db.execute(
            """
            SELECT question, 'downvoted', COUNT(*), COALESCE(GROUP_CONCAT(reason, ' | '), '')
              FROM feedback WHERE rating = 'down' GROUP BY question
            UNION ALL
            SELECT question, 'out_of_scope', COUNT(*), '' FROM unanswered GROUP BY question
            ORDER BY 3 DESC, 1 LIMIT ?
            """, (limit,)).fetchall()
        return [Problem(*row) for row in rows]

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]

    def close(self) -> None:
        self._db.close()

    def _write(self, sql: str, params: tuple) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(sql, params)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
