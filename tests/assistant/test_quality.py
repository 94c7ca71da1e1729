"""Quality gates: the shared dev set and the test half of the users' set are held to the bar of unseen
questions; the project's older harder set to floors just under what the method reaches."""
from pathlib import Path

import pytest

from assistant.evaluate import load_cases, score, summarise

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def _assert_meets_the_bar(path: Path, ask) -> None:
    report = summarise(score(load_cases(path), ask))
    overall = report["all"]
    assert overall["recall@1"] >= 0.93 and report["lang=en"]["recall@1"] >= 0.90
    assert overall["recall@3"] >= 0.99
    assert overall["fact_hit"] >= 0.95
    assert overall["oos_declined"] >= 0.85
    assert overall["false_refusal"] <= 0.02
    assert overall["quoted_chatter"] == 0


@pytest.mark.skipif(not DEV.exists(), reason="the shared dev set is not beside this checkout")
def test_dev_set_meets_the_bar(assistant):
    _assert_meets_the_bar(DEV, assistant.ask)


def test_users_test_half_meets_the_bar(assistant):
    # eval/users-test.jsonl was written and split off before anything was fitted and is never used to
    # fit (the tuning half is eval/users-tune.jsonl).
    _assert_meets_the_bar(ROOT / "eval" / "users-test.jsonl", assistant.ask)


def test_own_paraphrase_english_and_out_of_scope_set_meets_the_bar(assistant):
    # Colloquial, English and name-sharing out-of-scope questions (eval/extra.jsonl, also a tuning set
    # of the answerability model). Floors sit just under what the current method reaches.
    report = summarise(score(load_cases(ROOT / "eval" / "extra.jsonl"), assistant.ask))
    overall, english = report["all"], report["lang=en"]
    assert overall["recall@1"] >= 0.92 and overall["recall@3"] >= 0.98
    assert overall["fact_hit"] >= 0.90
    assert overall["false_refusal"] <= 0.04
    assert overall["oos_declined"] >= 0.85
    assert english["recall@3"] >= 0.95
