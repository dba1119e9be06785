"""The price of a bottleneck: what a 1x1 reduction to r channels can lose, measured on activations.

A 1x1 convolution from C to r channels maps every pixel's C-vector linearly (plus a bias) to an
r-vector. The best any such layer can do, if the goal is to keep the information needed to rebuild
its input linearly, is principal component analysis of the per-pixel channel vectors
(Eckart-Young): keep the r directions of largest variance. The relative reconstruction error

    error(r) = (sum of the C - r smallest eigenvalues) / (sum of all eigenvalues)

of the channel covariance is therefore a lower bound for every linear 1x1 reduction to r channels:
1 at r = 0 (only the mean, which the bias can supply, is left), 0 at r = C, and decreasing in
between. :func:`reconstruction_curve` computes it for a block's input; :func:`plot_bottleneck`
draws the curves and marks the widths a network actually uses.

A real reduction is followed by a ReLU and a 3x3 or 5x5 convolution that need not rebuild the
input, only what the next layer uses, so the curve measures what a width *can* keep, not what a
trained branch needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np
import torch
from torch import Tensor

from ._checks import check_choice, check_int, check_number
from .architecture import BRANCH_COLORS, long_name
from .display import Verdict, new_figure, verdict
from .model import GoogLeNet, Inception

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "BottleneckCurve",
    "pixel_vectors",
    "reconstruction_curve",
    "reconstruction_error",
    "block_input",
    "block_inputs",
    "reduction_widths",
    "plot_bottleneck",
    "check_width_for",
]


@dataclass(frozen=True)
class BottleneckCurve:
    """``error[r]`` = the smallest relative squared error of rebuilding the C-channel input from
    r channels through a linear 1x1 layer with bias, for r = 0 ... C (``error[0] == 1``)."""

    channels: int
    eigenvalues: np.ndarray  # of the per-pixel channel covariance, largest first
    error: np.ndarray  # length channels + 1

    def width_for(self, max_error: float) -> int:
        """The narrowest r whose error is at most ``max_error`` (0 < max_error < 1)."""
        if not 0 < max_error < 1:
            raise ValueError(f"max_error must be between 0 and 1 (exclusive), got {max_error!r}")
        return int(np.argmax(self.error <= max_error))

    def at(self, r: int) -> float:
        """The error at width ``r`` (0 <= r <= channels)."""
        r = check_int("r", r, 0, self.channels)
        return float(self.error[r])


def pixel_vectors(acts: Tensor) -> np.ndarray:
    """(N, C, H, W) activations -> an (N*H*W, C) float64 array: one row per pixel (what a 1x1 conv sees)."""
    if not isinstance(acts, Tensor):
        raise TypeError(f"acts must be a torch.Tensor of shape (N, C, H, W), got {type(acts).__name__}")
    if acts.dim() != 4:
        raise ValueError(f"acts must have shape (N, C, H, W), got {tuple(acts.shape)}")
    return acts.detach().permute(0, 2, 3, 1).reshape(-1, acts.shape[1]).double().cpu().numpy()


def reconstruction_curve(acts: Tensor) -> BottleneckCurve:
    """The optimal linear 1x1 reduction's reconstruction error against its width, for ``acts``.

    The mean is removed first (the reduction and the reconstruction both have biases); the error
    is relative to the total variance, so it is 1 at r = 0 and 0 at r = C.
    """
    x = pixel_vectors(acts)
    if x.shape[0] < 2:
        raise ValueError(f"acts must hold at least 2 pixel vectors, got {x.shape[0]}")
    x = x - x.mean(axis=0)
    eig = np.linalg.eigvalsh(x.T @ x / x.shape[0])[::-1].clip(min=0.0)  # largest first
    total = eig.sum()
    if total <= 0:
        raise ValueError("acts are constant over all pixels: there is nothing to reconstruct")
    kept = np.concatenate([[0.0], np.cumsum(eig)])
    error = np.clip(1.0 - kept / total, 0.0, 1.0)
    error[-1] = 0.0  # all C channels kept: exact (guards against rounding)
    return BottleneckCurve(x.shape[1], eig, error)


def reconstruction_error(acts: Tensor, down: Tensor, up: Tensor | None = None) -> float:
    """Relative error of one given linear 1x1 bottleneck ``down`` (r x C): the pixels' C-vectors are
    reduced to r numbers and rebuilt by ``up`` (C x r), or by the least-squares best ``up`` (with a
    bias) when None. Any ``down`` gives at least :func:`reconstruction_curve`'s error at r."""
    x = pixel_vectors(acts)
    x = x - x.mean(axis=0)
    d = np.asarray(down.detach().double().cpu() if isinstance(down, Tensor) else down, dtype=np.float64)
    if d.ndim != 2 or d.shape[1] != x.shape[1]:
        raise ValueError(f"down must have shape (r, {x.shape[1]}), got {d.shape}")
    z = x @ d.T
    if up is None:
        z1 = np.hstack([z, np.ones((z.shape[0], 1))])
        coef, *_ = np.linalg.lstsq(z1, x, rcond=None)
        rebuilt = z1 @ coef
    else:
        u = np.asarray(up.detach().double().cpu() if isinstance(up, Tensor) else up, dtype=np.float64)
        rebuilt = z @ u.T
    return float(((x - rebuilt) ** 2).sum() / (x**2).sum())


