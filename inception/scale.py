"""The scale experiment of notebook 05: how each branch of each block responds to pattern period.

Section 4 of Szegedy et al. (2014) motivates the Inception module with processing "at various
scales" in parallel. What a branch's kernel size predicts is limited: a k x k kernel bounds how
coarse a pattern *one layer* can see (its receptive field on the layer below) and allows sharper
frequency tuning than a 1x1; it does not by itself predict a coarser *preferred* period. So the
measurement here is the whole tuning curve (driven response against period, per block and branch),
summarised by its peak, its peak-to-mean ratio and its half-maximum bandwidth in octaves.

Probes (:func:`scale_probes`) are drawn ``oversample`` times finer than the image and box-filtered
down, so that 2-6 px checkerboards and blobs are not aliased into mazes and moire.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ._checks import check_int, check_number
from .architecture import BRANCH_NAMES, long_name, short_name
from .display import Table, Verdict, verdict
from .features import _canonical, activations, block_names
from .model import GoogLeNet

__all__ = [
    "PROBE_KINDS",
    "default_periods",
    "scale_probes",
    "ScaleResponse",
    "scale_response",
    "tuning_table",
    "scale_summary",
    "scale_verdict",
    "winner_table",
    "check_peak_period",
]

PROBE_KINDS: tuple[str, ...] = ("grating", "checkerboard", "blobs")


def default_periods(image_size: int) -> list[int]:
    """Periods from 2 px to the image size, spaced by about a factor sqrt(2)."""
    image_size = check_int("image_size", image_size, 4)
    n = int(math.floor(2 * math.log2(image_size / 2))) + 1
    periods = sorted({int(round(2 * 2 ** (k / 2))) for k in range(n)} | {image_size})
    return [p for p in periods if 2 <= p <= image_size]


def _pattern(kind: str, u: Tensor, v: Tensor, period: float, shift: float) -> Tensor:
    if kind == "grating":
        return 0.5 + 0.5 * torch.sin(2 * math.pi * (u + shift) / period)
    if kind == "checkerboard":
        cu = torch.floor(2 * (u + shift) / period)
        cv = torch.floor(2 * (v + shift) / period)
        return ((cu + cv) % 2).to(torch.float64)
    du = torch.remainder(u + shift, period) - period / 2
    dv = torch.remainder(v + shift, period) - period / 2
    return torch.exp(-(du**2 + dv**2) / (2 * (period / 6) ** 2))


def scale_probes(image_size: int, period: float, kind: str = "grating", *, orientations: int = 4,
                 phases: int = 4, oversample: int = 8) -> Tensor:
    """Grey-level patterns of one spatial period, as (orientations * phases, 3, H, W) in [0, 1].

    ``grating``: sinusoids; ``checkerboard``: squares of side period/2; ``blobs``: Gaussian dots
    (sigma = period/6) on a square lattice of spacing ``period``. Several orientations and
    phases are averaged over so that a result does not hinge on where the pattern is cut.

    Anti-aliasing: each pattern is evaluated on a grid ``oversample`` times finer than the pixels
    and averaged over each pixel's area (a box filter), as a camera pixel integrates light.
    ``oversample=1`` samples the pattern at pixel centres only (aliased, for comparison).
    """
    if kind not in PROBE_KINDS:
        raise ValueError(f"kind must be one of {list(PROBE_KINDS)}, got {kind!r}")
    image_size = check_int("image_size", image_size, 1)
    period = check_number("period", period, 2)  # pixels
    orientations, phases = check_int("orientations", orientations, 1), check_int("phases", phases, 1)
    oversample = check_int("oversample", oversample, 1, 32)
    fine = image_size * oversample
    coords = (torch.arange(fine, dtype=torch.float64) + 0.5) / oversample - image_size / 2  # in pixels
    yy, xx = torch.meshgrid(coords, coords, indexing="ij")
    out = []
    for o in range(orientations):
        theta = math.pi * o / orientations
        u = xx * math.cos(theta) + yy * math.sin(theta)
        v = -xx * math.sin(theta) + yy * math.cos(theta)
        for ph in range(phases):
            out.append(_pattern(kind, u, v, period, period * ph / phases))
    g = torch.stack(out).unsqueeze(1)
    if oversample > 1:
        g = F.avg_pool2d(g, oversample)
    g = g.float().clamp(0, 1)
    return g.expand(-1, 3, -1, -1).contiguous()


# ---------------------------------------------------------------- responses and tuning
@dataclass(frozen=True)
class ScaleResponse:
    """Driven response of each branch of each block to patterns of each period.

    ``response[p, b, r]``: mean over probe images, channels and positions of the squared
    change of branch ``r`` of block ``b``'s activation, relative to its activation on a
    uniform grey image of the same mean. ``tuning`` normalises each (block, branch) curve to
    mean 1 over the periods, so branches of different widths and gains can be compared by the
    *shape* of their response. Summaries of each curve: ``peak_period`` (argmax),
    ``peak_to_mean`` (selectivity: 1 for a flat curve, ``len(periods)`` if only one period
    drives it), ``bandwidth`` (octaves of period where the response is at least half its peak)
    and ``preferred_period`` (the tuning-weighted geometric mean, a centroid that hides sharp peaks).
    """

    periods: tuple[int, ...]
    blocks: tuple[str, ...]
    branches: tuple[str, ...]
    response: np.ndarray  # (periods, blocks, branches)
    kind: str

    @property
    def tuning(self) -> np.ndarray:
        mean = self.response.mean(axis=0, keepdims=True)
        return np.divide(self.response, mean, out=np.zeros_like(self.response), where=mean > 0)

    @property
    def preferred_period(self) -> np.ndarray:
        """(blocks, branches): 2 ** (tuning-weighted mean of log2 period), the curve's centroid."""
        w = self.tuning
        logp = np.log2(np.asarray(self.periods, dtype=float))[:, None, None]
        total = w.sum(axis=0)
        centre = np.divide((w * logp).sum(axis=0), total, out=np.full_like(total, np.nan), where=total > 0)
        return 2 ** centre  # NaN for a branch that does not respond at all

    @property
    def peak_period(self) -> np.ndarray:
        """(blocks, branches): the probe period with the largest response."""
        return np.asarray(self.periods)[self.response.argmax(axis=0)]

    @property
    def peak_to_mean(self) -> np.ndarray:
        """(blocks, branches): the tuning curve's maximum (its mean is 1): a selectivity index."""
        return self.tuning.max(axis=0)

    @property
    def bandwidth(self) -> tuple[np.ndarray, np.ndarray]:
        """(octaves, open): full width at half maximum of each curve in octaves of period
        (log2, linear interpolation between probes), and whether it runs into the probed range's
        end (then the true width is larger: a lower bound)."""
        logp = np.log2(np.asarray(self.periods, dtype=float))
        width = np.zeros(self.response.shape[1:])
        open_ = np.zeros(self.response.shape[1:], dtype=bool)
        for b in range(self.response.shape[1]):
            for r in range(self.response.shape[2]):
                width[b, r], open_[b, r] = _half_max_width(logp, self.response[:, b, r])
        return width, open_

    @property
    def winner(self) -> list[list[str]]:
        """For each period and block, the branch with the highest tuning value."""
        idx = self.tuning.argmax(axis=2)
        return [[self.branches[j] for j in row] for row in idx]

    def index(self, block: str) -> int:
        name = long_name(block)
        if name not in self.blocks:
            raise ValueError(f"block must be one of {[b.replace('inception', '') for b in self.blocks]}, got {block!r}")
        return self.blocks.index(name)

    def table(self, title: str | None = None) -> Table:
        pp = self.preferred_period
        rows = [[short_name(b)] + [float(v) for v in pp[i]] for i, b in enumerate(self.blocks)]
        return Table(["block"] + [f"{br} (px)" for br in self.branches], rows, title=title, digits=1)

    def order_holds(self, block: str) -> bool:
        """True when the block's preferred periods grow 1x1 < 3x3 < 5x5."""
        p = dict(zip(self.branches, self.preferred_period[self.index(block)]))
        return bool(p["1x1"] < p["3x3"] < p["5x5"])


