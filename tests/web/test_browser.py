"""Browser tests of the web chat page against the real server (the `live_server` fixture).

Run with Debian's chromium through Playwright's sync API. `live_server` (a base URL such as
"http://127.0.0.1:8000") comes from tests/conftest.py, which starts the real app and model; the
`browser` and `session` fixtures come from conftest.py beside this file.
"""
from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api")
from chat_page import ANSWER_TIMEOUT_MS, WIDTHS, ask, open_page, screenshot  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser

DECLINED = "医保怎么报销"  # the document does not cover health insurance


# (a) ---------------------------------------------------------------------------------------


def test_answer_cites_measure_and_panel_highlights_quote(session: Page):
    page = session
    answer = ask(page, "班主任每月绩效多少")
    expect(answer).to_contain_text("900")
    expect(page.get_by_test_id("message-user").last).to_have_text("班主任每月绩效多少")

    chip = answer.locator('[data-testid="citation-chip"][data-measure="7"]').first
    expect(chip).to_be_visible()
    expect(chip).to_have_text("第7条")

    chip.click()
    panel = page.get_by_test_id("measure-panel")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("第7条")
    expect(panel).to_contain_text("提高教师待遇")
    mark = panel.locator("mark").filter(has_text="900元")
    expect(mark.first).to_be_visible()
    assert "900元" in mark.first.text_content()
    # The highlight is a real <mark> element among text nodes, and the measure text is intact.
    full = panel.get_by_test_id("measure-text").text_content()
    assert "900元" in full and "1000元" in full

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    # Focus goes back to the chip that opened the panel.
    expect(chip).to_be_focused()

    # The close button works too.
    chip.click()
    expect(panel).to_be_visible()
    page.get_by_test_id("measure-close").click()
    expect(panel).to_be_hidden()
    assert page.errors == []  # type: ignore[attr-defined]


# (b) ---------------------------------------------------------------------------------------


def test_html_in_question_is_shown_as_text(session: Page):
    page = session
    payload = "<img src=x onerror=alert(1)>"
    ask(page, payload)
    bubble = page.get_by_test_id("message-user").last
    assert bubble.text_content() == payload
    assert page.locator("#chat-log img").count() == 0
    assert page.locator("img").count() == 0
    page.wait_for_timeout(300)
    assert page.dialogs == []  # type: ignore[attr-defined]


# (c) ---------------------------------------------------------------------------------------


def test_follow_up_uses_history(session: Page):
    page = session
    first = ask(page, "班主任每月绩效多少")
    expect(first).to_contain_text("900")

    sent: list[dict] = []
    page.on(
        "request",
        lambda r: sent.append(r.post_data_json) if r.url.endswith("/api/ask") and r.method == "POST" else None,
    )
    second = ask(page, "那寄宿制的呢？")
    expect(second.get_by_test_id("quote").first).to_contain_text("1000")
    assert sent, "the follow-up was not posted to /api/ask"
    # all the service reads: the last question, and the opening of its answer (naming the document)
    assert [turn["question"] for turn in sent[-1]["history"]] == ["班主任每月绩效多少"]
    assert sent[-1]["history"][0]["answer"].startswith("《中共聊城市委 聊城市人民政府关于新时代聊城教育高质量发展的意见》第7条")


# (d) ---------------------------------------------------------------------------------------


def test_question_longer_than_500_chars_is_not_sent(session: Page, live_server: str):
    page = session
    box = page.get_by_test_id("question-input")
    assert box.get_attribute("maxlength") == "500"

    # Typing/pasting 600 characters keeps only 500 of them.
    box.fill("教" * 600)
    assert len(box.input_value()) == 500

    # Even if a script forces 600 characters in, the page refuses to send and says why.
    asks: list[str] = []
    page.on("request", lambda r: asks.append(r.url) if r.url.endswith("/api/ask") else None)
    box.evaluate("(el) => { el.value = '教'.repeat(600); }")
    page.get_by_test_id("send-button").click()
    error = page.get_by_test_id("error-message").last
    expect(error).to_be_visible()
    expect(error).to_contain_text("问题不能超过500字")
    assert asks == []

    # The server rejects it too.
    resp = page.request.post(
        live_server.rstrip("/") + "/api/ask", data={"question": "教" * 600, "history": []}
    )
    assert resp.status == 422


def test_empty_question_is_not_sent(session: Page):
    page = session
    asks: list[str] = []
    page.on("request", lambda r: asks.append(r.url) if r.url.endswith("/api/ask") else None)
    box = page.get_by_test_id("question-input")
    box.fill("   \n  ")
    box.press("Enter")
    page.get_by_test_id("send-button").click()
    page.wait_for_timeout(300)
    assert asks == []
    expect(page.get_by_test_id("message-user")).to_have_count(0)


