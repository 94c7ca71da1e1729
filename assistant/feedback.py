"""Durable store of ratings and of questions the document did not cover (SQLite, WAL mode).

WAL lets readers go on while one connection writes, and a process killed mid-write leaves the last
committed state. Every write is one short transaction.

No answer ever waits for this database: an out-of-scope question is queued and written by a
background thread with its own connection (a count per distinct question, the `keep` most recent
kept); when the queue is full or the database refuses, the question is dropped and counted. A
rating waits at most `busy_timeout` seconds for another process's write lock, then raises
FeedbackBusy. A location that cannot hold a database raises FeedbackUnavailable on opening.

>>> store = FeedbackStore(Path(":memory:"))
>>> store.add_rating("班主任补助", [7], "down", "没说寄宿制")
>>> [(p.question, p.kind) for p in store.problems()]
[('班主任补助', 'downvoted')]
"""
from __future__ import annotations

import contextlib
import json
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

log = logging.getLogger("assistant.feedback")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    question TEXT NOT NULL,
    answer_measures TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    reason TEXT
);
CREATE TABLE IF NOT EXISTS unanswered_questions (
    question TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS unanswered_questions_by_last_seen ON unanswered_questions (last_seen);
"""
# Databases from before the count per question kept one `unanswered` row per request.
_MIGRATE_UNANSWERED = """
INSERT OR IGNORE INTO unanswered_questions (question, count, first_seen, last_seen)
    SELECT question, COUNT(*), MIN(created_at), MAX(created_at) FROM unanswered GROUP BY question;
DROP TABLE unanswered;
"""
_UPSERT_UNANSWERED = """
INSERT INTO unanswered_questions (question, count, first_seen, last_seen) VALUES (?, 1, ?, ?)
    ON CONFLICT (question) DO UPDATE SET count = count + 1, last_seen = excluded.last_seen
"""
_PRUNE_UNANSWERED = """
DELETE FROM unanswered_questions WHERE question IN (
    SELECT question FROM unanswered_questions ORDER BY last_seen DESC LIMIT -1 OFFSET ?)
"""
_PROBLEMS = """
SELECT question, 'downvoted', COUNT(*), COALESCE(GROUP_CONCAT(reason, ' | '), '')
  FROM feedback WHERE rating = 'down' GROUP BY question
UNION ALL
SELECT question, 'out_of_scope', count, '' FROM unanswered_questions
ORDER BY 3 DESC, 1 LIMIT ?
"""
_QUEUE_SIZE = 1000
_STOP = object()


class FeedbackBusy(RuntimeError):
    """Another process holds the database's write lock; retry in a few seconds."""


class FeedbackUnavailable(RuntimeError):
    """The configured location cannot hold the database; the message says why."""


class Problem(NamedTuple):
    question: str
    kind: str  # "downvoted" | "out_of_scope"
    count: int
    reasons: str


class FeedbackStore:
    def __init__(self, path: Path, *, busy_timeout: float = 2.0, keep: int = 10_000):
        self.path, self.busy_timeout, self.keep = Path(path), busy_timeout, keep
        self.dropped = 0  # out-of-scope questions not recorded (queue full or database refusing)
        self._lock = threading.Lock()
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = self._connect(max(busy_timeout, 10.0))  # start-up may wait longer than a rating
            self._db.execute("PRAGMA journal_mode=WAL")
            self._transaction(self._db, self._set_up)
            self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        except (OSError, sqlite3.Error) as exc:
            raise FeedbackUnavailable(f"cannot open {path}: {exc}") from exc
        self._queue: queue.Queue = queue.Queue(_QUEUE_SIZE)
        self._writer = threading.Thread(target=self._write_unanswered, name="feedback-writer", daemon=True)
        self._writer.start()

    def add_rating(self, question: str, answer_measures: Sequence[int | str], rating: str,
                   reason: str | None = None) -> None:
        """`answer_measures`: numbers of the policy's measures, or "DOCID:N" for articles of other documents."""

        def insert(db: sqlite3.Connection) -> None:
            db.execute("INSERT INTO feedback (question, answer_measures, rating, reason) VALUES (?, ?, ?, ?)",
                       (question, json.dumps(list(answer_measures)), rating, reason or None))
        with self._lock:
            try:
                self._transaction(self._db, insert)
            except sqlite3.OperationalError as exc:
                if _is_busy(exc):
                    raise FeedbackBusy(f"{self.path} is locked by another writer") from exc
                raise

    def log_unanswered(self, question: str) -> None:
        """Queue an out-of-scope question for the writer thread; never blocks, never raises."""
        try:
            self._queue.put_nowait(question)
        except queue.Full:
            self._drop(1, "the queue is full")

    def problems(self, limit: int = 50) -> list[Problem]:
        """Downvoted and out-of-scope questions, the most frequent first."""
        with self._lock:
            return [Problem(*row) for row in self._db.execute(_PROBLEMS, (limit,)).fetchall()]

    def count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued question is written (or dropped); False on timeout."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self._queue.unfinished_tasks

    def close(self) -> None:
        self._queue.put(_STOP)
        self._writer.join(timeout=self.busy_timeout + 5)
        self._db.close()

    def _connect(self, busy_timeout: float) -> sqlite3.Connection:
        db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=busy_timeout, isolation_level=None)
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _set_up(self, db: sqlite3.Connection) -> None:
        for statement in filter(str.strip, _SCHEMA.split(";")):
            db.execute(statement)
        if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'unanswered'").fetchone():
            for statement in filter(str.strip, _MIGRATE_UNANSWERED.split(";")):
                db.execute(statement)

    @staticmethod
    def _transaction(db: sqlite3.Connection, work) -> None:
        db.execute("BEGIN IMMEDIATE")
        try:
            work(db)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _write_unanswered(self) -> None:
        own = None if str(self.path) == ":memory:" else self._connect(0.5)
        stopping = False
        while not stopping:
            batch = [self._queue.get()]
            while len(batch) < 100 and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            stopping = _STOP in batch
            questions = [q for q in batch if q is not _STOP]
            if questions:
                with contextlib.nullcontext() if own else self._lock:
                    self._write_batch(own or self._db, questions, attempts=1 if stopping else 120)
            for _ in batch:
                self._queue.task_done()
        if own is not None:
            own.close()

    def _write_batch(self, db: sqlite3.Connection, questions: list[str], *, attempts: int) -> None:
        """Upsert the questions and prune to the newest `keep`; another process's lock is waited
        out (the queue buffers meanwhile) for up to `attempts` half-second tries."""
        def upsert(db: sqlite3.Connection) -> None:
            now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
            db.executemany(_UPSERT_UNANSWERED, [(q, now, now) for q in questions])
            db.execute(_PRUNE_UNANSWERED, (self.keep,))
        for attempt in range(1, attempts + 1):
            try:
                return self._transaction(db, upsert)
            except sqlite3.Error as exc:
                if not (_is_busy(exc) and attempt < attempts):
                    return self._drop(len(questions), str(exc))
                time.sleep(0.5)

    def _drop(self, n: int, why: str) -> None:
        self.dropped += n
        log.warning("out-of-scope question(s) not recorded (%s); %d dropped so far", why, self.dropped)


def read_problems(path: Path, limit: int = 50) -> list[Problem]:
    """The report, opening the database read-only: it also works where the folder is not writable
    (a WAL database there cannot be opened normally; then its last checkpoint is read)."""
    path = Path(path)
    if not path.exists():
        return []
    try:
        return _read_problems(f"{path.resolve().as_uri()}?mode=ro", limit)
    except sqlite3.OperationalError:
        return _read_problems(f"{path.resolve().as_uri()}?immutable=1", limit)


def _read_problems(uri: str, limit: int) -> list[Problem]:
    db = sqlite3.connect(uri, uri=True, timeout=5)
    try:
        return [Problem(*row) for row in db.execute(_PROBLEMS, (limit,)).fetchall()]
    finally:
        db.close()


def _is_busy(exc: sqlite3.Error) -> bool:
    return (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
