"""The page with several documents: a filter to ask within one, browsing each, chips that name the law
and open its article on the quote, and the question which document a bare article means."""
from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api")
from chat_page import ask  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser


def test_a_law_chip_names_the_law_and_opens_the_article_on_the_quote(session: Page, live_server: str):
    page = session
    with page.expect_response(re.compile(r"/api/ask$")) as info:
        answer = ask(page, "教师法第二十五条讲了什么")
    data = info.value.json()
    assert [(c["document"], c["measure"]) for c in data["citations"]] == [("teachers-law", 25)]
    expect(answer.get_by_test_id("answer-lead")).to_have_text(data["lead"])
    chip = answer.locator('[data-testid="citation-chip"][data-document="teachers-law"][data-measure="25"]').first
    expect(chip).to_have_text("教师法 第二十五条")
    expect(answer.locator(".cite-title").first).to_have_text("国家 · 《中华人民共和国教师法》（2009年8月27日修正）")
    chip.click()
    panel = page.get_by_test_id("measure-panel")
    expect(panel.locator("h2")).to_have_text("教师法 第二十五条")
    expect(panel.locator("mark")).to_have_count(1)
    expect(panel.locator("mark")).to_contain_text("国家公务员的平均工资水平")
    expect(page).to_have_url(re.compile(r"/#teachers-law/25$"))
    page.keyboard.press("Escape")
    expect(chip).to_be_focused()
    assert page.errors == []  # type: ignore[attr-defined]


def test_an_answer_from_several_levels_shows_each(session: Page):
    page = session
    with page.expect_response(re.compile(r"/api/ask$")) as info:
        answer = ask(page, "幼儿园的收费标准是谁定的")
    data = info.value.json()
    levels = [c["document_level"] for c in data["citations"] if c["quotes"]]
    assert "国家" in levels and "山东省" in levels
    expect(answer.get_by_test_id("answer-lead")).to_have_text("以下依次是国家和山东省的规定：")
    captions = answer.locator(".quote-source .cite-title").all_inner_texts()
    assert any(t.startswith("国家 · 《中华人民共和国学前教育法》") for t in captions)
    assert any(t.startswith("山东省 · 《山东省学前教育条例》") for t in captions)


def test_the_header_names_what_the_documents_are_together(session: Page):
    page = session
    expect(page.locator("#doc-title")).to_have_text("聊城市教育政策及国家、山东省教育法律法规")
    expect(page.locator(".doc-meta")).to_have_text("共12份文件")  # no issuers, so no separator after them


def test_the_filter_asks_within_one_document(session: Page):
    page = session
    choice = page.get_by_test_id("document-filter")
    expect(choice).to_be_visible()
    expect(choice.locator("option")).to_have_count(13)  # all, and each of the twelve
    choice.select_option("teachers-law")
    sent: list[dict] = []
    page.on("request", lambda r: sent.append(r.post_data_json) if r.url.endswith("/api/ask") else None)
    answer = ask(page, "老师的工资有什么规定")
    assert sent[-1]["documents"] == ["teachers-law"]
    chips = answer.get_by_test_id("citation-chip")
    assert set(chips.evaluate_all("els => els.map(e => e.dataset.document)")) == {"teachers-law"}
    choice.select_option("")
    ask(page, "班主任每月绩效多少")
    assert "documents" not in sent[-1]


def test_browsing_each_document(session: Page):
    page = session
    page.get_by_test_id("browse-button").click()
    items = page.get_by_test_id("browse-measure")
    expect(items).to_have_count(24)  # the policy first
    page.get_by_test_id("browse-document").select_option("teachers-law")
    expect(items).to_have_count(43)
    expect(page.get_by_test_id("browse-panel").locator("h3")).to_have_count(9)
    article = page.locator('[data-testid="browse-measure"][data-measure="25"]')
    expect(article.locator(".browse-num")).to_have_text("第二十五条")
    expect(article.locator(".browse-title")).to_contain_text("教师的平均工资水平")
    article.click()
    panel = page.get_by_test_id("measure-panel")
    expect(panel.locator("h2")).to_have_text("教师法 第二十五条")
    page.keyboard.press("Escape")
    page.get_by_test_id("browse-document").select_option("sd-education-supervision-reg")
    expect(items).to_have_count(22)  # no chapters: one list under its name
    expect(page.get_by_test_id("browse-panel").locator("h3")).to_have_text(["山东省教育督导条例"])


def test_a_bare_article_asks_which_document(session: Page):
    page = session
    answer = ask(page, "第十二条")
    expect(answer).to_have_attribute("data-kind", "choose_document")
    expect(answer.get_by_test_id("feedback-up")).to_have_count(0)
    answer.get_by_test_id("suggestion").filter(has_text="教师法第十二条").click()
    picked = page.get_by_test_id("message-assistant").nth(1)
    expect(picked.get_by_test_id("citation-chip")).to_have_text("教师法 第十二条", timeout=60_000)
    # the conversation's document reads the next bare article
    follow = ask(page, "那第十三条呢")
    expect(follow.get_by_test_id("citation-chip")).to_have_text("教师法 第十三条")
