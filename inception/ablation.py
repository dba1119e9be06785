"""Tables, plots and exercise checks for the auxiliary-classifier ablation (notebook 04).

Everything takes :class:`~inception.aux_ablation.Results` (the live run or the
committed JSON). Claims are computed, never typed: :func:`compare` says whether a difference
between two arms exceeds the spread between seeds.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ._checks import moved_error
from .display import Table, Verdict, subplots, verdict
from .aux_ablation import Results, _arm_weight, _weight_pair
from .stats import PairedDifference, paired_difference, plateau
from .architecture import AUX_HEADS
from .train import GRAD_LAYERS, History

__all__ = [
    "METRICS",
    "arm_label",
    "summary_table",
    "grad_ratio_table",
    "compare",
    "Comparison",
    "comparisons_table",
    "sweep_table",
    "plateau_table",
    "weight_label",
    "paired",
    "early_accuracy",
    "CLAIMS",
    "claims_table",
    "aux_share",
    "check_aux_share",
    "check_interval",
    "check_ratio",
    "check_first_stage_reached",
    "plot_curves",
    "plot_grad_by_depth",
    "plot_heads",
    "STEP_METRICS",
    "format_pm",
    "figure_row",
    "resolve_arms",
]


def __getattr__(name: str) -> object:
    raise moved_error(__name__, name)  # an explorer's old name here says where it went


#: Per-epoch metrics a plot can show.
METRICS: dict[str, str] = {
    "val_main": "validation accuracy, main head",
    "train_main": "training accuracy (running), main head",
    "val_aux1": f"validation accuracy, aux head 1 (after {AUX_HEADS['aux1']})",
    "val_aux2": f"validation accuracy, aux head 2 (after {AUX_HEADS['aux2']})",
}
STEP_METRICS = {"main": "main loss per step", "loss": "optimised (total) loss per step"}


def weight_label(aux_weight: float | tuple[float, float]) -> str:
    """``0.3`` for both heads at 0.3; ``(0.3, 0)`` for aux1 (after 4a) at 0.3 and aux2 (after 4d) off."""
    if isinstance(aux_weight, (tuple, list)):
        return f"({aux_weight[0]:g}, {aux_weight[1]:g})"
    return f"{aux_weight:g}"


def arm_label(variant: str, aux_weight: float | tuple[float, float]) -> str:
    return f"{variant}, aux {weight_label(aux_weight)}"


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    m = statistics.fmean(values)
    return m, (statistics.stdev(values) if len(values) > 1 else 0.0)


def format_pm(values: Sequence[float], digits: int = 3) -> str:
    """``"mean +- std"`` of ``values`` (sample std over seeds), to ``digits`` decimals."""
    m, s = _mean_std(values)
    return f"{m:.{digits}f} +- {s:.{digits}f}"


def _early_grad(h: History, stages: Sequence[str]) -> float:
    """Mean over steps of the gradient norm summed over ``stages``' squared norms (an L2 over the group)."""
    n = h.num_steps
    return statistics.fmean(sum(h.grad_norm[s][i] ** 2 for s in stages) ** 0.5 for i in range(n))


EARLY: tuple[str, ...] = ("conv1", "conv2", "conv3", "3a", "3b")


def summary_table(results: Results, digits: int = 3, *, lr: str = "chosen") -> Table:
    """Final accuracies of every arm, mean +- std over seeds, and the early-network gradient.

    ``lr``: which runs of each arm (see :meth:`Results.arm`); arms without runs there are left out."""
    rows = []
    for v, w in results.arms:
        runs = results.arm(v, w, lr=lr)
        if not runs:
            continue
        arm_lr = runs[0].config.get("lr")
        row = [v, weight_label(w), "" if arm_lr is None else f"{arm_lr:g}", len(runs)]
        for key in ("train_main", "val_main", "val_aux1", "val_aux2"):
            row.append(format_pm([h.final(key) for h in runs], digits))
        row.append(f"{_mean_std([_early_grad(h, EARLY) for h in runs])[0]:.3g}")
        rows.append(row)
    return Table(["variant", "aux weight", "lr", "seeds", "train acc", "val acc (main)", f"val acc aux1 ({AUX_HEADS['aux1']})",
                  f"val acc aux2 ({AUX_HEADS['aux2']})", "grad norm stem..3b"], rows,
                 title="Final epoch, mean +- std over seeds")


