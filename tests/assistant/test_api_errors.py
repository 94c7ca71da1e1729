"""Every response carries the security headers, whatever produced it; request shapes the API does
not take are refused with the status that says why."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app

SECURITY = {"content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy",
            "cross-origin-opener-policy", "permissions-policy"}


def _assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert SECURITY <= set(response.headers), set(response.headers)
    body = response.json()
    assert body["error"]["code"] == code and body["error"]["message_zh"] and body["error"]["message_en"]
    assert "Traceback" not in response.text and ".py" not in response.text


def test_an_unexpected_error_is_a_clean_500_with_the_headers(client, assistant, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("/secret/path/in/a/message.py")
    monkeypatch.setattr(assistant.quotes, "select", broken)  # the fault: quote selection fails
    response = client.post("/api/ask", json={"question": "班主任每月绩效多少"})
    _assert_error(response, 500, "http_500")
    assert "secret" not in response.text


def test_a_cors_preflight_carries_the_headers(settings, assistant):
    allowed = settings.model_copy(update={"cors_origins": ["https://school.example"]})
    with TestClient(create_app(allowed, assistant)) as other:
        response = other.options("/api/ask", headers={"Origin": "https://school.example",
                                                      "Access-Control-Request-Method": "POST"})
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "https://school.example"
        assert SECURITY <= set(response.headers)


@pytest.mark.parametrize("method, path, status, code", [
    ("GET", "/api/nothing-here", 404, "not_found"), ("PUT", "/api/ask", 405, "http_405"),
    ("GET", "/static/nothing-here.js", 404, "not_found")])
def test_routing_errors_carry_the_headers(client, method, path, status, code):
    _assert_error(client.request(method, path), status, code)


def test_a_refused_size_carries_the_headers(client):
    response = client.post("/api/ask", content=b"{" + b" " * 100_000 + b"}", headers={"content-type": "application/json"})
    _assert_error(response, 413, "too_large")
    assert response.headers["connection"] == "close"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                                          None])
def test_a_body_that_is_not_json_gets_415(client, content_type):
    headers = {"content-type": content_type} if content_type else {}
    response = client.post("/api/ask", content='{"question": "班主任每月绩效多少"}'.encode(), headers=headers)
    _assert_error(response, 415, "unsupported_media_type")


def test_json_with_a_charset_or_a_json_suffix_is_taken(client):
    for content_type in ("application/json; charset=utf-8", "application/vnd.api+json"):
        response = client.post("/api/ask", content='{"question": "班主任每月绩效多少"}'.encode(),
                               headers={"content-type": content_type})
        assert response.status_code == 200, content_type


@pytest.mark.parametrize("turn", [
    {"question": "班主任每月绩效多少", "answer": "", "extra": 1}, {"question": ""}, {"question": "   "},
    {"question": "班主任\x1b[2J"}, {"question": "？！"}, {"question": "班" * 501}, {"answer": "只有回答"},
])
def test_history_turns_are_checked_like_the_question(client, turn):
    response = client.post("/api/ask", json={"question": "那寄宿制的呢？", "history": [turn]})
    _assert_error(response, 422, "invalid_input")
    assert "history" in response.json()["detail"]


def test_a_history_turn_needs_only_its_question(client):
    answer = client.post("/api/ask", json={"question": "那寄宿制的呢？",
                                           "history": [{"question": "班主任每月绩效多少"}]}).json()
    assert answer["citations"][0]["measure"] == 7 and "1000元" in answer["answer"]


def test_the_docs_document_the_new_statuses(client):
    responses = client.get("/openapi.json").json()["paths"]["/api/feedback"]["post"]["responses"]
    assert {"408", "413", "415", "422", "429", "503"} <= set(responses)
