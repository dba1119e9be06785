"""Every figure a notebook shows is stored as an image: a cell whose value is a matplotlib Figure has
its PNG beside the text "<Figure size ...>" (nbval compares only the text, so it cannot see a lost image)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_every_figure_output_has_its_image(path):
    nb = json.loads(path.read_text())
    figures = without_image = 0
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "".join(data.get("text/plain", "")).startswith("<Figure size"):
                figures += 1
                without_image += "image/png" not in data
    assert without_image == 0, f"{path.name}: {without_image} of {figures} figures have no stored image"


def test_the_notebooks_show_figures():
    counts = {p.name[:2]: sum(json.dumps(c.get("outputs", [])).count('"image/png"') for c in json.loads(p.read_text())["cells"])
              for p in NOTEBOOKS}
    assert all(counts[n] > 0 for n in ("00", "01", "02", "03", "04", "05")), counts
