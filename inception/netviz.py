"""Where a network's parameters and compute live: plots, tables and checks (the explorer: inception.widgets).

Everything except :func:`cross_check` and :func:`time_blocks` uses the analytic cost model
(:mod:`inception.cost`), so it is exact and fast. Plot functions return a matplotlib
``Figure`` that pyplot does not track, so Jupyter (with ``%matplotlib inline``) shows it once,
when it is a cell's value. The explorer (:class:`inception.widgets.NetworkExplorer`) draws with
the helpers here; its update logic is plain Python, tested without a browser.
"""

from __future__ import annotations

import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from matplotlib.figure import Figure

from . import cost, zoo
from ._checks import check_int, check_number, moved_error
from .architecture import LAYER_NAMES, block_stage, short_name
from .config import VARIANTS, WIDTH_GROUPS, GoogLeNetConfig
from .cost import LayerCost
from .display import Table, Verdict, new_figure, verdict

__all__ = [
    "stage_label",
    "stage_group",
    "stage_costs",
    "cost_bars",
    "Concentration",
    "concentration",
    "concentration_table",
    "variants_table",
    "compare_figure",
    "variant_stage_table",
    "cross_check",
    "time_blocks",
    "timing_figure",
    "explorer_figure",
    "Verdict",
    "check_flatten_fc_weights",
    "check_conv1_separable",
    "check_resolution_scaling",
    "check_half_macs_width",
    "SHARE_LABELS",
    "SHARE_CLIP",
    "stage_shares",
    "format_count",
]


def __getattr__(name: str) -> object:
    raise moved_error(__name__, name)  # an explorer's old name here says where it went


PARAMS_COLOR, MACS_COLOR = "#4C72B0", "#DD8452"
#: The groups whose cost :func:`concentration` adds up: the width groups (stem, stages 3, 4, 5) and the classifier.
COST_GROUPS: tuple[str, ...] = WIDTH_GROUPS + ("head",)


# ----------------------------------------------------------------------------- grouping
def stage_label(stage: str) -> str:
    """Short label of a top-level module: ``"inception4c"`` -> ``"4c"``, others unchanged."""
    return short_name(stage)


def stage_group(stage: str) -> str:
    """GoogLeNet's coarse groups: "stem" (conv1-3), "3", "4", "5" (Inception blocks), "head" (fc),
    "aux" (auxiliary classifiers)."""
    if short_name(stage) != stage:  # an Inception block
        return block_stage(stage)
    if stage.startswith("aux"):
        return "aux"
    if stage in ("fc", "avgpool", "dropout"):
        return "head"
    return "stem"


def stage_costs(layers: Sequence[LayerCost], *, include_aux: bool = False) -> list[tuple[str, int, int]]:
    """``(label, params, macs)`` per top-level module that has parameters, in forward order."""
    out: dict[str, list[int]] = {}
    for layer in layers:
        if layer.aux and not include_aux:
            continue
        if layer.params == 0 and layer.macs == 0:
            continue  # pools, LRN: nothing to count
        acc = out.setdefault(stage_label(layer.stage), [0, 0])
        acc[0] += layer.params
        acc[1] += layer.macs
    return [(name, p, m) for name, (p, m) in out.items()]


