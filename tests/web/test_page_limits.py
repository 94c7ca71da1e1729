"""The page and the server agree on limits: characters are counted alike, and the largest request
the page can make is far below the body limit because it sends only what the service reads (the last
question, and the opening of its answer that names the documents quoted)."""
from __future__ import annotations

import json

import pytest

pytest.importorskip("playwright.sync_api")
from chat_page import ask  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser
BODY_LIMIT = 64 * 1024


def test_characters_are_counted_as_the_server_counts_them(session):
    page = session
    question = "班" + "😀" * 299  # 300 characters, 599 UTF-16 units
    box = page.get_by_test_id("question-input")
    box.evaluate("(el, q) => { el.value = q; el.dispatchEvent(new Event('input')); }", question)
    expect(page.locator("#char-count")).to_have_text("300/500")
    posted: list[dict] = []
    page.on("request", lambda r: posted.append(r.post_data_json) if r.url.endswith("/api/ask") else None)
    page.get_by_test_id("send-button").click()
    expect(page.get_by_test_id("message-assistant")).to_have_count(1, timeout=60_000)
    assert posted[-1]["question"] == question
    expect(page.get_by_test_id("error-message")).to_have_count(0)


def test_the_largest_request_sends_only_the_last_question(session):
    page = session
    bodies: list[bytes] = []
    page.on("request", lambda r: bodies.append(r.post_data_buffer) if r.url.endswith("/api/ask") else None)
    longest = ["教师" * 250, "寄宿" * 250, "班主" * 250]  # three turns of 500 characters each
    for question in longest:
        ask(page, question)
    last = json.loads(bodies[-1])
    assert last["question"] == longest[-1] and len(last["history"]) == 1
    assert last["history"][0]["question"] == longest[-2] and len(last["history"][0]["answer"]) <= 200
    assert len(bodies[-1]) < BODY_LIMIT / 16, len(bodies[-1])
