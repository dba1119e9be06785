"""One colour per Inception branch (architecture.BRANCH_COLORS), the same in every figure (issue 10)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import torch
from matplotlib.colors import is_color_like, to_hex

import inception
from inception import architecture, blockviz, featviz
from inception.architecture import BRANCH_COLORS, BRANCH_NAMES, INCEPTION_BLOCKS
from inception.features import BranchEnergy
from inception.scale import ScaleResponse

#: one torch thread for this module (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("one_thread")

WANT = [to_hex(BRANCH_COLORS[b]) for b in BRANCH_NAMES]


def test_the_map_covers_every_branch_with_distinct_colours():
    assert tuple(BRANCH_COLORS) == BRANCH_NAMES  # every branch, nothing else, in concatenation order
    assert all(is_color_like(c) for c in BRANCH_COLORS.values())
    assert len(set(WANT)) == len(BRANCH_NAMES)
    with pytest.raises(TypeError):
        BRANCH_COLORS["1x1"] = "black"  # read-only: changed in one place only


def test_modules_import_the_one_map():
    assert blockviz.BRANCH_COLORS is architecture.BRANCH_COLORS
    assert featviz.BRANCH_COLORS is architecture.BRANCH_COLORS
    package = Path(inception.__file__).parent
    for path in sorted(package.rglob("*.py")):
        if path.name != "architecture.py":
            assert not re.search(r"^\s*_?BRANCH_COLOU?RS\s*[:=]", path.read_text(), re.M), f"{path} defines its own map"


def test_block_diagram_colours_the_branches_with_the_map():
    svg = blockviz.block_svg(blockviz.block_report((192, 28, 28), INCEPTION_BLOCKS["3a"]))
    # the four segments of the concatenated output, left to right
    assert re.findall(r'fill="(#[0-9A-Fa-f]{6})" stroke="white"', svg) == [c.upper() for c in WANT]


def _line_colours(fig) -> list[str]:
    return [to_hex(line.get_color()) for line in fig.axes[0].get_lines()]


def test_feature_figures_colour_the_branches_with_the_map():
    blocks = ("inception3a", "inception4a")
    energy = BranchEnergy(blocks, BRANCH_NAMES, np.ones((2, 4)), np.ones((2, 4)))
    assert _line_colours(featviz.plot_branch_energy({"net": energy})) == [c for c in WANT for _ in (0, 1)]
    scale = ScaleResponse((2, 4, 8), blocks, BRANCH_NAMES, np.arange(1.0, 25.0).reshape(3, 2, 4), "grating")
    assert _line_colours(featviz.plot_scale_response({"net": scale}, ["3a"])) == WANT
    assert _line_colours(featviz.plot_preferred_period({"net": scale})) == WANT


def test_branch_mosaic_labels_use_the_map():
    torch.manual_seed(0)
    model = inception.googlenet("bn", stem="small", width=0.125, num_classes=10, aux_logits=False).eval()
    fig = featviz.plot_branches(model, torch.rand(3, 32, 32), "3a", channels=2)
    labels = [t for t in fig.axes[0].texts if t.get_text().split(":")[0] in BRANCH_NAMES]
    assert [t.get_text().split(":")[0] for t in labels] == list(BRANCH_NAMES)
    assert [to_hex(t.get_color()) for t in labels] == WANT
