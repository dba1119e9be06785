"""Pictures of what a GoogLeNet computes: filters, feature maps, branches, energy, ablation, scale tuning.

Every ``plot_*`` function returns a matplotlib Figure outside pyplot (show it as a cell's value).
The notebook-05 widget, :class:`~inception.widgets.FeatureBrowser`, is in :mod:`inception.widgets`
and draws with the helpers here.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping, Sequence

import matplotlib
import numpy as np
import torch
from matplotlib.figure import Figure
from PIL import Image
from torch import Tensor

from ._checks import check_choice, moved_error
from .architecture import BRANCH_COLORS, BRANCH_NAMES, long_name
from .architecture import short_name as _short  # "inception4a.3x3" -> "4a.3x3"
from .features import (
    BranchAblation,
    BranchEnergy,
    activations,
    block_names,
    stage_names,
)
from .model import GoogLeNet
from .scale import ScaleResponse, scale_probes
from .display import new_figure, subplots

__all__ = [
    "filter_tiles",
    "plot_first_layer_filters",
    "plot_stage_grids",
    "plot_branches",
    "plot_branch_energy",
    "plot_scale_response",
    "plot_preferred_period",
    "plot_branch_ablation",
    "plot_trained_vs_random",
    "plot_probes",
    "plot_inputs",
    "plot_visualized",
    "Preprocess",
    "no_preprocess",
    "as_batch",
    "clean_axes",
    "colorize",
]


def __getattr__(name: str) -> object:
    raise moved_error(__name__, name)  # an explorer's old name here says where it went


_DPI = 80
_VIRIDIS = (matplotlib.colormaps["viridis"](np.linspace(0, 1, 256))[:, :3] * 255).astype(np.uint8)
Preprocess = Callable[[Tensor], Tensor]


def no_preprocess(x: Tensor) -> Tensor:
    """The default :data:`Preprocess`: the image batch unchanged."""
    return x


def clean_axes(ax: Any) -> None:
    """No ticks and no frame: an axes that shows only its image."""
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_visible(False)


def as_batch(image: Tensor) -> Tensor:
    """A (3, H, W) image (or the first of a batch) as a batch of one; a clear error for anything else."""
    if not isinstance(image, Tensor) or image.dim() not in (3, 4):
        raise ValueError(f"image must be a (3, H, W) tensor in [0, 1], got {getattr(image, 'shape', type(image).__name__)}")
    return image.unsqueeze(0) if image.dim() == 3 else image[:1]


def _top_channels(a: Tensor, k: int) -> list[int]:
    """The ``k`` channels with the largest mean activation (the ones that see something)."""
    k = min(k, a.shape[0])
    return torch.argsort(a.flatten(1).mean(1), descending=True)[:k].tolist()


def _top_contrast(a: Tensor, k: int) -> list[int]:
    """The ``k`` channels with the largest spatial standard deviation (the ones that show a pattern)."""
    k = min(k, a.shape[0])
    return torch.argsort(a.flatten(1).std(1), descending=True)[:k].tolist()


# ---------------------------------------------------------------- first-layer filters
def filter_tiles(model: GoogLeNet) -> np.ndarray:
    """conv1's filters as RGB tiles (N, k, k, 3) in [0, 1]: 0.5 is zero, each filter scaled to its own max."""
    w = model.conv1.conv.weight.detach().double()  # out, in, k, k
    if w.shape[1] != 3:
        raise ValueError(f"conv1 has {w.shape[1]} input channels; RGB tiles need 3")
    m = w.abs().flatten(1).max(1).values.clamp(min=1e-12).view(-1, 1, 1, 1)
    return (0.5 + 0.5 * w / m).permute(0, 2, 3, 1).numpy()


