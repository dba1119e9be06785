"""Each notebook and its paired py:percent source (jupytext) hold the same cells.

The ``.py`` file beside each ``.ipynb`` is the text to read, review and edit; the ``.ipynb`` keeps
the outputs that ``pytest --nbval`` compares. If this test fails, run
``jupytext --sync notebooks/NN_name.ipynb`` (the newer file of the pair wins), then re-execute
the notebook (README, Development).
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: Metadata that only an executed notebook has (timings); everything else must agree.
RUN_METADATA = {"execution"}


def _cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, dict]]:
    return [(c.cell_type, c.source, {k: v for k, v in c.metadata.items() if k not in RUN_METADATA})
            for c in nb.cells]


def test_every_notebook_is_listed():
    assert len(NOTEBOOKS) == 6


@pytest.mark.parametrize("ipynb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_and_text_source_agree(ipynb: Path):
    source = ipynb.with_suffix(".py")
    assert source.exists(), f"{source.name} is missing: run `jupytext --sync {ipynb.relative_to(ROOT)}`"
    stored, text = _cells(nbformat.read(ipynb, as_version=4)), _cells(jupytext.read(source))
    assert len(stored) == len(text), f"{ipynb.name}: {len(stored)} cells, {source.name}: {len(text)}"
    for i, (a, b) in enumerate(zip(stored, text, strict=True)):
        assert a == b, f"cell {i} differs between {ipynb.name} and {source.name}: run `jupytext --sync`"


def test_pairing_is_configured():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["jupytext"]
    assert config["formats"] == "ipynb,py:percent"
