"""Split a question set into a tuning half and a test half, once, before anything is fitted.

Stratified by (kind, lang) and ordered by a hash of each id, so the split is reproducible and does
not depend on the file's order:

    python eval/split.py eval/users.jsonl    # writes eval/users-tune.jsonl and eval/users-test.jsonl
"""
from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path


def split(cases: list[dict]) -> tuple[list[dict], list[dict]]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for case in cases:
        groups[(case.get("kind"), case.get("lang"))].append(case)
    tune, test = [], []
    for key in sorted(groups, key=str):
        ordered = sorted(groups[key], key=lambda c: hashlib.sha256(c["id"].encode()).hexdigest())
        for i, case in enumerate(ordered):
            (tune if i % 2 == 0 else test).append(case)
    return tune, test


def main(path: str) -> None:
    source = Path(path)
    cases = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    for name, half in zip(("tune", "test"), split(cases)):
        target = source.with_name(f"{source.stem}-{name}.jsonl")
        target.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in half), encoding="utf-8")
        print(f"{target}: {len(half)} questions")


if __name__ == "__main__":
    main(sys.argv[1])