def plot_first_layer_filters(models: Mapping[str, GoogLeNet], *, cols: int | None = None, tile: float = 0.75) -> Figure:
    """conv1's filters of each network side by side (e.g. {"trained": m, "random": r}), as a grid of
    ``tile``-inch RGB tiles (``cols`` per row; default: a near-square grid), each filter numbered."""
    tiles = {k: filter_tiles(m) for k, m in models.items()}
    n = max(t.shape[0] for t in tiles.values())
    cols = cols or max(1, math.ceil(math.sqrt(n / 2)) * 2 if n > 2 else n)
    rows = math.ceil(n / cols)
    gap = 0.35  # inches between the networks' grids
    fig = new_figure(figsize=(len(tiles) * cols * tile + gap * (len(tiles) - 1) + 0.2, rows * (tile + 0.18) + 0.45),
                     dpi=_DPI)
    outer = fig.add_gridspec(1, len(tiles), wspace=gap / (cols * tile), left=0.02, right=0.98, top=1 - 0.4 / fig.get_figheight(),
                             bottom=0.02)
    for g, (label, t) in zip(outer, tiles.items()):
        inner = g.subgridspec(rows, cols, wspace=0.08, hspace=0.25)
        for i in range(rows * cols):
            ax = fig.add_subplot(inner[i // cols, i % cols])
            clean_axes(ax)
            if i < len(t):
                ax.imshow(t[i], interpolation="nearest")
                ax.set_title(str(i), fontsize=6, pad=1)
            else:
                ax.axis("off")
        k = t.shape[1]
        x0, x1 = g.get_position(fig).x0, g.get_position(fig).x1
        fig.text((x0 + x1) / 2, 1 - 0.12 / fig.get_figheight(), f"{label}: {t.shape[0]} filters {k}x{k}",
                 ha="center", va="top", fontsize=9)
    return fig


# ---------------------------------------------------------------- feature-map grids
# The grids are drawn as one mosaic image per figure (numpy + one imshow): a hundred small
# matplotlib axes would take seconds to lay out.
_TILE = 32


def _tile(a: np.ndarray, size: int = _TILE, rgb: bool = False) -> np.ndarray:
    """One map (H, W) colored with viridis (own min..max), or an RGB image, resized to size x size."""
    if rgb:
        img = (np.clip(a, 0, 1) * 255).astype(np.uint8)
    else:
        lo, hi = float(a.min()), float(a.max())
        if hi - lo <= 1e-6 * max(1.0, abs(hi)):  # a flat map (e.g. a unit ReLU keeps at 0): grey, not "low"
            img = np.full(a.shape + (3,), 200, np.uint8)
        else:
            img = colorize(a, lo, hi)
    if img.shape[0] != size:
        img = np.asarray(Image.fromarray(img).resize((size, size), Image.Resampling.NEAREST))
    return img


def _mosaic(rows: list[list[np.ndarray | None]], size: int = _TILE, pad: int = 2) -> np.ndarray:
    cols = max(len(r) for r in rows)
    out = np.full((len(rows) * (size + pad) - pad, cols * (size + pad) - pad, 3), 255, np.uint8)
    for i, row in enumerate(rows):
        for j, t in enumerate(row):
            if t is not None:
                out[i * (size + pad):i * (size + pad) + size, j * (size + pad):j * (size + pad) + size] = t
    return out


def _mosaic_figure(rows: list[list[np.ndarray | None]], labels: list[str], title: str | None,
                   col_titles: list[str] | None = None, label_width: float = 0.9, size: int = _TILE,
                   colors: list[str] | None = None) -> Figure:
    m = _mosaic(rows, size)
    scale = 1.6 / size  # inches per tile: tiles are drawn 1.6x larger than their pixels at 80 dpi
    h, w = m.shape[0] * scale / 1.6 * 0.55, m.shape[1] * scale / 1.6 * 0.55
    fig = new_figure(figsize=(w + label_width, h + (0.45 if title else 0.15) + (0.15 if col_titles else 0)), dpi=_DPI)
    top = 1 - (0.4 if title else 0.1) / fig.get_figheight() - (0.15 if col_titles else 0) / fig.get_figheight()
    ax = fig.add_axes((label_width / fig.get_figwidth(), 0.02, w / fig.get_figwidth(), top - 0.02))
    ax.imshow(m, interpolation="nearest")
    clean_axes(ax)
    for i, lab in enumerate(labels):
        ax.text(-4, i * (size + 2) + size / 2, lab, ha="right", va="center", fontsize=7,
                color=(colors[i] if colors else "black"))
    for j, ct in enumerate(col_titles or []):
        ax.text(j * (size + 2) + size / 2, -2, ct, ha="center", va="bottom", fontsize=6)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def plot_stage_grids(model: GoogLeNet, image: Tensor, *, preprocess: Preprocess | None = None,
                     stages: Sequence[str] | None = None, channels: int = 8, title: str | None = None,
                     rank: str = "contrast") -> Figure:
    """One row per stage (stem convs, Inception blocks): the input, then ``channels`` maps, each colored
    on its own scale; flat maps (no spatial variation at all) are grey.

    ``rank="contrast"`` picks the maps with the largest spatial standard deviation (the ones that show
    a pattern on this image); ``"mean"`` the ones with the largest mean activation, which can be
    nearly uniform."""
    rank = check_choice("rank", rank, ("contrast", "mean"))
    stages = list(stage_names(model) if stages is None else stages)
    x = as_batch(image)
    acts = activations(model, (preprocess or no_preprocess)(x), stages)
    inp = _tile(x[0].permute(1, 2, 0).numpy(), rgb=True)
    rows, labels = [], []
    for name in stages:
        a = acts[name][0]
        picks = _top_channels(a, channels) if rank == "mean" else _top_contrast(a, channels)
        rows.append([inp] + [_tile(a[ch].numpy()) for ch in picks])
        labels.append(f"{_short(name)}  {a.shape[0]}x{a.shape[1]}x{a.shape[2]}")
    return _mosaic_figure(rows, labels, title, ["input"] + [f"#{i + 1}" for i in range(channels)], label_width=1.1)


def plot_branches(model: GoogLeNet, image: Tensor, block: str, *, preprocess: Preprocess | None = None,
                  channels: int = 6, title: str | None = None) -> Figure:
    """A block's four branches side by side: one row per branch, its most active channels."""
    block = long_name(block) if isinstance(block, str) else block
    if block not in block_names(model):
        raise ValueError(f"block must be one of {block_names(model)} (or the short form '4a'), got {block!r}")
    names = [f"{block}.{b}" for b in BRANCH_NAMES]
    x = as_batch(image)
    acts = activations(model, (preprocess or no_preprocess)(x), names)
    total = sum(float(acts[n][0].pow(2).sum()) for n in names) or 1.0
    inp = _tile(x[0].permute(1, 2, 0).numpy(), rgb=True)
    rows, labels = [], []
    for br, name in zip(BRANCH_NAMES, names):
        a = acts[name][0]
        rows.append([inp] + [_tile(a[ch].numpy()) for ch in _top_channels(a, channels)])
        labels.append(f"{br}: {a.shape[0]} ch, {float(a.pow(2).sum()) / total:.0%} of energy")
    return _mosaic_figure(rows, labels, title or f"block {_short(block)}: the four branches (Figure 2b)",
                          ["input"] + [f"#{i + 1}" for i in range(channels)], label_width=1.7,
                          colors=[BRANCH_COLORS[b] for b in BRANCH_NAMES])


def plot_trained_vs_random(models: Mapping[str, GoogLeNet], image: Tensor, layers: Sequence[str], *,
                           preprocess: Preprocess | None = None, channels: int = 6) -> Figure:
    """For each layer, the most active maps of each network in adjacent rows."""
    x = as_batch(image)
    prep = preprocess or no_preprocess
    acts = {k: activations(m, prep(x), list(layers)) for k, m in models.items()}
    inp = _tile(x[0].permute(1, 2, 0).numpy(), rgb=True)
    rows, labels = [], []
    for layer in layers:
        for label in models:
            a = next(iter(v for k, v in acts[label].items() if _short(k) == _short(layer)))[0]
            rows.append([inp] + [_tile(a[ch].numpy()) for ch in _top_channels(a, channels)])
            labels.append(f"{label}: {_short(layer)}")
    return _mosaic_figure(rows, labels, None, ["input"] + [f"#{i + 1}" for i in range(channels)], label_width=1.2)


# ---------------------------------------------------------------- branch energy and scale
def plot_branch_energy(energies: Mapping[str, BranchEnergy]) -> Figure:
    """Share of each block's output energy per branch across depth; dashed: share of channels."""
    fig, axes = subplots(1, len(energies), figsize=(4.2 * len(energies), 3.0), dpi=_DPI, squeeze=False,
                             sharey=True)
    for ax, (label, e) in zip(axes[0], energies.items()):
        x = np.arange(len(e.blocks))
        for j, br in enumerate(e.branches):
            ax.plot(x, e.share[:, j], "o-", color=BRANCH_COLORS[br], label=f"{br} energy")
            ax.plot(x, e.channel_share[:, j], "--", color=BRANCH_COLORS[br], lw=1, alpha=0.7)
        ax.set_xticks(x, [_short(b) for b in e.blocks], fontsize=8)
        ax.set_xlabel("block (depth)")
        ax.set_title(label, fontsize=10)
        ax.set_ylim(0, 1)
    axes[0, 0].set_ylabel("share of block output energy")
    axes[0, 0].legend(fontsize=7, title="dashed: share of channels", title_fontsize=7)
    fig.tight_layout()
    return fig


def plot_inputs(images: Mapping[str, Tensor]) -> Figure:
    """The input images in a row, with their names."""
    fig, axes = subplots(1, len(images), figsize=(1.3 * len(images), 1.55), dpi=_DPI, squeeze=False)
    for ax, (name, img) in zip(axes[0], images.items()):
        ax.imshow(as_batch(img)[0].permute(1, 2, 0).numpy(), interpolation="nearest")
        ax.set_title(name, fontsize=8)
        clean_axes(ax)
    fig.tight_layout(pad=0.2)
    return fig


def plot_visualized(images: Tensor, labels: Sequence[str], *, title: str | None = None) -> Figure:
    """Images from :func:`inception.features.visualize_channels`, one per channel."""
    fig, axes = subplots(1, len(images), figsize=(1.25 * len(images), 1.5), dpi=_DPI, squeeze=False)
    for ax, img, lab in zip(axes[0], images, labels):
        ax.imshow(img.permute(1, 2, 0).numpy(), interpolation="nearest")
        ax.set_title(lab, fontsize=7)
        clean_axes(ax)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout(pad=0.2, rect=(0, 0, 1, 0.86 if title else 1))
    return fig


def plot_probes(image_size: int, periods: Sequence[int], kinds: Sequence[str] = ("grating", "checkerboard", "blobs"),
                *, oversample: int = 8, aliased: str | None = None) -> Figure:
    """One example probe of each kind at each period (anti-aliased, ``oversample`` x finer, box-filtered).

    ``aliased="checkerboard"`` adds a last row with that kind sampled at pixel centres only, for comparison."""
    rows = [(kind, oversample, kind) for kind in kinds]
    if aliased is not None:
        rows.append((aliased, 1, f"{aliased}\n(aliased)"))
    fig, axes = subplots(len(rows), len(periods), figsize=(0.7 * len(periods) + 1.0, 0.75 * len(rows)),
                             dpi=_DPI, squeeze=False)
    for r, (kind, over, label) in enumerate(rows):
        for c, p in enumerate(periods):
            img = scale_probes(image_size, p, kind, orientations=4, phases=1, oversample=over)[1, 0].numpy()
            axes[r, c].imshow(img, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            clean_axes(axes[r, c])
            if r == 0:
                axes[r, c].set_title(f"{p} px", fontsize=7)
        axes[r, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
    fig.tight_layout(pad=0.2)
    return fig


#: Shading for marked period ranges (e.g. the training data's stripe period and shape diameter).
_MARK_COLORS = ("#f4c542", "#9ecae1", "#c7e9c0")


def plot_scale_response(responses: Mapping[str, ScaleResponse], blocks: Sequence[str], *,
                        marks: Mapping[str, tuple[float, float]] | None = None) -> Figure:
    """Tuning curves (response / its mean over periods) of the four branches, per block and network.

    ``marks``: {label: (lo, hi)} period ranges to shade, e.g. the training data's own scales from
    :func:`inception.data.synthetic_scales`."""
    blocks = [long_name(b) for b in blocks]
    labels = list(responses)
    fig, axes = subplots(len(labels), len(blocks), figsize=(2.6 * len(blocks) + 0.6, 2.2 * len(labels) + 0.3),
                             dpi=_DPI, squeeze=False, sharex=True)
    for r, label in enumerate(labels):
        s = responses[label]
        for c, b in enumerate(blocks):
            ax = axes[r, c]
            i = s.index(b)
            for (mark, (lo, hi)), color in zip((marks or {}).items(), _MARK_COLORS):
                ax.axvspan(lo, hi, color=color, alpha=0.45, lw=0, label=mark)
            for j, br in enumerate(s.branches):
                ax.plot(s.periods, s.tuning[:, i, j], "o-", ms=3, color=BRANCH_COLORS[br], label=br)
            ax.set_xscale("log", base=2)
            ax.set_xticks(list(s.periods), [str(p) for p in s.periods], fontsize=6)
            ax.minorticks_off()
            ax.tick_params(axis="y", labelsize=7)
            ax.set_title(f"{label}: {_short(b)}", fontsize=9)
            if r == len(labels) - 1:
                ax.set_xlabel("period (px)", fontsize=8)
        axes[r, 0].set_ylabel("response / mean", fontsize=8)
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="upper center", ncol=len(names), fontsize=7, frameon=False)
    fig.suptitle(f"{responses[labels[0]].kind} probes", fontsize=10, y=0.995, x=0.02, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.3 / fig.get_figheight()))
    return fig


def plot_branch_ablation(ablation: BranchAblation, energy: BranchEnergy | None = None) -> Figure:
    """Accuracy drop when one branch is zeroed, per block (bars), against zeroing as many random
    channels of the block (black: mean, whiskers: range over draws); with ``energy``, a second panel
    sets each branch's drop against its share of the block's activation energy."""
    n_panels = 2 if energy is not None else 1
    fig, axes = subplots(1, n_panels, figsize=(6.4 + 3.4 * (n_panels - 1), 3.0), dpi=_DPI, squeeze=False,
                             gridspec_kw={"width_ratios": [2, 1][:n_panels]})
    ax = axes[0, 0]
    x = np.arange(len(ablation.blocks))
    w = 0.2
    cd = ablation.control_drop
    for j, br in enumerate(ablation.branches):
        xs = x + (j - 1.5) * w
        ax.bar(xs, ablation.drop[:, j], w, color=BRANCH_COLORS[br], label=br)
        ax.errorbar(xs, cd[:, j].mean(1), yerr=[cd[:, j].mean(1) - cd[:, j].min(1), cd[:, j].max(1) - cd[:, j].mean(1)],
                    fmt="_", color="black", ms=5, lw=0.8, capsize=0)
    ax.axhline(0, color="grey", lw=0.6)
    ax.set_xticks(x, [_short(b) for b in ablation.blocks], fontsize=8)
    ax.set_xlabel("block (depth)")
    ax.set_ylabel("drop in validation accuracy")
    ax.set_title(f"zero one branch (bars) vs as many random channels (black), {ablation.images} images", fontsize=9)
    ax.legend(fontsize=7, ncol=4)
    if energy is not None:
        ax2 = axes[0, 1]
        for j, br in enumerate(ablation.branches):
            share = [energy.share[energy.blocks.index(b), energy.branches.index(br)] for b in ablation.blocks]
            ax2.scatter(share, ablation.drop[:, j], s=14, color=BRANCH_COLORS[br], label=br)
        ax2.set_xlabel("share of block output energy")
        ax2.set_ylabel("accuracy drop when zeroed")
        ax2.set_title("energy is not reliance", fontsize=9)
        ax2.axhline(0, color="grey", lw=0.6)
    fig.tight_layout()
    return fig


def plot_preferred_period(responses: Mapping[str, ScaleResponse]) -> Figure:
    """Preferred period of each branch across depth, one panel per network."""
    fig, axes = subplots(1, len(responses), figsize=(4.0 * len(responses), 2.8), dpi=_DPI, squeeze=False,
                             sharey=True)
    for ax, (label, s) in zip(axes[0], responses.items()):
        pp = s.preferred_period
        x = np.arange(len(s.blocks))
        for j, br in enumerate(s.branches):
            ax.plot(x, pp[:, j], "o-", color=BRANCH_COLORS[br], label=br)
        ax.set_xticks(x, [_short(b) for b in s.blocks], fontsize=8)
        ax.set_yscale("log", base=2)
        ax.set_title(f"{label} ({s.kind})", fontsize=10)
        ax.set_xlabel("block (depth)")
    axes[0, 0].set_ylabel("preferred period (px)")
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def colorize(a: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """``a`` mapped through viridis between ``lo`` and ``hi``: uint8 RGB with one more axis."""
    idx = np.clip((a - lo) / (hi - lo if hi > lo else 1.0) * 255, 0, 255).astype(np.uint8)
    return _VIRIDIS[idx]
