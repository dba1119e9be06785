"""Launch paths that CI cannot reach (Binder, Colab): their files are checked here.

* ``tools/colab_setup.py`` is the first code cell of every notebook (verbatim). Locally, with the
  package importable, it does nothing; on Colab (simulated: a fake ``google.colab``) it enables
  the ipywidgets 8 widget manager and installs the package from ``REPO_URL``.
* ``binder/environment.yml`` has the packages of ``environment.yml``, an exact Python version and
  no ``-e .``; ``binder/postBuild`` installs the package.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
SNIPPET_PATH = ROOT / "tools" / "colab_setup.py"
SNIPPET = SNIPPET_PATH.read_text()
REPO_URL = re.search(r'^REPO_URL = "([^"]+)"', SNIPPET, re.M).group(1)
NOTEBOOK_SOURCES = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
TAG = "colab-setup"


def _run(snippet: str = SNIPPET) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        exec(compile(snippet, str(SNIPPET_PATH), "exec"), {"__name__": "__main__"})
    return out.getvalue(), err.getvalue()


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list:
    calls: list = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(("run", a[0])))
    monkeypatch.setattr(os, "chdir", lambda path: calls.append(("chdir", path)))
    return calls


def test_does_nothing_where_the_package_imports(recorded: list) -> None:
    assert importlib.util.find_spec("inception") is not None
    assert "google.colab" not in sys.modules
    cwd, modules = os.getcwd(), set(sys.modules)
    assert _run() == ("", "")
    assert recorded == [] and os.getcwd() == cwd
    assert {m for m in set(sys.modules) - modules if not m.startswith("_")} <= {"importlib.util"}


def test_outside_colab_a_missing_package_is_a_clear_error(recorded: list, monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "inception" else real(name, *a))
    with pytest.raises(ModuleNotFoundError, match="pip install -e ."):
        _run()
    assert recorded == []


def _fake_colab(monkeypatch: pytest.MonkeyPatch) -> list:
    enabled: list = []
    colab = types.ModuleType("google.colab")
    colab.output = types.SimpleNamespace(enable_custom_widget_manager=lambda: enabled.append(True))
    google = types.ModuleType("google")
    google.colab = colab
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    return enabled


def test_on_colab_installs_the_package_and_enables_widgets(recorded: list, monkeypatch: pytest.MonkeyPatch) -> None:
    enabled = _fake_colab(monkeypatch)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "inception" else real(name, *a))
    monkeypatch.setattr(os.path, "isdir", lambda path: any(c[0] == "run" and "clone" in c[1] for c in recorded))
    url = "https://github.com/someone/inception-notebooks"
    _run(SNIPPET.replace(REPO_URL, url, 1))
    repo = "/content/inception-notebooks"
    assert enabled == [True]
    assert recorded == [("run", ["git", "clone", "--depth", "1", url, repo]),
                        ("run", [sys.executable, "-m", "pip", "install", "--quiet", repo]),
                        ("chdir", repo + "/notebooks")]


def test_on_colab_the_placeholder_url_is_refused(recorded: list, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_colab(monkeypatch)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "inception" else real(name, *a))
    if "/OWNER/" not in REPO_URL:
        pytest.skip("REPO_URL is set")
    with pytest.raises(RuntimeError, match="placeholder OWNER"):
        _run()
    assert recorded == []


@pytest.mark.parametrize("source", NOTEBOOK_SOURCES, ids=[p.stem for p in NOTEBOOK_SOURCES])
def test_every_notebook_starts_with_the_setup_cell(source: Path) -> None:
    nb = jupytext.read(source)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert first.source == SNIPPET.rstrip("\n"), f"{source.name}: the first code cell is not tools/colab_setup.py"
    assert TAG in first.metadata.get("tags", [])


def _packages(path: Path) -> list[str]:
    deps = path.read_text().split("dependencies:", 1)[1]
    return [m.group(1) for m in re.finditer(r"^  - ([A-Za-z0-9_.\-]+)(?:[<>=\s]|$)", deps, re.M)]


def test_binder_environment() -> None:
    binder = (ROOT / "binder" / "environment.yml").read_text()
    assert _packages(ROOT / "binder" / "environment.yml") == _packages(ROOT / "environment.yml")
    assert re.search(r"^  - python=\d+\.\d+\.\d+$", binder, re.M), "Binder needs an exact Python version"
    assert not re.search(r"^\s*- -e", binder, re.M)  # repo2docker builds the environment before the repository is there
    post = ROOT / "binder" / "postBuild"
    assert os.access(post, os.X_OK) and "pip install --no-deps -e ." in post.read_text()


def test_readme_badges_use_the_one_repository_url() -> None:
    readme = (ROOT / "README.md").read_text()
    slug = REPO_URL.removeprefix("https://github.com/")
    assert f"https://mybinder.org/v2/gh/{slug}/HEAD" in readme
    assert f"https://colab.research.google.com/github/{slug}/blob/main/notebooks/00_index.ipynb" in readme
    assert "tools/colab_setup.py" in readme