@torch.no_grad()
def block_inputs(model: GoogLeNet, x: Tensor, blocks: Sequence[str]) -> dict[str, Tensor]:
    """The inputs of several Inception blocks ("3a" or "inception3a") for images ``x``, from one
    forward pass in eval mode (the model's mode is restored); keyed as requested."""
    if not isinstance(model, GoogLeNet):
        raise TypeError(f"model must be an inception GoogLeNet, got {type(model).__name__}")
    if isinstance(blocks, str) or not isinstance(blocks, (list, tuple)):
        raise TypeError(f"blocks must be a list of block names, got {type(blocks).__name__}")
    valid = [n for n, m in model.named_children() if isinstance(m, Inception)]
    names = {b: check_choice("block", long_name(b) if isinstance(b, str) else b, valid) for b in blocks}
    store: dict[str, Tensor] = {}
    handles = [getattr(model, name).register_forward_pre_hook(
        lambda _m, inputs, key=key: store.__setitem__(key, inputs[0].detach())) for key, name in names.items()]
    was_training = model.training
    model.eval()
    try:
        model(x)
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    return {key: store[key] for key in names}


def block_input(model: GoogLeNet, x: Tensor, block: str) -> Tensor:
    """The input of Inception block ``block`` ("3a" or "inception3a") for images ``x`` (eval mode)."""
    return block_inputs(model, x, [block])[block]


def reduction_widths(model: GoogLeNet, block: str) -> dict[str, int]:
    """The widths the block's 1x1 reductions actually use (``3x3 reduce``, ``5x5 reduce``) and
    its input channels, read from the built model."""
    if not isinstance(model, GoogLeNet):
        raise TypeError(f"model must be an inception GoogLeNet, got {type(model).__name__}")
    blocks = [n for n, m in model.named_children() if isinstance(m, Inception)]
    name = long_name(block)
    check_choice("block", name, blocks)
    module: Inception = getattr(model, name)
    convs = {b: [m for m in module.branch(b).modules() if isinstance(m, torch.nn.Conv2d)] for b in ("3x3", "5x5")}
    return {"input channels": convs["3x3"][0].in_channels,
            "3x3 reduce": convs["3x3"][0].out_channels, "5x5 reduce": convs["5x5"][0].out_channels}


def plot_bottleneck(curves: Mapping[str, BottleneckCurve], marks: Mapping[str, int] | None = None,
                    title: str = "", colors: Sequence[str] = ("#333333", "#999999", "#4C72B0", "#C44E52")) -> "Figure":
    """Error against width r, one line per curve, r as a fraction of the input channels on a second
    axis; ``marks`` (label -> width) are drawn as vertical lines with each curve's error there."""

    if not curves:
        raise ValueError("curves must hold at least one BottleneckCurve")
    fig = new_figure(figsize=(7.5, 3.4), dpi=90, layout="constrained")
    ax = fig.add_subplot()
    c_max = max(c.channels for c in curves.values())
    for (label, curve), color in zip(curves.items(), colors):
        ax.plot(range(curve.channels + 1), curve.error, "o-", ms=3, color=color, label=label)
    fallback = ("#8172B2", "#4C72B0", "#55A868", "#C44E52")
    for i, (label, r) in enumerate((marks or {}).items()):
        # a "3x3 reduce" mark in the 3x3 branch's colour, so it matches every other figure
        color = BRANCH_COLORS.get(label.split()[0], fallback[i % len(fallback)])
        ax.axvline(r, color=color, ls="--", lw=1)
        errors = ", ".join(f"{name.split()[0]} {curve.at(r):.0%}" for name, curve in curves.items() if r <= curve.channels)
        ax.text(r + 0.2, 0.97, f"{label} = {r}\nerror {errors}", color=color, fontsize=8, va="top")
    ax.set_xlim(0, c_max)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("width r of the 1x1 reduction (channels kept)")
    ax.set_ylabel("relative reconstruction error")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="center right")
    ax.grid(alpha=0.3)
    return fig


def check_width_for(answer: int | None, curve: BottleneckCurve, max_error: float = 0.1) -> Verdict:
    """Exercise: the narrowest reduction width whose optimal reconstruction error is at most ``max_error``."""
    if not isinstance(curve, BottleneckCurve):
        raise TypeError(f"curve must be a BottleneckCurve, got {type(curve).__name__}")
    expected = curve.width_for(max_error)
    what = f"the narrowest width with error <= {max_error:.0%}"
    if answer is None:
        return verdict(None, missing=f"Fill in your answer for {what}, then run the cell again.")
    answer = check_number("answer", answer)
    hint = ("too narrow: its error is above the limit" if answer < expected else
            "wide enough, but a narrower width also meets the limit")
    return verdict(answer == expected, f"{what} is r = {expected} (error {curve.at(expected):.1%}).",
                   f"r = {answer:g} is {hint}. Look for the first r with curve.error[r] <= {max_error}.")