def _half_max_width(logp: np.ndarray, y: np.ndarray) -> tuple[float, bool]:
    k = int(y.argmax())
    half = y[k] / 2
    if y[k] <= 0:
        return float("nan"), False
    edges, hit_end = [], False
    for step in (-1, 1):
        i = k
        while 0 <= i + step < len(y) and y[i + step] >= half:
            i += step
        j = i + step
        if 0 <= j < len(y):  # crossing between i and j
            t = (y[i] - half) / (y[i] - y[j])
            edges.append(logp[i] + t * (logp[j] - logp[i]))
        else:
            edges.append(logp[i])
            hit_end = True
    return float(abs(edges[1] - edges[0])), hit_end


@torch.no_grad()
def scale_response(
    model: GoogLeNet,
    image_size: int = 32,
    *,
    kind: str = "grating",
    periods: Iterable[int] | None = None,
    preprocess: Callable[[Tensor], Tensor] | None = None,
    blocks: Sequence[str] | None = None,
    orientations: int = 4,
    phases: int = 4,
) -> ScaleResponse:
    """Probe every branch with patterns of growing period (2 px ... image size).

    ``preprocess`` maps [0, 1] images to model input (e.g. ``inception.data.normalize``).
    """
    periods = tuple(default_periods(image_size) if periods is None else periods)
    blocks = tuple(block_names(model) if blocks is None else [_canonical(model, b) for b in blocks])
    names = [f"{b}.{br}" for b in blocks for br in BRANCH_NAMES]
    prep = preprocess or (lambda t: t)
    probes = [scale_probes(image_size, p, kind, orientations=orientations, phases=phases) for p in periods]
    grey = torch.full((1, 3, image_size, image_size), 0.0)
    grey_level = [float(t.mean()) for t in probes]
    batch = torch.cat([prep(t) for t in probes] + [prep(grey + g) for g in grey_level])
    acts = activations(model, batch, names)
    n = probes[0].shape[0]
    k = len(periods)
    resp = np.zeros((k, len(blocks), len(BRANCH_NAMES)))
    for bi, b in enumerate(blocks):
        for ri, br in enumerate(BRANCH_NAMES):
            a = acts[f"{b}.{br}"].double()
            for pi in range(k):
                driven = a[pi * n:(pi + 1) * n] - a[k * n + pi]
                resp[pi, bi, ri] = float(driven.pow(2).mean())
    return ScaleResponse(periods, blocks, BRANCH_NAMES, resp, kind)


