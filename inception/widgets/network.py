"""Notebook 03's explorer: width, per-stage widths, input resolution and variant of the whole
network, with its totals and each block's share of parameters and MACs (analytic cost model)."""

from __future__ import annotations

import html
from typing import Sequence

from .. import cost
from .._checks import check_int
from ..config import VARIANTS, WIDTH_GROUPS, GoogLeNetConfig, variant_spec
from ..display import Table
from ..netviz import SHARE_CLIP, SHARE_LABELS, MACS_COLOR, PARAMS_COLOR, format_count, stage_shares, concentration
from .base import Explorer, ipywidgets

__all__ = ["NetworkExplorer", "network_widget", "share_plot_svg", "too_small_message", "DESCRIPTION_WIDTH", "SLIDER_WIDTH"]


_MIN_PX, _MAX_PX = 8, 448  # the resolution slider's range
#: One description width and one overall width for every slider, so the tracks line up.
DESCRIPTION_WIDTH = "80px"
SLIDER_WIDTH = "440px"
_CONTROLS_WIDTH = "450px"  # the sliders plus their margins
_TOTALS_WIDTH = "400px"  # fixed, so the plot keeps its place whatever the readout shows


def too_small_message(size: int, variant: str, minimum: int) -> str:
    """The explorer's text for an input that the variant's pools and convolutions cannot take."""
    return (f"An input of {size}x{size} px is too small for the '{variant}' variant: its pools and "
            f"convolutions need at least {minimum}x{minimum} px. Move 'input px' up.")


def _check_explorer_args(variant: str | None = None, input_size: int | None = None) -> int | None:
    """Check the explorer's arguments; returns ``input_size`` as a plain int (None stays None)."""
    if variant is not None:
        variant_spec(variant)
    return None if input_size is None else check_int("input_size", input_size, _MIN_PX, _MAX_PX)


def _min_size(variant: str, naive: bool) -> int:
    """Smallest valid input of a variant, by bisection: output sizes never shrink as the input
    grows, and filter counts (width) do not change them. Same answer as cost.min_input_size."""
    cfg = GoogLeNetConfig(variant=variant, naive=naive, aux_logits=False)
    lo, hi = 1, _MAX_PX  # hi is valid for every variant
    while lo < hi:
        mid = (lo + hi) // 2
        try:
            cost.layer_costs(cfg, mid)
            hi = mid
        except cost.ShapeError:
            lo = mid + 1
    return lo


def share_plot_svg(params_share: Sequence[float] | None, macs_share: Sequence[float] | None,
                   ref_params: Sequence[float], ref_macs: Sequence[float], message: str = "",
                   width: int = 608, height: int = 232) -> str:
    """The explorer's live plot as SVG (well under a millisecond, unlike a matplotlib redraw): each
    block's share of parameters and of MACs in %, the default network's shares as black ticks, bars
    above the fixed range clipped and labelled. ``None`` shares show ``message`` instead."""
    left, right, top, bottom = 44, 8, 26, 22
    pw, ph = width - left - right, height - top - bottom
    n = len(SHARE_LABELS)
    y_max = SHARE_CLIP * 1.08
    sx = lambda x: left + (x + 0.6) / n * pw  # noqa: E731  (x from -0.6 to n - 0.4, as the static figure)
    sy = lambda v: top + ph - min(v, SHARE_CLIP) / y_max * ph  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="10">',
           f'<path d="M{left} {top}V{top + ph}H{left + pw}" fill="none" stroke="#444"/>']
    for v in range(0, int(SHARE_CLIP) + 1, 10):
        out.append(f'<line x1="{left - 4}" y1="{sy(v):.1f}" x2="{left}" y2="{sy(v):.1f}" stroke="#444"/>'
                   f'<text x="{left - 6}" y="{sy(v) + 3:.1f}" text-anchor="end">{v}</text>')
    out.append(f'<text x="11" y="{top + ph / 2}" text-anchor="middle" transform="rotate(-90 11 {top + ph / 2})">'
               f'% of network total</text>')
    for i, label in enumerate(SHARE_LABELS):
        out.append(f'<text x="{sx(i):.1f}" y="{top + ph + 14}" text-anchor="middle">{label}</text>')
    if params_share is None or macs_share is None:
        out.append(f'<text x="{left + pw / 2}" y="{top + ph / 2}" text-anchor="middle" font-size="12" '
                   f'fill="#C44E52">{html.escape(message)}</text>')
    else:
        for shares, offset, color in ((params_share, -0.2, PARAMS_COLOR), (macs_share, 0.2, MACS_COLOR)):
            bar_w = sx(0.4) - sx(0)
            for i, v in enumerate(shares):
                x0, y = sx(i + offset - 0.2), sy(v)
                out.append(f'<rect x="{x0:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{top + ph - y:.1f}" '
                           f'fill="{color}"/>')
                if v > SHARE_CLIP:
                    out.append(f'<text x="{sx(i + offset):.1f}" y="{y - 2:.1f}" text-anchor="middle" '
                               f'font-size="8">{v:.0f}%</text>')
    for refs, offset in ((ref_params, -0.2), (ref_macs, 0.2)):
        out.extend(f'<line x1="{sx(i + offset) - 5:.1f}" y1="{sy(v):.1f}" x2="{sx(i + offset) + 5:.1f}" '
                   f'y2="{sy(v):.1f}" stroke="black" stroke-width="1.5"/>' for i, v in enumerate(refs))
    x = left + 8
    for kind, color, label in (("box", PARAMS_COLOR, "share of parameters"), ("box", MACS_COLOR, "share of MACs"),
                               ("tick", "black", "default network")):
        mark = (f'<rect x="{x}" y="6" width="12" height="9" fill="{color}"/>' if kind == "box" else
                f'<line x1="{x}" y1="11" x2="{x + 12}" y2="11" stroke="black" stroke-width="1.5"/>')
        out.append(f'{mark}<text x="{x + 16}" y="14">{label}</text>')
        x += 16 + 6 * len(label) + 18
    out.append("</svg>")
    return "".join(out)