def grad_ratio_table(results: Results, variant: str, *, baseline: float | tuple[float, float] = 0.0, digits: int = 2,
                     lr: str = "chosen") -> Table:
    """Per stage: mean gradient norm with each aux weight divided by the one at ``baseline``.

    Only a ratio at the same learning rate (``lr="common"``, or a run without a sweep) isolates the
    aux losses: at each arm's own best LR the ratio also holds the LR difference."""
    base = results.arm(variant, baseline, lr=lr)
    if not base:
        raise ValueError(f"no runs for variant={variant!r} with aux weight {baseline} (lr={lr!r})")
    others = [w for v, w in results.arms if v == variant and _weight_pair(w) != _weight_pair(baseline)
              and results.arm(v, w, lr=lr)]
    rows = []
    for s in GRAD_LAYERS:
        b = statistics.fmean(h.mean_grad_norm(s) for h in base)
        row: list[Any] = [s, f"{b:.3g}"]
        for w in others:
            row.append(round(statistics.fmean(h.mean_grad_norm(s) for h in results.arm(variant, w, lr=lr)) / b, digits))
        rows.append(row)
    return Table(["stage", f"grad norm, aux {weight_label(baseline)}"]
                 + [f"ratio aux {weight_label(w)} / aux {weight_label(baseline)}" for w in others],
                 rows, title=f"{variant}: mean gradient norm per stage over all steps", digits=digits)


@dataclass(frozen=True)
class Comparison:
    """Arm ``b`` minus arm ``a`` on one metric (final epoch), paired by seed, with a t confidence interval."""

    variant: str
    a: float | tuple[float, float]
    b: float | tuple[float, float]
    metric: str
    lr: str  # which runs: "chosen" (each arm at its own best LR) or "common"
    mean_a: float
    mean_b: float
    paired: PairedDifference  # of b - a over the seeds both arms have

    @property
    def difference(self) -> float:
        return self.paired.mean

    @property
    def verdict(self) -> str:
        """From the interval: "higher with aux" / "lower with aux" if it excludes 0, else no detectable difference."""
        v = self.paired.verdict
        return {"higher": "higher with aux", "lower": "lower with aux"}.get(v, "no detectable difference")


def compare(results: Results, variant: str, a: float | tuple[float, float], b: float | tuple[float, float],
            metric: str = "val_main", *, lr: str = "chosen", confidence: float = 0.95,
            seeds: Sequence[int] | None = None) -> Comparison:
    """``metric`` (final epoch) of arm ``b`` minus arm ``a``, seed by seed, with a ``confidence`` t interval.

    ``lr="chosen"``: each arm at its own learning rate from the sweep (the effective-LR control);
    ``"common"``: both at the setup's common rate. Only seeds that both arms ran are paired (at least 2);
    ``seeds`` restricts them further (e.g. leave out the sweep's seed, whose runs were selected).
    """
    va, vb = _paired_values(results, variant, a, b, lambda h: h.final(metric), lr, seeds)
    return Comparison(variant, a, b, metric, lr, statistics.fmean(va), statistics.fmean(vb),
                      paired_difference(vb, va, confidence))


def _paired_values(results: Results, variant: str, a: Any, b: Any, value: Callable[[History], float], lr: str,
                   seeds: Sequence[int] | None = None) -> tuple[list[float], list[float]]:
    """``value`` of each run of arm ``a`` and of arm ``b`` at the seeds both ran (and ``seeds``, if
    given), in seed order; a ValueError if fewer than 2 seeds remain."""
    ra = {h.config["seed"]: value(h) for h in results.arm(variant, a, lr=lr)}
    rb = {h.config["seed"]: value(h) for h in results.arm(variant, b, lr=lr)}
    common = sorted(set(ra) & set(rb) & (set(seeds) if seeds is not None else set(ra)))
    if len(common) < 2:
        raise ValueError(f"need runs of {variant!r} with aux weights {a} and {b} from at least 2 common seeds "
                         f"(lr={lr!r}); found seeds {sorted(ra)} and {sorted(rb)}")
    return [ra[x] for x in common], [rb[x] for x in common]


