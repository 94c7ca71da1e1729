"""Score the assistant on a JSONL file of questions with gold measures, facts and out-of-scope flags.

Each line: {"q": str, "gold": [...], "facts": [str], "who": str, "lang": str, "kind": str?, "oos": bool?}
(kind: in_scope, or the kind of out-of-scope question: general_knowledge, other_service, uses_doc_words,
other_education, smalltalk, nonsense). Gold is a list of "DOCID:N" strings (article or measure N of
document DOCID), or of plain numbers N in a single-document set, which name measures of the default
document (the one the evaluation is restricted to, else the Liaocheng policy).

Ranking metrics (Recall@1, Recall@3, MRR) read the (document, measure) of the answer's citations,
best first, over in-scope questions; fact-hit asks that every fact appears in the answer text;
out-of-scope accuracy is the share of out-of-scope questions declined; false refusals the share of
in-scope ones; `quoted_chatter` counts small talk and nonsense answered with quotes (it must be 0).
Figures are given for all questions and per language, kind, user group and gold document (`doc=ID`).

>>> case = {"gold": ["teachers-law:25"], "lang": "zh", "who": "t"}
>>> report = summarise([Scored(case, gold_keys(case, "p"), [("teachers-law", 25), ("p", 7)], True, True, True)])
>>> report["all"]["recall@1"], report["doc=teachers-law"]["questions"]
(1.0, 1)
>>> gold_keys({"gold": [7]}, "liaocheng-education-2023")
{('liaocheng-education-2023', 7)}
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from assistant.schemas import Answer

CHATTER = ("smalltalk", "nonsense")  # kinds that must never be answered with quotes

Key = tuple[str, int]  # (document id, measure or article number)


@dataclass(frozen=True)
class Scored:
    case: dict
    gold: set[Key]
    ranked: list[Key]
    in_scope: bool
    facts_hit: bool
    quoted: bool


def load_cases(path: Path) -> list[dict]:
    cases = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    for i, case in enumerate(cases, start=1):
        gold = case.get("gold", [])
        if "q" not in case or not isinstance(gold, list) or not all(_is_gold(g) for g in gold):
            raise ValueError(f"{path}:{i}: each line needs \"q\" and a list \"gold\" of numbers or \"DOCID:N\" strings")
    return cases


def gold_keys(case: dict, default_document: str) -> set[Key]:
    """The (document, number) pairs that answer `case`; a plain number is a measure of `default_document`."""
    keys = set()
    for g in case.get("gold", []):
        if isinstance(g, int):
            keys.add((default_document, g))
        else:
            document, _, number = g.rpartition(":")
            keys.add((document, int(number)))
    return keys


def score(cases: Iterable[dict], ask: Callable[[str], Answer], default_document: str) -> list[Scored]:
    scored = []
    for case in cases:
        answer = ask(case["q"])
        facts_hit = all(fact in answer.answer for fact in case.get("facts", []))
        quoted = any(c.quotes for c in answer.citations)
        scored.append(Scored(case, gold_keys(case, default_document), [(c.document, c.measure) for c in answer.citations],
                             answer.in_scope, facts_hit, quoted))
    return scored


def summarise(scored: list[Scored]) -> dict[str, dict[str, float]]:
    """Metrics for all questions and for each `lang`, `who`, `kind` and gold-document group."""
    groups: dict[str, list[Scored]] = {"all": scored}
    for s in scored:
        for key in ("lang", "kind", "who"):
            if key in s.case:
                groups.setdefault(f"{key}={s.case[key]}", []).append(s)
        for document in sorted({d for d, _ in s.gold}):
            groups.setdefault(f"doc={document}", []).append(s)
    return {name: _metrics(items) for name, items in groups.items()}


def _rank(s: Scored) -> int | None:
    return next((i for i, key in enumerate(s.ranked, start=1) if key in s.gold), None)


def _metrics(items: list[Scored]) -> dict[str, float]:
    inside = [s for s in items if not s.case.get("oos")]
    outside = [s for s in items if s.case.get("oos")]

    def share(values: list[bool]) -> float:
        return round(sum(values) / len(values), 4) if values else float("nan")

    return {
        "questions": len(items),
        "recall@1": share([_rank(s) == 1 for s in inside]),
        "recall@3": share([(_rank(s) or 99) <= 3 for s in inside]),
        "mrr": round(sum(1 / r for s in inside if (r := _rank(s))) / len(inside), 4) if inside else float("nan"),
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
        gold, ranked = _names(s.gold), _names(s.ranked[:3])
        if oos and s.in_scope:
            lines.append(f"accepted out-of-scope: {s.case['q']} -> {ranked}")
        elif not oos and not s.in_scope:
            lines.append(f"refused: {s.case['q']} (gold {gold}) -> {ranked}")
        elif not oos and (_rank(s) != 1 or not s.facts_hit):
            lines.append(f"missed: {s.case['q']} (gold {gold}, facts {'ok' if s.facts_hit else 'missing'}) -> {ranked}")
    return lines


def _names(keys: Iterable[Key]) -> list[str]:
    return [f"{d}:{n}" for d, n in keys]


def _is_gold(value: object) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and value.rpartition(":")[0] != "" and value.rpartition(":")[2].isdigit()
