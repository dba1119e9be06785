"""Notebooks 01-02's plots, widgets and exercise checks: update logic tested without a browser."""

from __future__ import annotations

import re

import pytest
from matplotlib.figure import Figure

import inception
from inception import blockviz as bv, cost, widgets
from inception.architecture import INCEPTION_BLOCKS


def _numbers(html_text: str) -> list[int]:
    """Every integer with thousands separators shown in an HTML snippet."""
    return [int(n.replace(",", "")) for n in re.findall(r"\b\d{1,3}(?:,\d{3})+\b|\b\d+\b", html_text)]


# ----------------------------------------------------------------------------- reduction cost model
def test_reduction_cost_formulas_on_3a_5x5_branch():
    rc = bv.reduction_cost(192, 32, 5, 16, 28)
    assert rc.direct_weights == 5 * 5 * 192 * 32
    assert rc.direct_macs == 28 * 28 * 5 * 5 * 192 * 32
    assert rc.reduced_weights == 192 * 16 + 5 * 5 * 16 * 32
    assert rc.reduced_macs == 28 * 28 * rc.reduced_weights
    assert rc.ratio == pytest.approx(rc.reduced_weights / rc.direct_weights)
    assert rc.pays_off


def test_reduction_matches_the_package_block_model():
    """The 5x5 branch of 3a in the cost model is the widget's reduced path."""
    layers = cost.block_costs((192, 28, 28), INCEPTION_BLOCKS["3a"], variant="paper")
    five = cost.by_branch(layers)["5x5"]
    rc = bv.reduction_cost(192, 32, 5, 16, 28)
    assert (five.weights, five.macs) == (rc.reduced_weights, rc.reduced_macs)


@pytest.mark.parametrize("c_in,c_out,k", [(192, 32, 5), (192, 128, 3), (480, 48, 5), (64, 64, 1), (7, 300, 7)])
def test_break_even_is_where_costs_meet(c_in, c_out, k):
    r_star = bv.break_even_width(c_in, c_out, k)
    below, above = int(r_star), int(r_star) + 1
    if below >= 1:
        assert bv.reduction_cost(c_in, c_out, k, below, 9).reduced_macs <= bv.reduction_cost(c_in, c_out, k, below, 9).direct_macs
    assert not bv.reduction_cost(c_in, c_out, k, above, 9).pays_off
    # exactly equal at r*: r*(C_in + k^2 C_out) == k^2 C_in C_out
    assert r_star * (c_in + k * k * c_out) == pytest.approx(k * k * c_in * c_out)


def test_break_even_does_not_depend_on_size():
    for size in (1, 7, 28, 112):
        assert bv.reduction_cost(192, 32, 5, 16, size).break_even == pytest.approx(154.8387, rel=1e-6)
        assert bv.reduction_cost(192, 32, 5, 16, size).ratio == pytest.approx(0.103333, rel=1e-4)


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (dict(c_in=0), ValueError, "c_in"),
        (dict(c_out=-3), ValueError, "c_out"),
        (dict(kernel=4), ValueError, "odd"),
        (dict(kernel=2.5), TypeError, "kernel"),
        (dict(reduction=True), TypeError, "reduction"),
        (dict(size="28"), TypeError, "size"),
    ],
)
def test_reduction_cost_bad_input(kwargs, exc, match):
    args = dict(c_in=192, c_out=32, kernel=5, reduction=16, size=28) | kwargs
    with pytest.raises(exc, match=match):
        bv.reduction_cost(**args)


def test_reduction_html_verdicts():
    good = bv.reduction_html(bv.reduction_cost(192, 32, 5, 16, 28))
    assert "saves 89.7%" in good and "Break-even at r = 154.8" in good
    assert 153600 in _numbers(good) and 15872 in _numbers(good)
    bad = bv.reduction_html(bv.reduction_cost(192, 32, 5, 200, 28))
    assert "No saving" in bad and "expands rather than reduces" in bad


