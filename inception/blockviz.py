"""Plots, diagrams, widgets and exercise checks for notebooks 01 (1x1 reductions) and 02 (the block).

Every number comes from the analytic cost model (:mod:`inception.cost`), never from building
torch modules, so a widget update takes milliseconds. Widget builders return the widget; the
update logic lives in plain functions (``reduction_cost``, ``reduction_html``, ``block_report``,
``block_svg``) that tests call without a browser.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import cost
from ._checks import check_choice, check_int, check_number
from .architecture import (BLOCK_NAMES, BRANCH_COLORS, BRANCH_NAMES, INCEPTION_BLOCKS, BlockSpec, check_filter_count,
                           long_name, short_name)
from .config import GoogLeNetConfig, naive_out_channels
from .display import Table, Verdict, fmt

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "KERNEL_SIZES",
    "ReductionCost",
    "reduction_cost",
    "break_even_width",
    "reduction_html",
    "reduction_table",
    "plot_reduction_cost",
    "reduction_plot_svg",
    "ReductionWidget",
    "reduction_widget",
    "naive_vs_reduced_table",
    "naive_growth_table",
    "plot_naive_growth",
    "BlockPreset",
    "block_presets",
    "BlockReport",
    "block_report",
    "branch_table",
    "block_svg",
    "block_diagram",
    "figure2_svg",
    "figure2",
    "BlockBuilder",
    "block_builder",
    "Verdict",
    "check_direct_macs",
    "check_break_even",
    "check_naive_channels",
    "check_same_padding",
    "check_block_weights",
    "check_aux_params",
    "check_branch3_kernel_saving",
    "check_block_out_channels",
    "check_conv_as_linear",
]

#: Kernel sizes the reduction widget offers (odd, so "same" padding k // 2 keeps H and W).
KERNEL_SIZES: tuple[int, ...] = (1, 3, 5, 7)
_VARIANT = "paper"  # Table 1's counting: weights without biases, no BatchNorm


def _positive_int(name: str, value: object) -> int:
    return check_filter_count(name, value)


def _odd_kernel(kernel: object) -> int:
    k = _positive_int("kernel", kernel)
    if k % 2 == 0:
        raise ValueError(f"kernel must be an odd positive integer (e.g. {list(KERNEL_SIZES)}), got {k}")
    return k


# ============================================================================ notebook 01
@dataclass(frozen=True)
class ReductionCost:
    """A k x k convolution C_in -> C_out, direct or after a 1x1 reduction to ``reduction`` channels,
    on an H x W map with "same" padding (weights without biases, MACs per image)."""

    c_in: int
    c_out: int
    kernel: int
    reduction: int
    size: int
    direct: cost.LayerCost
    reduce: cost.LayerCost  # the 1x1 reduction C_in -> reduction
    conv: cost.LayerCost  # the k x k convolution reduction -> C_out

    @property
    def direct_weights(self) -> int:
        return self.direct.weights

    @property
    def direct_macs(self) -> int:
        return self.direct.macs

    @property
    def reduced_weights(self) -> int:
        return self.reduce.weights + self.conv.weights

    @property
    def reduced_macs(self) -> int:
        return self.reduce.macs + self.conv.macs

    @property
    def ratio(self) -> float:
        """Reduced over direct cost (the same for weights and MACs: both share H x W)."""
        return self.reduced_macs / self.direct_macs

    @property
    def break_even(self) -> float:
        return break_even_width(self.c_in, self.c_out, self.kernel)

    @property
    def pays_off(self) -> bool:
        return self.reduced_macs < self.direct_macs


def _conv(name: str, shape: tuple[int, int, int], c_out: int, k: int) -> cost.LayerCost:
    return cost.conv_layer(name, shape, c_out, k, 1, k // 2, bias=False)


def reduction_cost(c_in: int, c_out: int, kernel: int, reduction: int, size: int = 28) -> ReductionCost:
    """Weights and MACs of a direct k x k convolution versus 1x1 reduction + k x k convolution."""
    c_in, c_out = _positive_int("c_in", c_in), _positive_int("c_out", c_out)
    reduction, size, k = _positive_int("reduction", reduction), _positive_int("size", size), _odd_kernel(kernel)
    x = (c_in, size, size)
    reduce = _conv("reduce", x, reduction, 1)
    return ReductionCost(c_in, c_out, k, reduction, size, _conv("direct", x, c_out, k), reduce,
                         _conv("conv", reduce.out_shape, c_out, k))


def break_even_width(c_in: int, c_out: int, kernel: int) -> float:
    """The reduction width r at which 1x1 reduction + k x k conv costs as much as the direct conv.

    Reduced weights r*C_in + k*k*r*C_out equal direct weights k*k*C_in*C_out at
    r = k*k*C_in*C_out / (C_in + k*k*C_out); the MACs (weights x H x W) break even at the same r.
    Any narrower reduction saves compute.
    """
    c_in, c_out, k = _positive_int("c_in", c_in), _positive_int("c_out", c_out), _odd_kernel(kernel)
    return k * k * c_in * c_out / (c_in + k * k * c_out)


def reduction_table(rc: ReductionCost) -> Table:
    """Direct versus reduced convolution as a table (weights, MACs)."""
    k = rc.kernel
    return Table(
        ["path", "layers", "weights", "MACs", "vs direct"],
        [
            ["direct", f"{k}x{k} conv {rc.c_in}->{rc.c_out}", rc.direct_weights, rc.direct_macs, 1.0],
            ["reduced", f"1x1 conv {rc.c_in}->{rc.reduction}, {k}x{k} conv {rc.reduction}->{rc.c_out}",
             rc.reduced_weights, rc.reduced_macs, round(rc.ratio, 3)],
        ],
        title=(f"{k}x{k} convolution, {rc.size}x{rc.size}x{rc.c_in} input, "
               f"{_plural(rc.c_out, 'output channel')}"),
        digits=3,
    )


def _plural(n: int, word: str) -> str:
    """``"1 channel"``, ``"2 channels"``: a count with its noun in the right number."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


