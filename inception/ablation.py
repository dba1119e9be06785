"""Tables, plots and widgets for the auxiliary-classifier ablation (notebook 04).

Everything takes :class:`~inception.experiments.aux_ablation.Results` (the live run or the
committed JSON). Claims are computed, never typed: :func:`compare` says whether a difference
between two arms exceeds the spread between seeds.
"""

from __future__ import annotations

import io
import statistics
from dataclasses import dataclass
from typing import Any, Sequence

from .display import Table
from .experiments.aux_ablation import Results, Setup, run_arm
from .train import STAGES, History

__all__ = [
    "METRICS",
    "arm_label",
    "summary_table",
    "grad_ratio_table",
    "compare",
    "Comparison",
    "comparisons_table",
    "plot_curves",
    "plot_grad_by_depth",
    "plot_heads",
    "AblationExplorer",
]

#: Per-epoch metrics a plot can show.
METRICS: dict[str, str] = {
    "val_main": "validation accuracy, main head",
    "train_main": "training accuracy (running), main head",
    "val_aux1": "validation accuracy, aux head 1 (after 4a)",
    "val_aux2": "validation accuracy, aux head 2 (after 4d)",
}
_STEP_METRICS = {"main": "main loss per step", "loss": "optimised (total) loss per step"}


def arm_label(variant: str, aux_weight: float) -> str:
    return f"{variant}, aux {aux_weight:g}"


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    m = statistics.fmean(values)
    return m, (statistics.stdev(values) if len(values) > 1 else 0.0)


def _pm(values: Sequence[float], digits: int = 3) -> str:
    m, s = _mean_std(values)
    return f"{m:.{digits}f} +- {s:.{digits}f}"


def _early_grad(h: History, stages: Sequence[str]) -> float:
    """Mean over steps of the gradient norm summed over ``stages``' squared norms (an L2 over the group)."""
    n = h.num_steps
    return statistics.fmean(sum(h.grad_norm[s][i] ** 2 for s in stages) ** 0.5 for i in range(n))


EARLY: tuple[str, ...] = ("conv1", "conv2", "conv3", "3a", "3b")


def summary_table(results: Results, digits: int = 3) -> Table:
    """Final accuracies of every arm, mean +- std over seeds, and the early-network gradient."""
    rows = []
    for v, w in results.arms:
        runs = results.arm(v, w)
        row = [v, w, len(runs)]
        for key in ("train_main", "val_main", "val_aux1", "val_aux2"):
            row.append(_pm([h.final(key) for h in runs], digits))
        row.append(f"{_mean_std([_early_grad(h, EARLY) for h in runs])[0]:.3g}")
        rows.append(row)
    return Table(["variant", "aux weight", "seeds", "train acc", "val acc (main)", "val acc aux1 (4a)",
                  "val acc aux2 (4d)", "grad norm stem..3b"], rows,
                 title="Final epoch, mean +- std over seeds")


def grad_ratio_table(results: Results, variant: str, *, baseline: float = 0.0, digits: int = 2) -> Table:
    """Per stage: mean gradient norm with each aux weight divided by the one at ``baseline``."""
    base = results.arm(variant, baseline)
    if not base:
        raise ValueError(f"no runs for variant={variant!r} with aux weight {baseline}")
    others = [w for v, w in results.arms if v == variant and w != baseline]
    rows = []
    for s in STAGES:
        b = statistics.fmean(h.mean_grad_norm(s) for h in base)
        row: list[Any] = [s, f"{b:.3g}"]
        for w in others:
            row.append(round(statistics.fmean(h.mean_grad_norm(s) for h in results.arm(variant, w)) / b, digits))
        rows.append(row)
    return Table(["stage", f"grad norm, aux {baseline:g}"] + [f"ratio aux {w:g} / aux {baseline:g}" for w in others],
                 rows, title=f"{variant}: mean gradient norm per stage over all steps", digits=digits)


@dataclass(frozen=True)
class Comparison:
    """Arm ``b`` minus arm ``a`` on one metric, against the spread between seeds."""

    variant: str
    a: float
    b: float
    metric: str
    mean_a: float
    mean_b: float
    spread: float  # the largest seed-to-seed range (max - min) within either arm

    @property
    def difference(self) -> float:
        return self.mean_b - self.mean_a

    @property
    def exceeds_spread(self) -> bool:
        return abs(self.difference) > self.spread

    @property
    def verdict(self) -> str:
        if not self.exceeds_spread:
            return "within seed spread: no detectable effect"
        return "higher with aux" if self.difference > 0 else "lower with aux"


