"""Fixtures for the browser tests: one JupyterLab server and one Chromium for the whole session.

The suite is marked ``browser``: ``pytest -m "not browser"`` deselects it. Without Playwright or a
Chromium binary it is skipped with a loud message (stderr and the terminal summary); with
``INCEPTION_REQUIRE_BROWSER=1`` (CI) the same situation is an error instead.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the harness, also under --import-mode=importlib
import harness as h  # noqa: E402

REQUIRE_ENV = "INCEPTION_REQUIRE_BROWSER"
_problem: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: widget tests in a real JupyterLab + Chromium (Playwright); "
                                       "deselect with -m 'not browser'")


def _required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def _banner(text: str) -> str:
    line = "!" * 100
    return f"\n{line}\n{text}\n{line}\n"


@pytest.fixture(scope="session", autouse=True)
def _browser_available(request: pytest.FixtureRequest) -> None:
    """Skip (or, with INCEPTION_REQUIRE_BROWSER=1, fail) every browser test when the tools are missing."""
    problem = h.browser_problem()
    if problem is None:
        return
    if not _problem:
        _problem.append(problem)
        verdict = "FAILING" if _required() else "SKIPPING"
        text = _banner(f"{verdict} tests/browser: {problem}"
                       + (f"\n{REQUIRE_ENV}=1 is set, so this is an error, not a skip." if _required() else
                          f"\nSet {REQUIRE_ENV}=1 to make this an error."))
        capman = request.config.pluginmanager.getplugin("capturemanager")
        if capman is not None:  # straight to the terminal's stderr, past pytest's output capture
            with capman.global_and_fixture_disabled():
                print(text, file=sys.stderr, flush=True)
        else:
            print(text, file=sys.stderr, flush=True)
    if _required():
        pytest.fail(f"{REQUIRE_ENV}=1 but {problem}", pytrace=False)
    pytest.skip(problem)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    if _problem:
        terminalreporter.section("browser widget tests NOT run", sep="!", red=True, bold=True)
        terminalreporter.write_line(_problem[0], red=True, bold=True)
        terminalreporter.write_line(f"({REQUIRE_ENV}=1 turns this into an error)" if not _required() else
                                    f"({REQUIRE_ENV}=1: reported as errors)", red=True)


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory):
    """JupyterLab serving a copy of notebooks/ and results/ (outputs cleared) from a temp dir."""
    tmp = tmp_path_factory.mktemp("jupyterlab")
    work = tmp / "work"
    h.prepare_workdir(work, h.REPO)
    server = h.LabServer(root=work, state=tmp / "state")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        b = h.launch_browser(pw)
        try:
            yield b
        finally:
            b.close()
    finally:
        pw.stop()


@pytest.fixture(scope="session")
def lab_context(browser):
    ctx = h.new_context(browser)
    try:
        yield ctx
    finally:
        ctx.close()


# ---------------------------------------------------------------------------------- executed notebooks
#: per notebook, the node id of the last collected test that uses it (filled after collection)
_last_user: dict[str, str] = {}

#: test parameter naming the notebook a test needs (see the ``executed`` fixture)
NOTEBOOK_ARG = "executed"


HERE = Path(__file__).resolve().parent


def _notebook_of(item: pytest.Item) -> str | None:
    """The notebook a test of this directory needs, if any."""
    callspec = getattr(item, "callspec", None)
    if callspec is None or HERE not in Path(str(item.path)).resolve().parents:
        return None
    return callspec.params.get(NOTEBOOK_ARG)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    """Group the browser tests by notebook (in notebook order, stable within a notebook), so that
    one notebook at a time is open and its kernel is shut down before the next one runs."""
    slots = [i for i, item in enumerate(items) if _notebook_of(item) in h.NOTEBOOKS]
    ordered = sorted((items[i] for i in slots), key=lambda it: h.NOTEBOOKS.index(_notebook_of(it)))
    for i, item in zip(slots, ordered):
        items[i] = item


def pytest_collection_finish(session: pytest.Session) -> None:
    for item in session.items:
        name = _notebook_of(item)
        if name:
            _last_user[name] = item.nodeid


class NotebookRuns:
    """Each notebook is opened and run once, however pytest orders the tests; its page (and
    kernel) is closed after the last test that needs it, or at the end of the session."""

    #: per-notebook ceilings; they only bound a hang (normal runs take a small fraction)
    OPEN_TIMEOUT_MS = 180_000
    RUN_TIMEOUT_S = 1800.0

    def __init__(self, server: h.LabServer, context) -> None:  # noqa: ANN001
        self.server, self.context = server, context
        self.open: dict[str, tuple] = {}
        self.done: set[str] = set()
        self.broken: dict[str, str] = {}  # notebooks that could not be opened: why

    def get(self, name: str):  # noqa: ANN201
        if name in self.broken:  # fail fast: do not wait for the same timeout once per test
            pytest.fail(self.broken[name], pytrace=False)
        if name not in self.open:
            if name in self.done:  # only if something re-ordered the tests: run it again
                print(f"\n[browser] re-running {name}", file=sys.stderr)
            try:
                page = h.open_notebook(self.context, self.server, name, timeout_ms=self.OPEN_TIMEOUT_MS)
            except Exception as e:
                self.broken[name] = f"could not open {name} in JupyterLab: {e}\n{self.server.log_tail(20)}"
                pytest.fail(self.broken[name], pytrace=False)
            result = h.run_notebook(page, name, timeout_s=self.RUN_TIMEOUT_S)
            print(f"\n[browser] {name}: Run All took {result.seconds:.1f} s, "
                  f"{result.executed}/{result.expected} code cells executed")
            for text in result.stderr:
                if text not in result.errors:
                    print(f"[browser] {name}: stderr output (not an error): {text.strip()[:300]}")
            self.open[name] = (page, result)
        return self.open[name]

    def release(self, name: str, nodeid: str) -> None:
        """Called after each test using ``name``: close it after its last user."""
        if _last_user.get(name) == nodeid:
            self.close(name)

    def close(self, name: str) -> None:
        if name in self.open:
            page, _ = self.open.pop(name)
            self.done.add(name)
            h.close_notebook(page, self.server, name)

    def close_all(self) -> None:
        for name in list(self.open):
            self.close(name)


@pytest.fixture(scope="session")
def notebook_runs(lab_server, lab_context):
    runs = NotebookRuns(lab_server, lab_context)
    try:
        yield runs
    finally:
        runs.close_all()
