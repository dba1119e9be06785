"""The website (``inception-site``) in a real browser: the landing page and a notebook page.

The site is built into a temporary folder from the committed notebooks and served over local
HTTP. Checks: no console error, every image loaded (``naturalWidth > 0``), every link inside the
site resolves. The pages load three scripts from CDNs (require.js, MathJax, the ipywidgets HTML
manager that renders widgets from their stored state); CI has no network, so those requests
are answered with an empty script, and the test checks that nothing else leaves the machine.
Set INCEPTION_SCREENSHOT_DIR to also save the screenshot of the landing page shown in the README.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from pathlib import Path

import pytest

import harness as h

pytestmark = pytest.mark.browser

#: what nbconvert's lab template loads from the internet (the published site needs them)
ALLOWED_EXTERNAL = ("https://cdnjs.cloudflare.com/ajax/libs/require.js/",
                    "https://cdnjs.cloudflare.com/ajax/libs/mathjax/",
                    "https://unpkg.com/@jupyter-widgets/html-manager@")
PAGE_TIMEOUT_MS = 120_000
NOTEBOOK_PAGE = "02_building_the_inception_block.html"  # figures and widgets


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # noqa: ANN002
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory):
    from inception.app import site

    out = tmp_path_factory.mktemp("site")
    site.build_site(out, h.REPO / "notebooks")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site_page(browser):  # noqa: ANN001, ANN201
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, service_workers="block")
    page = ctx.new_page()
    page.external, page.errors = [], []  # type: ignore[attr-defined]

    def offline(route) -> None:  # noqa: ANN001
        page.external.append(route.request.url)
        route.fulfill(status=200, body="", content_type="application/javascript")

    page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), offline)
    page.on("pageerror", lambda e: page.errors.append(f"page error: {e}"))
    page.on("console", lambda m: page.errors.append(f"console: {m.text}") if m.type == "error" else None)
    try:
        yield page
    finally:
        ctx.close()


def _check(page, url: str) -> dict:  # noqa: ANN001
    """Open ``url``; assert no error, every image loaded, every internal link resolves."""
    response = page.goto(url, wait_until="load", timeout=PAGE_TIMEOUT_MS)
    assert response is not None and response.status == 200, url
    page.wait_for_load_state("networkidle", timeout=PAGE_TIMEOUT_MS)
    images = page.evaluate("""() => Array.from(document.images).map(
        i => ({src: i.currentSrc.slice(0, 80), ok: i.complete && i.naturalWidth > 0}))""")
    assert all(i["ok"] for i in images), [i["src"] for i in images if not i["ok"]]
    hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    internal = sorted({href.split("#")[0] for href in hrefs if href.startswith(url.rsplit("/", 1)[0])})
    for link in internal:
        assert page.request.get(link).status == 200, f"{url}: broken link {link}"
    assert not page.errors, page.errors
    assert all(u.startswith(ALLOWED_EXTERNAL) for u in page.external), page.external
    return {"images": len(images), "links": internal}


def test_landing_page(site_page, site_url: str) -> None:  # noqa: ANN001
    seen = _check(site_page, site_url + "index.html")
    notebooks = sorted(p.with_suffix(".html").name for p in (h.REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [link.rsplit("/", 1)[1] for link in seen["links"] if "_" in link.rsplit("/", 1)[1]] == notebooks
    shots = os.environ.get("INCEPTION_SCREENSHOT_DIR")
    if shots:
        site_page.screenshot(path=str(Path(shots) / "site_landing.png"))


def test_notebook_page(site_page, site_url: str) -> None:  # noqa: ANN001
    seen = _check(site_page, site_url + NOTEBOOK_PAGE)
    assert seen["images"] >= 1  # the notebook's figures
    assert site_url + "index.html" in seen["links"]