def compare(results: Results, variant: str, a: float, b: float, metric: str = "val_main") -> Comparison:
    """Mean of ``metric`` (final epoch) in arm ``b`` minus arm ``a``, and the seed spread."""
    ra, rb = results.arm(variant, a), results.arm(variant, b)
    if not ra or not rb:
        raise ValueError(f"need runs for {variant!r} with aux weights {a} and {b}; arms are {results.arms}")
    va, vb = [h.final(metric) for h in ra], [h.final(metric) for h in rb]
    spread = max(max(va) - min(va), max(vb) - min(vb))
    return Comparison(variant, a, b, metric, statistics.fmean(va), statistics.fmean(vb), spread)


def comparisons_table(results: Results, metric: str = "val_main", baseline: float = 0.0) -> Table:
    rows = []
    for v in dict.fromkeys(v for v, _ in results.arms):
        for w in [w for vv, w in results.arms if vv == v and w != baseline]:
            c = compare(results, v, baseline, w, metric)
            rows.append([v, f"{w:g} vs {baseline:g}", round(c.difference, 3), round(c.spread, 3), c.verdict])
    return Table(["variant", "aux weight", "difference", "seed spread", "verdict"], rows,
                 title=f"{METRICS.get(metric, metric)}: difference of means vs spread between seeds")


# ----------------------------------------------------------------------------- plots
def _figure(ncols: int = 1, width: float = 5.0, height: float = 3.2):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, height), dpi=80, squeeze=False)
    return fig, axes[0]


def _colors(arms: Sequence[tuple[str, float]]) -> dict[tuple[str, float], Any]:
    import matplotlib

    cmap = matplotlib.colormaps["tab10"]
    return {arm: cmap(i % 10) for i, arm in enumerate(arms)}


def _check_arms(results: Results, arms: Sequence[tuple[str, float]] | None) -> list[tuple[str, float]]:
    if arms is None:
        return results.arms
    arms = [(v, float(w)) for v, w in arms]
    bad = [a for a in arms if a not in results.arms]
    if bad:
        raise ValueError(f"arms {bad} not in the results; available: {results.arms}")
    return arms