class NetworkExplorer(Explorer):
    """The network explorer: width, per-stage widths (stem, 3, 4, 5), input resolution,
    variant and naive blocks; live totals and per-block shares, from the analytic cost model.

    ``explorer.widget`` is the ipywidgets box; ``explorer.numbers`` the values shown;
    ``explorer.message`` the text shown instead when the combination cannot be built.
    Jupyter displays an explorer as its widget.
    """

    def __init__(self, variant: str = "paper", input_size: int = 224, naive: bool = False) -> None:
        W = ipywidgets()
        input_size = _check_explorer_args(variant=variant, input_size=input_size)
        style = {"description_width": DESCRIPTION_WIDTH}
        slider_layout = W.Layout(width=SLIDER_WIDTH)
        slider = dict(min=0.25, max=2.0, step=0.05, readout_format=".2f", continuous_update=True, style=style,
                      layout=slider_layout)
        self.variant = W.Dropdown(options=list(VARIANTS), value=variant, description="variant", style=style,
                                  layout=W.Layout(width="180px"))
        self.naive = W.Checkbox(value=naive, description="naive blocks (Figure 2a)", indent=False,
                                layout=W.Layout(width="180px"))
        self.width = W.FloatSlider(value=1.0, description="width (all)", **slider)
        self.stage_width = [W.FloatSlider(value=1.0, description=f"{s if s == 'stem' else 'stage ' + s}", **slider)
                            for s in WIDTH_GROUPS]
        self.resolution = W.IntSlider(value=input_size, min=_MIN_PX, max=_MAX_PX, step=1, description="input px",
                                      continuous_update=True, style=style, layout=slider_layout)
        self.reset = W.Button(description="reset", layout=W.Layout(width="70px", flex="0 0 auto"))
        # one HTML view for the totals and the plot (an SVG): one message to the browser per move
        self.view = W.HTML()
        self.parts: dict[str, str] = {}
        self.numbers: dict[str, float] = {}
        self.message = ""
        # the default network of every variant, with and without naive blocks: computed once here
        # so that switching variant costs no more than moving a slider
        self._ref = {(v, nv): stage_shares(cost.layer_costs(GoogLeNetConfig(variant=v, naive=nv), 224))
                     for v in VARIANTS for nv in (False, True)}
        self._min_px = {(v, nv): _min_size(v, nv) for v in VARIANTS for nv in (False, True)}
        for w in (self.variant, self.naive, self.width, *self.stage_width, self.resolution):
            w.observe(self._on_change, names="value")
        self.reset.on_click(lambda _: self.set(width=1.0, stage_width=(1.0,) * 4, input_size=224))
        # fixed, non-shrinking widths: the top row and the reset button stay put when the readout
        # switches between the totals table and the "too small" message
        top = W.HBox([self.variant, self.naive, self.reset],
                     layout=W.Layout(width=SLIDER_WIDTH, flex="0 0 auto", align_items="center"))
        controls = W.VBox([top, self.width, *self.stage_width, self.resolution],
                          layout=W.Layout(width=_CONTROLS_WIDTH, min_width=_CONTROLS_WIDTH, flex="0 0 auto"))
        self.widget = W.VBox([controls, self.view])
        self.update()

    # -- state
    @property
    def config(self) -> GoogLeNetConfig:
        return GoogLeNetConfig(variant=self.variant.value, naive=self.naive.value, width=self.width.value,
                               stage_width=tuple(s.value for s in self.stage_width), init_weights=False)

    def set(self, *, width: float | None = None, stage_width: Sequence[float] | None = None,
            input_size: int | None = None, variant: str | None = None, naive: bool | None = None) -> None:
        """Move several controls at once (one update at the end)."""
        input_size = _check_explorer_args(variant=variant, input_size=input_size)
        if stage_width is not None and len(stage_width) != len(WIDTH_GROUPS):
            raise ValueError(f"stage_width must have {len(WIDTH_GROUPS)} values {list(WIDTH_GROUPS)}, got {stage_width!r}")
        with self.hold():  # several controls move: update once, at the end
            if variant is not None:
                self.variant.value = variant
            if naive is not None:
                self.naive.value = naive
            if width is not None:
                self.width.value = width
            if stage_width is not None:
                for s, v in zip(self.stage_width, stage_width):
                    s.value = v
            if input_size is not None:
                self.resolution.value = input_size
        self.update()

    def _on_change(self, change: dict) -> None:
        if not self.held:
            self.update()

    def _reference(self, variant: str, naive: bool) -> tuple[list[float], list[float]]:
        return self._ref[(variant, naive)]

    # -- the update: numbers, text, figure
    def update(self) -> None:
        cfg, size = self.config, self.resolution.value
        ref = self._reference(cfg.variant, cfg.naive)
        try:
            layers = cost.layer_costs(cfg, size)
        except cost.ShapeError:
            minimum = self._min_px[(cfg.variant, cfg.naive)]
            self.numbers = {}
            self.message = too_small_message(size, cfg.variant, minimum)
            self._show(f"<p style='color:#C44E52'>{html.escape(self.message, quote=False)}</p>",
                       share_plot_svg(None, None, ref[0], ref[1],
                                      f"input too small: this network needs >= {minimum} px"))
            return
        self.message = ""
        main, every = cost.totals(layers, include_aux=False), cost.totals(layers)
        default = cost.totals(cost.layer_costs(GoogLeNetConfig(variant=cfg.variant), 224), include_aux=False)
        c = concentration(layers)
        self.numbers = {
            "params": main.params,
            "params_with_aux": every.params,
            "macs": main.macs,
            "flops": main.flops,
            "params_vs_default": main.params / default.params,
            "macs_vs_default": main.macs / default.macs,
            "early_macs": c.early_macs,
            "late_params": c.late_params,
            "out_channels": cfg.out_channels,
        }
        n = self.numbers
        totals = (
            f"<p style='font-size:13px'><b>{cfg.variant}{', naive blocks' if cfg.naive else ''}, "
            f"{size}x{size} px</b></p><table style='font-size:13px'>"
            f"<tr><td>parameters (inference)</td><td><b>{n['params']:,}</b></td>"
            f"<td>x{n['params_vs_default']:.2f}</td></tr>"
            f"<tr><td>parameters with aux heads</td><td>{n['params_with_aux']:,}</td><td></td></tr>"
            f"<tr><td>multiply-accumulates</td><td><b>{format_count(n['macs'])}</b></td>"
            f"<td>x{n['macs_vs_default']:.2f}</td></tr>"
            f"<tr><td>FLOPs (2 x MACs)</td><td>{format_count(n['flops'])}</td><td></td></tr>"
            f"<tr><td>MACs in stem + stage 3</td><td>{n['early_macs']:.1%}</td><td></td></tr>"
            f"<tr><td>params in stage 5 + fc</td><td>{n['late_params']:.1%}</td><td></td></tr>"
            f"<tr><td>channels before the classifier</td><td>{n['out_channels']:,}</td><td></td></tr>"
            "</table><p style='font-size:11px'>x: relative to the same variant at width 1, 224 px. "
            "Bars: share of each block; black ticks: the default network.</p>"
        )
        pshare, mshare = stage_shares(layers)
        self._show(totals, share_plot_svg(pshare, mshare, ref[0], ref[1]))

    def _show(self, totals: str, plot: str) -> None:
        """The totals (fixed width, so the plot keeps its place) beside the plot."""
        self.parts = {"totals": totals, "plot": plot}
        self.view.value = (f"<div style='display:flex;flex-flow:row wrap;align-items:flex-start;gap:4px 24px'>"
                           f"<div style='width:{_TOTALS_WIDTH};flex:0 0 auto'>{totals}</div>"
                           f"<div style='flex:0 0 auto'>{plot}</div></div>")

    def table(self) -> Table:
        """The numbers shown beside the plot, as a table (for static copies of the notebook)."""
        if not self.numbers:
            return Table(["quantity", "value"], [["message", self.message]])
        n = self.numbers
        return Table(["quantity", "value", "x default"], [
            ["parameters (inference)", n["params"], round(n["params_vs_default"], 3)],
            ["parameters with aux heads", n["params_with_aux"], None],
            ["multiply-accumulates", n["macs"], round(n["macs_vs_default"], 3)],
            ["FLOPs (2 x MACs)", n["flops"], None],
            ["MACs in stem + stage 3", f"{n['early_macs']:.1%}", None],
            ["params in stage 5 + fc", f"{n['late_params']:.1%}", None],
            ["channels before the classifier", n["out_channels"], None],
        ], title=f"Explorer: {self!r}", digits=3)

    def __repr__(self) -> str:
        sw = ", ".join(f"{s.value:g}" for s in self.stage_width)
        return (f"NetworkExplorer({self.variant.value}, width={self.width.value:g}, stages=({sw}), "
                f"{self.resolution.value} px)")


def network_widget(variant: str = "paper", input_size: int = 224, naive: bool = False) -> NetworkExplorer:
    """Build the network explorer (display it as a cell's value)."""
    return NetworkExplorer(variant, input_size, naive)
