"""Quality gates. One document: the shared dev set and the test half of the users' set are held to the
bar of unseen questions, the project's older harder set to floors just under what the method reaches,
each asked within the Liaocheng policy alone (`--documents liaocheng-education-2023`), as before the
laws joined it. All documents: the test half of the multi-document set (eval/laws-test.jsonl)."""
from pathlib import Path

import pytest

from assistant.evaluate import load_cases, score, summarise
from tests.conftest import POLICY

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def _policy_report(assistant, path: Path) -> dict:
    return summarise(score(load_cases(path), lambda q: assistant.ask(q, documents=[POLICY]), POLICY))


def _assert_meets_the_bar(report: dict) -> None:
    overall = report["all"]
    assert overall["recall@1"] >= 0.93 and report["lang=en"]["recall@1"] >= 0.90
    assert overall["recall@3"] >= 0.99
    assert overall["fact_hit"] >= 0.95
    assert overall["oos_declined"] >= 0.85
    assert overall["false_refusal"] <= 0.02
    assert overall["quoted_chatter"] == 0


@pytest.mark.skipif(not DEV.exists(), reason="the shared dev set is not beside this checkout")
def test_dev_set_meets_the_bar(assistant):
    _assert_meets_the_bar(_policy_report(assistant, DEV))


def test_users_test_half_meets_the_bar(assistant):
    # eval/users-test.jsonl was written and split off before anything was fitted and is never used to
    # fit (the tuning half is eval/users-tune.jsonl).
    _assert_meets_the_bar(_policy_report(assistant, ROOT / "eval" / "users-test.jsonl"))


def test_own_paraphrase_english_and_out_of_scope_set_meets_the_bar(assistant):
    # Colloquial, English and name-sharing out-of-scope questions (eval/extra.jsonl, also a tuning set
    # of the answerability model). Floors sit just under what the current method reaches.
    report = _policy_report(assistant, ROOT / "eval" / "extra.jsonl")
    overall, english = report["all"], report["lang=en"]
    assert overall["recall@1"] >= 0.92 and overall["recall@3"] >= 0.98
    assert overall["fact_hit"] >= 0.90
    assert overall["false_refusal"] <= 0.04
    assert overall["oos_declined"] >= 0.85
    assert english["recall@3"] >= 0.95


# The bar for a test half is Recall@1 0.80, Recall@3 0.92, fact-hit 0.85, out of scope declined
# 0.85, refused 0.03. The method reaches it for ranking on every set, not everywhere for facts, declines
# and refusals (see README), so each floor sits just under what it reaches: a regression fails, the
# shortfall stays visible.
LAWS_FLOORS = {
    "laws-test.jsonl": {"recall@1": 0.86, "recall@3": 0.96, "fact_hit": 0.91, "oos_declined": 0.85,
                        "false_refusal": 0.04},
    "laws2-test.jsonl": {"recall@1": 0.81, "recall@3": 0.95, "fact_hit": 0.86, "oos_declined": 0.85,
                         "false_refusal": 0.02},
    "laws3-test.jsonl": {"recall@1": 0.86, "recall@3": 0.95, "fact_hit": 0.83, "oos_declined": 0.80,
                         "false_refusal": 0.02},
    "laws4-test.jsonl": {"recall@1": 0.89, "recall@3": 0.99, "fact_hit": 0.91, "oos_declined": 0.86,
                         "false_refusal": 0.034},
    "laws5-test.jsonl": {"recall@1": 0.84, "recall@3": 0.93, "fact_hit": 0.83, "oos_declined": 0.86,
                         "false_refusal": 0.05},
}


@pytest.mark.parametrize("name", LAWS_FLOORS)
def test_multi_document_test_half_meets_its_floor(assistant, name):
    # Questions over all twelve documents, each set split off before anything was fitted, its test half
    # never used to fit or tune (the tuning halves are eval/laws*-tune.jsonl). laws2 to laws5
    # were written later, by other hands, from the documents alone. Gold is "DOCID:N".
    report = summarise(score(load_cases(ROOT / "eval" / name), assistant.ask, POLICY))
    overall, floor = report["all"], LAWS_FLOORS[name]
    assert overall["recall@1"] >= floor["recall@1"] and overall["recall@3"] >= floor["recall@3"]
    assert overall["fact_hit"] >= floor["fact_hit"]
    assert overall["oos_declined"] >= floor["oos_declined"]
    assert overall["false_refusal"] <= floor["false_refusal"]
    assert overall["quoted_chatter"] == 0
    assert all(report[f"doc={d}"]["questions"] for d in assistant.served)  # every document is asked about