def comparisons_table(results: Results, metric: str = "val_main", baseline: float | tuple[float, float] = 0.0,
                      *, lr: str = "chosen", arms: Sequence[tuple[str, Any]] | None = None,
                      seeds: Sequence[int] | None = None) -> Table:
    """Every arm against ``baseline`` of the same variant: paired difference, 95% CI, verdict.

    ``arms``: which (variant, weight) arms to compare (default: every arm with runs at ``lr``);
    ``seeds``: only these seeds (default: all that both arms ran)."""
    rows = []
    base = _weight_pair(baseline)
    for v, w in arms if arms is not None else results.arms:
        if _weight_pair(w) == base or len(results.arm(v, w, lr=lr)) < 2 or len(results.arm(v, baseline, lr=lr)) < 2:
            continue
        c = compare(results, v, baseline, w, metric, lr=lr, seeds=seeds)
        lr_b, lr_a = results.arm(v, w, lr=lr)[0].config.get("lr"), results.arm(v, baseline, lr=lr)[0].config.get("lr")
        rows.append([v, f"{weight_label(w)} vs {weight_label(baseline)}", _lr_text(lr_b, lr_a), c.paired.n,
                     round(c.mean_b, 3), round(c.mean_a, 3), round(c.difference, 3),
                     f"[{c.paired.low:+.3f}, {c.paired.high:+.3f}]", c.verdict])
    return Table(["variant", "aux weights", "lr", "seeds", "mean (aux)", "mean (baseline)", "difference",
                  "95% CI", "verdict"], rows,
                 title=f"{METRICS.get(metric, metric)}: seed-paired difference vs aux {weight_label(baseline)} "
                       f"({'each arm at its best LR' if lr == 'chosen' else 'common LR'}"
                       f"{', seeds ' + ', '.join(map(str, seeds)) if seeds is not None else ''})", digits=3)


def _lr_text(lr_b: Any, lr_a: Any) -> str:
    if lr_b is None or lr_a is None:
        return ""
    return f"{lr_b:g}" if lr_b == lr_a else f"{lr_b:g} vs {lr_a:g}"


def sweep_table(results: Results) -> Table:
    """The learning-rate sweep: final validation accuracy (main head, first seed) of each arm at each
    swept LR, and the LR chosen for its other seeds."""
    grid = results.lr_grid
    if not grid:
        raise ValueError("these results have no learning-rate sweep (setup lr_grid is empty)")
    seed = results.setup["seeds"][0]
    rows = []
    for v, w in results.arms:
        row: list[Any] = [v, weight_label(w)]
        for lr in grid:
            run = [h for h in results.arm(v, w, lr=lr) if h.config["seed"] == seed]
            row.append(round(run[0].final("val_main"), 3) if run else "")
        row.append(f"{results.lr_of(v, w):g}")
        rows.append(row)
    return Table(["variant", "aux weights"] + [f"lr {lr:g}" for lr in grid] + ["chosen lr"], rows,
                 title=f"LR sweep: final validation accuracy, seed {seed}", digits=3)