#: Inline styles for the widget's table: an ipywidgets HTML widget does not get JupyterLab's
#: rendered-output CSS, so without them the columns are left-aligned and run together.
_CELL_STYLE = "padding:2px 12px;border-bottom:1px solid #ddd"
_NUM_STYLE = "text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap"


def _widget_table_html(table: Table) -> str:
    """A :class:`Table` as HTML with padded cells and right-aligned numeric columns."""
    esc = html.escape
    numeric = [all(isinstance(r[i], (int, float)) and not isinstance(r[i], bool) or r[i] is None
                   for r in table.rows) for i in range(len(table.columns))]
    align = lambda i: f"{_CELL_STYLE};{_NUM_STYLE}" if numeric[i] else f"{_CELL_STYLE};text-align:left"  # noqa: E731
    head = "".join(f"<th style='{align(i)}'>{esc(c)}</th>" for i, c in enumerate(table.columns))
    body = "".join("<tr>" + "".join(f"<td style='{align(i)}'>{esc(c)}</td>" for i, c in enumerate(row)) + "</tr>"
                   for row in table._cells())
    caption = (f"<caption style='text-align:left;padding:2px 12px;font-weight:bold'>{esc(table.title)}</caption>"
               if table.title else "")
    return f"<table style='border-collapse:collapse'>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def reduction_html(rc: ReductionCost) -> str:
    """The widget's readout: the table, the ratio and a verdict with the break-even width."""
    be = rc.break_even
    if rc.pays_off:
        verdict = (f"The reduction saves {1 - rc.ratio:.1%} of weights and MACs "
                   f"({rc.direct_macs / rc.reduced_macs:.2f}x fewer).")
    else:
        verdict = (f"<b>No saving:</b> with r = {rc.reduction}, the reduced path costs {rc.ratio:.2f}x the "
                   f"direct convolution.")
    below_one = f"{math.floor(be * 1000) / 1000:.3f}"  # rounded down: 0.9996 must not print as 1.00
    if rc.c_in == 1:
        # break-even < C_in always, so below 1 here: no width r >= 1 pays off
        break_even = (f"With a single input channel there is nothing to reduce: break-even is at "
                      f"r = {below_one}, below the narrowest possible reduction (r = 1), so no reduction "
                      f"width pays off.")
    elif be <= 1:
        break_even = (f"Break-even at r = {below_one}, below the narrowest possible reduction (r = 1): "
                      f"no reduction width pays off here.")
    else:
        break_even = f"Break-even at r = {be:.1f} channels: narrower reductions pay off, wider ones do not."
    note = ""
    if rc.reduction > rc.c_in:
        note = (f"<br><i>This 1x1 conv maps {_plural(rc.c_in, 'input channel')} to {rc.reduction}: "
                f"it expands rather than reduces.</i>")
    elif rc.reduction == rc.c_in and rc.c_in > 1:
        note = (f"<br><i>This 1x1 conv keeps all {_plural(rc.c_in, 'input channel')}: "
                f"it does not reduce anything.</i>")
    return f"{_widget_table_html(reduction_table(rc))}<p>{verdict} {break_even}{note}</p>"


def _reduction_curve(c_in: int, c_out: int, kernel: int, size: int, r_max: int) -> tuple[list[int], list[float]]:
    rs = list(range(1, r_max + 1))
    per_r = (c_in + kernel * kernel * c_out) * size * size / 1e6  # reduced MACs grow linearly in r
    return rs, [r * per_r for r in rs]


def _curve_r_max(rc: ReductionCost) -> int:
    return max(2 * int(rc.break_even) + 2, rc.reduction, 8)


def _draw_reduction(ax: Any, rc: ReductionCost) -> None:
    rs, reduced = _reduction_curve(rc.c_in, rc.c_out, rc.kernel, rc.size, _curve_r_max(rc))
    direct = rc.direct_macs / 1e6
    ax.plot(rs, reduced, color="#55A868", label="1x1 reduction + kxk conv")
    ax.plot([rs[0], rs[-1]], [direct, direct], color="#C44E52", label="direct kxk conv")
    ax.axvline(rc.break_even, color="0.4", ls="--", lw=1, label="break-even")
    ax.plot([rc.reduction], [rc.reduced_macs / 1e6], "o", color="black", label="your r")
    ax.set_xlabel("reduction width r (channels)")
    ax.set_ylabel("MACs per image (millions)")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    k = rc.kernel
    ax.set_title(f"{k}x{k} conv {rc.c_in}->{rc.c_out} on {rc.size}x{rc.size}: break-even r = {rc.break_even:.1f}",
                 fontsize=9)


def plot_reduction_cost(c_in: int = 192, c_out: int = 32, kernel: int = 5, reduction: int = 16,
                        size: int = 28) -> "Figure":
    """Cost of 1x1 reduction + k x k conv against the reduction width, beside the direct conv."""
    import matplotlib.pyplot as plt  # lazily: widgets and cost functions don't need matplotlib

    rc = reduction_cost(c_in, c_out, kernel, reduction, size)
    fig, ax = plt.subplots(figsize=(5.6, 3.2), dpi=80, layout="constrained")
    _draw_reduction(ax, rc)
    plt.close(fig)
    return fig


def _widget_lib() -> Any:
    import ipywidgets  # imported lazily: the cost functions must not need it

    return ipywidgets


def _widget_bundle(widget: Any, text: str, **kwargs: Any) -> dict:
    """The widget's own display data, with a short deterministic text/plain (what nbval compares)
    instead of ipywidgets' repr, which would spell out every child's value."""
    bundle = widget._repr_mimebundle_(**kwargs) or {}
    bundle = dict(bundle[0] if isinstance(bundle, tuple) else bundle)
    bundle["text/plain"] = text
    return bundle


def _nice_step(span: float, target: int = 5) -> float:
    raw = span / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)


