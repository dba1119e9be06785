"""Notebook 05's upload of a file over the Jupyter server's default websocket limit, in a real JupyterLab.

Everything a widget sends travels over the kernel's websocket. Tornado's default
``websocket_max_message_size`` is 10 MiB: a larger message closes the connection, the file never
reaches the kernel, JupyterLab shows "Connection lost", the kernel logs "No such comm" and the
feature browser is dead until its cell is re-run. The repository's ``jupyter_server_config.json``
raises the limit (to ``inception.app.cli.WEBSOCKET_MAX_MESSAGE_SIZE``); the harness starts
JupyterLab with it exactly as the README does (``jupyter lab --config=jupyter_server_config.json``).

Here a 12 MB file (over tornado's default, under the raised limit) must reach the kernel and get
the widget's own size message, and a small picture uploaded afterwards must be shown: the widget
and its connection are still alive.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

import harness as h

pytestmark = pytest.mark.browser

NOTEBOOK = "05_feature_maps.ipynb"
#: tornado's default websocket_max_message_size (tornado.websocket, 10 MiB)
TORNADO_DEFAULT_LIMIT = 10 * 2**20
#: the size of the too-large file: over tornado's default, so without the repository's config it
#: would cut the connection instead of reaching the widget
HUGE_BYTES = 12_000_000
#: a bound for a hang, not a speed requirement
CHANGE_TIMEOUT_MS = 120_000


@pytest.fixture
def executed(request, notebook_runs):  # noqa: ANN001, ANN201
    """Notebook ``request.param`` opened and run once for every test that uses it (the same
    fixture as in test_widgets_browser.py, so conftest runs 05 once for both files)."""
    name = request.param
    page, result = notebook_runs.get(name)
    yield page, result
    notebook_runs.release(name, request.node.nodeid)


def test_repository_config_raises_the_limit_past_the_huge_file() -> None:
    """The file the harness passes is the repository's, and its limit is the package's one value."""
    from inception.app import cli

    assert h.SERVER_CONFIG.is_file(), h.SERVER_CONFIG
    limit = json.loads(h.SERVER_CONFIG.read_text())["ServerApp"]["tornado_settings"]["websocket_max_message_size"]
    assert limit == cli.WEBSOCKET_MAX_MESSAGE_SIZE
    assert TORNADO_DEFAULT_LIMIT < HUGE_BYTES < limit


def _diagnosis(page: Any, server: h.LabServer) -> str:
    """What to print when the widget did not answer: the kernel's connection and the server log."""
    lost = page.get_by_text("Connection lost").count() > 0 or page.get_by_text("Kernel Restarting").count() > 0
    return (f"kernel: {h.kernel_status(page, NOTEBOOK)}; page shows 'Connection lost': {lost}\n"
            f"server log:\n{server.log_tail(20)}")