def test_unreachable_server_shows_message(session: Page):
    page = session
    page.route("**/api/ask", lambda route: route.abort())
    page.get_by_test_id("question-input").fill("班主任每月绩效多少")
    page.get_by_test_id("send-button").click()
    error = page.get_by_test_id("error-message").last
    expect(error).to_contain_text("无法连接服务器，请稍后重试")
    expect(page.get_by_test_id("send-button")).to_be_enabled()


# (e) ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("width,height", WIDTHS)
def test_layout_and_screenshots(browser, live_server: str, width: int, height: int):
    with open_page(browser, live_server, width, height) as page:
        expect(page.locator("#doc-title")).to_contain_text("聊城", timeout=10_000)
        ask(page, "班主任每月绩效多少")
        screenshot(page, f"answer-{width}")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"horizontal scroll at {width}px: scrollWidth={scroll_width}"

        ask(page, "教师有惩戒权吗？")
        ask(page, DECLINED)
        screenshot(page, f"decline-{width}")
        # Once the chat scrolls, the page itself stays put: the header is whole at the top.
        assert page.get_by_test_id("chat-log").evaluate("el => el.closest('main').scrollTop") > 0
        assert page.evaluate("document.documentElement.scrollTop + document.body.scrollTop") == 0
        header = page.locator(".app-header").bounding_box()
        assert header["y"] == 0
        expect(page.locator(".app-name")).to_be_in_viewport(ratio=1)

        page.locator('[data-testid="citation-chip"][data-measure="7"]').first.click()
        panel = page.get_by_test_id("measure-panel")
        expect(panel).to_be_visible()
        box = panel.bounding_box()
        if width <= 600:  # a full-screen sheet on phones
            assert box["width"] >= width - 1 and box["height"] >= height - 1
        else:  # a centred dialog inside the desktop column
            assert box["width"] <= 900
        expect(panel.locator("mark").first).to_be_in_viewport()
        screenshot(page, f"measure-{width}")
        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()
        assert page.evaluate("document.documentElement.scrollTop + document.body.scrollTop") == 0
        if width >= 1000:
            column = page.locator(".chat-scroll > .column").bounding_box()
            assert column["width"] <= 900
            assert abs((column["x"] + column["width"] / 2) - width / 2) < 20
        assert page.errors == []  # type: ignore[attr-defined]


# (f) ---------------------------------------------------------------------------------------


def test_browse_panel_lists_all_measures(session: Page):
    page = session
    page.get_by_test_id("browse-button").click()
    items = page.get_by_test_id("browse-measure")
    expect(items).to_have_count(24, timeout=10_000)
    numbers = [int(x) for x in items.evaluate_all("els => els.map(e => e.dataset.measure)")]
    assert numbers == list(range(1, 25))
    expect(page.get_by_test_id("browse-panel").locator("h3")).to_have_count(4)

    items.nth(11).click()  # 第12条
    panel = page.get_by_test_id("measure-panel")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("第12条")
    expect(panel.get_by_test_id("measure-text")).not_to_be_empty()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(items.nth(11)).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("browse-panel")).to_be_hidden()
    expect(page.get_by_test_id("browse-button")).to_be_focused()


def test_starter_question_asks_it(session: Page):
    page = session
    starter = page.get_by_test_id("starter-question").filter(has_text="班主任每月绩效多少？")
    starter.click()
    expect(page.get_by_test_id("message-user").last).to_have_text("班主任每月绩效多少？")
    expect(page.get_by_test_id("message-assistant")).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
    expect(page.get_by_test_id("message-assistant").first).to_contain_text("900")


# (g) ---------------------------------------------------------------------------------------


def test_feedback_down_with_reason(session: Page):
    page = session
    answer = ask(page, "班主任每月绩效多少")
    posted: list[dict] = []
    page.on(
        "request",
        lambda r: posted.append(r.post_data_json) if r.url.endswith("/api/feedback") else None,
    )
    answer.get_by_test_id("feedback-down").click()
    reason = answer.get_by_test_id("feedback-reason")
    expect(reason).to_be_visible()
    expect(reason).to_be_focused()
    reason.fill("希望说明是否含寄宿制")
    with page.expect_response(re.compile(r"/api/feedback$")) as info:
        answer.get_by_test_id("feedback-submit").click()
    assert info.value.status == 201
    expect(answer).to_contain_text("感谢反馈")
    expect(answer.get_by_test_id("feedback-up")).to_be_disabled()
    assert posted and posted[-1]["rating"] == "down"
    assert posted[-1]["reason"] == "希望说明是否含寄宿制"
    assert 7 in posted[-1]["answer_measures"]


def test_copy_button(session: Page):
    page = session
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    answer = ask(page, "班主任每月绩效多少")
    answer.get_by_test_id("copy-button").click()
    expect(answer.get_by_test_id("copy-button")).to_contain_text(re.compile("已复制|复制失败"))
    if "已复制" in answer.get_by_test_id("copy-button").text_content():
        copied = page.evaluate("navigator.clipboard.readText()")
        assert "900" in copied
        assert "出处：第7条 提高教师待遇" in copied
