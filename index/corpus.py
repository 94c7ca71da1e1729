"""Read a document and its companions from the corpus folder.

For a document `NAME.txt`: its metadata `NAME.json` (title, issuers, date), its unofficial English
rendering `NAME.en.jsonl` (one clause per line, ids `mN.sK.cJ` = clause J of sentence K of measure N,
each line holding the Chinese it renders so that a changed text cannot keep a stale rendering), and
its everyday questions `NAME.questions.tsv` (`MEASURE<TAB>question`). Companions are optional; all of
them are part of the corpus checksum, so changing any rebuilds the index.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from index.document import Document, EverydayQuestion, Rendering, Span
from index.parse import parse_document

RENDERING_NOTE = "Unofficial English translation; the Chinese text is authoritative."
_CLAUSE_ID = re.compile(r"^m(\d+)\.s(\d+)\.c(\d+)$")


@dataclass(frozen=True)
class CorpusFiles:
    """The files that make one document; `files` is what the checksum covers."""

    text: Path

    @property
    def metadata(self) -> Path:
        return self.text.with_suffix(".json")

    @property
    def rendering(self) -> Path:
        return self.text.with_suffix(".en.jsonl")

    @property
    def questions(self) -> Path:
        return self.text.with_suffix(".questions.tsv")

    @property
    def files(self) -> tuple[Path, ...]:
        return (self.text, self.metadata, self.rendering, self.questions)


def read_document(path: Path) -> Document:
    """Parse `path`, taking title, issuers and date from the sidecar `.json` where present."""
    if not path.is_file():
        raise FileNotFoundError(f"document not found: {path} (set POLICY_ASSISTANT_DOCUMENT)")
    sidecar = CorpusFiles(path).metadata
    metadata = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.is_file() else {}
    return parse_document(path.read_text(encoding="utf-8"), metadata)


def read_rendering(document: Document, path: Path) -> Rendering | None:
    """The English rendering aligned to `document`'s clauses; None when there is no file.

    Raises ValueError naming the line when an id does not exist or its Chinese no longer matches.
    """
    if not path.is_file():
        return None
    parts = {p.number: p for p in document.parts}
    measures = {m.number: m for m in document.measures}
    title, part_titles, titles, clauses = "", {}, {}, {}
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        rid, zh, en = row["id"], row["zh"], row["en"].strip()
        if not en:
            continue
        expected: str | None
        if rid == "title":
            expected, title = document.title, en
        elif rid.startswith("part") and rid[4:].isdigit() and int(rid[4:]) in parts:
            expected, part_titles[int(rid[4:])] = parts[int(rid[4:])].heading, en
        elif rid.endswith(".title") and rid[1:-6].isdigit() and int(rid[1:-6]) in measures:
            expected, titles[int(rid[1:-6])] = measures[int(rid[1:-6])].title, en
        elif (match := _CLAUSE_ID.match(rid)) and (span := _clause(document, *map(int, match.groups()))):
            expected, clauses[(int(match.group(1)), span.start, span.end)] = span.text, en
        else:
            raise ValueError(f"{path}:{line_no}: {rid!r} names nothing in the document")
        if zh != expected:
            raise ValueError(f"{path}:{line_no}: {rid} renders {zh[:20]!r}…, but the document now says "
                             f"{expected[:20]!r}…: update the rendering")
    return Rendering(RENDERING_NOTE, title, part_titles, titles, clauses)


def read_everyday_questions(document: Document, path: Path) -> list[EverydayQuestion]:
    """`MEASURE<TAB>question` lines (# comments); ValueError naming the line for a bad one."""
    if not path.is_file():
        return []
    numbers = {m.number for m in document.measures}
    questions = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        number, sep, text = line.partition("\t")
        if not sep or not number.strip().isdigit() or int(number) not in numbers or not text.strip():
            raise ValueError(f"{path}:{line_no}: expected MEASURE<TAB>question with a measure "
                             f"{min(numbers)}–{max(numbers)}, got {line[:40]!r}")
        questions.append(EverydayQuestion(int(number), text.strip()))
    return questions


def corpus_checksum(path: Path, *extra: Path) -> str:
    """sha256 over the document's files and `extra` ones: changing any makes a built index stale."""
    digest = hashlib.sha256()
    for part in (*CorpusFiles(path).files, *extra):
        digest.update(str(part.name).encode())
        if part.is_file():
            digest.update(part.read_bytes())
    return digest.hexdigest()


def _clause(document: Document, measure: int, sentence: int, clause: int) -> Span | None:
    if sentence < 1 or clause < 1:
        return None
    try:
        return document.measure(measure).sentences[sentence - 1].clauses[clause - 1]
    except (KeyError, IndexError):
        return None