@pytest.mark.parametrize("executed", [NOTEBOOK], indirect=True, ids=["05"])
def test_upload_over_the_server_default_limit_gets_the_widgets_message(executed, lab_server) -> None:  # noqa: ANN001
    page, result = executed
    if result.problems():
        pytest.fail(f"{NOTEBOOK} did not run cleanly:\n" + "\n".join(result.problems()), pytrace=False)
    from PIL import Image

    out_area = h.cell_with_source(page, "widgets.feature_browser(").locator(".jp-OutputArea")
    limit = int(h.kernel_exec(page, NOTEBOOK, h.PRINT_UPLOAD_LIMIT).strip())
    limit_text = f"up to {limit // 10**6} MB"

    # a PNG signature and then zeros: the widget checks the size before it decodes anything
    huge = b"\x89PNG\r\n\x1a\n" + bytes(HUGE_BYTES - 8)
    h.upload_file(page, out_area, "huge.png", huge, CHANGE_TIMEOUT_MS)
    status = out_area.locator(".widget-html").filter(has_text="Could not use huge.png").first
    try:
        text = status.inner_text(timeout=CHANGE_TIMEOUT_MS)
    except Exception as e:  # playwright's TimeoutError: the file never reached the kernel
        pytest.fail(f"no size message for a {HUGE_BYTES / 1e6:.0f} MB upload ({type(e).__name__}); "
                    f"was the server's websocket limit raised?\n{_diagnosis(page, lab_server)}", pytrace=False)
    assert f"it is {HUGE_BYTES // 10**6} MB" in text and limit_text in text, text
    try:  # the kernel is still connected (the message came back over the same websocket)
        h.wait_kernel_idle(page, NOTEBOOK, timeout_ms=30_000)
    except Exception:
        pytest.fail(f"the kernel is not idle and connected after the upload\n{_diagnosis(page, lab_server)}",
                    pytrace=False)
    image_menu = h.dropdown_by_label(out_area, "image")
    assert image_menu.input_value() != "huge.png"

    # the widget is alive: a small picture uploaded next is added, selected and shown
    buf = io.BytesIO()
    Image.new("RGB", (44, 36), (40, 90, 200)).save(buf, format="PNG")
    view = out_area.locator(".widget-html").last  # the picture and its readout: one view
    before = h.snapshot(view)
    h.upload_file(page, out_area, "after-huge.png", buf.getvalue(), CHANGE_TIMEOUT_MS)
    added = out_area.locator(".widget-html").filter(has_text="Added after-huge.png").first
    try:
        added.wait_for(timeout=CHANGE_TIMEOUT_MS)
        h.wait_changed(page, view, before, timeout_ms=CHANGE_TIMEOUT_MS)
    except Exception as e:
        pytest.fail(f"the small upload after the huge one was not shown ({type(e).__name__})\n"
                    f"{_diagnosis(page, lab_server)}", pytrace=False)
    from playwright.sync_api import expect

    expect(image_menu).to_have_value("after-huge.png", timeout=CHANGE_TIMEOUT_MS)
    page.wait_for_function("(el) => el.textContent.includes('image after-huge.png')",
                           arg=view.element_handle(), timeout=CHANGE_TIMEOUT_MS)
    assert view.locator("img").count() >= 1  # the picture itself, not only the readout
    assert not h.widget_error_texts(page)


# ---------------------------------------------------------------------------------- the app
# inception-explorer (Voila) raises the same limit on its own command line: the same upload there
from test_app_browser import app_page, app_url, open_tab  # noqa: E402,F401  (module-scoped fixtures)


def test_app_upload_over_the_server_default_limit_gets_the_widgets_message(app_page) -> None:  # noqa: ANN001,F811
    from PIL import Image

    sec = open_tab(app_page, "Feature maps")

    h.upload_file(app_page, sec, "huge.png", b"\x89PNG\r\n\x1a\n" + bytes(HUGE_BYTES - 8), CHANGE_TIMEOUT_MS)
    status = sec.locator(".widget-html", has_text="Could not use huge.png").first
    try:
        text = status.inner_text(timeout=CHANGE_TIMEOUT_MS)
    except Exception as e:
        pytest.fail(f"the app gave no size message for a {HUGE_BYTES / 1e6:.0f} MB upload ({type(e).__name__}): "
                    "is Voila's websocket limit raised?", pytrace=False)
    assert f"it is {HUGE_BYTES // 10**6} MB" in text, text
    buf = io.BytesIO()
    Image.new("RGB", (44, 36), (40, 90, 200)).save(buf, format="PNG")
    h.upload_file(app_page, sec, "after-huge.png", buf.getvalue(), CHANGE_TIMEOUT_MS)  # still alive
    sec.locator(".widget-html", has_text="Added after-huge.png").first.wait_for(timeout=CHANGE_TIMEOUT_MS)
    from playwright.sync_api import expect

    expect(h.dropdown_by_label(sec, "image")).to_have_value("after-huge.png", timeout=CHANGE_TIMEOUT_MS)
    assert not h.widget_error_texts(app_page)