# ----------------------------------------------------------------------------- bar charts
def cost_bars(layers: Sequence[LayerCost], title: str = "", *, include_aux: bool = False) -> Figure:
    """Two bar charts, one bar per layer/block: parameters (millions) and MACs (millions),
    each bar labelled with its share of the network total."""
    rows = stage_costs(layers, include_aux=include_aux)
    names = [r[0] for r in rows]
    params = np.array([r[1] for r in rows], dtype=float)
    macs = np.array([r[2] for r in rows], dtype=float)
    fig = new_figure((max(6.0, 0.42 * len(rows) + 1.5), 4.6), dpi=90)
    axes = fig.subplots(2, 1, sharex=True)
    x = np.arange(len(rows))
    for ax, values, color, unit in ((axes[0], params, PARAMS_COLOR, "parameters (M)"),
                                    (axes[1], macs, MACS_COLOR, "MACs (M)")):
        ax.bar(x, values / 1e6, color=color)
        ax.set_ylabel(unit)
        total = values.sum()
        for xi, v in zip(x, values):
            if v / total >= 0.03:
                ax.annotate(f"{v / total:.0%}", (xi, v / 1e6), ha="center", va="bottom", fontsize=7,
                            xytext=(0, 1), textcoords="offset points")
        ax.set_ylim(0, values.max() / 1e6 * 1.18)
        ax.spines[["top", "right"]].set_visible(False)
    axes[1].set_xticks(x, names, rotation=90 if len(rows) > 20 else 45, fontsize=8)
    if title:
        axes[0].set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- concentration
@dataclass(frozen=True)
class Concentration:
    """Shares of the network's parameters and MACs per group (stem, 3, 4, 5, head)."""

    params: dict[str, int]
    macs: dict[str, int]

    def params_share(self, *groups: str) -> float:
        return sum(self.params[g] for g in groups) / sum(self.params.values())

    def macs_share(self, *groups: str) -> float:
        return sum(self.macs[g] for g in groups) / sum(self.macs.values())

    @property
    def early_macs(self) -> float:
        """Share of MACs in the stem and stage 3 (28x28 maps and larger)."""
        return self.macs_share("stem", "3")

    @property
    def late_params(self) -> float:
        """Share of parameters in stage 5 and the classifier."""
        return self.params_share("5", "head")


def concentration(layers: Sequence[LayerCost]) -> Concentration:
    """Group a GoogLeNet's layers (auxiliary heads left out) into stem, 3, 4, 5, head."""
    params = {g: 0 for g in COST_GROUPS}
    macs = {g: 0 for g in COST_GROUPS}
    for layer in layers:
        if layer.aux:
            continue
        g = stage_group(layer.stage)
        params[g] += layer.params
        macs[g] += layer.macs
    return Concentration(params, macs)


def concentration_table(layers: Sequence[LayerCost]) -> Table:
    """Parameters and MACs per group with their shares: compute early, parameters late."""
    c = concentration(layers)
    _, h, w = layers[0].in_shape
    rows = [[g, c.params[g], f"{c.params_share(g):.1%}", round(c.macs[g] / 1e6, 1), f"{c.macs_share(g):.1%}"]
            for g in COST_GROUPS]
    return Table(["group", "params", "share", "MACs (M)", "share "], rows,
                 title=f"Where the cost lives ({h}x{w} px input, no auxiliary heads)", digits=1)


# ----------------------------------------------------------------------------- comparisons
def compare_figure(names: Sequence[str] | None = None) -> Figure:
    """Parameters and MACs of the networks in :data:`inception.zoo.NETWORKS`, log scale."""
    names = list(zoo.NETWORKS) if names is None else list(names)
    t = [cost.totals(zoo.network_costs(n)) for n in names]
    fig = new_figure((8.0, 0.45 * len(names) + 1.2), dpi=90)
    axes = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(names))[::-1]
    for ax, values, color, label in ((axes[0], [v.params / 1e6 for v in t], PARAMS_COLOR, "parameters (M)"),
                                     (axes[1], [v.macs / 1e9 for v in t], MACS_COLOR, "GMACs per image")):
        ax.barh(y, values, color=color)
        ax.set_xscale("log")
        ax.set_xlabel(label + ", log scale")
        for yi, v in zip(y, values):
            ax.annotate(f"{v:.3g}", (v, yi), va="center", fontsize=8, xytext=(2, 0), textcoords="offset points")
        ax.set_xlim(min(values) / 2, max(values) * 4)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_yticks(y, names, fontsize=8)
    fig.tight_layout()
    return fig