def reduction_plot_svg(rc: ReductionCost, width: int = 480, height: int = 250) -> str:
    """The widget's live plot as an SVG string (a few hundred microseconds, unlike a matplotlib redraw):
    reduced MACs against r, the direct conv's MACs, the break-even width and the current r."""
    r_max = _curve_r_max(rc)
    per_r = rc.reduced_macs / rc.reduction / 1e6
    direct = rc.direct_macs / 1e6
    y_max = max(direct, per_r * r_max) * 1.05
    left, right, top, bottom = 62, 12, 24, 40
    pw, ph = width - left - right, height - top - bottom
    sx = lambda r: left + (r - 1) / max(r_max - 1, 1) * pw  # noqa: E731
    sy = lambda v: top + ph - v / y_max * ph  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="10">',
           f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="white" stroke="#444"/>']
    step = _nice_step(y_max)
    v = 0.0
    while v <= y_max:
        y = sy(v)
        out.append(f'<line x1="{left - 4}" y1="{y:.1f}" x2="{left}" y2="{y:.1f}" stroke="#444"/>'
                   f'<text x="{left - 6}" y="{y + 3:.1f}" text-anchor="end">{v:g}</text>')
        v += step
    xstep = max(1, int(_nice_step(r_max - 1)))
    for r in range(xstep if xstep > 1 else 1, r_max + 1, xstep):
        x = sx(r)
        out.append(f'<line x1="{x:.1f}" y1="{top + ph}" x2="{x:.1f}" y2="{top + ph + 4}" stroke="#444"/>'
                   f'<text x="{x:.1f}" y="{top + ph + 15}" text-anchor="middle">{r}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{height - 6}" text-anchor="middle">reduction width r (channels)</text>')
    out.append(f'<text x="12" y="{top + ph / 2}" text-anchor="middle" transform="rotate(-90 12 {top + ph / 2})">'
               f'MACs (millions)</text>')
    out.append(f'<line x1="{sx(1):.1f}" y1="{sy(direct):.1f}" x2="{sx(r_max):.1f}" y2="{sy(direct):.1f}" '
               f'stroke="#C44E52" stroke-width="2"/>')
    out.append(f'<line x1="{sx(1):.1f}" y1="{sy(per_r):.1f}" x2="{sx(r_max):.1f}" y2="{sy(per_r * r_max):.1f}" '
               f'stroke="#55A868" stroke-width="2"/>')
    be = rc.break_even
    if be <= r_max:
        out.append(f'<line x1="{sx(be):.1f}" y1="{top}" x2="{sx(be):.1f}" y2="{top + ph}" stroke="#666" '
                   f'stroke-dasharray="4 3"/>')
    out.append(f'<circle cx="{sx(rc.reduction):.1f}" cy="{sy(rc.reduced_macs / 1e6):.1f}" r="4" fill="black"/>')
    legend = (("#C44E52", f"direct {rc.kernel}x{rc.kernel} conv"), ("#55A868", "1x1 reduction + conv"),
              ("#666", f"break-even r = {be:.1f}"), ("black", f"your r = {rc.reduction}"))
    for i, (color, label) in enumerate(legend):
        y = top + 12 + 13 * i
        out.append(f'<line x1="{left + 8}" y1="{y - 3}" x2="{left + 24}" y2="{y - 3}" stroke="{color}" '
                   f'stroke-width="2"/><text x="{left + 28}" y="{y}">{html.escape(label)}</text>')
    out.append(f'<text x="{left + pw / 2}" y="14" text-anchor="middle" font-size="11">{rc.kernel}x{rc.kernel} conv '
               f'{rc.c_in} -> {rc.c_out} on {rc.size}x{rc.size}</text></svg>')
    return "".join(out)


class ReductionWidget:
    """Sliders for C_in, C_out, kernel, reduction width and H = W; live table, verdict and plot.

    ``.widget`` is the ipywidgets box; ``.update()`` recomputes everything from the sliders.
    """

    def __init__(self, c_in: int = 192, c_out: int = 32, kernel: int = 5, reduction: int = 16,
                 size: int = 28) -> None:
        w = _widget_lib()
        reduction_cost(c_in, c_out, kernel, reduction, size)  # validate the starting values
        check_choice("kernel", kernel, KERNEL_SIZES)
        style = {"description_width": "150px"}
        layout = w.Layout(width="460px")
        slider = lambda desc, v, lo, hi: w.IntSlider(value=v, min=lo, max=hi, description=desc,  # noqa: E731
                                                     style=style, layout=layout, continuous_update=True)
        self.c_in = slider("input channels C_in", c_in, 1, 1024)
        self.c_out = slider("output channels C_out", c_out, 1, 512)
        self.kernel = w.SelectionSlider(options=list(KERNEL_SIZES), value=kernel, description="kernel k",
                                        style=style, layout=layout)
        self.reduction = slider("reduction width r", reduction, 1, 512)
        self.size = slider("H = W", size, 1, 112)
        self.readout = w.HTML()
        self.plot = w.HTML()
        for s in self.sliders:
            s.observe(self._on_change, names="value")
        self.widget = w.VBox([*self.sliders, self.readout, self.plot])
        self.update()

    @property
    def sliders(self) -> list:
        return [self.c_in, self.c_out, self.kernel, self.reduction, self.size]

    def current(self) -> ReductionCost:
        return reduction_cost(self.c_in.value, self.c_out.value, self.kernel.value, self.reduction.value,
                              self.size.value)

    def _on_change(self, _change: dict) -> None:
        self.update()

    def update(self) -> ReductionCost:
        """Recompute the numbers, the verdict and the plot from the slider values."""
        rc = self.current()
        self.readout.value = reduction_html(rc)
        self.plot.value = reduction_plot_svg(rc)
        return rc

    def __repr__(self) -> str:
        return (f"ReductionWidget(c_in={self.c_in.value}, c_out={self.c_out.value}, kernel={self.kernel.value}, "
                f"reduction={self.reduction.value}, size={self.size.value})")

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        return _widget_bundle(self.widget, repr(self), **kwargs)


