"""axe-core (bundled in the axe-playwright-python package: no CDN) finds no violations on the home
page, an answer, a decline, small talk, an English answer and an open measure panel, on a phone and
on a desktop."""
from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api")
axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright")
from chat_page import WIDTHS, ask, open_page  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser

AXE = axe_sync.Axe()


def assert_no_violations(page: Page, where: str) -> None:
    violations = AXE.run(page).response["violations"]
    details = "\n".join(f"{v['id']} ({v['impact']}): {v['help']} — "
                        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5]) for v in violations)
    assert not violations, f"axe-core at {where}:\n{details}"


@pytest.mark.parametrize("width,height", WIDTHS)
def test_no_axe_violations(browser, live_server: str, width: int, height: int):
    with open_page(browser, live_server, width, height) as page:
        expect(page.locator("#doc-title")).to_contain_text("聊城")
        assert_no_violations(page, f"home, {width}px")
        ask(page, "班主任每月绩效多少")
        assert_no_violations(page, f"an answer, {width}px")
        ask(page, "医保怎么报销")
        assert_no_violations(page, f"a decline, {width}px")
        ask(page, "你好")
        ask(page, "Can teachers punish students?")
        assert_no_violations(page, f"small talk and an English answer, {width}px")
        page.locator('[data-testid="citation-chip"][data-measure="7"]').first.click()
        expect(page.get_by_test_id("measure-panel").locator("mark").first).to_be_visible()
        assert_no_violations(page, f"the measure panel, {width}px")