def variant_stage_table(input_size: int = 224) -> Table:
    """MACs (M) per group for the three variants: where torchvision's 3x3 "5x5" branch saves."""
    rows = []
    for name in VARIANTS:
        c = concentration(cost.layer_costs(GoogLeNetConfig(variant=name, aux_logits=False), input_size))
        rows.append([name] + [round(c.macs[g] / 1e6, 1) for g in COST_GROUPS] + [round(sum(c.macs.values()) / 1e6, 1)])
    return Table(["variant"] + [f"{g} (M MACs)" for g in COST_GROUPS] + ["total"], rows,
                 title=f"MACs per group at {input_size}x{input_size} px, no auxiliary heads", digits=1)


def variants_table(input_size: int = 224, num_classes: int = 1000) -> Table:
    """The three variants side by side: parameters and multiply-accumulates per image."""
    input_size = check_int("input_size", input_size, 1)
    rows = []
    for name in VARIANTS:
        layers = cost.layer_costs(GoogLeNetConfig(variant=name, num_classes=num_classes), input_size)
        t, main = cost.totals(layers), cost.totals(layers, include_aux=False)
        rows.append([name, t.params, main.params, main.weights, round(main.macs / 1e9, 3), round(t.macs / 1e9, 3)])
    return Table(
        ["variant", "params (with aux)", "params (no aux)", "weights (no aux)", "GMACs (no aux)", "GMACs (with aux heads)"],
        rows,
        title=f"GoogLeNet variants at {input_size}x{input_size} px, per image",
        digits=3,
    )


# ----------------------------------------------------------------------------- cross-check
@contextmanager
def _torch_threads(n: int | None):
    """Run torch on ``n`` intra-op threads inside the block (None: leave the setting alone).

    On a busy machine, OpenMP threads that wait for a core make small convolutions take many
    times longer than on one thread; one thread also makes timings comparable across runs.
    """
    import torch

    before = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def cross_check(configs: Sequence[GoogLeNetConfig] | None = None, input_size: int = 224,
                threads: int | None = 1) -> Table:
    """Build each network and compare the analytic totals with torchinfo and FlopCounterMode.

    Eval mode, one image: torchinfo counts every parameter (auxiliary heads included, they exist
    even when they do not run), while the forward pass runs the main path only. torchinfo's
    "mult-adds" also count biases and BatchNorm parameters (``LayerCost.torchinfo_macs``);
    FlopCounterMode counts 2 FLOPs per MAC of convolutions and linear layers. ``threads``: torch
    threads used for the two forward passes (the counts do not depend on it).
    """
    import torch
    import torchinfo
    from torch.utils.flop_counter import FlopCounterMode

    from .model import GoogLeNet

    configs = list(configs) if configs is not None else [
        GoogLeNetConfig(variant=v, init_weights=False) for v in VARIANTS
    ]
    rows = []
    for cfg in configs:
        if not isinstance(cfg, GoogLeNetConfig):
            raise TypeError(f"configs must hold GoogLeNetConfig objects, got {type(cfg).__name__}")
        layers = cost.layer_costs(cfg, input_size)
        every, main = cost.totals(layers), cost.totals(layers, include_aux=False)
        model = GoogLeNet(cfg).eval()
        with _torch_threads(threads):
            s = torchinfo.summary(model, input_size=(1, cfg.in_channels, input_size, input_size), device="cpu",
                                  verbose=0, mode="eval")
            with FlopCounterMode(display=False) as counter, torch.no_grad():
                model(torch.zeros(1, cfg.in_channels, input_size, input_size))
        flops = counter.get_total_flops()
        label = cfg.variant + (" (aux heads built)" if cfg.aux_logits else "")
        ok = s.total_params == every.params and s.total_mult_adds == main.torchinfo_macs and flops == main.flops
        rows.append([label, every.params, s.total_params, main.torchinfo_macs, s.total_mult_adds, main.flops, flops,
                     ok])
    return Table(["network", "params (analytic)", "torchinfo", "mult-adds (analytic)", "torchinfo ",
                  "FLOPs = 2 x MACs", "FlopCounterMode", "all equal"], rows,
                 title=f"Analytic cost model vs torchinfo and FlopCounterMode, 1 image of {input_size}x{input_size} px")