def reduction_widget(c_in: int = 192, c_out: int = 32, kernel: int = 5, reduction: int = 16,
                     size: int = 28) -> ReductionWidget:
    """The notebook-01 widget (defaults: the 5x5 branch of 3a, 28 x 28 x 192 input)."""
    return ReductionWidget(c_in, c_out, kernel, reduction, size)


def _block_in_shapes(config: GoogLeNetConfig, input_size: int = 224) -> dict[str, tuple[int, int, int]]:
    """Input shape (C, H, W) of every Inception block, read off the cost model."""
    shapes: dict[str, tuple[int, int, int]] = {}
    for layer in cost.layer_costs(config, input_size):
        if layer.branch is not None and short_name(layer.stage) in INCEPTION_BLOCKS:
            shapes.setdefault(short_name(layer.stage), layer.in_shape)
    return shapes


def naive_vs_reduced_table(name: str = "3a", input_size: int = 224) -> Table:
    """One block, naive (Figure 2a) beside reduced (Figure 2b), branch by branch, at its GoogLeNet input."""
    spec = _preset_spec(name)
    shape = _block_in_shapes(GoogLeNetConfig(variant=_VARIANT, aux_logits=False), input_size)[name]
    rows = []
    per = {}
    for naive in (True, False):
        layers = cost.block_costs(shape, spec, variant=_VARIANT, naive=naive, name=name)
        per[naive] = (cost.by_branch(layers), _branch_out_channels(layers))
    for b in BRANCH_NAMES:
        (tn, cn), (tr, cr) = per[True], per[False]
        rows.append([b, cn[b][0], tn[b].weights, tn[b].macs, cr[b][0], tr[b].weights, tr[b].macs])
    rows.append(["total", *(sum(r[i] for r in rows) for i in range(1, 7))])
    c, h, w = shape
    return Table(["branch", "naive out ch", "naive weights", "naive MACs", "reduced out ch", "reduced weights",
                  "reduced MACs"], rows,
                 title=f"Inception {name} on its {h}x{w}x{c} input: naive (Figure 2a) vs with 1x1 reductions (Figure 2b)")


def _branch_out_channels(layers: list[cost.LayerCost]) -> dict[str, tuple[int, int, int]]:
    out: dict[str, tuple[int, int, int]] = {}
    for layer in layers:
        out[layer.branch] = layer.out_shape  # the last layer of a branch gives its output
    return out


def _naive_stack(input_size: int = 224) -> list[list[Any]]:
    rows = []
    stages = {}
    for naive in (True, False):
        cfg = GoogLeNetConfig(variant=_VARIANT, aux_logits=False, naive=naive)
        stages[naive] = (cfg.block_in_channels(), cost.by_stage(cost.layer_costs(cfg, input_size)))
    for name, spec in INCEPTION_BLOCKS.items():
        (cin_n, st_n), (_, st_r) = stages[True], stages[False]
        rows.append([name, cin_n[name], naive_out_channels(spec, cin_n[name]), st_n[long_name(name)].macs,
                     spec.out_channels, st_r[long_name(name)].macs])
    return rows


def naive_growth_table(input_size: int = 224) -> Table:
    """Channels and MACs block by block when every block is naive, next to GoogLeNet's blocks."""
    rows = _naive_stack(input_size)
    rows.append(["total", None, None, sum(r[3] for r in rows), None, sum(r[5] for r in rows)])
    return Table(["block", "naive in ch", "naive out ch", "naive MACs", "GoogLeNet out ch", "GoogLeNet MACs"],
                 rows, title=f"Nine stacked blocks at {input_size} px: naive (Figure 2a) vs reduced (Figure 2b)")


def plot_naive_growth(input_size: int = 224) -> "Figure":
    """Output channels and MACs per block, naive blocks vs GoogLeNet's reduced blocks."""
    import matplotlib.pyplot as plt

    rows = _naive_stack(input_size)
    names = [r[0] for r in rows]
    x = range(len(names))
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.2), dpi=80, layout="constrained")
    a1.plot(x, [r[2] for r in rows], "o-", color="#C44E52", label="naive (Figure 2a)")
    a1.plot(x, [r[4] for r in rows], "o-", color="#4C72B0", label="with reductions (Figure 2b)")
    a1.set_ylabel("output channels")
    a2.bar([i - 0.2 for i in x], [r[3] / 1e9 for r in rows], 0.4, color="#C44E52", label="naive")
    a2.bar([i + 0.2 for i in x], [r[5] / 1e9 for r in rows], 0.4, color="#4C72B0", label="with reductions")
    a2.set_ylabel("GMACs per image")
    for ax, title in ((a1, "channels grow block after block"), (a2, "compute per block")):
        ax.set_xticks(list(x), names)
        ax.set_xlabel("Inception block")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=8, frameon=False)
    plt.close(fig)
    return fig


# ============================================================================ notebook 02
@dataclass(frozen=True)
class BlockPreset:
    """A block of Table 1 with the input it sees inside GoogLeNet (paper variant, 224 px)."""

    name: str
    spec: BlockSpec
    in_shape: tuple[int, int, int]  # C, H, W


def _preset_spec(name: str) -> BlockSpec:
    return INCEPTION_BLOCKS[check_choice("block", name, BLOCK_NAMES)]


_PRESETS: dict[str, BlockPreset] | None = None


def block_presets() -> dict[str, BlockPreset]:
    """The nine blocks 3a ... 5b with their filter counts (Table 1) and input shapes at 224 px."""
    global _PRESETS
    if _PRESETS is None:
        shapes = _block_in_shapes(GoogLeNetConfig(variant=_VARIANT, aux_logits=False), 224)
        _PRESETS = {n: BlockPreset(n, INCEPTION_BLOCKS[n], shapes[n]) for n in BLOCK_NAMES}
    return dict(_PRESETS)


