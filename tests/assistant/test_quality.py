"""Retrieval quality gates on the shared dev set and on the project's own harder questions."""
from pathlib import Path

import pytest

from assistant.evaluate import load_cases, score, summarise

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


@pytest.mark.skipif(not DEV.exists(), reason="the shared dev set is not beside this checkout")
def test_dev_set_meets_the_bar(assistant):
    report = summarise(score(load_cases(DEV), assistant.ask))
    overall = report["all"]
    assert overall["recall@1"] >= 0.93 and report["lang=en"]["recall@1"] >= 0.90
    assert overall["recall@3"] >= 0.99
    assert overall["fact_hit"] >= 0.95
    assert overall["oos_declined"] >= 0.85
    assert overall["false_refusal"] <= 0.02


def test_own_paraphrase_english_and_out_of_scope_set_meets_the_bar(assistant):
    # Colloquial, English and name-sharing out-of-scope questions (eval/extra.jsonl, now also a tuning
    # set of the answerability model). Floors sit just under what the current method reaches.
    report = summarise(score(load_cases(ROOT / "eval" / "extra.jsonl"), assistant.ask))
    overall, english = report["all"], report["lang=en"]
    assert overall["recall@1"] >= 0.92 and overall["recall@3"] >= 0.98
    assert overall["fact_hit"] >= 0.90
    assert overall["false_refusal"] <= 0.04
    assert overall["oos_declined"] >= 0.85
    assert english["recall@3"] >= 0.95


def test_users_test_half_meets_the_bar(assistant):
    # eval/users-test.jsonl: written before anything was fitted, never used to fit (the tuning half is
    # eval/users-tune.jsonl). Floors sit at or just under what the method reaches, so a regression fails.
    report = summarise(score(load_cases(ROOT / "eval" / "users-test.jsonl"), assistant.ask))
    overall = report["all"]
    assert overall["recall@1"] >= 0.93 and report["lang=en"]["recall@1"] >= 0.90
    assert overall["recall@3"] >= 0.99
    assert overall["fact_hit"] >= 0.93
    assert overall["oos_declined"] >= 0.85
    assert overall["false_refusal"] <= 0.03
    assert overall["quoted_chatter"] == 0