# ----------------------------------------------------------------------------- timing
def time_blocks(config: GoogLeNetConfig | None = None, input_size: int = 224, repeats: int = 5,
                batch: int = 1, threads: int | None = 1) -> Table:
    """Measured CPU time of every top-level module next to its MACs.

    Each module is run alone on the input it sees in a real forward pass (captured with
    hooks); the time is the median of ``repeats`` runs after one warm-up run. Timings depend
    on the machine and its load, so the numbers change from run to run.
    """
    import torch

    from .model import GoogLeNet

    repeats, batch = check_int("repeats", repeats, 1), check_int("batch", batch, 1)
    if threads is not None:
        threads = check_int("threads", threads, 1)
    cfg = config or GoogLeNetConfig(variant="paper", aux_logits=False, init_weights=False)
    model = GoogLeNet(cfg).eval()
    inputs: dict[str, torch.Tensor] = {}
    hooks = [mod.register_forward_pre_hook(lambda m, a, n=name: inputs.__setitem__(n, a[0]))
             for name, mod in model.named_children()]
    x = torch.randn(batch, cfg.in_channels, input_size, input_size)
    with torch.no_grad(), _torch_threads(threads):
        model(x)
    for h in hooks:
        h.remove()
    macs: dict[str, int] = {}
    for layer in cost.layer_costs(cfg, input_size):
        if not layer.aux:
            macs[layer.stage] = macs.get(layer.stage, 0) + layer.macs
    rows = []
    with torch.no_grad(), _torch_threads(threads):
        for name, inp in inputs.items():
            mod = getattr(model, name)
            if name == "fc":
                inp = inp.flatten(1)
            mod(inp)  # warm-up
            runs = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                mod(inp)
                runs.append(time.perf_counter() - t0)
            ms = statistics.median(runs) * 1e3 / batch
            m = macs.get(name, 0)
            rows.append([stage_label(name), round(m / 1e6, 1), round(ms, 2), round(m / 1e6 / ms, 1) if m else None])
    return Table(["module", "MACs (M)", "time (ms)", "MMACs per ms"], rows,
                 title=f"CPU time per module, {cfg.variant} variant, {input_size} px, median of {repeats} runs")


def timing_figure(timings: Table) -> Figure:
    """Share of MACs next to share of measured time, per module (from :func:`time_blocks`)."""
    names = timings.column("module")
    macs = np.array(timings.column("MACs (M)"), dtype=float)
    ms = np.array(timings.column("time (ms)"), dtype=float)
    fig = new_figure((8.0, 3.2), dpi=90)
    ax = fig.subplots()
    x = np.arange(len(names))
    ax.bar(x - 0.2, 100 * macs / macs.sum(), 0.4, color=MACS_COLOR, label="share of MACs")
    ax.bar(x + 0.2, 100 * ms / ms.sum(), 0.4, color="#55A868", label="share of CPU time")
    ax.set_xticks(x, names, rotation=60, fontsize=8)
    ax.set_ylabel("% of the network")
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- the explorer
SHARE_CLIP = 40.0  # % : the explorer's fixed y range; taller bars are clipped and labelled


