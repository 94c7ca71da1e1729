"""What each kind of answer looks like on the page (web/answer-view.js), against the real server.

Each test reads the Answer the server sent (the /api/ask response) and checks that the page shows
it the way its kind calls for: an answer says it once, a decline looks like a decline, small talk is
the assistant speaking with example questions as buttons.
"""
from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api")
from chat_page import ask, open_page, wait_answer, wait_ready  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser

ERROR_BACKGROUND = "rgb(253, 236, 234)"  # --bad-bg: declines must not look like errors


def ask_and_read(page: Page, question: str):
    """Ask on the page; return the new message and the Answer the server sent for it."""
    with page.expect_response(re.compile(r"/api/ask$")) as info:
        message = ask(page, question)
    return message, info.value.json()


def background(locator) -> str:
    return locator.evaluate("el => getComputedStyle(el).backgroundColor")


def test_answer_says_it_once(session: Page):
    page = session
    message, data = ask_and_read(page, "班主任每月绩效多少")
    assert data["kind"] == "answer"
    expect(message).to_have_attribute("data-kind", "answer")
    expect(message.get_by_test_id("answer-lead")).to_have_text(data["lead"])

    quotes = [(c["measure"], q) for c in data["citations"] for q in c["quotes"]]
    blocks = message.get_by_test_id("quote")
    expect(blocks).to_have_count(len(quotes))
    for block, (measure, quote) in zip(blocks.all(), quotes):
        expect(block.locator("blockquote")).to_have_text(quote)
        expect(block.get_by_test_id("citation-chip")).to_have_text(f"第{measure}条")

    # Said once: the quoted sentence appears a single time, and the API's running text not at all.
    shown = message.locator(".bubble").inner_text()
    assert shown.count("每班每月900元标准") == 1
    assert "（第7条 · 提高教师待遇）" in data["answer"] and "（第7条 · 提高教师待遇）" not in shown

    # The chip of a quote opens its measure with exactly that quote highlighted.
    blocks.first.get_by_test_id("citation-chip").click()
    panel = page.get_by_test_id("measure-panel")
    expect(panel).to_be_visible()
    expect(panel.locator("mark")).to_have_count(1)
    expect(panel.locator("mark")).to_have_text(quotes[0][1])

    related = [c for c in data["citations"] if not c["quotes"]]
    page.keyboard.press("Escape")
    if related:
        section = message.locator("section.related")
        expect(section.locator("h3")).to_have_text("相关条款")
        expect(section.get_by_test_id("citation-chip")).to_have_count(len(related))
    assert page.errors == []  # type: ignore[attr-defined]


def test_decline_looks_like_a_decline(session: Page):
    page = session
    answer, _ = ask_and_read(page, "班主任每月绩效多少")
    decline, data = ask_and_read(page, "聊城大学分数线是多少")
    assert data["kind"] == "not_covered" and data["missing"]
    expect(decline).to_have_attribute("data-kind", "not_covered")
    expect(decline.get_by_test_id("decline-badge")).to_have_text("文件未涉及")
    expect(decline.get_by_test_id("answer-lead")).to_have_text(data["lead"])
    # What is missing is marked in words, once: where the lead names it.
    shown = decline.locator(".bubble").inner_text()
    for item in data["missing"]:
        expect(decline.get_by_test_id("missing-item").filter(has_text=item).first).to_be_visible()
        assert shown.count(item) == data["lead"].count(item) >= 1
    expect(decline.get_by_test_id("quote")).to_have_count(0)

    related = [c for c in data["citations"] if not c["quotes"]]
    assert related
    section = decline.locator("section.related")
    expect(section.locator("h3")).to_have_text("可能相关")
    expect(section.get_by_test_id("citation-chip")).to_have_count(len(related))

    # Unmistakable at a glance, yet calm: its own colour, neither an answer's nor an error's.
    decline_bg = background(decline.locator(".bubble"))
    assert decline_bg != background(answer.locator(".bubble"))
    assert decline_bg != ERROR_BACKGROUND

    # The hint leads on: rephrase, or browse the measures.
    expect(decline).to_contain_text("换个说法")
    decline.get_by_test_id("browse-link").click()
    expect(page.get_by_test_id("browse-panel")).to_be_visible()
    expect(page.get_by_test_id("browse-measure")).to_have_count(24)
    assert page.errors == []  # type: ignore[attr-defined]


def test_unknown_measure_is_declined_with_the_range(session: Page):
    message, data = ask_and_read(session, "第二百条说了什么")  # no document has 200 articles
    assert data["kind"] == "invalid_reference"
    expect(message).to_have_attribute("data-kind", "invalid_reference")
    expect(message.get_by_test_id("decline-badge")).to_be_visible()
    expect(message.get_by_test_id("answer-lead")).to_have_text(data["lead"])
    expect(message.get_by_test_id("answer-lead")).to_contain_text("132")


def test_small_talk_offers_questions_as_buttons(session: Page):
    page = session
    message, data = ask_and_read(page, "你好")
    assert data["kind"] == "smalltalk" and data["suggestions"]
    expect(message).to_have_attribute("data-kind", "smalltalk")
    expect(message.get_by_test_id("decline-badge")).to_have_count(0)
    expect(message.get_by_test_id("feedback-up")).to_have_count(0)
    expect(message.get_by_test_id("answer-lead")).to_have_text(data["lead"])
    buttons = message.get_by_test_id("suggestion")
    expect(buttons).to_have_text(data["suggestions"])

    # A suggestion asks that question.
    suggestion = data["suggestions"][0]
    buttons.first.click()
    expect(page.get_by_test_id("message-user").last).to_have_text(suggestion)
    follow = wait_answer(page, 1)
    expect(follow).not_to_have_attribute("data-kind", "smalltalk")


def test_english_question_shows_unofficial_renderings(session: Page):
    # the policy has an unofficial English rendering (the laws have none)
    message, data = ask_and_read(session, "What is the monthly bonus for head teachers at boarding schools?")
    assert data["kind"] == "answer" and data["lang"] == "en"
    renderings = [e for c in data["citations"] for e in c["quotes_en"] if e]
    assert renderings, "the API sent no English renderings"
    shown = message.get_by_test_id("quote-en")
    expect(shown).to_have_count(len(renderings))
    for node, text in zip(shown.all(), renderings):
        expect(node).to_be_visible()
        expect(node).to_contain_text("Unofficial English rendering")
        expect(node).to_contain_text(text)
    expect(message.get_by_test_id("answer-lead")).to_have_attribute("lang", "en")


def test_english_toggle_shows_renderings_everywhere_and_is_remembered(browser, live_server: str):
    with open_page(browser, live_server) as page:
        message, data = ask_and_read(page, "班主任每月绩效多少")
        assert any(e for c in data["citations"] for e in c["quotes_en"]), "the API sent no English renderings"
        rendering = message.get_by_test_id("quote-en").first
        toggle = page.get_by_test_id("english-toggle")
        expect(rendering).to_be_hidden()  # a Chinese question: the Chinese alone
        toggle.check()
        expect(rendering).to_be_visible()

        page.reload()
        wait_ready(page)
        expect(toggle).to_be_checked()
        message = ask(page, "班主任每月绩效多少")
        expect(message.get_by_test_id("quote-en").first).to_be_visible()
        toggle.uncheck()
        expect(message.get_by_test_id("quote-en").first).to_be_hidden()