def plateau_table(results: Results, metric: str = "val_main", *, last: int = 2, lr: str = "chosen") -> Table:
    """Per arm: how much ``metric`` still moved per epoch over the last ``last`` epochs, against the
    seed spread (sample standard deviation) of its final value; "reached" when it moved less."""
    rows = []
    for v, w in results.arms:
        runs = results.arm(v, w, lr=lr)
        if len(runs) < 2:
            continue
        p = plateau([h.epochs[metric] for h in runs], last=last)
        rows.append([v, weight_label(w), p.n, round(statistics.fmean(h.final(metric) for h in runs), 3),
                     round(p.change, 4), round(p.spread, 4), "yes" if p.reached else "no"])
    return Table(["variant", "aux weights", "seeds", f"final {metric}", f"change/epoch (last {last})",
                  "seed spread (sd)", "plateau"], rows,
                 title=f"Have the runs stopped improving? ({METRICS.get(metric, metric)})", digits=4)


# ----------------------------------------------------------------------------- plots
def figure_row(ncols: int = 1, width: float = 5.0, height: float = 3.2):
    """A figure with one row of ``ncols`` axes, each ``width`` x ``height`` inches: (figure, axes)."""

    fig, axes = subplots(1, ncols, figsize=(width * ncols, height), dpi=80, squeeze=False)
    return fig, axes[0]


def _colors(arms: Sequence[tuple[str, float]]) -> dict[tuple[str, float], Any]:
    import matplotlib

    cmap = matplotlib.colormaps["tab10"]
    return {arm: cmap(i % 10) for i, arm in enumerate(arms)}


def resolve_arms(results: Results, arms: Sequence[tuple[str, float]] | None) -> list[tuple[str, float]]:
    """``arms`` as (variant, aux weight) pairs present in ``results`` (all of them for None); a clear error otherwise."""
    if arms is None:
        return results.arms
    arms = [(v, _arm_weight(_weight_pair(w))) for v, w in arms]
    bad = [a for a in arms if a not in results.arms]
    if bad:
        raise ValueError(f"arms {bad} not in the results; available: {results.arms}")
    return arms


def draw_curves(ax, results: Results, metric: str, arms: Sequence[tuple[str, float]], lr: str = "chosen") -> None:
    """Mean over seeds (line) and min-max over seeds (band) of one metric, per arm (runs at ``lr``)."""
    if metric not in METRICS and metric not in STEP_METRICS:
        raise ValueError(f"metric must be one of {list(METRICS) + list(STEP_METRICS)}, got {metric!r}")
    colors = _colors(results.arms)
    for arm in arms:
        runs = results.arm(*arm, lr=lr)
        if not runs:
            continue
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
    ax.set_ylabel(METRICS.get(metric) or STEP_METRICS[metric], fontsize=8)
    if metric in METRICS:
        ax.axhline(1 / results.runs[0].config["num_classes"], color="grey", lw=0.8, ls=":")
    ax.legend(fontsize=7)


