"""Staff teach the assistant from real use: a question people ask for a measure, or a topic the
document does not cover. Both are lines of corpus files, so the next start rebuilds the index.

>>> teach_measure(Path("corpus/liaocheng-education-2023.txt"), "当班主任一个月多拿多少", 7)  # doctest: +SKIP
PosixPath('corpus/liaocheng-education-2023.questions.tsv')
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

from index.corpus import CorpusFiles, read_document


def teach_measure(document_path: Path, question: str, measure: int) -> Path:
    """Append `question` as an everyday question answered by `measure` (an article of a statute)."""
    question = _one_line(question)
    document = read_document(document_path)
    numbers = [m.number for m in document.measures]
    if measure not in numbers:
        raise ValueError(f"there is no {document.noun} {measure}: {document.name} has {numbers[0]}–{numbers[-1]}")
    path = CorpusFiles(document_path).questions
    return _append(path, f"{measure}\t{question}")


def teach_not_covered(off_topic_path: Path, topic: str) -> Path:
    """Append a statement of what the document is not about; keep it generic (a topic, not a question)."""
    return _append(Path(off_topic_path), _one_line(topic))


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise ValueError("nothing to add: the text is empty")
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise ValueError("the text contains control characters")
    return text


def _append(path: Path, line: str) -> Path:
    existing = path.read_text(encoding="utf-8") if path.is_file() else ""
    if line in existing.splitlines():
        raise ValueError(f"{path} already has this line")
    separator = "" if not existing or existing.endswith("\n") else "\n"
    with path.open("a", encoding="utf-8") as out:
        out.write(f"{separator}{line}\n")
    return path