def draw_curves(ax, results: Results, metric: str, arms: Sequence[tuple[str, float]]) -> None:
    """Mean over seeds (line) and min-max over seeds (band) of one metric, per arm."""
    if metric not in METRICS and metric not in _STEP_METRICS:
        raise ValueError(f"metric must be one of {list(METRICS) + list(_STEP_METRICS)}, got {metric!r}")
    colors = _colors(results.arms)
    for arm in arms:
        runs = results.arm(*arm)
        if metric in METRICS:
            series = [h.epochs[metric] for h in runs]
            x = list(range(1, len(series[0]) + 1))
        else:
            from .train import _smooth

            series = [_smooth(h.steps[metric], max(1, len(h.steps[metric]) // 30)) for h in runs]
            x = list(range(1, len(series[0]) + 1))
        cols = list(zip(*series))
        mean = [statistics.fmean(c) for c in cols]
        ax.plot(x, mean, color=colors[arm], label=f"{arm_label(*arm)} (n={len(runs)})")
        ax.fill_between(x, [min(c) for c in cols], [max(c) for c in cols], color=colors[arm], alpha=0.2)
    ax.set_xlabel("epoch" if metric in METRICS else "step")
    ax.set_ylabel(METRICS.get(metric) or _STEP_METRICS[metric], fontsize=8)
    if metric in METRICS:
        ax.axhline(1 / results.runs[0].config["num_classes"], color="grey", lw=0.8, ls=":")
    ax.legend(fontsize=7)


def plot_curves(results: Results, metrics: Sequence[str] = ("main", "val_main"),
                arms: Sequence[tuple[str, float]] | None = None, title: str | None = None):
    """Learning curves: one panel per metric, mean and min-max band over seeds per arm."""
    import matplotlib.pyplot as plt

    arms = _check_arms(results, arms)
    fig, axes = _figure(len(metrics), 4.6, 3.2)
    for ax, m in zip(axes, metrics):
        draw_curves(ax, results, m, arms)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_grad_by_depth(results: Results, variants: Sequence[str] | None = None, title: str | None = None):
    """Mean gradient norm of each stage (input -> output), one line per aux weight, one panel per variant."""
    import matplotlib.pyplot as plt

    variants = list(variants or dict.fromkeys(v for v, _ in results.arms))
    colors = _colors(results.arms)
    fig, axes = _figure(len(variants), 4.6, 3.2)
    for ax, v in zip(axes, variants):
        for arm in [a for a in results.arms if a[0] == v]:
            runs = results.arm(*arm)
            y = [statistics.fmean(h.mean_grad_norm(s) for h in runs) for s in STAGES]
            ax.plot(range(len(STAGES)), y, "o-", color=colors[arm], label=arm_label(*arm), ms=3)
        for head_stage in ("4a", "4d"):
            ax.axvline(STAGES.index(head_stage), color="grey", lw=0.6, ls="--")
        ax.set_xticks(range(len(STAGES)), STAGES, rotation=60, fontsize=7)
        ax.set_yscale("log")
        ax.set_ylabel("mean gradient norm (log)", fontsize=8)
        ax.set_title(f"{v} (dashed: where the aux heads attach)", fontsize=8)
        ax.legend(fontsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_heads(results: Results, title: str | None = None):
    """Final validation accuracy of the main and both auxiliary heads per arm (mean, seed min-max)."""
    import matplotlib.pyplot as plt

    fig, axes = _figure(1, 6.5, 3.0)
    ax = axes[0]
    heads = ("val_aux1", "val_aux2", "val_main")
    width = 0.8 / len(heads)
    for j, key in enumerate(heads):
        means, lo, hi = [], [], []
        for arm in results.arms:
            vals = [h.final(key) for h in results.arm(*arm)]
            m = statistics.fmean(vals)
            means.append(m)
            lo.append(m - min(vals))
            hi.append(max(vals) - m)
        xs = [i + (j - 1) * width for i in range(len(results.arms))]
        ax.bar(xs, means, width, yerr=[lo, hi], label={"val_aux1": "aux1 (4a)", "val_aux2": "aux2 (4d)",
                                                      "val_main": "main (5b)"}[key])
    ax.set_xticks(range(len(results.arms)), [arm_label(*a) for a in results.arms], rotation=20, fontsize=7)
    ax.axhline(1 / results.runs[0].config["num_classes"], color="grey", lw=0.8, ls=":")
    ax.set_ylabel("validation accuracy", fontsize=8)
    ax.legend(fontsize=7)
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    plt.close(fig)
    return fig


def _png(fig, dpi: float = 72) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


# ----------------------------------------------------------------------------- widget
class AblationExplorer:
    """Choose arms and a metric to plot; train one more arm with a button.

    The update logic (``select``, ``train_one``, ``status``) and the widget callbacks
    (``on_select``, ``on_click``) are plain methods, testable without a browser; ``widget()``
    builds the ipywidgets and wires them to those methods.
    """

    WEIGHTS: tuple[float, ...] = (0.0, 0.1, 0.3, 1.0)
    #: the plot's width on the page (CSS px); the PNG has ``PLOT_SCALE`` times as many pixels, so it
    #: stays sharp on high-density screens instead of being stretched from a small bitmap
    PLOT_PX: int = 660
    PLOT_SCALE: int = 2
    FIG_SIZE: tuple[float, float] = (5.5, 3.2)  # inches
    #: most rows the arms list shows (it scrolls beyond that)
    MAX_ROWS: int = 8
    #: the progress bar is updated about this many times per run (every 5% of the steps)
    PROGRESS_UPDATES: int = 20
    #: clicks handled this soon (s) after a run ended are ignored: they were queued while it ran
    #: (the kernel handles widget messages one at a time, so a double-click's second click only
    #: reaches the handler once the first run is over; a deliberate click needs a round trip to see
    #: the re-enabled button first)
    QUEUED_CLICK_S: float = 0.5

    def __init__(self, results: Results, setup: Setup, data: tuple, *, seed: int = 0) -> None:
        self.results, self.setup, self.data, self.seed = results, setup, data, seed
        self.arms: list[tuple[str, float]] = list(results.arms)
        self.metric = "val_main"
        self.message = ""
        self.busy = False  # a run is in progress: clicks are ignored
        self._run_ended = float("-inf")  # time.monotonic() when the last run ended
        self._updating = False  # options are being replaced: on_select must not act on that
        self._widgets: dict[str, Any] = {}

    # -- logic
    def select(self, arms: Sequence[tuple[str, float]] | None = None, metric: str | None = None) -> None:
        if metric is not None:
            if metric not in METRICS and metric not in _STEP_METRICS:
                raise ValueError(f"metric must be one of {list(METRICS) + list(_STEP_METRICS)}, got {metric!r}")
            self.metric = metric
        if arms is not None:
            self.arms = _check_arms(self.results, arms)

    def figure(self):
        import matplotlib.pyplot as plt

        fig, axes = _figure(1, *self.FIG_SIZE)
        if self.arms:
            draw_curves(axes[0], self.results, self.metric, self.arms)
        else:
            axes[0].text(0.5, 0.5, "select at least one arm", ha="center", va="center")
        fig.tight_layout()
        plt.close(fig)
        return fig

    def plot_png(self) -> bytes:
        """The plot as PNG for the Image widget: ``PLOT_SCALE`` x ``PLOT_PX`` pixels wide."""
        return _png(self.figure(), dpi=self.PLOT_SCALE * self.PLOT_PX / self.FIG_SIZE[0])

    def rows(self) -> int:
        """Rows of the arms list: one per arm, at most ``MAX_ROWS``."""
        return max(1, min(self.MAX_ROWS, len(self.results.arms)))

    def status(self) -> str:
        lines = [f"{arm_label(*a)}: {_pm([h.final('val_main') for h in self.results.arm(*a)])}" for a in self.arms
                 if self.metric]
        return "; ".join(lines)

    def next_seed(self, variant: str, aux_weight: float) -> int:
        used = {h.config["seed"] for h in self.results.arm(variant, aux_weight)}
        return next(s for s in range(self.seed, self.seed + 1000) if s not in used)

    def train_one(self, variant: str, aux_weight: float, progress: Any = None) -> History:
        """Train one more run (next unused seed of that arm) and add it to the results.

        ``progress`` (an ``IntProgress`` or anything with ``value``, ``max`` and ``description``)
        starts at 0 and is updated every 5% of the steps, with "seed S: step k/N" as description."""
        if variant not in self.setup.lr:
            raise ValueError(f"variant must be one of {sorted(self.setup.lr)}, got {variant!r}")
        if aux_weight not in self.WEIGHTS:
            raise ValueError(f"aux_weight must be one of {self.WEIGHTS}, got {aux_weight!r}")
        seed = self.next_seed(variant, aux_weight)
        if progress is not None:  # not the previous run's 100%
            progress.value = 0
            progress.description = f"seed {seed}: starting"

        def cb(step: int, total: int, _h: History) -> None:
            if progress is None:
                return
            every = max(1, total // self.PROGRESS_UPDATES)
            if step == 1 or step % every == 0 or step == total:
                progress.max, progress.value = total, step
                progress.description = f"seed {seed}: step {step}/{total}"

        h = run_arm(self.setup, variant, float(aux_weight), seed, self.data, callback=cb)
        self.results.runs.append(h)
        arm = (variant, float(aux_weight))
        if arm not in self.arms:
            self.arms.append(arm)
        self.message = f"trained {arm_label(*arm)} seed {seed}: val acc {h.final('val_main'):.3f}"
        return h

    # -- widget callbacks (plain methods: call them directly to test without a browser)
    def on_select(self, _change: Any = None) -> None:
        """The arms list or the metric menu changed: select and redraw."""
        if self._updating:  # _refresh is replacing the options: the selection is set there
            return
        w = self._widgets
        lookup = {arm_label(*a): a for a in self.results.arms}
        self.select([lookup[x] for x in w["arms"].value if x in lookup], w["metric"].value)
        w["image"].value = self.plot_png()

    def on_click(self, _button: Any = None) -> None:
        """"train one more run": one run at a time; clicks during a run (or queued behind it) are ignored."""
        import time

        if self.busy or time.monotonic() - self._run_ended < self.QUEUED_CLICK_S:
            return
        self.busy = True
        w = self._widgets
        try:
            w["button"].disabled = True
            self.message = (f"training {arm_label(w['variant'].value, w['weight'].value)} "
                            f"seed {self.next_seed(w['variant'].value, w['weight'].value)}...")
            w["status"].value = self.message  # the previous run's "trained ..." goes
            try:
                self.train_one(w["variant"].value, w["weight"].value, w["bar"])
            except Exception as e:  # show it in the widget rather than a traceback in the log
                self.message = f"could not train: {e}"
            self._refresh()
        finally:
            self.busy = False
            self._run_ended = time.monotonic()
            w["button"].disabled = False

    def _refresh(self) -> None:
        """After a run: new options (a new arm), the same selection, a new plot and message."""
        w = self._widgets
        self._updating = True
        try:
            w["arms"].options = [arm_label(*a) for a in self.results.arms]
            w["arms"].value = tuple(arm_label(*a) for a in self.arms)
            w["arms"].rows = self.rows()
        finally:
            self._updating = False
        w["image"].value = self.plot_png()
        w["status"].value = self.message

    def widget(self):
        import ipywidgets as W

        labels = [arm_label(*a) for a in self.results.arms]
        arms = W.SelectMultiple(options=labels, value=tuple(arm_label(*a) for a in self.arms),
                                description="arms", rows=self.rows())
        metric = W.Dropdown(options=[(d, k) for k, d in {**METRICS, **_STEP_METRICS}.items()], value=self.metric,
                            description="metric")
        image = W.Image(format="png", value=self.plot_png(),
                        layout=W.Layout(width=f"{self.PLOT_PX}px", max_width="100%", height="auto"))
        variant = W.Dropdown(options=sorted(self.setup.lr), value="bn", description="variant")
        weight = W.Dropdown(options=list(self.WEIGHTS), value=0.3, description="aux weight")
        button = W.Button(description="train one more run")
        bar = W.IntProgress(value=0, min=0, max=1, description="progress", style={"description_width": "initial"})
        status = W.HTML(value="")
        self._widgets = dict(arms=arms, metric=metric, image=image, variant=variant, weight=weight, button=button,
                             bar=bar, status=status)
        arms.observe(self.on_select, names="value")
        metric.observe(self.on_select, names="value")
        button.on_click(self.on_click)
        return W.VBox([W.HBox([arms, metric]), image, W.HBox([variant, weight, button]), bar, status])


# ----------------------------------------------------------------------------- exercises
def check_ratio(results: Results, variant: str, stage: str, answer: float | None, *, aux_weight: float = 0.3) -> str:
    """Exercise check: the gradient-norm ratio (aux ``aux_weight`` / aux 0) at ``stage``, to 2 decimals."""
    if answer is None:
        return "fill in answer (a number), then run this cell again"
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {list(STAGES)}, got {stage!r}")
    a, b = results.arm(variant, 0.0), results.arm(variant, aux_weight)
    truth = statistics.fmean(h.mean_grad_norm(stage) for h in b) / statistics.fmean(h.mean_grad_norm(stage) for h in a)
    if abs(truth - float(answer)) < 0.01:
        return f"correct: {truth:.2f}"
    return f"not quite: recompute mean(grad_norm[{stage!r}]) for both arms and divide"


def check_first_stage_reached(answer: str | None) -> str:
    """Exercise check: the highest stage whose gradient is *identical* with and without aux losses
    at the first step is the answer's *complement*: here we ask for the lowest block above both heads."""
    if answer is None:
        return "fill in answer (a stage name such as '4b'), then run this cell again"
    if answer not in STAGES:
        return f"answer must be one of {list(STAGES)}"
    # the aux heads read the outputs of 4a and 4d: every stage up to 4d gets aux gradient, 4e is the first that doesn't
    return "correct" if STAGES.index(answer) == STAGES.index("4d") + 1 else "not quite: where does aux2 attach?"


def conclusions(results: Results, baseline: float = 0.0) -> str:
    """Plain-text findings computed from the runs: each claim with the numbers that decide it."""
    lines = []
    chance = 1 / results.runs[0].config["num_classes"]
    for v in dict.fromkeys(v for v, _ in results.arms):
        best = max(h.final("val_main") for v2, w in results.arms if v2 == v for h in results.arm(v2, w))
        trained = best > chance + 0.05
        lines.append(f"[{v}] best final validation accuracy of any run: {best:.3f} (chance {chance:.2f}): "
                     + ("the network learns" if trained else "no run got off the ground in this budget"))
        for w in [w for v2, w in results.arms if v2 == v and w != baseline]:
            end = compare(results, v, baseline, w, "val_main")
            runs_a, runs_b = results.arm(v, baseline), results.arm(v, w)
            first_a = statistics.fmean(h.epochs["val_main"][0] for h in runs_a)
            first_b = statistics.fmean(h.epochs["val_main"][0] for h in runs_b)
            spread1 = max(max(h.epochs["val_main"][0] for h in r) - min(h.epochs["val_main"][0] for h in r)
                          for r in (runs_a, runs_b))
            early = "faster" if first_b - first_a > spread1 else ("slower" if first_a - first_b > spread1 else
                                                                  "not detectably faster")
            g = {s: statistics.fmean(h.mean_grad_norm(s) for h in runs_b)
                 / statistics.fmean(h.mean_grad_norm(s) for h in runs_a) for s in ("conv1", "3a", "4a")}
            lines.append(
                f"  aux {w:g} vs {baseline:g}: final val acc {end.mean_b:.3f} vs {end.mean_a:.3f} "
                f"(difference {end.difference:+.3f}, seed spread {end.spread:.3f}: {end.verdict}); "
                f"after epoch 1 {first_b:.3f} vs {first_a:.3f} ({early}); gradient norm ratio "
                + ", ".join(f"{s} {r:.2f}x" for s, r in g.items()))
    return "\n".join(lines)