class _SharePlot:
    """The explorer's plot as a static figure: per-block share of parameters and of MACs, with the
    default network's shares as reference ticks (the live explorer draws the same as SVG:
    :func:`inception.widgets.network.share_plot_svg`)."""

    def __init__(self, labels: Sequence[str], dpi: int = 80) -> None:
        from matplotlib.collections import PolyCollection
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        self.labels = list(labels)
        n = len(self.labels)
        self.x = np.arange(n, dtype=float)
        self.fig = new_figure((7.6, 2.9), dpi=dpi)
        ax = self.ax = self.fig.subplots()
        # one collection per series: drawing 2 artists is much faster than drawing 26 bars
        self.params_bars = ax.add_collection(PolyCollection([], facecolors=PARAMS_COLOR))
        self.macs_bars = ax.add_collection(PolyCollection([], facecolors=MACS_COLOR))
        (self.ref_params,) = ax.plot(self.x - 0.2, np.zeros(n), "_", color="black", ms=9)
        (self.ref_macs,) = ax.plot(self.x + 0.2, np.zeros(n), "_", color="black", ms=9)
        self.clip_texts = [ax.text(0, SHARE_CLIP, "", ha="center", va="bottom", fontsize=7,
                                   visible=False) for _ in range(2 * n)]
        self.title = ax.set_title("", fontsize=9)
        ax.set_xticks(self.x, self.labels, fontsize=8)
        ax.set_xlim(-0.6, n - 0.4)
        ax.set_ylim(0, SHARE_CLIP * 1.08)
        ax.set_ylabel("% of network total", fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
        ax.legend([Patch(color=PARAMS_COLOR), Patch(color=MACS_COLOR),
                   Line2D([], [], marker="_", ms=9, color="black", ls="")],
                  ["share of parameters", "share of MACs", "default network"],
                  loc="upper left", frameon=False, fontsize=8, ncol=3)
        ax.spines[["top", "right"]].set_visible(False)
        self.fig.tight_layout()

    def set_data(self, params_share: Sequence[float], macs_share: Sequence[float],
                 ref_params: Sequence[float], ref_macs: Sequence[float]) -> None:
        """Draw the shares (percentages)."""
        n = len(self.labels)
        for i, (bars, shares, offset) in enumerate(((self.params_bars, params_share, -0.2),
                                                    (self.macs_bars, macs_share, 0.2))):
            h = np.minimum(np.asarray(shares, dtype=float), SHARE_CLIP)
            x0, x1 = self.x + offset - 0.2, self.x + offset + 0.2
            verts = np.stack([np.stack([x0, 0 * h], 1), np.stack([x0, h], 1), np.stack([x1, h], 1),
                              np.stack([x1, 0 * h], 1)], 1)
            bars.set_verts(verts)
            for j, v in enumerate(shares):
                t = self.clip_texts[i * n + j]
                t.set_visible(v > SHARE_CLIP)
                if v > SHARE_CLIP:
                    t.set_position((self.x[j] + offset, SHARE_CLIP))
                    t.set_text(f"{v:.0f}%")
        self.ref_params.set_ydata(np.minimum(ref_params, SHARE_CLIP))
        self.ref_macs.set_ydata(np.minimum(ref_macs, SHARE_CLIP))


SHARE_LABELS = [*LAYER_NAMES, "fc"]


def stage_shares(layers: Sequence[LayerCost]) -> tuple[list[float], list[float]]:
    """Per-entry share (%) of parameters and of MACs, in the order of :data:`SHARE_LABELS`."""
    rows = {name: (p, m) for name, p, m in stage_costs(layers)}
    tp = sum(p for p, _ in rows.values())
    tm = sum(m for _, m in rows.values())
    return ([100 * rows[n][0] / tp for n in SHARE_LABELS], [100 * rows[n][1] / tm for n in SHARE_LABELS])


def format_count(n: float) -> str:
    """A large count as ``"1.234 G"`` or ``"12.34 M"``."""
    return f"{n / 1e9:.3f} G" if n >= 1e9 else f"{n / 1e6:.2f} M"


def explorer_figure(config: GoogLeNetConfig | None = None, input_size: int = 224) -> Figure:
    """A static copy of the explorer's plot for ``config`` (for readers without a live kernel)."""
    cfg = config or GoogLeNetConfig(variant="paper")
    layers = cost.layer_costs(cfg, input_size)
    ref = stage_shares(cost.layer_costs(GoogLeNetConfig(variant=cfg.variant, naive=cfg.naive), 224))
    t = cost.totals(layers, include_aux=False)
    plot = _SharePlot(SHARE_LABELS, dpi=90)
    plot.set_data(*stage_shares(layers), *ref)
    plot.title.set_text(f"{cfg.variant}, width {cfg.width:g}, {input_size}x{input_size} px: "
                        f"{t.params / 1e6:.2f} M params, {format_count(t.macs)}MACs (ticks: default network)")
    return plot.fig


# ----------------------------------------------------------------------------- exercise checks
def _fill_in(what: str) -> Verdict:
    return verdict(None, "", "", missing=f"Fill in {what}, then run the cell again.")


def check_flatten_fc_weights(answer: int | None) -> Verdict:
    """Exercise: weights (no biases) of one linear layer from the flattened 7x7x1024 map to 1000 classes."""
    if answer is None:
        return _fill_in("`answer` (an integer)")
    answer = check_number("answer", answer)
    expected = zoo.head_costs()["flatten + FC"][0].weights
    return verdict(answer == expected, f"{expected:,} weights, {expected // 1_024_000} times GAP + FC's.",
                   "flatten gives H*W*C inputs; each of the 1000 outputs has one weight per input.")


def check_conv1_separable(weights: int | None, macs: int | None) -> Verdict:
    """Exercise: conv1 as a depthwise-separable 7x7/2 (depth multiplier 8) then 1x1 to 64 channels."""
    if weights is None or macs is None:
        return _fill_in("`weights` and `macs` (integers)")
    check_number("weights", weights)
    check_number("macs", macs)
    depthwise = cost.conv_layer("dw", (3, 224, 224), 3 * 8, 7, 2, 3, groups=3, bias=False)
    pointwise = cost.conv_layer("pw", depthwise.out_shape, 64, 1, bias=False)
    w, m = depthwise.weights + pointwise.weights, depthwise.macs + pointwise.macs
    ok = weights == w and macs == m
    return verdict(ok, f"{w:,} weights = {w / 1024:.2f} K and {m / 1e6:.1f} M MACs: Table 1's conv1 row "
                           "(printed there as 2.7 K / 34 M).",
                   "depthwise: 7*7 weights per output map, 3*8 maps; pointwise: 24*64; "
                   "MACs = weights x 112*112 output positions.")


def check_resolution_scaling(macs_ratio: float | None, params_ratio: float | None) -> Verdict:
    """Exercise: going from 224 to 448 px input, by what factor do MACs and parameters change?"""
    if macs_ratio is None or params_ratio is None:
        return _fill_in("`macs_ratio` and `params_ratio` (numbers)")
    check_number("macs_ratio", macs_ratio)
    check_number("params_ratio", params_ratio)
    cfg = GoogLeNetConfig(variant="paper", aux_logits=False)
    a, b = cost.totals(cost.layer_costs(cfg, 224)), cost.totals(cost.layer_costs(cfg, 448))
    m, p = b.macs / a.macs, b.params / a.params
    ok = abs(macs_ratio - m) <= 0.02 * m and abs(params_ratio - p) <= 0.02 * p
    return verdict(ok, f"MACs x{m:.3f} (every map has 4x the pixels; only the fc layer does not grow), "
                       f"parameters x{p:g} (global average pooling makes the head size-independent).",
                   "MACs are weights x output positions; which of the two depends on H and W?")


def check_half_macs_width(width: float | None) -> Verdict:
    """Exercise: a width multiplier that roughly halves GoogLeNet's MACs (within 5 %)."""
    if width is None:
        return _fill_in("`width` (a number between 0.25 and 2)")
    width = check_number("width", width, 0, min_open=True)
    base = cost.totals(cost.layer_costs(GoogLeNetConfig(variant="paper", aux_logits=False), 224)).macs
    r = cost.totals(cost.layer_costs(GoogLeNetConfig(variant="paper", aux_logits=False, width=float(width)), 224)).macs / base
    return verdict(abs(r - 0.5) <= 0.025, f"width {width:g} gives x{r:.3f} the MACs: MACs scale with "
                                          "width^2 (C_in and C_out both shrink), except conv1 whose input is RGB.",
                   f"width {width:g} gives x{r:.3f} the MACs; try a value near 1/sqrt(2).")
