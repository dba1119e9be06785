"""Plots, diagrams, readouts and exercise checks for notebooks 01 (1x1 reductions) and 02 (the block).

Every number comes from the analytic cost model (:mod:`inception.cost`, :mod:`inception.reduction`),
never from building torch modules, so a widget update takes milliseconds. The widgets themselves
are in :mod:`inception.widgets` (``widgets.reduction_widget``, ``widgets.block_builder``); what
they show comes from plain functions here (``reduction_html``, ``block_report``,
``block_svg``) that tests call without a browser.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import cost
from ._checks import check_choice, check_int, moved_error
from .architecture import (BLOCK_NAMES, BRANCH_COLORS, BRANCH_NAMES, INCEPTION_BLOCKS, BlockSpec, check_filter_count,
                           long_name, short_name)
from .config import GoogLeNetConfig, naive_out_channels
from .display import Table, Verdict, check_answer, fmt, subplots, verdict
from .reduction import KERNEL_SIZES, ReductionCost, break_even_width, check_odd_kernel, reduction_cost

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
    "table_html",
]


def __getattr__(name: str) -> object:
    raise moved_error(__name__, name)  # an explorer's old name here says where it went


_VARIANT = "paper"  # Table 1's counting: weights without biases, no BatchNorm


def _positive_int(name: str, value: object) -> int:
    return check_filter_count(name, value)


# ============================================================================ notebook 01
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


def table_html(table: Table, font_size: int | None = None) -> str:
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
    size = f";font-size:{font_size}px" if font_size else ""
    return (f"<table style='border-collapse:collapse{size}'>{caption}<thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


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
    return f"{table_html(reduction_table(rc))}<p>{verdict} {break_even}{note}</p>"


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

    rc = reduction_cost(c_in, c_out, kernel, reduction, size)
    fig, ax = subplots(figsize=(5.6, 3.2), dpi=80, layout="constrained")
    _draw_reduction(ax, rc)
    return fig


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

    rows = _naive_stack(input_size)
    names = [r[0] for r in rows]
    x = range(len(names))
    fig, (a1, a2) = subplots(1, 2, figsize=(9, 3.2), dpi=80, layout="constrained")
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


# ============================================================================ exercise checks
def check_direct_macs(answer: int | None, c_in: int = 192, c_out: int = 128, kernel: int = 3, size: int = 28) -> Verdict:
    """Exercise: MACs of a direct k x k convolution C_in -> C_out on an H x W map ("same" padding)."""
    expected = reduction_cost(c_in, c_out, kernel, 1, size).direct_macs
    return check_answer(answer, expected, f"the MACs of a {kernel}x{kernel} conv {c_in}->{c_out} on {size}x{size}",
                        hint="Use H*W*k*k*C_in*C_out.")


def check_break_even(answer: float | None, c_in: int = 480, c_out: int = 48, kernel: int = 5) -> Verdict:
    """Exercise: the break-even reduction width (accepted within 0.5 channels)."""
    return check_answer(answer, break_even_width(c_in, c_out, kernel),
                        f"the break-even width for a {kernel}x{kernel} conv {c_in}->{c_out}", tol=0.5,
                        hint="Set r*C_in + k*k*r*C_out equal to k*k*C_in*C_out and solve for r.")


def check_naive_channels(answer: int | None, block: str = "4a") -> Verdict:
    """Exercise: output channels of block ``block`` when every block of GoogLeNet is naive."""
    spec = _preset_spec(block)
    cin = GoogLeNetConfig(naive=True).block_in_channels()[block]
    return check_answer(answer, naive_out_channels(spec, cin), f"the output channels of naive block {block}",
                        hint="Naive out = ch1x1 + ch3x3 + ch5x5 + (all input channels), and the input is the previous block's output.")


def check_same_padding(answer: int | None, kernel: int = 7) -> Verdict:
    """Exercise: padding that keeps H and W for a stride-1 k x k convolution."""
    k = check_odd_kernel(kernel)
    return check_answer(answer, k // 2, f"the 'same' padding of a {k}x{k} stride-1 conv",
                        hint="Output = H + 2p - k + 1; set it equal to H.")


def check_block_weights(answer: int | None, block: str = "4c") -> Verdict:
    """Exercise: weights (no biases, as Table 1 counts) of block ``block`` at its GoogLeNet input."""
    _preset_spec(block)  # validates the name
    p = block_presets()[block]
    expected = block_report(p.in_shape, p.spec).weights
    return check_answer(answer, expected, f"the weights of block {block}",
                        hint="Add k*k*C_in*C_out over its six convolutions; the pool branch's 1x1 sees all input channels.")


def check_aux_params(answer: int | None, variant: str = "bn") -> Verdict:
    """Exercise: parameters of both auxiliary heads of GoogLeNet (variant ``variant``, 1000 classes)."""
    layers = cost.layer_costs(GoogLeNetConfig(variant=variant), 224)
    expected = cost.totals(layers).params - cost.totals(layers, include_aux=False).params
    return check_answer(answer, expected, f"the parameters of both auxiliary heads ({variant} variant)",
                        hint="Sum the aux1 and aux2 rows, or subtract the eval-mode count from the total.")


def check_branch3_kernel_saving(answer: int | None, block: str = "3a") -> Verdict:
    """Exercise: weights saved in block ``block``'s "5x5" branch by torchvision's 3x3 kernel."""
    _preset_spec(block)
    p = block_presets()[block]
    five = cost.by_branch(cost.block_costs(p.in_shape, p.spec, variant="paper"))["5x5"].weights
    three = cost.by_branch(cost.block_costs(p.in_shape, p.spec, variant="torchvision"))["5x5"].weights
    return check_answer(answer, five - three, f"the weights torchvision's 3x3 kernel saves in the 5x5 branch of {block}",
                        hint="Only the kxk conv changes: (5*5 - 3*3) * ch5x5red * ch5x5.")


def check_block_out_channels(answer: int | None, block: str = "4e") -> Verdict:
    """Exercise (notebook 00): output channels of block ``block`` of Table 1 (the four branch widths added up)."""
    spec = _preset_spec(block)
    return check_answer(answer, spec.out_channels, f"the output channels of block {block}",
                        hint="Add the widths of the four branches: #1x1 + #3x3 + #5x5 + pool proj (not the reductions).")


def check_conv_as_linear(conv: Any, fc: Any, x: Any) -> Verdict:
    """Exercise (notebook 01): ``conv`` must compute ``fc`` (an ``nn.Linear``) at every pixel of ``x`` (N, C, H, W)."""
    import torch
    from torch import nn

    if conv is None:
        return verdict(None, missing="Fill in your nn.Conv2d, then run the cell again.")
    if not isinstance(fc, nn.Linear):
        raise TypeError(f"fc must be an nn.Linear, got {type(fc).__name__}")
    if not isinstance(conv, nn.Conv2d):
        return verdict(False, wrong=f"your layer is a {type(conv).__name__}, not an nn.Conv2d.")
    if tuple(conv.kernel_size) != (1, 1) or (conv.in_channels, conv.out_channels) != (fc.in_features, fc.out_features):
        return verdict(False, wrong=f"expected a 1x1 nn.Conv2d({fc.in_features}, {fc.out_features}), got kernel "
                                    f"{tuple(conv.kernel_size)} from {conv.in_channels} to {conv.out_channels} "
                                    "channels.")
    with torch.no_grad():
        ok = torch.allclose(conv(x), fc(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2), atol=1e-6)
    return verdict(ok, "your 1x1 convolution is the linear layer applied at every pixel.",
                   "right shape, different numbers. Copy fc.weight (viewed as out x in x 1 x 1) "
                   "and fc.bias into the convolution.")
