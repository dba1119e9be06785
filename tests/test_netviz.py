"""Plots, tables, the cross-check, the timing helper, the network explorer and the exercise checks."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from matplotlib.figure import Figure

from inception import GoogLeNetConfig, cost, netviz, widgets, zoo
from inception.widgets import network as network_widget

PAPER = GoogLeNetConfig(variant="paper", aux_logits=False)


def test_stage_costs_add_up():
    layers = cost.layer_costs(GoogLeNetConfig(variant="bn"), 224)
    rows = netviz.stage_costs(layers)
    main = cost.totals(layers, include_aux=False)
    assert sum(p for _, p, _ in rows) == main.params and sum(m for _, _, m in rows) == main.macs
    assert [r[0] for r in rows] == netviz.SHARE_LABELS
    with_aux = netviz.stage_costs(layers, include_aux=True)
    assert {"aux1", "aux2"} <= {r[0] for r in with_aux}
    assert sum(p for _, p, _ in with_aux) == cost.totals(layers).params


def test_compute_early_parameters_late():
    c = netviz.concentration(cost.layer_costs(PAPER, 224))
    assert sum(c.params.values()) == cost.totals(cost.layer_costs(PAPER, 224)).params
    assert c.early_macs > 0.5 and c.params_share("stem", "3") < 0.10
    assert c.late_params > 0.5 and c.macs_share("5", "head") < 0.10
    table = netviz.concentration_table(cost.layer_costs(PAPER, 224))
    assert table.column("group") == list(netviz.COST_GROUPS)


def test_variant_stage_table():
    table = netviz.variant_stage_table()
    totals = dict(zip(table.column("variant"), table.column("total"), strict=True))
    assert totals["torchvision"] < totals["paper"] == totals["bn"]
    assert totals["paper"] == round(cost.totals(cost.layer_costs(PAPER)).macs / 1e6, 1)


def test_plots_return_figures():
    fig = netviz.cost_bars(cost.layer_costs(PAPER), "GoogLeNet")
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert len(fig.axes[0].patches) == len(netviz.SHARE_LABELS)
    fig = netviz.cost_bars(zoo.architecture_costs(zoo.VGG16), "VGG-16")
    assert len(fig.axes[1].patches) == 16  # 13 convolutions + 3 fully connected layers
    assert isinstance(netviz.compare_figure(), Figure)
    fig = netviz.explorer_figure()
    assert isinstance(fig, Figure) and "7.00 M params" in fig.axes[0].get_title()


def test_cross_check_small_network():
    cfgs = [GoogLeNetConfig(variant=v, width=0.25, stem="small", num_classes=10, init_weights=False)
            for v in ("bn", "torchvision")]
    table = netviz.cross_check(cfgs, input_size=32)
    assert table.column("all equal") == [True, True]
    assert table.column("params (analytic)") == table.column("torchinfo")
    with pytest.raises(TypeError, match="GoogLeNetConfig"):
        netviz.cross_check(["paper"])


def test_time_blocks_small_network():
    cfg = GoogLeNetConfig(variant="paper", width=0.25, stem="small", num_classes=10, aux_logits=False,
                          init_weights=False)
    table = netviz.time_blocks(cfg, input_size=32, repeats=1)
    # structure only: wall-clock times depend on the machine (and round to 0.00 ms on a fast one)
    modules = table.column("module")
    assert "inception3a" not in modules and "3a" in modules
    assert len(modules) == len(set(modules)) == len(table.rows)
    assert {"3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b"} <= set(modules)
    assert table.columns == ["module", "MACs (M)", "time (ms)", "MMACs per ms"]
    assert sum(table.column("MACs (M)")) == pytest.approx(cost.totals(cost.layer_costs(cfg, 32)).macs / 1e6, abs=0.5)
    times = table.column("time (ms)")
    assert len(times) == len(modules) and all(isinstance(t, float) and math.isfinite(t) and t >= 0 for t in times)
    assert isinstance(netviz.timing_figure(table), Figure)
    with pytest.raises(ValueError, match="repeats"):
        netviz.time_blocks(cfg, input_size=32, repeats=0)


# ----------------------------------------------------------------------------- the explorer
@pytest.fixture(scope="module")
def explorer():
    return widgets.network_widget()


def _expected(cfg: GoogLeNetConfig, size: int) -> cost.Totals:
    return cost.totals(cost.layer_costs(cfg, size), include_aux=False)


def test_explorer_default(explorer):
    explorer.set(width=1.0, stage_width=(1.0,) * 4, input_size=224, variant="paper", naive=False)
    n = explorer.numbers
    t = _expected(PAPER, 224)
    assert n["params"] == t.params == 6_998_552 and n["macs"] == t.macs
    assert n["params_with_aux"] == cost.totals(cost.layer_costs(GoogLeNetConfig(variant="paper"))).params
    assert n["params_vs_default"] == 1.0
    assert "6,998,552" in explorer.parts["totals"] and "1.583 G" in explorer.parts["totals"]
    assert explorer.parts["plot"].startswith("<svg") and explorer.parts["plot"].count("<rect") == 2 * 13 + 2
    assert repr(explorer) == "NetworkExplorer(paper, width=1, stages=(1, 1, 1, 1), 224 px)"
    assert explorer.message == ""


def test_explorer_sliders(explorer):
    explorer.set(width=1.0, stage_width=(1.0,) * 4, input_size=224, variant="paper", naive=False)
    explorer.width.value = 0.5
    assert explorer.numbers["macs"] == _expected(GoogLeNetConfig(variant="paper", width=0.5), 224).macs
    explorer.stage_width[3].value = 2.0  # stage 5
    cfg = GoogLeNetConfig(variant="paper", width=0.5, stage_width=(1, 1, 1, 2.0))
    assert explorer.numbers["params"] == _expected(cfg, 224).params
    assert explorer.numbers["out_channels"] == 1024  # 0.5 x 2.0
    explorer.resolution.value = 160
    assert explorer.numbers["macs"] == _expected(cfg, 160).macs
    assert explorer.numbers["params"] == _expected(cfg, 224).params  # GAP: parameters do not depend on size
    explorer.variant.value = "torchvision"
    assert explorer.numbers["macs"] == _expected(GoogLeNetConfig(variant="torchvision", width=0.5,
                                                                 stage_width=(1, 1, 1, 2.0)), 160).macs
    explorer.reset.click()
    assert explorer.numbers["params"] == _expected(GoogLeNetConfig(variant="torchvision"), 224).params
    assert explorer.numbers["macs_vs_default"] == 1.0
    explorer.naive.value = True
    assert explorer.numbers["params"] == _expected(GoogLeNetConfig(variant="torchvision", naive=True), 224).params
    explorer.set(variant="paper", naive=False)


def test_explorer_invalid_resolution(explorer):
    explorer.set(width=1.0, stage_width=(1.0,) * 4, input_size=224, variant="paper", naive=False)
    explorer.resolution.value = 16
    assert explorer.numbers == {}
    assert "at least 31x31 px" in explorer.message and explorer.message in explorer.parts["totals"]
    assert "input too small: this network needs &gt;= 31 px" in explorer.parts["plot"]
    explorer.variant.value = "bn"  # the bn variant (padded pools) accepts 16 px
    assert explorer.message == "" and explorer.numbers["macs"] == _expected(GoogLeNetConfig(variant="bn"), 16).macs
    explorer.set(variant="paper", input_size=224)
    assert explorer.numbers["params"] == 6_998_552


def test_explorer_too_small_message_wording(explorer):
    assert network_widget.too_small_message(8, "paper", 31).startswith("An input of 8x8 px is too small")
    explorer.set(width=1.0, stage_width=(1.0,) * 4, input_size=8, variant="paper", naive=False)
    assert not re.search(r"\bA 8x8\b", explorer.message) and "8x8 px" in explorer.message
    assert explorer.message in explorer.parts["totals"]
    explorer.set(input_size=224)
    assert explorer.message == ""


def test_explorer_sliders_line_up(explorer):
    sliders = [explorer.width, *explorer.stage_width, explorer.resolution]
    assert {s.style.description_width for s in sliders} == {network_widget.DESCRIPTION_WIDTH}
    assert network_widget.DESCRIPTION_WIDTH.endswith("px")
    assert {s.layout.width for s in sliders} == {network_widget.SLIDER_WIDTH}
    assert explorer.variant.style.description_width == network_widget.DESCRIPTION_WIDTH


def test_explorer_controls_keep_their_place(explorer):
    # the readout sits below the controls, so they never move; the totals have a fixed width, so
    # the plot keeps its place when the totals table is replaced by the "too small" message
    explorer.set(input_size=224)
    assert explorer.widget.children[1] is explorer.view
    totals_box = "<div style='width:400px;flex:0 0 auto'>"
    assert totals_box in explorer.view.value and explorer.reset.layout.width.endswith("px")
    explorer.set(input_size=8)
    assert explorer.message and totals_box in explorer.view.value
    explorer.set(input_size=224)


def test_explorer_min_sizes_match_cost_model(explorer):
    for (variant, naive), size in explorer._min_px.items():
        assert size == cost.min_input_size(GoogLeNetConfig(variant=variant, naive=naive)), (variant, naive)


def test_explorer_bad_arguments(explorer):
    with pytest.raises(ValueError, match=r"variant must be one of \['bn', 'paper', 'torchvision'\], got 'vgg'"):
        widgets.network_widget("vgg")
    with pytest.raises(ValueError, match=r"input_size must be an integer in \[8, 448\], got 1000"):
        widgets.network_widget(input_size=1000)
    with pytest.raises(TypeError, match=r"input_size must be an integer in \[8, 448\], got 224.0 \(float\)"):
        widgets.network_widget(input_size=224.0)
    with pytest.raises(ValueError, match="stage_width must have 4 values"):
        explorer.set(stage_width=(1.0, 2.0))
    with pytest.raises(ValueError, match="variant must be one of"):
        explorer.set(variant="resnet")
    assert explorer.variant.value == "paper"  # a rejected call changes nothing
    # sliders clamp to their range: only valid values are offered
    explorer.width.value = 10.0
    assert explorer.width.value == explorer.width.max
    explorer.set(width=1.0, stage_width=(1.0,) * 4)
    explorer.set(input_size=np.int64(200))  # numpy integers are integers (as everywhere in the package)
    assert explorer.resolution.value == 200 and type(explorer.resolution.value) is int
    explorer.set(input_size=224)


def test_explorer_repr_in_mimebundle(explorer):
    bundle = explorer._repr_mimebundle_()
    assert bundle["text/plain"] == repr(explorer)
    assert "application/vnd.jupyter.widget-view+json" in bundle


# ----------------------------------------------------------------------------- exercise checks
def test_checks():
    v = netviz.check_flatten_fc_weights(None)
    assert not v and "Fill in" in repr(v)
    v = netviz.check_flatten_fc_weights(7 * 7 * 1024 * 1000)
    assert v and str(v).startswith("Correct") and "50,176,000" in repr(v)
    v = netviz.check_flatten_fc_weights(1024 * 1000)
    assert not v and repr(v).startswith("Not yet")
    with pytest.raises(TypeError, match="answer must be a finite number, got '50M' \\(str\\)"):
        netviz.check_flatten_fc_weights("50M")
    assert netviz.check_flatten_fc_weights(np.int64(7 * 7 * 1024 * 1000))  # numpy integers count as numbers

    assert not netviz.check_conv1_separable(None, 1)
    assert netviz.check_conv1_separable(7 * 7 * 3 * 8 + 3 * 8 * 64, (7 * 7 * 3 * 8 + 3 * 8 * 64) * 112 * 112)
    assert not netviz.check_conv1_separable(9408, 9408 * 112 * 112)

    assert not netviz.check_resolution_scaling(None, None)
    assert netviz.check_resolution_scaling(4.0, 1.0)
    assert not netviz.check_resolution_scaling(2.0, 1.0)
    assert not netviz.check_resolution_scaling(4.0, 4.0)

    assert not netviz.check_half_macs_width(None)
    assert netviz.check_half_macs_width(0.7)
    assert not netviz.check_half_macs_width(0.5)
    with pytest.raises(ValueError, match=r"width must be a positive number \(> 0\), got -1"):
        netviz.check_half_macs_width(-1)
    with pytest.raises(TypeError, match="macs must be a finite number"):
        netviz.check_conv1_separable(1, "2")
