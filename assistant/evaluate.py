"""Score the assistant on a JSONL file of questions with gold measures, facts and out-of-scope flags.

Each line: {"q": str, "gold": [int], "facts": [str], "who": str, "lang": str, "kind": str?, "oos": bool?}
(kind: in_scope, or the kind of out-of-scope question: general_knowledge, other_service, uses_doc_words,
other_education, smalltalk, nonsense).
Ranking metrics (Recall@1, Recall@3, MRR) read the measures in the answer's citations, best first,
over in-scope questions; fact-hit asks that every fact appears in the answer text; out-of-scope
accuracy is the share of out-of-scope questions declined; false refusals the share of in-scope ones;
`quoted_chatter` counts small talk and nonsense answered with quotes (it must be 0).

>>> summarise([Scored({"gold": [7], "lang": "zh", "who": "t"}, [7, 3], True, True, True)])["all"]["recall@1"]
1.0
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from assistant.schemas import Answer


CHATTER = ("smalltalk", "nonsense")  # kinds that must never be answered with quotes


@dataclass(frozen=True)
class Scored:
    case: dict
    ranked: list[int]
    in_scope: bool
    facts_hit: bool
    quoted: bool


def load_cases(path: Path) -> list[dict]:
    cases = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    for i, case in enumerate(cases, start=1):
        if "q" not in case or not isinstance(case.get("gold", []), list):
            raise ValueError(f"{path}:{i}: each line needs \"q\" and a list \"gold\"")
    return cases


def score(cases: Iterable[dict], ask: Callable[[str], Answer]) -> list[Scored]:
    scored = []
    for case in cases:
        answer = ask(case["q"])
        facts_hit = all(fact in answer.answer for fact in case.get("facts", []))
        quoted = any(c.quotes for c in answer.citations)
        scored.append(Scored(case, [c.measure for c in answer.citations], answer.in_scope, facts_hit, quoted))
    return scored


def summarise(scored: list[Scored]) -> dict[str, dict[str, float]]:
    """Metrics for all questions and for each `lang`, `who` and `kind` group."""
    groups: dict[str, list[Scored]] = {"all": scored}
    for s in scored:
        for key in ("lang", "kind", "who"):
            if key in s.case:
                groups.setdefault(f"{key}={s.case[key]}", []).append(s)
    return {name: _metrics(items) for name, items in groups.items()}


def _metrics(items: list[Scored]) -> dict[str, float]:
    inside = [s for s in items if not s.case.get("oos")]
    outside = [s for s in items if s.case.get("oos")]

    def rank(s: Scored) -> int | None:
        return next((i for i, m in enumerate(s.ranked, start=1) if m in s.case["gold"]), None)

    def share(values: list[bool]) -> float:
        return round(sum(values) / len(values), 4) if values else float("nan")

    return {
        "questions": len(items),
        "recall@1": share([rank(s) == 1 for s in inside]),
        "recall@3": share([(rank(s) or 99) <= 3 for s in inside]),
        "mrr": round(sum(1 / r for s in inside if (r := rank(s))) / len(inside), 4) if inside else float("nan"),
        "fact_hit": share([s.facts_hit and s.in_scope for s in inside]),
        "false_refusal": share([not s.in_scope for s in inside]),
        "oos_declined": share([not s.in_scope for s in outside]),
        "quoted_chatter": sum(s.quoted for s in items if s.case.get("kind") in CHATTER),
    }


def failures(scored: list[Scored]) -> list[str]:
    """One line per question answered wrongly, for reading what went wrong."""
    lines = []
    for s in scored:
        oos = s.case.get("oos", False)
        if oos and s.in_scope:
            lines.append(f"accepted out-of-scope: {s.case['q']} -> {s.ranked[:3]}")
        elif not oos and not s.in_scope:
            lines.append(f"refused: {s.case['q']} (gold {s.case['gold']}) -> {s.ranked[:3]}")
        elif not oos and (not s.ranked or s.ranked[0] not in s.case["gold"] or not s.facts_hit):
            lines.append(f"missed: {s.case['q']} (gold {s.case['gold']}, facts {'ok' if s.facts_hit else 'missing'}) -> {s.ranked[:3]}")
    return lines