def test_reduction_html_pluralises_channels():
    one = bv.reduction_html(bv.reduction_cost(1, 32, 3, 4, 8))
    assert "1 input channel " in one and "1 input channels" not in one and "1 channels" not in one
    many = bv.reduction_html(bv.reduction_cost(192, 32, 5, 200, 28))
    assert "192 input channels" in many and "expands rather than reduces" in many
    assert "1 output channel<" in bv.reduction_html(bv.reduction_cost(64, 1, 3, 8, 8))
    assert str(bv.reduction_table(bv.reduction_cost(64, 1, 3, 8, 8))).splitlines()[0].endswith("1 output channel")


def test_reduction_html_single_input_channel_has_nothing_narrower():
    text = bv.reduction_html(bv.reduction_cost(1, 32, 5, 1, 28))
    assert "narrower reductions pay off" not in text
    assert "single input channel" in text and "no reduction width pays off" in text
    # break-even below 1 with C_in > 1 (a 1x1 "convolution" to 1 channel): also nothing narrower
    text = bv.reduction_html(bv.reduction_cost(3, 1, 1, 1, 8))
    assert "narrower reductions pay off" not in text and "no reduction width pays off" in text
    assert "narrower reductions pay off" in bv.reduction_html(bv.reduction_cost(192, 32, 5, 16, 28))


@pytest.mark.parametrize("r", [8, 11, 18, 80])
def test_reduction_html_has_no_wrong_article(r):
    for size in (8, 11, 18, 28):
        text = bv.reduction_html(bv.reduction_cost(4, 32, 3, r, size))
        assert not re.search(r"\b[Aa] (8|11|18|8\d)\b", text), text


def test_reduction_widget_table_is_padded_and_right_aligned():
    text = bv.reduction_html(bv.reduction_cost(192, 32, 5, 16, 28))
    cells = re.findall(r"<td style='([^']*)'>([^<]*)</td>", text)
    assert cells and all("padding" in style for style, _ in cells)
    numeric = [style for style, value in cells if re.fullmatch(r"[\d,.]+", value)]
    assert len(numeric) == 6 and all("text-align:right" in style for style in numeric)
    assert all("text-align:left" in style for style, value in cells if value in ("direct", "reduced"))


def test_reduction_plot_svg_is_well_formed():
    svg = bv.reduction_plot_svg(bv.reduction_cost(192, 32, 5, 16, 28))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "break-even r = 154.8" in svg and "your r = 16" in svg
    # a 1x1 "convolution": break-even below 1 channel, still renders
    assert "</svg>" in bv.reduction_plot_svg(bv.reduction_cost(3, 1, 1, 1, 1))


# ----------------------------------------------------------------------------- reduction widget
def test_reduction_widget_updates_on_slider_change():
    w = widgets.reduction_widget()
    assert repr(w) == "ReductionWidget(c_in=192, c_out=32, kernel=5, reduction=16, size=28)"
    assert 120422400 in _numbers(w.parts["readout"])  # direct MACs
    w.reduction.value = 32
    rc = bv.reduction_cost(192, 32, 5, 32, 28)
    assert rc.reduced_macs in _numbers(w.parts["readout"])
    assert "your r = 32" in w.parts["plot"]
    w.kernel.value = 3
    assert bv.reduction_cost(192, 32, 3, 32, 28).direct_macs in _numbers(w.parts["readout"])
    w.size.value = 14
    assert 14 * 14 * 3 * 3 * 192 * 32 in _numbers(w.parts["readout"])
    w.reduction.value = 500
    assert "No saving" in w.parts["readout"]


def test_reduction_widget_offers_only_valid_kernels():
    w = widgets.reduction_widget()
    assert list(w.kernel.options) == [1, 3, 5, 7]
    assert all(s.min >= 1 for s in (w.c_in, w.c_out, w.reduction, w.size))
    with pytest.raises(ValueError, match="kernel"):
        widgets.reduction_widget(kernel=9)


