"""The README stays true for a new user: its Python snippets run and every access path it names exists."""

from __future__ import annotations

import configparser
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
SNIPPETS = re.findall(r"```python\n(.*?)```", README, re.S)
# `inception.weights.googlenet_imagenet()`, `inception.table1.table1_table`, ... in prose or code
ACCESS_PATHS = sorted(set(re.findall(r"\binception(?:\.[A-Za-z_]\w*)+", README)))
MODULES = sorted(set(re.findall(r"python -m (inception(?:\.\w+)+)", README)))


def test_readme_has_snippets_and_paths():
    assert SNIPPETS and ACCESS_PATHS and MODULES


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[f"snippet{i}" for i in range(len(SNIPPETS))])
def test_readme_python_snippet_runs(snippet: str):
    exec(compile(snippet, "README.md", "exec"), {})


@pytest.mark.parametrize("path", ACCESS_PATHS)
def test_readme_access_path_exists_after_plain_import(path: str):
    # A fresh interpreter, so that no earlier test has imported the submodules already.
    code = f"import inception\nobj = inception\nfor part in {path.split('.')[1:]!r}:\n    obj = getattr(obj, part)\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, f"{path}: {done.stderr.strip().splitlines()[-1:]}"


@pytest.mark.parametrize("module", MODULES)
def test_readme_commands_have_help(module: str):
    importlib.import_module(module)
    done = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert f"python -m {module}" in done.stdout  # the usage line shows how to call it


def test_plain_import_loads_no_plotting_or_widgets():
    code = "import sys, inception; print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_nbval_sanitizer_matches_addresses_only():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "tests" / "nbval_sanitize.cfg")
    section = cfg["memory addresses"]
    pattern = re.compile(section["regex"])
    assert pattern.sub(section["replace"], "<Figure at 0x7f3a2b1c0d90>") == "<Figure at 0xADDRESS>"
    for text in ("720x256 px", "a 20x20 px input", "0x1 offsets", "width 0x10"):
        assert pattern.sub(section["replace"], text) == text


def test_readme_states_the_committed_full_runs_size() -> None:
    """The run count and duration the README gives for `--preset full` are those of the committed file."""
    import json

    meta = json.loads((ROOT / "results" / "aux_ablation_full.json").read_text())
    stated = re.search(r"--preset full.*?\((\d+) runs,\s+about ([\d.]+) h", README, re.S)
    assert stated, "the README no longer states the full run's size"
    assert int(stated.group(1)) == len(meta["runs"])
    assert abs(float(stated.group(2)) - meta["meta"]["seconds"] / 3600) < 0.1
