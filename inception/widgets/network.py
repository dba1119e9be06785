"""Notebook 03's explorer: width, per-stage widths, input resolution and variant of the whole
network, with its totals and each block's share of parameters and MACs (analytic cost model)."""

from __future__ import annotations

import html
from typing import Sequence

from .. import cost
from .._checks import check_choice, check_int
from ..config import STAGES, VARIANTS, GoogLeNetConfig
from ..display import Table
from ..netviz import _LABELS, _SharePlot, _fmt_count, _shares, concentration
from .base import Explorer, ipywidgets

__all__ = ["NetworkExplorer", "network_widget", "too_small_message", "DESCRIPTION_WIDTH", "SLIDER_WIDTH"]


_MIN_PX, _MAX_PX = 8, 448  # the resolution slider's range
#: One description width and one overall width for every slider, so the tracks line up.
DESCRIPTION_WIDTH = "80px"
SLIDER_WIDTH = "440px"
_CONTROLS_WIDTH = "450px"  # the sliders plus their margins
_TOTALS_WIDTH = "400px"  # fixed, so the controls keep their place whatever the readout shows


def too_small_message(size: int, variant: str, minimum: int) -> str:
    """The explorer's text for an input that the variant's pools and convolutions cannot take."""
    return (f"An input of {size}x{size} px is too small for the '{variant}' variant: its pools and "
            f"convolutions need at least {minimum}x{minimum} px. Move 'input px' up.")


def _check_explorer_args(variant: str | None = None, input_size: int | None = None) -> int | None:
    """Check the explorer's arguments; returns ``input_size`` as a plain int (None stays None)."""
    if variant is not None:
        check_choice("variant", variant, sorted(VARIANTS))
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
                            for s in STAGES]
        self.resolution = W.IntSlider(value=input_size, min=_MIN_PX, max=_MAX_PX, step=1, description="input px",
                                      continuous_update=True, style=style, layout=slider_layout)
        self.reset = W.Button(description="reset", layout=W.Layout(width="70px", flex="0 0 auto"))
        self.totals_html = W.HTML(layout=W.Layout(width=_TOTALS_WIDTH, min_width=_TOTALS_WIDTH, flex="0 0 auto"))
        self.image = W.Image(format="png")
        self.plot = _SharePlot(_LABELS)
        self.numbers: dict[str, float] = {}
        self.message = ""
        # the default network of every variant, with and without naive blocks: computed once here
        # so that switching variant costs no more than moving a slider
        self._ref = {(v, nv): _shares(cost.layer_costs(GoogLeNetConfig(variant=v, naive=nv), 224))
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
        row = W.HBox([controls, self.totals_html], layout=W.Layout(align_items="flex-start", flex_flow="row wrap"))
        self.widget = W.VBox([row, self.image])
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
        if stage_width is not None and len(stage_width) != len(STAGES):
            raise ValueError(f"stage_width must have {len(STAGES)} values {list(STAGES)}, got {stage_width!r}")
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
            self.totals_html.value = f"<p style='color:#C44E52'>{html.escape(self.message, quote=False)}</p>"
            self.plot.draw(None, None, ref[0], ref[1], f"input too small: this network needs >= {minimum} px")
            self.image.value = self.plot.png()
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
        self.totals_html.value = (
            f"<p style='font-size:13px'><b>{cfg.variant}{', naive blocks' if cfg.naive else ''}, "
            f"{size}x{size} px</b></p><table style='font-size:13px'>"
            f"<tr><td>parameters (inference)</td><td><b>{n['params']:,}</b></td>"
            f"<td>x{n['params_vs_default']:.2f}</td></tr>"
            f"<tr><td>parameters with aux heads</td><td>{n['params_with_aux']:,}</td><td></td></tr>"
            f"<tr><td>multiply-accumulates</td><td><b>{_fmt_count(n['macs'])}</b></td>"
            f"<td>x{n['macs_vs_default']:.2f}</td></tr>"
            f"<tr><td>FLOPs (2 x MACs)</td><td>{_fmt_count(n['flops'])}</td><td></td></tr>"
            f"<tr><td>MACs in stem + stage 3</td><td>{n['early_macs']:.1%}</td><td></td></tr>"
            f"<tr><td>params in stage 5 + fc</td><td>{n['late_params']:.1%}</td><td></td></tr>"
            f"<tr><td>channels before the classifier</td><td>{n['out_channels']:,}</td><td></td></tr>"
            "</table><p style='font-size:11px'>x: relative to the same variant at width 1, 224 px. "
            "Bars: share of each block; black ticks: the default network.</p>"
        )
        pshare, mshare = _shares(layers)
        self.plot.draw(pshare, mshare, ref[0], ref[1])
        self.image.value = self.plot.png()

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