def test_reduction_widget_display_text_is_short_and_deterministic():
    bundle = widgets.reduction_widget()._repr_mimebundle_()
    assert bundle["text/plain"] == "ReductionWidget(c_in=192, c_out=32, kernel=5, reduction=16, size=28)"
    assert "application/vnd.jupyter.widget-view+json" in bundle


# ----------------------------------------------------------------------------- naive blocks
def test_naive_vs_reduced_3a_numbers():
    t = bv.naive_vs_reduced_table("3a")
    total = t.rows[-1]
    assert total[1] == 64 + 128 + 32 + 192  # naive output channels: the pool passes 192 through
    assert total[4] == 256
    assert total[6] == 28 * 28 * total[5]  # reduced MACs = positions x weights
    assert total[5] == 163_328  # Table 1: 159.5 K = 163,328 weights
    with pytest.raises(ValueError, match="block must be one of"):
        bv.naive_vs_reduced_table("3c")


def test_naive_growth_channels_follow_the_config():
    t = bv.naive_growth_table()
    cfg = inception.GoogLeNetConfig(naive=True)
    outs = t.column("naive out ch")[:-1]
    assert outs[-1] == cfg.out_channels == 4944
    assert all(b > a for a, b in zip(outs, outs[1:]))  # grows at every block
    assert t.column("naive in ch")[1:-1] == outs[:-1]  # each block's input is the previous output
    assert t.column("GoogLeNet out ch")[:-1] == [s.out_channels for s in INCEPTION_BLOCKS.values()]


def test_plots_return_figures():
    assert isinstance(bv.plot_naive_growth(), Figure)
    fig = bv.plot_reduction_cost(64, 64, 3, 8, 14)
    assert isinstance(fig, Figure)
    assert "break-even" in fig.axes[0].get_title()


# ----------------------------------------------------------------------------- block builder logic
def test_presets_come_from_the_cost_model():
    presets = bv.block_presets()
    assert list(presets) == list(inception.BLOCK_NAMES)
    assert presets["3a"].in_shape == (192, 28, 28)
    assert presets["4a"].in_shape == (480, 14, 14)
    assert presets["5a"].in_shape == (832, 7, 7)
    assert presets["5b"].in_shape == (832, 7, 7)
    cin = inception.GoogLeNetConfig().block_in_channels()
    assert all(p.in_shape[0] == cin[n] for n, p in presets.items())


def test_block_report_matches_table1_3a():
    r = bv.block_report((192, 28, 28), INCEPTION_BLOCKS["3a"])
    assert r.out_shape == (256, 28, 28)
    assert r.weights == 163_328 and r.macs == 128_049_152
    assert r.branch_channels == {"1x1": 64, "3x3": 128, "5x5": 32, "pool": 32}
    naive = bv.block_report((192, 28, 28), INCEPTION_BLOCKS["3a"], naive=True)
    assert naive.out_shape == (416, 28, 28) and naive.branches["pool"].macs == 0


@pytest.mark.parametrize("bad,exc", [((0, 28, 28), ValueError), ((192, 28), ValueError), ((192, 28.0, 28), TypeError)])
def test_block_report_bad_input(bad, exc):
    with pytest.raises(exc, match="in_shape"):
        bv.block_report(bad, INCEPTION_BLOCKS["3a"])


def test_block_svg_widths_are_proportional_to_channels():
    r = bv.block_report((192, 28, 28), INCEPTION_BLOCKS["3a"])
    svg = bv.block_svg(r)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    widths = [float(w) for w in re.findall(r'<rect x="[^"]+" y="[^"]+" width="([^"]+)"', svg)]
    # first box: input (192 ch); then 1x1 (64): ratio 3
    assert widths[0] / widths[1] == pytest.approx(192 / 64, rel=0.02)
    assert "64 + 128 + 32 + 32 = 256 x 28 x 28" in svg