@dataclass(frozen=True)
class BlockReport:
    """Everything the block builder shows: the block's layers, per-branch totals and output shape."""

    in_shape: tuple[int, int, int]
    spec: BlockSpec
    naive: bool
    layers: tuple[cost.LayerCost, ...]
    branches: dict[str, cost.Totals]
    branch_channels: dict[str, int]
    out_shape: tuple[int, int, int]

    @property
    def weights(self) -> int:
        return sum(t.weights for t in self.branches.values())

    @property
    def macs(self) -> int:
        return sum(t.macs for t in self.branches.values())


def block_report(in_shape: tuple[int, int, int], spec: BlockSpec | tuple[int, ...], naive: bool = False) -> BlockReport:
    """Cost one Inception block analytically (paper variant: weights without biases, MACs per image)."""
    if not isinstance(spec, BlockSpec):
        spec = BlockSpec(*spec)
    if not (isinstance(in_shape, tuple) and len(in_shape) == 3):
        raise ValueError(f"in_shape must be a (C, H, W) tuple, got {in_shape!r}")
    for label, v in zip(("in_shape channels", "in_shape height", "in_shape width"), in_shape):
        _positive_int(label, v)
    layers = cost.block_costs(in_shape, spec, variant=_VARIANT, naive=naive, name="block")
    outs = _branch_out_channels(layers)
    channels = {b: outs[b][0] for b in BRANCH_NAMES}
    _, h, w = outs["1x1"]
    return BlockReport(in_shape, spec, naive, tuple(layers), cost.by_branch(layers), channels,
                       (sum(channels.values()), h, w))


def _layer_label(layer: cost.LayerCost, naive: bool) -> str:
    k, c = layer.kernel, layer.out_shape[0]
    if layer.kind == "maxpool":
        return f"3x3 max pool, {c}"
    role = "conv"
    if k == 1 and layer.branch in ("3x3", "5x5") and not naive and layer.name.endswith(".0"):
        role = "reduce"
    elif k == 1 and layer.branch == "pool":
        role = "proj"
    return f"{k}x{k} {role}, {c}"


def branch_table(report: BlockReport) -> Table:
    """Per-branch layers, output channels, weights and MACs (with the share of the block's MACs)."""
    rows = []
    for b in BRANCH_NAMES:
        layers = [l for l in report.layers if l.branch == b]
        t = report.branches[b]
        share = t.macs / report.macs if report.macs else 0.0
        rows.append([b, " -> ".join(_layer_label(l, report.naive) for l in layers), report.branch_channels[b],
                     t.weights, t.macs, f"{share:.1%}"])
    rows.append(["total", "concatenate on channels", report.out_shape[0], report.weights, report.macs, "100.0%"])
    c, h, w = report.in_shape
    kind = "naive (Figure 2a)" if report.naive else "with reductions (Figure 2b)"
    return Table(["branch", "layers (kernel, out channels)", "out ch", "weights", "MACs", "MAC share"], rows,
                 title=f"Inception block {kind} on a {h}x{w}x{c} input -> {'x'.join(map(str, report.out_shape))} (C x H x W)")


_MIN_BOX = 6.0  # px: a 1-channel box stays visible (and its label stays centred under it)


def block_svg(report: BlockReport, width: int = 640) -> str:
    """An SVG diagram of the block: every box is as wide as its channel count (one scale for all,
    with a minimum width so that 1-channel boxes stay visible). The input's label sits above its
    box, so the lines fanning out to the branches never cross it, whatever the channel counts."""
    c_in, h, w = report.in_shape
    slot = (width - 20) / 4  # one column per branch
    per_branch = {b: [l for l in report.layers if l.branch == b] for b in BRANCH_NAMES}
    biggest_box = max(l.out_shape[0] for l in report.layers)
    scale = min((slot - 8) / biggest_box, (width - 20) / max(c_in, report.out_shape[0]))
    rows = max(len(v) for v in per_branch.values())
    row_y = [66 + 50 * i for i in range(rows)]
    concat_y = 66 + 50 * rows + 10
    height = concat_y + 54
    font = 11 if width >= 560 else 10
    esc = html.escape
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="{font}">']

    def rect(cx: float, y: float, channels: int, color: str) -> None:
        bw = max(channels * scale, _MIN_BOX)
        out.append(f'<rect x="{cx - bw / 2:.1f}" y="{y}" width="{bw:.1f}" height="18" fill="{color}" '
                   f'fill-opacity="0.85" stroke="#333" stroke-width="0.5"/>')

    def box(cx: float, y: float, channels: int, color: str, label: str) -> None:
        rect(cx, y, channels, color)
        out.append(f'<text x="{cx:.1f}" y="{y + 31}" text-anchor="middle">{esc(label)}</text>')

    mid = width / 2
    out.append(f'<text x="{mid:.1f}" y="12" text-anchor="middle">{esc(f"previous layer {c_in} x {h} x {w}")}</text>')
    rect(mid, 18, c_in, "#999999")
    x0 = mid - report.out_shape[0] * scale / 2  # left edge of the concatenated output
    for i, b in enumerate(BRANCH_NAMES):
        cx = 10 + slot * (i + 0.5)
        color = BRANCH_COLORS[b]
        out.append(f'<line x1="{mid:.1f}" y1="36" x2="{cx:.1f}" y2="{row_y[0]}" stroke="#777"/>')
        layers = per_branch[b]
        for j, layer in enumerate(layers):
            y = row_y[j]
            if j:
                out.append(f'<line x1="{cx:.1f}" y1="{row_y[j - 1] + 36}" x2="{cx:.1f}" y2="{y}" stroke="#777"/>')
            box(cx, y, layer.out_shape[0], "#DDDDDD" if layer.kind == "maxpool" else color,
                _layer_label(layer, report.naive))
        seg_w = report.branch_channels[b] * scale
        out.append(f'<line x1="{cx:.1f}" y1="{row_y[len(layers) - 1] + 36}" x2="{x0 + seg_w / 2:.1f}" '
                   f'y2="{concat_y}" stroke="{color}"/>')
        out.append(f'<rect x="{x0:.1f}" y="{concat_y}" width="{max(seg_w, 1.0):.1f}" height="18" fill="{color}" '
                   f'stroke="white" stroke-width="0.5"/>')
        x0 += seg_w
    co, oh, ow = report.out_shape
    out.append(f'<text x="{mid:.1f}" y="{concat_y + 31}" text-anchor="middle">filter concatenation '
               f'{esc(" + ".join(str(report.branch_channels[b]) for b in BRANCH_NAMES))} = {co} x {oh} x {ow}</text>')
    out.append(f'<text x="{mid:.1f}" y="{concat_y + 47}" text-anchor="middle" fill="#555">'
               f'box widths proportional to channels; weights {fmt(report.weights)}, MACs {fmt(report.macs)}</text>')
    out.append("</svg>")
    return "".join(out)