def plot_curves(results: Results, metrics: Sequence[str] = ("main", "val_main"),
                arms: Sequence[tuple[str, float]] | None = None, title: str | None = None, *, lr: str = "chosen"):
    """Learning curves: one panel per metric, mean and min-max band over seeds per arm (runs at ``lr``)."""

    arms = resolve_arms(results, arms)
    fig, axes = figure_row(len(metrics), 4.6, 3.2)
    for ax, m in zip(axes, metrics):
        draw_curves(ax, results, m, arms, lr)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_grad_by_depth(results: Results, variants: Sequence[str] | None = None, title: str | None = None, *,
                       lr: str = "chosen"):
    """Mean gradient norm of each stage (input -> output), one line per aux weight, one panel per variant.

    ``lr``: which runs (:meth:`Results.arm`); ``"common"`` compares the arms at one learning rate."""

    variants = list(variants or dict.fromkeys(v for v, _ in results.arms))
    colors = _colors(results.arms)
    fig, axes = figure_row(len(variants), 4.6, 3.2)
    for ax, v in zip(axes, variants):
        for arm in [a for a in results.arms if a[0] == v]:
            runs = results.arm(*arm, lr=lr)
            if not runs:
                continue
            y = [statistics.fmean(h.mean_grad_norm(s) for h in runs) for s in GRAD_LAYERS]
            ax.plot(range(len(GRAD_LAYERS)), y, "o-", color=colors[arm], label=arm_label(*arm), ms=3)
        for head_stage in AUX_HEADS.values():  # where aux1 and aux2 attach
            ax.axvline(GRAD_LAYERS.index(head_stage), color="grey", lw=0.6, ls="--")
        ax.set_xticks(range(len(GRAD_LAYERS)), GRAD_LAYERS, rotation=60, fontsize=7)
        ax.set_yscale("log")
        ax.set_ylabel("mean gradient norm (log)", fontsize=8)
        ax.set_title(f"{v} (dashed: where the aux heads attach)", fontsize=8)
        ax.legend(fontsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_heads(results: Results, title: str | None = None, *, lr: str = "chosen",
               arms: Sequence[tuple[str, Any]] | None = None):
    """Final validation accuracy of the main and both auxiliary heads per arm (mean, seed min-max; runs at ``lr``)."""

    arms = [a for a in resolve_arms(results, arms) if results.arm(*a, lr=lr)]
    fig, axes = figure_row(1, max(6.5, 1.1 * len(arms)), 3.0)
    ax = axes[0]
    heads = ("val_aux1", "val_aux2", "val_main")
    width = 0.8 / len(heads)
    for j, key in enumerate(heads):
        means, lo, hi = [], [], []
        for arm in arms:
            vals = [h.final(key) for h in results.arm(*arm, lr=lr)]
            m = statistics.fmean(vals)
            means.append(m)
            lo.append(m - min(vals))
            hi.append(max(vals) - m)
        xs = [i + (j - 1) * width for i in range(len(arms))]
        ax.bar(xs, means, width, yerr=[lo, hi], label={"val_aux1": f"aux1 ({AUX_HEADS['aux1']})",
                                                      "val_aux2": f"aux2 ({AUX_HEADS['aux2']})",
                                                      "val_main": f"main ({GRAD_LAYERS[-1]})"}[key])
    ax.set_xticks(range(len(arms)), [arm_label(*a) for a in arms], rotation=20, fontsize=7)
    ax.axhline(1 / results.runs[0].config["num_classes"], color="grey", lw=0.8, ls=":")
    ax.set_ylabel("validation accuracy", fontsize=8)
    ax.legend(fontsize=7)
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- exercises
def check_ratio(results: Results, variant: str, stage: str, answer: float | None, *,
                aux_weight: float | tuple[float, float] = 0.3, lr: str = "chosen") -> Verdict:
    """Exercise check: the gradient-norm ratio (aux ``aux_weight`` / aux 0) at ``stage``, to 2 decimals."""
    if answer is None:
        return verdict(None, missing="Fill in answer (a number), then run the cell again.")
    if stage not in GRAD_LAYERS:
        raise ValueError(f"stage must be one of {list(GRAD_LAYERS)}, got {stage!r}")
    a, b = results.arm(variant, 0.0, lr=lr), results.arm(variant, aux_weight, lr=lr)
    truth = statistics.fmean(h.mean_grad_norm(stage) for h in b) / statistics.fmean(h.mean_grad_norm(stage) for h in a)
    return verdict(abs(truth - float(answer)) < 0.01, f"{truth:.2f}.",
                   f"recompute mean(grad_norm[{stage!r}]) for both arms and divide.")


def check_interval(results: Results, variant: str, aux_weight: float | tuple[float, float],
                   answer: tuple[float, float] | None, *, lr: str = "chosen") -> Verdict:
    """Exercise check: the 95% interval (low, high) of the seed-paired difference, arm minus aux 0, to 0.002."""
    if answer is None:
        return verdict(None, missing="Fill in answer = (low, high), then run the cell again.")
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return verdict(False, wrong=f"answer must be a pair (low, high), got {answer!r}.")
    c = compare(results, variant, 0.0, aux_weight, lr=lr)
    ok = abs(answer[0] - c.paired.low) < 0.002 and abs(answer[1] - c.paired.high) < 0.002
    return verdict(ok, f"[{c.paired.low:+.3f}, {c.paired.high:+.3f}]: {c.verdict}.",
                   "take the per-seed differences d (same seed, arm minus aux 0), then "
                   "mean(d) +- t_quantile(0.975, n - 1) * stdev(d) / sqrt(n).")


def aux_share(config: Any, image_size: int) -> tuple[float, float]:
    """Fraction of the training network's parameters and of its MACs that sit in the two auxiliary heads."""
    from . import cost

    layers = cost.layer_costs(config, image_size)
    trunk, full = cost.totals(layers, include_aux=False), cost.totals(layers)
    return (full.params - trunk.params) / full.params, (full.macs - trunk.macs) / full.macs


def check_aux_share(answer: float | None, config: Any, image_size: int) -> Verdict:
    """Exercise check: the auxiliary heads' share of the training network's parameters, to 0.005."""
    if answer is None:
        return verdict(None, missing="Fill in answer (a fraction between 0 and 1), then run the cell again.")
    truth = aux_share(config, image_size)[0]
    return verdict(abs(float(answer) - truth) < 0.005,
                   f"{truth:.3f} of the parameters, none of which is used at inference.",
                   "(parameters with the heads - trunk parameters) / parameters with the heads.")


def check_first_stage_reached(answer: str | None) -> Verdict:
    """Exercise check: the highest stage whose gradient is *identical* with and without aux losses
    at the first step is the answer's *complement*: here we ask for the lowest block above both heads."""
    if answer is None:
        return verdict(None, missing="Fill in answer (a stage name such as '4b'), then run the cell again.")
    if answer not in GRAD_LAYERS:
        return verdict(False, wrong=f"answer must be one of {list(GRAD_LAYERS)}, got {answer!r}.")
    # the aux heads read the outputs of 4a and 4d: every stage up to 4d gets aux gradient, 4e is the first that doesn't
    return verdict(GRAD_LAYERS.index(answer) == GRAD_LAYERS.index(AUX_HEADS["aux2"]) + 1,
                   f"{answer} is the lowest stage above both heads.", "where does aux2 attach?")


def paired(results: Results, variant: str, a: Any, b: Any, value: Callable[[History], float], *,
           lr: str = "chosen", confidence: float = 0.95) -> PairedDifference:
    """``value(run)`` of arm ``b`` minus arm ``a``, paired by seed (the seeds both arms ran, at least 2)."""
    va, vb = _paired_values(results, variant, a, b, value, lr)
    return paired_difference(vb, va, confidence)


def early_accuracy(h: History) -> float:
    """Mean validation accuracy (main head) over the first half of the epochs: how fast a run starts."""
    val = h.epochs["val_main"]
    return statistics.fmean(val[: max(1, len(val) // 2)])


#: The claims the full run tests: (source, claim, arms b vs a, what is compared).
CLAIMS: tuple[tuple[str, str, Any, Any, str], ...] = (
    ("paper s.5", "more gradient reaches the lowest layer", 0.3, 0.0, "grad"),
    ("paper s.5", "the lower stages become more discriminative (aux1 head at 4a)", 0.3, 0.0, "val_aux1"),
    ("paper s.5", "a better final network (main head)", 0.3, 0.0, "val_main"),
    ("Inception-v3 s.4", "no faster early training (first half of the epochs)", 0.3, 0.0, "early"),
    ("Inception-v3 s.4", "removing the lower head does no harm: (0, 0.3) vs (0.3, 0.3)", (0.0, 0.3), 0.3, "val_main"),
)


def claims_table(results: Results, variant: str, confidence: float = 0.95) -> Table:
    """Each claim of :data:`CLAIMS` for one variant: the seed-paired difference and its interval, or
    for the gradient the per-seed ratio at the common learning rate (same LR: no step-size confound)."""
    rows = []
    for source, claim, b, a, what in CLAIMS:
        if what == "grad":  # a ratio: the interval of the mean log ratio, back on the ratio scale
            d = paired(results, variant, a, b, lambda h: math.log(h.mean_grad_norm("conv1")), lr="common",
                       confidence=confidence)
            rows.append([source, claim, "conv1 gradient norm ratio, common LR", f"{math.exp(d.mean):.2f}x",
                         f"[{math.exp(d.low):.2f}x, {math.exp(d.high):.2f}x]",
                         {"higher": "more", "lower": "less"}.get(d.verdict, "no detectable difference")])
            continue
        fn = early_accuracy if what == "early" else (lambda h, k=what: h.final(k))
        d = paired(results, variant, a, b, fn, confidence=confidence)
        label = {"early": "mean val acc, first half", "val_aux1": "final val acc, aux1 head",
                 "val_main": "final val acc, main head"}[what]
        rows.append([source, claim, label, f"{d.mean:+.3f}", f"[{d.low:+.3f}, {d.high:+.3f}]",
                     {"higher": "higher", "lower": "lower"}.get(d.verdict, "no detectable difference")])
    return Table(["source", "claim", "measured", "difference", f"{confidence:.0%} CI", "verdict"], rows,
                 title=f"{variant}: the papers' claims, (0.3, 0.3) vs (0, 0) unless stated, each arm at its best LR")


def _epoch1(results: Results, variant: str, a: Any, b: Any, lr: str) -> PairedDifference | None:
    """Paired difference b - a of the validation accuracy after the first epoch (None without 2 common seeds)."""
    try:
        return paired(results, variant, a, b, lambda h: h.epochs["val_main"][0], lr=lr)
    except ValueError:
        return None


def conclusions(results: Results, baseline: float | tuple[float, float] = 0.0) -> str:
    """Plain-text findings computed from the runs: each claim with the numbers (and 95% intervals) that decide it."""
    lines = []
    chance = 1 / results.runs[0].config["num_classes"]
    for v in dict.fromkeys(v for v, _ in results.arms):
        arms = [w for v2, w in results.arms if v2 == v]
        finals = [h.final("val_main") for w in arms for h in results.arm(v, w)]
        lowest = min(finals)
        lines.append(f"[{v}] final validation accuracy of every run at its arm's LR: {lowest:.3f} to {max(finals):.3f} "
                     f"(chance {chance:.2f}): "
                     + ("every run learned" if lowest > chance + 0.1 else "some runs did not get off the ground"))
        for w in arms:
            if _weight_pair(w) == _weight_pair(baseline):
                continue
            for lr in ("chosen", "common"):
                if len(results.arm(v, w, lr=lr)) < 2 or len(results.arm(v, baseline, lr=lr)) < 2:
                    continue
                if lr == "common" and not results.lr_grid:
                    continue  # without a sweep "common" is the same comparison again
                c = compare(results, v, baseline, w, lr=lr)
                where = "each at its best LR" if results.lr_grid and lr == "chosen" else (
                    f"both at lr {results.common_lr(v):g}" if results.lr_grid else "")
                e1 = _epoch1(results, v, baseline, w, lr)
                g = {st: statistics.fmean(h.mean_grad_norm(st) for h in results.arm(v, w, lr=lr))
                     / statistics.fmean(h.mean_grad_norm(st) for h in results.arm(v, baseline, lr=lr))
                     for st in ("conv1", "3a", "4a")}
                text = (f"  aux {weight_label(w)} vs {weight_label(baseline)}{' (' + where + ')' if where else ''}: "
                        f"final val acc {c.mean_b:.3f} vs {c.mean_a:.3f}, difference {c.difference:+.3f} "
                        f"[{c.paired.low:+.3f}, {c.paired.high:+.3f}] over {c.paired.n} seeds: {c.verdict}")
                if e1 is not None:
                    text += (f"; after epoch 1 {e1.mean:+.3f} [{e1.low:+.3f}, {e1.high:+.3f}]: "
                             f"{ {'higher': 'faster', 'lower': 'slower'}.get(e1.verdict, 'not detectably faster') }")
                if lr == "common" or not results.lr_grid:
                    text += "; gradient norm ratio " + ", ".join(f"{st} {r:.2f}x" for st, r in g.items())
                lines.append(text)
    return "\n".join(lines)
