"""One way to make a figure: display.new_figure / display.subplots, outside pyplot."""

from __future__ import annotations

import ast
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from inception import blockviz, display, netmap, netviz

PACKAGE = Path(display.__file__).parent


def test_no_module_uses_pyplot():
    hits = []
    for p in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(p.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [f"{node.module}.{a.name}" for a in node.names] if isinstance(node, ast.ImportFrom) and node.module else []
            hits += [f"{p.relative_to(PACKAGE)}:{node.lineno} {n}" for n in names if n.startswith("matplotlib.pyplot")]
    assert hits == []


def test_new_figure_is_outside_pyplot_and_renders():
    before = plt.get_fignums()
    fig = display.new_figure((2.0, 1.0), dpi=50)
    assert plt.get_fignums() == before
    assert tuple(fig.get_size_inches()) == (2.0, 1.0) and fig.dpi == 50
    fig.canvas.draw()  # an Agg canvas: draws without a backend
    assert fig.canvas.buffer_rgba().shape == (50, 100, 4)


def test_subplots_passes_grid_arguments():
    fig, axes = display.subplots(2, 3, figsize=(3, 2), squeeze=False, sharex=True, layout="constrained")
    assert axes.shape == (2, 3) and fig.get_layout_engine() is not None
    fig, ax = display.subplots(figsize=(3, 2))
    assert ax in fig.axes


@pytest.mark.parametrize("make", [
    lambda: blockviz.plot_reduction_cost(),
    lambda: netmap.network_map("bn"),
    lambda: netviz.compare_figure(),
])
def test_plot_functions_leave_nothing_open_in_pyplot(make):
    before = plt.get_fignums()
    fig = make()
    assert plt.get_fignums() == before
    assert fig.axes