_SPEC_FIELDS = ("ch1x1", "ch3x3red", "ch3x3", "ch5x5red", "ch5x5", "pool_proj")
_NAIVE_UNUSED = ("ch3x3red", "ch5x5red", "pool_proj")
#: The filter sliders in a 3-column grid, one column per path: 1x1 over pool_proj, each
#: reduction over its convolution (read row by row: ch1x1, ch3x3red, ch5x5red, then the second row).
_GRID_ORDER = ("ch1x1", "ch3x3red", "ch5x5red", "pool_proj", "ch3x3", "ch5x5")
_GRID_COLUMNS = 3
_DIAGRAM_WIDTH = 480  # px: beside the branch table at 1280 px, rather than above it
_CUSTOM = "custom"
#: "(C x H x W)" must not break across lines, in the summary or the table caption
_CHW_NOWRAP = '<span style="white-space: nowrap">(C&nbsp;x&nbsp;H&nbsp;x&nbsp;W)</span>'


def _nowrap_chw(html_text: str) -> str:
    return html_text.replace("(C x H x W)", _CHW_NOWRAP)


class BlockBuilder:
    """Six filter-count sliders, input channels and size, a Table 1 preset and a naive toggle.

    ``.widget`` is the ipywidgets box; ``.update()`` recomputes the output shape, the branch
    table and the SVG diagram from the cost model (no torch modules are built). The six filter
    sliders sit in a 3-column grid (``.filter_grid``) and the diagram beside the table, so the
    whole widget fits on one screen.

    Picking "custom" in the preset menu keeps the current values and keeps the menu on "custom"
    until another preset is picked; moving a slider away from the selected preset's values
    switches the menu to "custom" by itself.
    """

    def __init__(self, preset: str = "3a", naive: bool = False) -> None:
        w = _widget_lib()
        presets = block_presets()
        p = presets[check_choice("preset", preset, presets)]
        style = {"description_width": "100px"}
        cell = lambda: w.Layout(width="auto", min_width="0")  # noqa: E731  (fill a grid cell)
        self.filters = {f: w.IntSlider(value=v, min=1, max=512, description=f, style=style, layout=cell())
                        for f, v in zip(_SPEC_FIELDS, p.spec.as_tuple())}
        self.in_channels = w.IntSlider(value=p.in_shape[0], min=1, max=1024, description="input channels",
                                       style=style, layout=cell())
        self.size = w.IntSlider(value=p.in_shape[1], min=1, max=56, description="H = W", style=style, layout=cell())
        self.preset = w.Dropdown(options=[_CUSTOM, *presets], value=preset, description="preset (Table 1)",
                                 style=style, layout=cell())
        self.mode = w.ToggleButtons(options=["reduced", "naive"], value="naive" if naive else "reduced",
                                    description="block", style={"description_width": "50px", "button_width": "80px"})
        self.summary = w.HTML()
        self.diagram = w.HTML()
        self.table = w.HTML()
        self._busy = False  # set while a preset writes several sliders: update once, at the end
        self._stay_custom = False  # the user picked "custom": don't relabel the menu with a preset name
        for s in self.sliders:
            s.observe(self._on_slider, names="value")
        self.mode.observe(self._on_slider, names="value")
        self.preset.observe(self._on_preset, names="value")
        grid = lambda children: w.GridBox(  # noqa: E731
            list(children), layout=w.Layout(grid_template_columns=f"repeat({_GRID_COLUMNS}, minmax(0, 1fr))",
                                            grid_gap="0px 16px", width="100%"))
        self.shape_grid = grid([self.preset, self.in_channels, self.size])
        self.filter_grid = grid(self.filters[f] for f in _GRID_ORDER)
        controls = w.VBox([self.shape_grid, self.mode, self.filter_grid])
        # the diagram beside the table (wrapping below it only on a narrow screen); the order of the
        # three HTML widgets (summary, diagram, table) is what the browser tests address
        views = w.HBox([self.diagram, self.table],
                       layout=w.Layout(flex_flow="row wrap", align_items="flex-start", grid_gap="8px 24px"))
        self.widget = w.VBox([controls, self.summary, views])
        self.update()

    @property
    def sliders(self) -> list:
        return [self.in_channels, self.size, *self.filters.values()]

    def spec(self) -> BlockSpec:
        return BlockSpec(*(self.filters[f].value for f in _SPEC_FIELDS))

    def in_shape(self) -> tuple[int, int, int]:
        return (self.in_channels.value, self.size.value, self.size.value)

    def apply_preset(self, name: str) -> None:
        """Set every slider to block ``name`` of Table 1 at its GoogLeNet input (224 px)."""
        p = block_presets()[name]
        self._busy = True
        try:
            for f, v in zip(_SPEC_FIELDS, p.spec.as_tuple()):
                self.filters[f].value = v
            self.in_channels.value, self.size.value = p.in_shape[0], p.in_shape[1]
        finally:
            self._busy = False
        self._stay_custom = False
        self.update()

    def _on_preset(self, change: dict) -> None:
        if self._busy:
            return
        if change["new"] == _CUSTOM:  # keep the current values; the summary says what to do next
            self._stay_custom = True
            self.update()
        else:
            self.apply_preset(change["new"])

    def _on_slider(self, _change: dict) -> None:
        if not self._busy:
            self.update()

    def _matching_preset(self) -> str:
        spec, shape = self.spec(), self.in_shape()
        for name, p in block_presets().items():
            if p.spec == spec and p.in_shape == shape:
                return name
        return _CUSTOM

    def _custom_note(self, match: str) -> str:
        if self.preset.value != _CUSTOM:
            return ""
        start = f" (the values are still block {match}'s)" if match != _CUSTOM else ""
        return f"<b>custom</b>: edit the sliders{start}; pick a block in the preset menu to reset them."

    def update(self) -> BlockReport:
        """Recompute output shape, per-branch table and diagram from the current controls."""
        naive = self.mode.value == "naive"
        for f in _NAIVE_UNUSED:
            self.filters[f].disabled = naive  # Figure 2a has no reductions or pool projection
        report = block_report(self.in_shape(), self.spec(), naive)
        match = self._matching_preset()
        name = _CUSTOM if self._stay_custom else match
        if self.preset.value != name:
            self._busy = True
            try:
                self.preset.value = name
            finally:
                self._busy = False
        self.summary.value = _summary_html(report, self._custom_note(match))
        self.diagram.value = block_svg(report, _DIAGRAM_WIDTH)
        self.table.value = _nowrap_chw(branch_table(report)._repr_html_())
        return report

    def __repr__(self) -> str:
        s = self.spec()
        return (f"BlockBuilder(preset={self.preset.value!r}, mode={self.mode.value!r}, in_shape={self.in_shape()}, "
                f"spec={s.as_tuple()}, out_channels={block_report(self.in_shape(), s, self.mode.value == 'naive').out_shape[0]})")

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        return _widget_bundle(self.widget, repr(self), **kwargs)