def test_block_builder_slider_updates_numbers_and_diagram():
    b = widgets.block_builder("3a")
    assert "256 x 28 x 28" in b.parts["summary"]
    b.filters["ch3x3"].value = 64
    r = bv.block_report((192, 28, 28), (64, 96, 64, 16, 32, 32))
    assert "192 x 28 x 28" in b.parts["summary"]  # 64 + 64 + 32 + 32 output channels
    assert r.macs in _numbers(b.parts["table"]) and r.branches["3x3"].weights in _numbers(b.parts["table"])
    assert "64 + 64 + 32 + 32 = 192" in b.parts["diagram"]
    assert b.preset.value == "custom"  # no longer a Table 1 block
    b.size.value = 14
    assert "192 x 14 x 14" in b.parts["summary"]


def test_block_builder_presets_and_naive_toggle():
    b = widgets.block_builder("3a")
    b.preset.value = "5b"
    assert b.in_shape() == (832, 7, 7) and b.spec() == INCEPTION_BLOCKS["5b"]
    assert "1024 x 7 x 7" in b.parts["summary"] and b.preset.value == "5b"
    b.mode.value = "naive"
    assert b.filters["pool_proj"].disabled and not b.filters["ch1x1"].disabled
    assert f"{384 + 384 + 128 + 832} x 7 x 7" in b.parts["summary"]
    assert "passes all 832 input channels" in b.parts["summary"]
    b.mode.value = "reduced"
    assert not b.filters["pool_proj"].disabled
    b.preset.value = "custom"  # choosing "custom" keeps the current values
    assert b.spec() == INCEPTION_BLOCKS["5b"]


def test_block_builder_shows_a_readable_note_for_expanding_reductions():
    b = widgets.block_builder("3a")
    b.in_channels.value = 8  # ch3x3red = 96 > 8 input channels
    assert "expands instead of reducing" in b.parts["summary"]
    assert repr(b).startswith("BlockBuilder(preset='custom', mode='reduced', in_shape=(8, 28, 28)")
    with pytest.raises(ValueError, match="preset must be one of"):
        widgets.block_builder("6a")


def test_block_diagram_static():
    svg = bv.block_diagram("4e")
    assert "832 x 14 x 14" in svg.data
    with pytest.raises(ValueError, match="block must be one of"):
        bv.block_diagram("4f")


# ----------------------------------------------------------------------------- exercise checks
@pytest.mark.parametrize(
    "check,right,wrong,kwargs",
    [
        (bv.check_direct_macs, 28 * 28 * 9 * 192 * 128, 9 * 192 * 128, {}),
        (bv.check_break_even, 25 * 480 * 48 / (480 + 25 * 48), 16, {}),
        (bv.check_naive_channels, 1280, 512, {"block": "4a"}),
        (bv.check_same_padding, 3, 7, {"kernel": 7}),
        (bv.check_block_weights, 509_440, 463 * 1024, {"block": "4c"}),
        (bv.check_aux_params, 6_380_240, 13_393_352, {}),
        (bv.check_branch3_kernel_saving, 16 * 16 * 32, 25 * 16 * 32, {"block": "3a"}),
    ],
)
def test_checks_accept_right_and_reject_wrong(check, right, wrong, kwargs):
    ok = check(right, **kwargs)
    assert ok.ok is True and bool(ok) and repr(ok).startswith("Correct")
    bad = check(wrong, **kwargs)
    assert bad.ok is False and not bad and repr(bad).startswith("Not yet")
    todo = check(None, **kwargs)
    assert todo.ok is None and "Fill in" in repr(todo)
    with pytest.raises(TypeError, match=r"answer for .* must be a finite number, got '42' \(str\)"):
        check("42", **kwargs)


def test_break_even_check_tolerance():
    r = bv.break_even_width(480, 48, 5)
    assert bv.check_break_even(round(r, 1)).ok
    assert not bv.check_break_even(r + 1).ok


