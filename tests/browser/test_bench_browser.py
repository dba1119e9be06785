"""benchmarks/bench_browser.py keeps working: its in-page floor, and a short run end to end.

Nothing here asserts on a time; the benchmark prints its numbers."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

import harness as h

pytestmark = pytest.mark.browser


def test_in_page_floor_is_the_notebook_plus_the_floor_cell(tmp_path) -> None:  # noqa: ANN001
    case = h.SLIDER_CASES[0]
    src = h.REPO / "notebooks" / case.notebook
    (tmp_path / case.notebook).write_bytes(src.read_bytes())
    explorer, floor = h.write_in_page_floor(tmp_path, case)
    assert explorer.notebook == floor.notebook == f"zz_in_page_{case.notebook}"
    assert (explorer.cell, explorer.slider, explorer.outputs) == (case.cell, case.slider, case.outputs)
    assert (floor.cell, floor.slider, floor.outputs) == (h.FLOOR_CASE.cell, h.FLOOR_CASE.slider, h.FLOOR_CASE.outputs)
    original = json.loads(src.read_text())["cells"]
    copy = json.loads((tmp_path / explorer.notebook).read_text())["cells"]
    assert copy[:-1] == original and "".join(copy[-1]["source"]) == h._FLOOR_SOURCE
    assert json.loads((tmp_path / case.notebook).read_text())["cells"] == original  # untouched


def test_a_short_run_prints_both_floors_and_the_ratios() -> None:
    proc = subprocess.run([sys.executable, str(h.REPO / "benchmarks" / "bench_browser.py"), "--notebooks", "01",
                           "--moves", "2", "--rounds", "2", "--warmup", "1"],
                          capture_output=True, text=True, timeout=600, cwd=h.REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    for row in ("floor, one-cell notebook", "01 explorer", "01 floor in its page"):
        assert re.search(rf"^{row}\s+\S.*\s2\s+[\d.]+\s+[\d.]+\s+[\d.]+$", out, re.M), (row, out)
    assert re.search(r"^01\s+[\d.]+\s+[\d.]+\s+[\d.]+$", out, re.M), out  # the three ratios
    assert "explorer / floor in page" in out


def test_bad_arguments_are_refused() -> None:
    proc = subprocess.run([sys.executable, str(h.REPO / "benchmarks" / "bench_browser.py"), "--moves", "2",
                           "--rounds", "3"], capture_output=True, text=True, timeout=120, cwd=h.REPO)
    assert proc.returncode == 2 and "--rounds between 1 and --moves" in proc.stderr