def _summary_html(report: BlockReport, note: str = "") -> str:
    c, h, w = report.in_shape
    co, oh, ow = report.out_shape
    parts = [note] if note else []
    parts.append(f"<b>Output shape:</b> <span style=\"white-space: nowrap\">{co} x {oh} x {ow} "
                 f"{_CHW_NOWRAP}</span> from {c} x {h} x {w}; "
                 f"<b>weights</b> {fmt(report.weights)}, <b>MACs</b> {fmt(report.macs)} per image.")
    s = report.spec
    if report.naive:
        parts.append(f"Naive block: the pool branch passes all {c} input channels through, so the output "
                     f"always has more channels than the input (ch3x3red, ch5x5red and pool_proj are unused).")
    else:
        wide = [f for f, red, out in (("ch3x3red", s.ch3x3red, c), ("ch5x5red", s.ch5x5red, c)) if red > out]
        if wide:
            parts.append(f"Note: {', '.join(wide)} exceeds the {c} input channels, so that 1x1 conv expands "
                         f"instead of reducing.")
    return "<p>" + "<br>".join(parts) + "</p>"


def block_diagram(preset: str = "3a", naive: bool = False) -> Any:
    """Block ``preset`` of Table 1 at its GoogLeNet input, drawn as an SVG (the builder's static view)."""
    from IPython.display import SVG

    _preset_spec(preset)  # clear error for an unknown name
    p = block_presets()[preset]
    return SVG(block_svg(block_report(p.in_shape, p.spec, naive)))


def figure2_svg(block: str = "3a", panel_width: int = 470) -> str:
    """The paper's Figure 2 for block ``block`` of Table 1 at its GoogLeNet input: (a) the naive
    module and (b) the module with dimension reductions, side by side, one SVG drawn by
    :func:`block_svg` from the block's filter counts (box widths proportional to channels)."""
    _preset_spec(block)  # clear error for an unknown name
    panel_width = check_int("panel_width", panel_width, 320, 1200)
    p = block_presets()[block]
    panels = [block_svg(block_report(p.in_shape, p.spec, naive), width=panel_width) for naive in (True, False)]
    heights = [float(svg.split('height="', 1)[1].split('"', 1)[0]) for svg in panels]
    gap, title_h = 16, 22
    width, height = 2 * panel_width + gap, max(heights) + title_h
    titles = (f"(a) Inception module {block}, naive version", f"(b) Inception module {block} with dimension reductions")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0f}" '
           f'viewBox="0 0 {width} {height:.0f}" font-family="sans-serif" font-size="12">']
    for i, (svg, title) in enumerate(zip(panels, titles)):
        x = i * (panel_width + gap)
        out.append(f'<text x="{x + panel_width / 2:.1f}" y="15" text-anchor="middle" font-weight="bold">'
                   f'{html.escape(title)}</text>')
        out.append(svg.replace("<svg ", f'<svg x="{x}" y="{title_h}" ', 1))
    out.append(f'<line x1="{panel_width + gap / 2}" y1="4" x2="{panel_width + gap / 2}" y2="{height - 4:.0f}" '
               f'stroke="#CCCCCC"/>')
    out.append("</svg>")
    return "".join(out)


def figure2(block: str = "3a", panel_width: int = 470) -> Any:
    """:func:`figure2_svg` as a displayable SVG (the paper's Figure 2a and 2b for one block)."""
    from IPython.display import SVG

    return SVG(figure2_svg(block, panel_width))


def block_builder(preset: str = "3a", naive: bool = False) -> BlockBuilder:
    """The notebook-02 widget, starting from block ``preset`` of Table 1."""
    return BlockBuilder(preset, naive)


# ============================================================================ exercise checks
def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else repr(value)