def test_checks_reject_unknown_blocks():
    with pytest.raises(ValueError, match="block must be one of"):
        bv.check_block_weights(1, block="9z")


# ============================================================================ notebook 02: block builder layout,
# custom preset, nowrap caption and tiny channel counts (BlockBuilder / block_svg)
def test_block_builder_sliders_sit_in_more_than_one_column():
    b = widgets.block_builder("3a")
    grid = b.filter_grid
    assert type(grid).__name__ == "GridBox"
    assert sorted(s.description for s in grid.children) == sorted(b.filters)
    columns = grid.layout.grid_template_columns
    n = int(re.match(r"repeat\((\d+),", columns).group(1))
    assert 2 <= n <= 3
    # the summary, diagram and table are one HTML view, in that order (one message per update)
    assert b.widget.children[1] is b.view
    assert [b.view.value.index(b.parts[k]) for k in ("summary", "diagram", "table")] == sorted(
        b.view.value.index(b.parts[k]) for k in ("summary", "diagram", "table"))


def test_block_builder_choosing_custom_keeps_values_and_says_so():
    b = widgets.block_builder("4a")
    spec, shape = b.spec(), b.in_shape()
    b._on_preset({"name": "value", "old": "4a", "new": "custom"})  # what the Dropdown's observer receives
    b.preset.value = "custom"
    assert b.spec() == spec and b.in_shape() == shape and b.preset.value == "custom"
    assert "custom</b>: edit the sliders" in b.parts["summary"] and "block 4a" in b.parts["summary"]
    b.filters["ch1x1"].value += 1  # still custom, and no longer 4a's values
    assert b.preset.value == "custom" and "edit the sliders" in b.parts["summary"]
    assert "block 4a" not in b.parts["summary"]
    b.filters["ch1x1"].value -= 1  # back to 4a's values: the menu stays on the user's "custom"
    assert b.preset.value == "custom"
    b.preset.value = "3a"
    assert b.spec() == INCEPTION_BLOCKS["3a"] and "edit the sliders" not in b.parts["summary"]


def test_block_builder_slider_away_from_preset_switches_menu_to_custom():
    b = widgets.block_builder("3b")
    assert b.preset.value == "3b" and "edit the sliders" not in b.parts["summary"]
    b.filters["pool_proj"].value = 7
    assert b.preset.value == "custom" and "edit the sliders" in b.parts["summary"]
    b.filters["pool_proj"].value = INCEPTION_BLOCKS["3b"].pool_proj  # back to 3b's values: relabelled
    assert b.preset.value == "3b"


def test_block_builder_chw_caption_does_not_wrap():
    b = widgets.block_builder("3a")
    for text in (b.parts["summary"], b.parts["table"]):
        assert "(C x H x W)" not in text  # plain spaces could break the line
        assert '<span style="white-space: nowrap">(C&nbsp;x&nbsp;H&nbsp;x&nbsp;W)</span>' in text
    assert '<span style="white-space: nowrap">256 x 28 x 28 ' in b.parts["summary"]


