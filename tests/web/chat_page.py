"""Driving the chat page in headless Chromium: opening it, asking, running axe, saving screenshots.

Shared by the browser tests in this folder; the `browser` and `session` fixtures in conftest.py use it.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, expect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ANSWER_TIMEOUT_MS = 60_000  # the real model answers on CPU
WIDTHS = [(375, 800), (1280, 900)]  # a phone and a desktop


@contextmanager
def open_page(browser, live_server: str, width: int = 1280, height: int = 900, path: str = "/",
              permissions: list[str] | None = None) -> Iterator[Page]:
    """A new page in a fresh context, closed on leaving; `page.errors` and `page.dialogs` collect what
    went wrong."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                  permissions=permissions or [])
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.dialogs = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        page.goto(live_server.rstrip("/") + path)
        wait_ready(page)
        yield page
    finally:
        context.close()


def wait_ready(page: Page) -> None:
    expect(page.get_by_test_id("question-input")).to_be_visible()
    page.wait_for_function("document.documentElement.dataset.ready === 'true'")


def ask(page: Page, question: str):
    """Type a question, press Enter, and return the locator of the new assistant message."""
    before = page.get_by_test_id("message-assistant").count()
    box = page.get_by_test_id("question-input")
    box.fill(question)
    box.press("Enter")
    return wait_answer(page, before)


def wait_answer(page: Page, before: int):
    answers = page.get_by_test_id("message-assistant")
    expect(answers).to_have_count(before + 1, timeout=ANSWER_TIMEOUT_MS)
    expect(page.get_by_test_id("loading")).to_have_count(0)
    return answers.nth(before)


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
