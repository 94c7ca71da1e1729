"""/docs and /redoc render the API's operations in real headless Chromium, from this server alone:
no CDN, no inline script, no CSP violation."""
from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, live_server):
    """A page that may reach only the server: anything else is aborted and recorded, as are
    console errors (a CSP violation is one)."""
    context = browser.new_context()
    page = context.new_page()
    page.outside, page.errors = [], []  # type: ignore[attr-defined]
    server = urlsplit(live_server).netloc

    def route(r):
        if urlsplit(r.request.url).netloc not in (server, ""):
            page.outside.append(r.request.url)
            return r.abort()
        return r.continue_()

    context.route("**/*", route)
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def test_swagger_ui_renders_the_operations(page, live_server):
    response = page.goto(f"{live_server}/docs")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible(timeout=30_000)
    paths = [p.strip() for p in page.locator(".opblock-summary-path").all_inner_texts()]
    assert {"/api/ask", "/api/feedback", "/api/measures/{number}", "/api/health"} <= {p.replace("\u200b", "") for p in paths}
    page.locator(".opblock-summary", has_text="/api/health").first.click()  # an operation opens
    expect(page.locator(".opblock.is-open")).to_have_count(1)
    assert page.outside == [] and page.errors == []


def test_redoc_renders_the_operations(page, live_server):
    page.goto(f"{live_server}/redoc")
    expect(page.get_by_text("/api/ask").first).to_be_attached(timeout=30_000)
    expect(page.locator("h2", has_text="Ask").first).to_be_visible()
    # ReDoc's "API docs by Redocly" footer links a logo on Redocly's CDN, with no option to turn it
    # off; the CSP blocks it (nothing leaves the machine) and the page works without it.
    branding = [e for e in page.errors if "cdn.redoc.ly/redoc/logo-mini.svg" in e]
    assert page.outside == [] and [e for e in page.errors if e not in branding] == []


def test_only_the_docs_pages_get_the_docs_policy(live_server):
    strict = httpx.get(f"{live_server}/").headers["content-security-policy"]
    assert "unsafe-inline" not in strict
    for path in ("/docsfoo", "/docs/", "/redocx", "/docs-assets/docs-init.js"):
        assert httpx.get(f"{live_server}{path}").headers["content-security-policy"] == strict, path
    for path in ("/docs", "/redoc"):
        html = httpx.get(f"{live_server}{path}").text
        assert "<script>" not in html and "cdn" not in html.lower()
