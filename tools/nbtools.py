"""Build and execute notebooks from a list of cells (maintainers' tool, not part of the package).

    python tools/nbtools.py run notebooks/01_why_1x1.ipynb   # re-execute in place, fresh kernel

A notebook source script calls ``write_notebook(path, cells)`` with cells made by ``md()`` and
``code()``; then ``execute(path)`` runs it top to bottom and saves the outputs.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def md(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text.strip("\n"))


def code(text: str, *tags: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(text.strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def solution(text: str) -> nbformat.NotebookNode:
    """A worked solution: a code cell whose source is collapsed in JupyterLab, so students try first."""
    cell = code(text)
    cell.metadata["jupyter"] = {"source_hidden": True}
    return cell


def write_notebook(path: str | Path, cells: list) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    path = Path(path)
    nbformat.write(nb, path)
    return path


def execute(path: str | Path, timeout: int = 600) -> float:
    """Run a notebook top to bottom in a fresh kernel (cwd = its folder) and save it; return seconds."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    elapsed = time.perf_counter() - start
    nbformat.write(nb, path)
    return elapsed


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] != "run":
        sys.exit(__doc__)
    for p in sys.argv[2:]:
        print(f"{p}: executed in {execute(p):.1f} s")