def _check(answer: Any, expected: Any, what: str, *, tol: float = 0.0, hint: str = "") -> Verdict:
    """Compare ``answer`` with ``expected``; ``answer=None`` (the placeholder) asks for an answer."""
    if answer is None:
        return Verdict(None, f"Fill in your answer for {what} (it is still None).")
    answer = check_number(f"answer for {what}", answer)
    if abs(answer - expected) <= tol:
        return Verdict(True, f"Correct: {what} = {_show(answer)}.")
    return Verdict(False, f"Not yet: {_show(answer)} is not {what}. {hint}".rstrip())


def check_direct_macs(answer: int | None, c_in: int = 192, c_out: int = 128, kernel: int = 3, size: int = 28) -> Verdict:
    """Exercise: MACs of a direct k x k convolution C_in -> C_out on an H x W map ("same" padding)."""
    expected = reduction_cost(c_in, c_out, kernel, 1, size).direct_macs
    return _check(answer, expected, f"the MACs of a {kernel}x{kernel} conv {c_in}->{c_out} on {size}x{size}",
                  hint="Use H*W*k*k*C_in*C_out.")


def check_break_even(answer: float | None, c_in: int = 480, c_out: int = 48, kernel: int = 5) -> Verdict:
    """Exercise: the break-even reduction width (accepted within 0.5 channels)."""
    return _check(answer, break_even_width(c_in, c_out, kernel),
                  f"the break-even width for a {kernel}x{kernel} conv {c_in}->{c_out}", tol=0.5,
                  hint="Set r*C_in + k*k*r*C_out equal to k*k*C_in*C_out and solve for r.")


def check_naive_channels(answer: int | None, block: str = "4a") -> Verdict:
    """Exercise: output channels of block ``block`` when every block of GoogLeNet is naive."""
    spec = _preset_spec(block)
    cin = GoogLeNetConfig(naive=True).block_in_channels()[block]
    return _check(answer, naive_out_channels(spec, cin), f"the output channels of naive block {block}",
                  hint="Naive out = ch1x1 + ch3x3 + ch5x5 + (all input channels), and the input is the previous block's output.")


def check_same_padding(answer: int | None, kernel: int = 7) -> Verdict:
    """Exercise: padding that keeps H and W for a stride-1 k x k convolution."""
    k = _odd_kernel(kernel)
    return _check(answer, k // 2, f"the 'same' padding of a {k}x{k} stride-1 conv",
                  hint="Output = H + 2p - k + 1; set it equal to H.")


def check_block_weights(answer: int | None, block: str = "4c") -> Verdict:
    """Exercise: weights (no biases, as Table 1 counts) of block ``block`` at its GoogLeNet input."""
    _preset_spec(block)  # validates the name
    p = block_presets()[block]
    expected = block_report(p.in_shape, p.spec).weights
    return _check(answer, expected, f"the weights of block {block}",
                  hint="Add k*k*C_in*C_out over its six convolutions; the pool branch's 1x1 sees all input channels.")


def check_aux_params(answer: int | None, variant: str = "bn") -> Verdict:
    """Exercise: parameters of both auxiliary heads of GoogLeNet (variant ``variant``, 1000 classes)."""
    layers = cost.layer_costs(GoogLeNetConfig(variant=variant), 224)
    expected = cost.totals(layers).params - cost.totals(layers, include_aux=False).params
    return _check(answer, expected, f"the parameters of both auxiliary heads ({variant} variant)",
                  hint="Sum the aux1 and aux2 rows, or subtract the eval-mode count from the total.")


def check_branch3_kernel_saving(answer: int | None, block: str = "3a") -> Verdict:
    """Exercise: weights saved in block ``block``'s "5x5" branch by torchvision's 3x3 kernel."""
    _preset_spec(block)
    p = block_presets()[block]
    five = cost.by_branch(cost.block_costs(p.in_shape, p.spec, variant="paper"))["5x5"].weights
    three = cost.by_branch(cost.block_costs(p.in_shape, p.spec, variant="torchvision"))["5x5"].weights
    return _check(answer, five - three, f"the weights torchvision's 3x3 kernel saves in the 5x5 branch of {block}",
                  hint="Only the kxk conv changes: (5*5 - 3*3) * ch5x5red * ch5x5.")


def check_block_out_channels(answer: int | None, block: str = "4e") -> Verdict:
    """Exercise (notebook 00): output channels of block ``block`` of Table 1 (the four branch widths added up)."""
    spec = _preset_spec(block)
    return _check(answer, spec.out_channels, f"the output channels of block {block}",
                  hint="Add the widths of the four branches: #1x1 + #3x3 + #5x5 + pool proj (not the reductions).")


def check_conv_as_linear(conv: Any, fc: Any, x: Any) -> Verdict:
    """Exercise (notebook 01): ``conv`` must compute ``fc`` (an ``nn.Linear``) at every pixel of ``x`` (N, C, H, W)."""
    import torch
    from torch import nn

    if conv is None:
        return Verdict(None, "Fill in your nn.Conv2d (it is still None).")
    if not isinstance(fc, nn.Linear):
        raise TypeError(f"fc must be an nn.Linear, got {type(fc).__name__}")
    if not isinstance(conv, nn.Conv2d):
        return Verdict(False, f"Not yet: your layer is a {type(conv).__name__}, not an nn.Conv2d.")
    if tuple(conv.kernel_size) != (1, 1) or (conv.in_channels, conv.out_channels) != (fc.in_features, fc.out_features):
        return Verdict(False, f"Not yet: expected a 1x1 nn.Conv2d({fc.in_features}, {fc.out_features}), got kernel "
                              f"{tuple(conv.kernel_size)} from {conv.in_channels} to {conv.out_channels} channels.")
    with torch.no_grad():
        ok = torch.allclose(conv(x), fc(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2), atol=1e-6)
    if ok:
        return Verdict(True, "Correct: your 1x1 convolution is the linear layer applied at every pixel.")
    return Verdict(False, "Not yet: right shape, different numbers. Copy fc.weight (viewed as out x in x 1 x 1) "
                          "and fc.bias into the convolution.")
