"""Links a colleague can be sent (web/links.js): /#m7 opens 第7条, /?q=… asks on load, and the
copy-link buttons of the measure panel and of an answer."""
from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api")
from chat_page import ask, open_page, wait_answer, wait_ready  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser

CLIPBOARD = ["clipboard-read", "clipboard-write"]


def test_measure_link_opens_the_measure(browser, live_server: str):
    with open_page(browser, live_server, path="/#m7") as page:
        panel = page.get_by_test_id("measure-panel")
        expect(panel).to_be_visible()
        expect(panel.locator("h2")).to_have_text("第7条 提高教师待遇")
        expect(panel.get_by_test_id("measure-text")).to_contain_text("每班每月900元")
        expect(page).to_have_url(live_server.rstrip("/") + "/#m7")
        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()
        expect(page).to_have_url(live_server.rstrip("/") + "/")  # the address follows the panel
        expect(page.get_by_test_id("question-input")).to_be_focused()


def test_opening_a_measure_puts_its_link_in_the_address(session: Page):
    page = session
    page.get_by_test_id("browse-button").click()
    page.get_by_test_id("browse-measure").nth(11).click()
    expect(page.get_by_test_id("measure-panel")).to_contain_text("第12条")
    expect(page).to_have_url(re.compile(r"/#m12$"))


def test_changing_the_hash_opens_that_measure(session: Page):
    page = session
    page.evaluate("location.hash = '#m12'")
    panel = page.get_by_test_id("measure-panel")
    expect(panel).to_be_visible()
    expect(panel.locator("h2")).to_contain_text("第12条")


def test_a_link_to_an_article_of_a_law_opens_it(browser, live_server: str):
    with open_page(browser, live_server, path="/#teachers-law/25") as page:
        panel = page.get_by_test_id("measure-panel")
        expect(panel).to_be_visible()
        expect(panel.locator("h2")).to_have_text("教师法 第二十五条")
        expect(panel.locator("#measure-part")).to_have_text("第六章 待遇")
        expect(panel.get_by_test_id("measure-text")).to_contain_text("国家公务员的平均工资水平")
        expect(panel.locator("#measure-source")).to_have_text("出自《中华人民共和国教师法》（2009年8月27日修正）")
        expect(page).to_have_url(live_server.rstrip("/") + "/#teachers-law/25")
        page.evaluate("location.hash = '#m7'")  # the policy's measures keep their short links
        expect(panel.locator("h2")).to_have_text("第7条 提高教师待遇")
        expect(page).to_have_url(live_server.rstrip("/") + "/#m7")


@pytest.mark.parametrize("path,says", [
    ("/#m99", "本文件共24条（第1—24条），没有第99条。"),
    ("/#teachers-law/99", "《教师法》共43条，没有第99条。"),
    ("/#no-such-law/25", "没有找到这份文件（no-such-law）。"),
])
def test_a_link_to_nothing_here_says_so(browser, live_server: str, path: str, says: str):
    with open_page(browser, live_server, path=path) as page:
        panel = page.get_by_test_id("measure-panel")
        expect(panel).to_be_visible()
        expect(panel.get_by_role("alert")).to_contain_text(says)
        expect(page.get_by_test_id("measure-copy-link")).to_be_hidden()
        assert page.errors == [] or all("404" in e for e in page.errors)  # type: ignore[attr-defined]


def test_question_link_asks_once(browser, live_server: str):
    with open_page(browser, live_server, path="/?q=%E7%8F%AD%E4%B8%BB%E4%BB%BB%E6%AF%8F%E6%9C%88%E7%BB%A9%E6%95%88%E5%A4%9A%E5%B0%91") as page:
        expect(page.get_by_test_id("message-user")).to_have_text(["班主任每月绩效多少"])
        expect(wait_answer(page, 0)).to_contain_text("900")
        expect(page).to_have_url(live_server.rstrip("/") + "/")  # cleaned, so that a reload does not ask again

        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url) if r.url.endswith("/api/ask") else None)
        page.reload()
        wait_ready(page)
        page.wait_for_timeout(500)
        assert asked == []
        expect(page.get_by_test_id("message-user")).to_have_count(0)


def test_copy_measure_link(browser, live_server: str):
    with open_page(browser, live_server, permissions=CLIPBOARD) as page:
        ask(page, "班主任每月绩效多少")
        page.locator('[data-testid="citation-chip"][data-measure="7"]').first.click()
        button = page.get_by_test_id("measure-copy-link")
        button.click()
        url = live_server.rstrip("/") + "/#m7"
        expect(button).to_have_text("已复制链接")
        expect(page.get_by_test_id("measure-link-status")).to_have_text(f"链接已复制：{url}")
        assert page.evaluate("navigator.clipboard.readText()") == url
        expect(button).to_have_text("复制链接", timeout=5000)  # the confirmation passes


def test_copy_measure_link_without_clipboard_shows_the_link_to_copy(browser, live_server: str):
    with open_page(browser, live_server, path="/#m7") as page:
        # A browser that grants no clipboard access at all (no API, legacy copy refused).
        page.evaluate("""() => {
            Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
            document.execCommand = () => false;
        }""")
        page.get_by_test_id("measure-copy-link").click()
        field = page.get_by_test_id("measure-link-input")
        expect(field).to_be_visible()
        expect(field).to_have_value(live_server.rstrip("/") + "/#m7")
        expect(field).to_be_focused()
        assert page.evaluate("getSelection().toString() || document.activeElement.value.slice("
                             "document.activeElement.selectionStart, document.activeElement.selectionEnd)"
                             ) == live_server.rstrip("/") + "/#m7"
        expect(page.get_by_test_id("measure-link-status")).to_contain_text("请手动复制")


def test_answer_link_opens_the_same_question(browser, live_server: str):
    with open_page(browser, live_server, permissions=CLIPBOARD) as page:
        answer = ask(page, "教师有惩戒权吗？")
        answer.get_by_test_id("answer-link-button").click()
        expect(answer.get_by_test_id("answer-link-button")).to_contain_text("已复制链接")
        link = page.evaluate("navigator.clipboard.readText()")
        assert link.startswith(live_server.rstrip("/") + "/?q=")

        other = page.context.new_page()
        other.goto(link)
        wait_ready(other)
        expect(other.get_by_test_id("message-user")).to_have_text(["教师有惩戒权吗？"])
        expect(wait_answer(other, 0).get_by_test_id("citation-chip").first).to_have_text("第6条")
