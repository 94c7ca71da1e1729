"""The interactive API docs, /docs (Swagger UI) and /redoc, working offline.

FastAPI's own pages load their scripts from a CDN and start them with an inline script: blank on a
machine without internet, and blocked by a CSP without 'unsafe-inline'. Here the scripts come from
the `fastapi-offline` package (which ships Swagger UI and ReDoc builds), the start-up code is a
file (docs_assets/docs-init.js), and each page gets a policy that allows exactly that.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs-assets"
# ReDoc's styled components inject <style> elements and its search runs in a blob: worker.
DOCS_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; "
               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
DOCS_PAGES = ("/docs", "/redoc")


def install_docs(app: FastAPI) -> None:
    """Serve /docs, /redoc and their assets; the app must be created with docs_url=redoc_url=None."""
    app.mount(ASSETS, StaticFiles(directory=Path(__file__).parent / "docs_assets",
                                  packages=[("fastapi_offline", "static")]), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return _page(f"{app.title} · Swagger UI", "swagger-ui", openapi_url, "swagger-ui-bundle.js",
                     stylesheet="swagger-ui.css")

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _page(f"{app.title} · ReDoc", "redoc", openapi_url, "redoc.standalone.js")


def _page(title: str, element: str, openapi_url: str, script: str, stylesheet: str | None = None) -> HTMLResponse:
    css = f'<link rel="stylesheet" href="{ASSETS}/{stylesheet}">' if stylesheet else ""
    return HTMLResponse(f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="icon" href="{ASSETS}/favicon.png">
{css}
</head>
<body>
<div id="{element}" data-openapi="{escape(openapi_url)}"></div>
<script src="{ASSETS}/{script}"></script>
<script src="{ASSETS}/docs-init.js"></script>
</body>
</html>
""")