def tuning_table(r: ScaleResponse, blocks: Sequence[str] | None = None, *, title: str | None = None) -> Table:
    """Per block and branch: peak period, selectivity (peak / mean) and half-maximum bandwidth.

    A bandwidth written ``>= x`` reaches the end of the probed periods (a lower bound)."""
    width, open_ = r.bandwidth
    rows = []
    for b in (r.blocks if blocks is None else blocks):
        i = r.index(b)
        for j, br in enumerate(r.branches):
            bw = f"{'>= ' if open_[i, j] else ''}{width[i, j]:.1f}"
            rows.append([short_name(r.blocks[i]), br, int(r.peak_period[i, j]),
                         float(r.peak_to_mean[i, j]), bw, float(r.preferred_period[i, j])])
    return Table(["block", "branch", "peak (px)", "peak / mean", "half-max width (octaves)", "centroid (px)"],
                 rows, title=title or f"tuning to {r.kind} period", digits=2)


# ---------------------------------------------------------------- summaries across blocks
def scale_summary(responses: "dict[str, ScaleResponse] | Sequence[tuple[str, ScaleResponse]]") -> Table:
    """Does the centroid period grow 1x1 < 3x3 < 5x5 (the naive reading of section 4)?

    One row per (network, probe kind): in how many blocks the order holds, and the ratio of the
    5x5 branch's centroid period to the 1x1 branch's (geometric mean over the blocks of each
    stage; > 1 means the 5x5 branch responds relatively more to coarser patterns).
    """
    items = list(responses.items()) if isinstance(responses, dict) else list(responses)
    rows = []
    for label, r in items:
        ratio = _ratio_5x5_1x1(r)
        holds = sum(r.order_holds(b) for b in r.blocks)
        rows.append([label, r.kind, f"{holds} of {len(r.blocks)}",
                     *(_stage_mean(r, ratio, st) for st in "345")])
    return Table(["network", "probes", "1x1 < 3x3 < 5x5 in", "5x5/1x1 stage 3", "5x5/1x1 stage 4", "5x5/1x1 stage 5"],
                 rows, digits=2)


