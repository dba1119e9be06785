"""Notebook 04's explorer: choose arms and a metric of the auxiliary-classifier ablation to plot,
and train one more run with a button (the calculations and plots are in :mod:`inception.ablation`)."""

from __future__ import annotations

import io
from typing import Any, Sequence

from ..ablation import STEP_METRICS, METRICS, resolve_arms, figure_row, format_pm, arm_label, draw_curves
from ..aux_ablation import Results, Setup, run_arm
from ..train import History
from .base import Explorer, ipywidgets

__all__ = ["AblationExplorer"]


def _png(fig, dpi: float = 72) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


class AblationExplorer(Explorer):
    """Choose arms and a metric to plot; train one more arm with a button.

    The update logic (``select``, ``train_one``, ``status``) and the widget callbacks
    (``on_select``, ``on_click``) are plain methods, testable without a browser; ``widget()``
    builds the ipywidgets and wires them to those methods (and returns them; a cell whose value is
    the explorer shows the same widget).
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
        self._widgets: dict[str, Any] = {}
        self._box: Any = None

    # -- logic
    def select(self, arms: Sequence[tuple[str, float]] | None = None, metric: str | None = None) -> None:
        if metric is not None:
            if metric not in METRICS and metric not in STEP_METRICS:
                raise ValueError(f"metric must be one of {list(METRICS) + list(STEP_METRICS)}, got {metric!r}")
            self.metric = metric
        if arms is not None:
            self.arms = resolve_arms(self.results, arms)

    def figure(self):

        fig, axes = figure_row(1, *self.FIG_SIZE)
        if self.arms:
            draw_curves(axes[0], self.results, self.metric, self.arms)
        else:
            axes[0].text(0.5, 0.5, "select at least one arm", ha="center", va="center")
        fig.tight_layout()
        return fig

    def plot_png(self) -> bytes:
        """The plot as PNG for the Image widget: ``PLOT_SCALE`` x ``PLOT_PX`` pixels wide."""
        return _png(self.figure(), dpi=self.PLOT_SCALE * self.PLOT_PX / self.FIG_SIZE[0])

    def rows(self) -> int:
        """Rows of the arms list: one per arm, at most ``MAX_ROWS``."""
        return max(1, min(self.MAX_ROWS, len(self.results.arms)))

    def status(self) -> str:
        lines = [f"{arm_label(*a)}: {format_pm([h.final('val_main') for h in self.results.arm(*a)])}" for a in self.arms
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
        if self.held:  # _refresh is replacing the options: the selection is set there
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
        with self.hold():
            w["arms"].options = [arm_label(*a) for a in self.results.arms]
            w["arms"].value = tuple(arm_label(*a) for a in self.arms)
            w["arms"].rows = self.rows()
        w["image"].value = self.plot_png()
        w["status"].value = self.message

    def widget(self) -> Any:
        """Build the ipywidgets (once) and return them."""
        if self._box is not None:
            return self._box
        W = ipywidgets()

        labels = [arm_label(*a) for a in self.results.arms]
        arms = W.SelectMultiple(options=labels, value=tuple(arm_label(*a) for a in self.arms),
                                description="arms", rows=self.rows())
        metric = W.Dropdown(options=[(d, k) for k, d in {**METRICS, **STEP_METRICS}.items()], value=self.metric,
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
        self._box = W.VBox([W.HBox([arms, metric]), image, W.HBox([variant, weight, button]), bar, status])
        return self._box

    def root(self) -> Any:
        return self.widget()

    def __repr__(self) -> str:
        return (f"AblationExplorer(metric={self.metric!r}, arms={[arm_label(*a) for a in self.arms]}, "
                f"{len(self.results.runs)} runs)")
