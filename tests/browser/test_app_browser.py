"""``inception-explorer`` in a real browser: the Voila app on a free port, driven by Playwright.

The app is started as a user starts it (``inception-explorer --no-browser --port P``; the module
form ``python -m inception.app.cli`` where the console script is not installed in this
interpreter's environment). Checks: each tab shows its explorer with no error, a slider moved
with the keyboard changes what it drives, and a bad upload in the feature browser shows its
message. Set INCEPTION_SCREENSHOT_DIR to also save the 1280x720 screenshot shown in the README.
"""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import harness as h

pytestmark = pytest.mark.browser

#: a bound for a hang (Voila runs the dashboard, which loads a checkpoint), not a speed requirement
START_TIMEOUT_S = 240.0
CHANGE_TIMEOUT_MS = 120_000
VOILA_ERROR_TEXTS = ("Error displaying widget", "Traceback", "Error")


def explorer_command() -> list[str]:
    script = Path(sys.executable).parent / "inception-explorer"
    return [str(script)] if script.exists() else [sys.executable, "-m", "inception.app.cli"]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory):
    if importlib.util.find_spec("voila") is None:
        why = "inception-explorer needs Voila: pip install -e '.[dev]'"
        if os.environ.get("INCEPTION_REQUIRE_BROWSER", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(why, pytrace=False)  # CI: a missing tool is an error, as for the other browser tests
        pytest.skip(why)
    port = h.free_port()
    log_path = tmp_path_factory.mktemp("voila") / "voila.log"
    env = dict(os.environ, JUPYTER_PLATFORM_DIRS="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")  # this kernel
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([*explorer_command(), "--no-browser", "--port", str(port)], env=env,
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"inception-explorer exited with code {proc.returncode}:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=10) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"inception-explorer did not answer within {START_TIMEOUT_S:.0f} s:\n"
                            f"{log_path.read_text()}")
            time.sleep(0.5)
        yield url
    finally:
        for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, sig)  # the process group we started: Voila and its kernel
                except ProcessLookupError:
                    pass
                try:
                    proc.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    pass


@pytest.fixture(scope="module")
def app_page(app_url, browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, service_workers="block")
    page = ctx.new_page()
    external: list[str] = []
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: _offline(route, external))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.goto(app_url, timeout=START_TIMEOUT_S * 1000)
    page.locator(".inception-app").wait_for(timeout=START_TIMEOUT_S * 1000)
    page.errors = errors  # type: ignore[attr-defined]
    page.external = external  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        ctx.close()


#: what Voila's page template fetches from the internet: Font Awesome's icon CSS (the app works
#: without it; offline, icons are missing). Nothing else may leave the machine.
ALLOWED_EXTERNAL = ("https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@",)


def _offline(route, external: list[str]) -> None:  # noqa: ANN001
    """CI has no network: answer external requests with an empty body (so that a missing CDN is
    not reported as a console error) and record them."""
    external.append(route.request.url)
    route.fulfill(status=200, body="", content_type="text/css" if ".css" in route.request.url else "text/plain")


def section(page, title: str):  # noqa: ANN001, ANN201
    """The tab content whose one-line explanation starts with ``title``."""
    intro = page.locator(".inception-app-intro", has_text=f"{title}.")
    return page.locator(".widget-vbox").filter(has=intro).last


def open_tab(page, title: str):  # noqa: ANN001, ANN201
    page.locator(".lm-TabBar-tab", has_text=h._exact(title)).click()
    sec = section(page, title)
    sec.wait_for(state="visible", timeout=CHANGE_TIMEOUT_MS)
    return sec


def assert_no_error(page) -> None:  # noqa: ANN001
    assert not h.widget_error_texts(page)
    assert not page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']").count()
    assert not page.errors, page.errors
    assert all(u.startswith(ALLOWED_EXTERNAL) for u in page.external), page.external


def test_app_shows_three_tabs_and_a_title(app_page) -> None:  # noqa: ANN001
    tabs = app_page.locator(".lm-TabBar-tab").all_inner_texts()
    assert [t.strip() for t in tabs] == ["Block builder", "Network explorer", "Feature maps"]
    assert "Inception v1 explorers" in app_page.locator(".inception-app h1").inner_text()
    # no code is shown (Voila strips the sources)
    assert "import dashboard" not in app_page.locator("body").inner_text()
    assert app_page.locator(".jp-CodeMirrorEditor, .cm-editor").count() == 0
    assert_no_error(app_page)
    shots = os.environ.get("INCEPTION_SCREENSHOT_DIR")
    if shots:
        app_page.screenshot(path=str(Path(shots) / "explorer_app.png"))


@pytest.mark.parametrize(("tab", "slider", "output", "expect"), [
    ("Block builder", "ch1x1", ".widget-html >> nth=1", "1x1 conv, {value}"),
    ("Network explorer", "input px", ".widget-html >> nth=1", "{value}x{value} px"),
    ("Feature maps", "channel", ".widget-html >> nth=-1", None),  # the picture and readout: one view
], ids=["blocks", "network", "features"])
def test_moving_a_slider_changes_the_output(app_page, tab: str, slider: str, output: str,  # noqa: ANN001
                                            expect: str | None) -> None:
    sec = open_tab(app_page, tab)
    s = h.slider_by_label(sec, slider)
    s.wait_for(timeout=CHANGE_TIMEOUT_MS)
    assert h.sliders(sec).count() >= 1
    target = sec.locator(output)
    before = h.snapshot(target)
    h.press_slider(s, "ArrowRight")
    h.wait_changed(app_page, target, before, CHANGE_TIMEOUT_MS)
    if expect:
        want = expect.format(value=h.slider_readout(s))
        app_page.wait_for_function("([el, want]) => el.textContent.includes(want)",
                                   arg=[sec.element_handle(), want], timeout=CHANGE_TIMEOUT_MS)
    assert_no_error(app_page)


def test_block_builder_has_its_eight_sliders(app_page) -> None:  # noqa: ANN001
    sec = open_tab(app_page, "Block builder")
    assert h.sliders(sec).count() == 8  # input channels, H = W and the six filter counts (notebook 02)


def test_bad_upload_shows_its_message(app_page) -> None:  # noqa: ANN001
    sec = open_tab(app_page, "Feature maps")
    h.upload_file(app_page, sec, "notes.png", b"this is not an image", CHANGE_TIMEOUT_MS)
    status = sec.locator(".widget-html", has_text="Could not use notes.png")
    status.first.wait_for(timeout=CHANGE_TIMEOUT_MS)
    assert h.dropdown_by_label(sec, "image").input_value() != "notes.png"
    assert_no_error(app_page)