def _ratio_5x5_1x1(r: ScaleResponse) -> np.ndarray:
    pp = r.preferred_period
    return pp[:, r.branches.index("5x5")] / pp[:, r.branches.index("1x1")]


def _stage_mean(r: ScaleResponse, values: np.ndarray, stage: str) -> float:
    sel = [v for v, b in zip(values, r.blocks) if short_name(b).startswith(stage)]
    return float(np.exp(np.mean(np.log(sel)))) if sel else float("nan")


def scale_verdict(trained: ScaleResponse, control: ScaleResponse) -> str:
    """A plain-language reading of the centroid comparison, computed from the numbers and hedged
    to what it measures (one network, one probe kind, centroids of the tuning curves)."""
    lines = []
    stats = {}
    for label, r in (("trained", trained), ("random", control)):
        ratio = _ratio_5x5_1x1(r)
        coarser = int((ratio > 1).sum())
        holds = sum(r.order_holds(b) for b in r.blocks)
        s3 = _stage_mean(r, ratio, "3")
        stats[label] = (coarser, holds, s3)
        lines.append(f"{label}: the 5x5 branch's centroid period is coarser than the 1x1 branch's in {coarser} of "
                     f"{len(r.blocks)} blocks ({r.kind}s); the order 1x1 < 3x3 < 5x5 holds in {holds}; "
                     f"stage 3 ratio 5x5/1x1 {s3:.2f}.")
    (tc, _, t3), (_, _, r3) = stats["trained"], stats["random"]
    scope = " (this network, these probes; a statement about centroids, not about what the branches are used for)"
    if t3 > 1.1 and tc > len(trained.blocks) / 2:
        if t3 > r3 * 1.1:
            v = "Reading: the 5x5 branches respond relatively more to coarse patterns, more so than in the random control"
        else:
            v = ("Reading: the 5x5 branches respond relatively more to coarse patterns, but the random control does "
                 "as much: that comes with the kernel sizes, not from training")
    elif t3 > 1.1:
        v = "Reading: stage 3 orders its branches by kernel size, most deeper blocks do not"
    else:
        v = ("Reading: no ordering by kernel size in stage 3" + (
            " (the random control has one, so training did not keep it)" if r3 > 1.1 else ""))
    return "\n".join(lines + [v + scope + "."])


def winner_table(responses: dict[str, ScaleResponse], blocks: Sequence[str]) -> Table:
    """At each period, the branch with the highest tuning value ("which branch responds most")."""
    first = next(iter(responses.values()))
    cols, getters = ["period (px)"], []
    for label, r in responses.items():
        for b in blocks:
            cols.append(f"{label} {b.replace('inception', '')}")
            getters.append((r, r.index(b)))
    rows = [[p] + [r.winner[k][i] for r, i in getters] for k, p in enumerate(first.periods)]
    return Table(cols, rows, title=f"branch with the largest relative response ({first.kind})")


def check_peak_period(answer: int | None, model: GoogLeNet, name: str, image_size: int, *,
                      preprocess: Callable[[Tensor], Tensor] | None = None) -> Verdict:
    """Exercise check: is ``answer`` the grating period (px, one of :func:`default_periods`) at which
    branch ``name`` (e.g. ``"3a.5x5"``) of ``model`` responds most at ``image_size`` px?"""
    block, _, branch = name.partition(".")
    if branch not in BRANCH_NAMES:
        raise ValueError(f"name must be '<block>.<branch>' with branch in {list(BRANCH_NAMES)}, got {name!r}")
    periods = default_periods(image_size)
    if answer is None:
        return verdict(None, missing=f"Fill in `answer` with the period (one of {periods} px) at which {name} "
                                     f"peaks at {image_size} px, then run the cell again.")
    r = scale_response(model, image_size, blocks=[block], preprocess=preprocess)
    true = int(r.peak_period[0, list(r.branches).index(branch)])
    return verdict(answer == true, f"{name} peaks at {true} px at {image_size} px input.",
                   f"{name} peaks at a {'longer' if answer < true else 'shorter'} period than {answer} px. "
                   f"Plot `r.tuning[:, 0, {list(BRANCH_NAMES).index(branch)}]` against `r.periods`.")