@pytest.mark.parametrize("naive", [False, True])
def test_block_svg_tiny_channel_counts_keep_labels_clear(naive):
    r = bv.block_report((1, 28, 28), (1, 1, 1, 1, 1, 1), naive=naive)
    svg = bv.block_svg(r, 480)
    widths = [float(w) for w in re.findall(r'<rect x="[^"]+" y="[^"]+" width="([^"]+)" height="18" fill="[^"]+" '
                                           r'fill-opacity', svg)]
    assert widths and min(widths) >= 6.0  # 1-channel boxes stay visible
    # the input's label sits above its box; the fan-out lines start below the box
    label_y = float(re.search(r'<text x="[^"]+" y="([^"]+)"[^>]*>previous layer 1 x 28 x 28', svg).group(1))
    box_y = float(re.search(r'<rect x="[^"]+" y="([^"]+)"', svg).group(1))
    fan = [float(y) for y in re.findall(r'<line x1="240.0" y1="([^"]+)"', svg)]
    assert label_y < box_y and fan and min(fan) >= box_y + 18
    # labels in neighbouring columns do not overlap (about 6 px per character at 10 px)
    texts = re.findall(r'<text x="([^"]+)" y="([^"]+)" text-anchor="middle">([^<]+)</text>', svg)
    by_row: dict[str, list[tuple[float, str]]] = {}
    for x, y, t in texts:
        by_row.setdefault(y, []).append((float(x), t))
    for row in by_row.values():
        row.sort()
        for (xa, ta), (xb, tb) in zip(row, row[1:]):
            assert xb - xa >= 3.0 * (len(ta) + len(tb)), (ta, tb)


# ----------------------------------------------------------------------------- Figure 2 (notebook 01)
def test_figure2_draws_both_panels_from_the_block_spec():
    import xml.etree.ElementTree as ET

    svg = bv.figure2_svg("3a")
    root = ET.fromstring(svg)
    assert len(root.findall("{http://www.w3.org/2000/svg}svg")) == 2       # panels (a) and (b)
    assert "(a) Inception module 3a, naive version" in svg and "(b) Inception module 3a with dimension reductions" in svg
    assert "64 + 128 + 32 + 192 = 416 x 28 x 28" in svg                     # naive: the pool passes 192 channels
    assert "64 + 128 + 32 + 32 = 256 x 28 x 28" in svg
    assert "1x1 reduce, 16" in svg and "1x1 proj, 32" in svg and "1x1 reduce" not in svg.split("(b)")[0]
    spec = INCEPTION_BLOCKS["4d"]
    assert f"= {spec.out_channels} x 14 x 14" in bv.figure2_svg("4d")
    assert "(a) Inception module 3a, naive version" in bv.figure2("3a").data
    with pytest.raises(ValueError):
        bv.figure2_svg("6a")
    with pytest.raises(ValueError, match="panel_width"):
        bv.figure2_svg("3a", panel_width=10)


def test_check_block_out_channels_exercise():
    assert bv.check_block_out_channels(None, "4e").ok is None
    assert bv.check_block_out_channels(832, "4e").ok is True
    wrong = bv.check_block_out_channels(256 + 160 + 320 + 32 + 128 + 128, "4e")  # reductions added too
    assert wrong.ok is False and "not the reductions" in str(wrong)
    with pytest.raises(ValueError):
        bv.check_block_out_channels(832, "6a")


def test_check_conv_as_linear_exercise():
    import torch
    from torch import nn

    torch.manual_seed(1)
    fc, x = nn.Linear(6, 3), torch.randn(1, 6, 4, 4)
    assert str(bv.check_conv_as_linear(None, fc, x)) == "Fill in your nn.Conv2d, then run the cell again."
    conv = nn.Conv2d(6, 3, 1)
    v = bv.check_conv_as_linear(conv, fc, x)                                 # right shape, its own weights
    assert v.ok is False and str(v).startswith("Not yet: right shape, different numbers.")
    with torch.no_grad():
        conv.weight.copy_(fc.weight.view(3, 6, 1, 1))
        conv.bias.copy_(fc.bias)
    assert str(bv.check_conv_as_linear(conv, fc, x)) == (
        "Correct: your 1x1 convolution is the linear layer applied at every pixel.")
    assert str(bv.check_conv_as_linear(nn.Conv2d(6, 3, 3, padding=1), fc, x)).startswith("Not yet: expected a 1x1")
    assert str(bv.check_conv_as_linear(fc, fc, x)) == "Not yet: your layer is a Linear, not an nn.Conv2d."
    with pytest.raises(TypeError, match="fc"):
        bv.check_conv_as_linear(conv, conv, x)
