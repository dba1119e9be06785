"""Pictures of what a GoogLeNet computes: filters, feature maps, branches, energy, ablation, scale tuning.

Every ``plot_*`` function returns a closed matplotlib Figure (show it as a cell's value).
:class:`FeatureBrowser` is the notebook-05 widget: block, branch, channel, image and network;
activations are computed once per (network, image) and cached, and the picture is drawn with
numpy + PIL (no matplotlib), so an update is a few milliseconds. Its update logic is plain
methods (:meth:`FeatureBrowser.show`, :meth:`FeatureBrowser.add_upload`) tested without a browser.
"""

from __future__ import annotations

import html
import io
import math
from typing import Any, Callable, Mapping, Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from PIL import Image
from torch import Tensor

from ._checks import check_choice
from .architecture import BRANCH_COLORS, BRANCH_NAMES, long_name
from .architecture import short_name as _short  # "inception4a.3x3" -> "4a.3x3"
from .features import (
    BranchAblation,
    BranchEnergy,
    activations,
    block_names,
    feature_names,
    stage_names,
)
from .images import ImageError, prepare_image
from .model import GoogLeNet
from .scale import ScaleResponse, scale_probes

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
    "FeatureBrowser",
    "feature_browser",
    "MAX_UPLOAD_BYTES",
]

_DPI = 80
_VIRIDIS = (matplotlib.colormaps["viridis"](np.linspace(0, 1, 256))[:, :3] * 255).astype(np.uint8)
Preprocess = Callable[[Tensor], Tensor]


def _identity(x: Tensor) -> Tensor:
    return x


def _clean(ax: Any) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_visible(False)


def _as_batch(image: Tensor) -> Tensor:
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
    fig = plt.figure(figsize=(len(tiles) * cols * tile + gap * (len(tiles) - 1) + 0.2, rows * (tile + 0.18) + 0.45),
                     dpi=_DPI)
    outer = fig.add_gridspec(1, len(tiles), wspace=gap / (cols * tile), left=0.02, right=0.98, top=1 - 0.4 / fig.get_figheight(),
                             bottom=0.02)
    for g, (label, t) in zip(outer, tiles.items()):
        inner = g.subgridspec(rows, cols, wspace=0.08, hspace=0.25)
        for i in range(rows * cols):
            ax = fig.add_subplot(inner[i // cols, i % cols])
            _clean(ax)
            if i < len(t):
                ax.imshow(t[i], interpolation="nearest")
                ax.set_title(str(i), fontsize=6, pad=1)
            else:
                ax.axis("off")
        k = t.shape[1]
        x0, x1 = g.get_position(fig).x0, g.get_position(fig).x1
        fig.text((x0 + x1) / 2, 1 - 0.12 / fig.get_figheight(), f"{label}: {t.shape[0]} filters {k}x{k}",
                 ha="center", va="top", fontsize=9)
    plt.close(fig)
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
            img = _colorize(a, lo, hi)
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
    fig = plt.figure(figsize=(w + label_width, h + (0.45 if title else 0.15) + (0.15 if col_titles else 0)), dpi=_DPI)
    top = 1 - (0.4 if title else 0.1) / fig.get_figheight() - (0.15 if col_titles else 0) / fig.get_figheight()
    ax = fig.add_axes((label_width / fig.get_figwidth(), 0.02, w / fig.get_figwidth(), top - 0.02))
    ax.imshow(m, interpolation="nearest")
    _clean(ax)
    for i, lab in enumerate(labels):
        ax.text(-4, i * (size + 2) + size / 2, lab, ha="right", va="center", fontsize=7,
                color=(colors[i] if colors else "black"))
    for j, ct in enumerate(col_titles or []):
        ax.text(j * (size + 2) + size / 2, -2, ct, ha="center", va="bottom", fontsize=6)
    if title:
        fig.suptitle(title, fontsize=10)
    plt.close(fig)
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
    x = _as_batch(image)
    acts = activations(model, (preprocess or _identity)(x), stages)
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
    x = _as_batch(image)
    acts = activations(model, (preprocess or _identity)(x), names)
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
    x = _as_batch(image)
    prep = preprocess or _identity
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
    fig, axes = plt.subplots(1, len(energies), figsize=(4.2 * len(energies), 3.0), dpi=_DPI, squeeze=False,
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
    plt.close(fig)
    return fig


def plot_inputs(images: Mapping[str, Tensor]) -> Figure:
    """The input images in a row, with their names."""
    fig, axes = plt.subplots(1, len(images), figsize=(1.3 * len(images), 1.55), dpi=_DPI, squeeze=False)
    for ax, (name, img) in zip(axes[0], images.items()):
        ax.imshow(_as_batch(img)[0].permute(1, 2, 0).numpy(), interpolation="nearest")
        ax.set_title(name, fontsize=8)
        _clean(ax)
    fig.tight_layout(pad=0.2)
    plt.close(fig)
    return fig


def plot_visualized(images: Tensor, labels: Sequence[str], *, title: str | None = None) -> Figure:
    """Images from :func:`inception.features.visualize_channels`, one per channel."""
    fig, axes = plt.subplots(1, len(images), figsize=(1.25 * len(images), 1.5), dpi=_DPI, squeeze=False)
    for ax, img, lab in zip(axes[0], images, labels):
        ax.imshow(img.permute(1, 2, 0).numpy(), interpolation="nearest")
        ax.set_title(lab, fontsize=7)
        _clean(ax)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout(pad=0.2, rect=(0, 0, 1, 0.86 if title else 1))
    plt.close(fig)
    return fig


def plot_probes(image_size: int, periods: Sequence[int], kinds: Sequence[str] = ("grating", "checkerboard", "blobs"),
                *, oversample: int = 8, aliased: str | None = None) -> Figure:
    """One example probe of each kind at each period (anti-aliased, ``oversample`` x finer, box-filtered).

    ``aliased="checkerboard"`` adds a last row with that kind sampled at pixel centres only, for comparison."""
    rows = [(kind, oversample, kind) for kind in kinds]
    if aliased is not None:
        rows.append((aliased, 1, f"{aliased}\n(aliased)"))
    fig, axes = plt.subplots(len(rows), len(periods), figsize=(0.7 * len(periods) + 1.0, 0.75 * len(rows)),
                             dpi=_DPI, squeeze=False)
    for r, (kind, over, label) in enumerate(rows):
        for c, p in enumerate(periods):
            img = scale_probes(image_size, p, kind, orientations=4, phases=1, oversample=over)[1, 0].numpy()
            axes[r, c].imshow(img, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            _clean(axes[r, c])
            if r == 0:
                axes[r, c].set_title(f"{p} px", fontsize=7)
        axes[r, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
    fig.tight_layout(pad=0.2)
    plt.close(fig)
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
    fig, axes = plt.subplots(len(labels), len(blocks), figsize=(2.6 * len(blocks) + 0.6, 2.2 * len(labels) + 0.3),
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
    plt.close(fig)
    return fig


def plot_branch_ablation(ablation: BranchAblation, energy: BranchEnergy | None = None) -> Figure:
    """Accuracy drop when one branch is zeroed, per block (bars), against zeroing as many random
    channels of the block (black: mean, whiskers: range over draws); with ``energy``, a second panel
    sets each branch's drop against its share of the block's activation energy."""
    n_panels = 2 if energy is not None else 1
    fig, axes = plt.subplots(1, n_panels, figsize=(6.4 + 3.4 * (n_panels - 1), 3.0), dpi=_DPI, squeeze=False,
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
    plt.close(fig)
    return fig


def plot_preferred_period(responses: Mapping[str, ScaleResponse]) -> Figure:
    """Preferred period of each branch across depth, one panel per network."""
    fig, axes = plt.subplots(1, len(responses), figsize=(4.0 * len(responses), 2.8), dpi=_DPI, squeeze=False,
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
    plt.close(fig)
    return fig


# ---------------------------------------------------------------- the browser widget
_WHOLE = "(whole stage)"
_ALL = "all (concatenated)"

#: The largest upload the browser takes (8 MB, decimal, as file managers show sizes). The Jupyter server closes the kernel's websocket
#: on any message over 10 MiB (tornado's default ``websocket_max_message_size``), so a larger
#: file would never arrive and would cut the connection; raise that limit with
#: ``jupyter lab --ServerApp.tornado_settings="{'websocket_max_message_size': 100*1024*1024}"``.
MAX_UPLOAD_BYTES = 8_000_000
_UPLOAD_ACCEPT = "image/*,.png,.jpg,.jpeg,.gif,.bmp,.webp,.tif,.tiff"


def _mb(n: float) -> str:
    """A file size as a file manager shows it: '8 MB', '27.3 MB', '512 KB'."""
    if n >= 1e6:
        return f"{n / 1e6:.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(n / 1e3))} KB"


def _png(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def _colorize(a: np.ndarray, lo: float, hi: float) -> np.ndarray:
    idx = np.clip((a - lo) / (hi - lo if hi > lo else 1.0) * 255, 0, 255).astype(np.uint8)
    return _VIRIDIS[idx]


def _upscale(rgb: np.ndarray, size: int) -> np.ndarray:
    f = max(1, size // rgb.shape[0])
    return np.repeat(np.repeat(rgb, f, axis=0), f, axis=1)


class FeatureBrowser:
    """Browse the feature maps of one or more networks on a few images.

    ``models``: {"trained": model, "random": control}; ``images``: {"name": (3, H, W) in [0, 1]};
    ``preprocess`` maps images to model input. Activations of every stage and branch are
    computed on first view of a (network, image) pair and cached.
    """

    PANEL = 192  # pixels of the big channel view and of the input view

    def __init__(self, models: Mapping[str, GoogLeNet], images: Mapping[str, Tensor], *,
                 preprocess: Preprocess | None = None, image_size: int | None = None) -> None:
        if not models:
            raise ValueError("models must hold at least one network")
        if not images:
            raise ValueError("images must hold at least one image")
        self.models = dict(models)
        self.images = {k: _as_batch(v)[0] for k, v in images.items()}
        self.preprocess = preprocess or _identity
        first = next(iter(self.images.values()))
        self.image_size = image_size or int(first.shape[-1])
        ref = next(iter(self.models.values()))
        self.stages = stage_names(ref)
        self.blocks = block_names(ref)
        self._names = feature_names(ref)
        self._cache: dict[tuple[str, str], dict[str, np.ndarray]] = {}
        self._views: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.widget: Any = None
        self.state: dict[str, Any] = {}
        self.show(network=next(iter(self.models)), stage="inception3a" if "inception3a" in self.stages else self.stages[0],
                  branch=_ALL, image=next(iter(self.images)))

    # ----- pure logic (no widgets needed) -----
    def branch_options(self, stage: str) -> list[str]:
        """What the branch menu offers for a stage: blocks have four branches, stem convs none."""
        return [_ALL, *BRANCH_NAMES] if stage in self.blocks else [_WHOLE]

    def activations_for(self, network: str, image: str) -> dict[str, np.ndarray]:
        """All stage and branch activations (C, H, W) of one image, cached."""
        key = (network, image)
        if key not in self._cache:
            x = self.preprocess(self.images[image].unsqueeze(0))
            acts = activations(self.models[network], x, self._names)
            self._cache[key] = {k: v[0].numpy() for k, v in acts.items()}
        return self._cache[key]

    def layer_key(self, stage: str, branch: str) -> str:
        return stage if branch in (_ALL, _WHOLE) else f"{stage}.{branch}"

    def most_active_channel(self, stage: str, branch: str, network: str | None = None,
                            image: str | None = None) -> int:
        """The channel with the largest mean absolute activation of the layer on the image."""
        acts = self.activations_for(network or self.state["network"], image or self.state["image"])
        a = acts[self.layer_key(stage, branch)]
        return int(np.abs(a).reshape(a.shape[0], -1).mean(1).argmax())

    def num_channels(self, stage: str, branch: str, network: str | None = None, image: str | None = None) -> int:
        acts = self.activations_for(network or self.state["network"], image or self.state["image"])
        return int(acts[self.layer_key(stage, branch)].shape[0])

    def show(self, *, network: str | None = None, stage: str | None = None, branch: str | None = None,
             channel: int | None = None, image: str | None = None) -> dict[str, Any]:
        """Select a view (unspecified fields keep their value; invalid ones are corrected) and render it.

        When the layer, image or network changes and no ``channel`` is given, the view starts on the
        layer's most active channel (largest mean absolute activation): many channels are all zero.
        Returns the new state: the selection plus ``png`` (bytes) and ``html`` (the readout).
        """
        prev = self.state
        s = dict(prev)
        s.update({k: v for k, v in dict(network=network, stage=stage, branch=branch, channel=channel,
                                         image=image).items() if v is not None})
        check_choice("network", s["network"], self.models)
        check_choice("image", s["image"], self.images)
        check_choice("stage", s["stage"], self.stages)
        if s["branch"] not in self.branch_options(s["stage"]):
            s["branch"] = self.branch_options(s["stage"])[0]
        acts = self.activations_for(s["network"], s["image"])
        a = acts[self.layer_key(s["stage"], s["branch"])]
        scores = np.abs(a).reshape(a.shape[0], -1).mean(1)
        s["most_active"] = int(scores.argmax())
        moved = not prev or any(prev.get(k) != s[k] for k in ("network", "image", "stage", "branch"))
        if channel is None and moved:
            s["channel"] = s["most_active"]
        s["channel"] = int(min(max(0, int(s["channel"])), a.shape[0] - 1))
        s["num_channels"] = int(a.shape[0])
        s["png"] = self._render(s, a)
        s["html"] = self._readout(s, a, acts)
        self.state = s
        return s

    def _layer_view(self, s: dict, a: np.ndarray) -> dict[str, Any]:
        """The parts of the picture that do not depend on the channel, cached per layer and image."""
        key = (s["network"], s["image"], self.layer_key(s["stage"], s["branch"]))
        view = self._views.get(key)
        if view is None:
            P = self.PANEL
            img = (self.images[s["image"]].permute(1, 2, 0).numpy() * 255).astype(np.uint8)
            lo, hi = float(a.min()), float(a.max())
            n, h = a.shape[0], a.shape[1]
            cols = math.ceil(math.sqrt(n))
            rows = math.ceil(n / cols)
            t = max(2, (P - 2 * cols) // (cols * h)) * h  # tile side in pixels, a multiple of h
            grid = np.full((rows * (t + 2), cols * (t + 2), 3), 255, np.uint8)
            tiles = _colorize(a, lo, hi)  # n, h, w, 3
            for i in range(n):
                r, c = divmod(i, cols)
                grid[r * (t + 2) + 1:r * (t + 2) + 1 + t, c * (t + 2) + 1:c * (t + 2) + 1 + t] = _upscale(tiles[i], t)[:t, :t]
            canvas = np.full((max(P, grid.shape[0]), 2 * P + grid.shape[1] + 16, 3), 255, np.uint8)
            canvas[:P, :P] = np.asarray(Image.fromarray(img).resize((P, P), Image.Resampling.NEAREST))
            canvas[:grid.shape[0], 2 * P + 16:] = grid
            view = self._views[key] = {"canvas": canvas, "lo": lo, "hi": hi, "cols": cols, "t": t}
        return view

    def _render(self, s: dict, a: np.ndarray) -> bytes:
        """Input | chosen channel (big) | all channels of the layer (small tiles, chosen one framed)."""
        P = self.PANEL
        v = self._layer_view(s, a)
        canvas = v["canvas"].copy()
        big = _colorize(a[s["channel"]], v["lo"], v["hi"])
        canvas[:P, P + 8:2 * P + 8] = np.asarray(Image.fromarray(big).resize((P, P), Image.Resampling.NEAREST))
        r, c = divmod(s["channel"], v["cols"])
        t = v["t"]
        y, x = r * (t + 2), 2 * P + 16 + c * (t + 2)
        frame = canvas[y:y + t + 2, x:x + t + 2]
        frame[[0, -1], :] = (220, 30, 30)
        frame[:, [0, -1]] = (220, 30, 30)
        return _png(canvas)

    def _readout(self, s: dict, a: np.ndarray, acts: dict[str, np.ndarray]) -> str:
        ch = a[s["channel"]]
        layer = self.layer_key(s["stage"], s["branch"])
        text = (f"<b>{html.escape(s['network'])}</b> network, image <b>{html.escape(s['image'])}</b>: "
                f"{html.escape(_short(layer))}, {a.shape[0]} channels of {a.shape[1]}x{a.shape[2]}; "
                f"channel {s['channel']}: mean {ch.mean():.3f}, max {ch.max():.3f}"
                + (" (the most active channel of this layer)" if s["channel"] == s.get("most_active") else ""))
        if s["stage"] in self.blocks:
            e = {b: float(np.square(acts[f"{s['stage']}.{b}"]).sum()) for b in BRANCH_NAMES}
            tot = sum(e.values()) or 1.0
            text += "<br>share of this block's output energy: " + ", ".join(
                f"{b} {v / tot:.0%}" for b, v in e.items())
        return text + "<br><small>left: input; middle: the chosen channel; right: every channel of the layer (chosen one framed); one color scale per layer</small>"

    def add_image(self, name: str, source: object) -> str:
        """Prepare ``source`` (path, bytes, array, PIL image) and add it; returns a message for the reader.

        Raises :class:`ImageError` for unusable input (the widget shows its message)."""
        prepared = prepare_image(source, self.image_size, name=name)
        self.images[name] = prepared.tensor
        for cache in (self._cache, self._views):
            for key in [k for k in cache if k[1] == name]:
                del cache[key]
        return prepared.message()

    def add_upload(self, value: Any) -> tuple[str | None, str]:
        """Handle a FileUpload value (ipywidgets 8: a tuple of dicts with name and content).

        Returns (name of the new image or None, message). Never raises for bad files."""
        items = list(value or ())
        if not items:
            return None, "No file chosen."
        item = items[-1]
        name = str(item.get("name", "upload")) if isinstance(item, Mapping) else "upload"
        content = item.get("content", b"") if isinstance(item, Mapping) else b""
        size = max(int(item.get("size") or 0) if isinstance(item, Mapping) else 0, len(content or b""))
        if size > MAX_UPLOAD_BYTES:
            return None, (f"Could not use {html.escape(name)}: it is {_mb(size)}, and this notebook takes images "
                          f"up to {_mb(MAX_UPLOAD_BYTES)}. Shrink it or save it as JPEG, then upload it again.")
        try:
            msg = self.add_image(name, content)
        except ImageError as e:
            return None, f"Could not use {html.escape(name)}: {html.escape(str(e))}"
        return name, f"Added {html.escape(name)}: {html.escape(msg)}"

    # ----- widgets -----
    def build(self) -> Any:
        """The ipywidgets UI (built once; returned by :func:`feature_browser`)."""
        import ipywidgets as W

        s = self.state
        self.w_network = W.ToggleButtons(options=list(self.models), value=s["network"], description="network")
        self.w_stage = W.Dropdown(options=[(_short(n), n) for n in self.stages], value=s["stage"], description="stage")
        self.w_branch = W.Dropdown(options=self.branch_options(s["stage"]), value=s["branch"], description="branch")
        self.w_channel_box = W.Box(layout=W.Layout(width="auto"))
        self.w_channel = None
        self._new_channel_slider()
        self.w_image = W.Dropdown(options=list(self.images), value=s["image"], description="image")
        self.w_upload = W.FileUpload(accept=_UPLOAD_ACCEPT, multiple=False, description="your image")
        self.w_limit = W.HTML(value=f"images up to {_mb(MAX_UPLOAD_BYTES)}")
        self.w_status = W.HTML(value="Upload a picture of your own (PNG, JPEG, GIF, BMP, WebP, TIFF; up to "
                                     f"{_mb(MAX_UPLOAD_BYTES)}): it is resized to {self.image_size}x{self.image_size}.",
                               layout=W.Layout(width="100%", max_width="900px"))
        self.w_view = W.Image(value=s["png"], format="png")
        self.w_readout = W.HTML(value=s["html"])
        self._busy = False
        for w in (self.w_network, self.w_stage, self.w_branch, self.w_image):
            w.observe(self._on_change, names="value")
        self.w_upload.observe(self._on_upload, names="value")
        # the controls keep fixed columns; the status (of any length) has its own row below them
        controls = W.HBox([W.VBox([self.w_network, self.w_stage, self.w_branch], layout=W.Layout(flex="0 0 auto")),
                           W.VBox([self.w_channel_box, self.w_image, W.HBox([self.w_upload, self.w_limit])],
                                  layout=W.Layout(flex="0 0 auto"))])
        self.widget = W.VBox([controls, self.w_status, self.w_view, self.w_readout])
        return self.widget

    def _new_channel_slider(self) -> None:
        """A fresh channel slider for the current layer's channel count.

        Changing ``max`` of a shown IntSlider is not enough: the slider library in the browser
        (noUiSlider, ipywidgets 8) keeps the first range for its Home/End keys, so End would stop at
        the old last channel. A new widget gets a new view that knows the new range.
        """
        import ipywidgets as W

        s = self.state
        old = self.w_channel
        new = W.IntSlider(value=s["channel"], min=0, max=s["num_channels"] - 1, description="channel",
                          continuous_update=True)
        new.observe(self._on_change, names="value")
        self.w_channel = new
        self.w_channel_box.children = (new,)
        if old is not None:
            old.unobserve(self._on_change, names="value")
            old.close()

    def _sync(self) -> None:
        """Push the state into the widgets (menus only offer valid values)."""
        s = self.state
        self._busy = True
        try:
            opts = self.branch_options(s["stage"])
            if list(self.w_branch.options) != opts:
                self.w_branch.options = opts
            self.w_branch.value = s["branch"]
            if self.w_channel.max != s["num_channels"] - 1:
                self._new_channel_slider()  # a new range: see _new_channel_slider
            else:
                self.w_channel.value = s["channel"]
            if list(self.w_image.options) != list(self.images):
                self.w_image.options = list(self.images)
            self.w_image.value = s["image"]
            self.w_view.value = s["png"]
            self.w_readout.value = s["html"]
        finally:
            self._busy = False

    def _on_change(self, change: Any = None) -> None:
        if self._busy:
            return
        owner = change.get("owner") if isinstance(change, Mapping) else getattr(change, "owner", None)
        # moving the slider picks a channel; any other control starts on the most active one
        channel = self.w_channel.value if owner is self.w_channel or owner is None else None
        self.show(network=self.w_network.value, stage=self.w_stage.value, branch=self.w_branch.value,
                  channel=channel, image=self.w_image.value)
        self._sync()

    def _on_upload(self, change: Any) -> None:
        if getattr(self, "_clearing", False):
            return
        value = change["new"] if isinstance(change, Mapping) else change
        if not value:
            return  # the upload button was cleared
        try:
            name, msg = self.add_upload(value)
            self.w_status.value = msg
            if name is not None:
                self.show(image=name)
                self._sync()
        except Exception as e:  # the widget must survive anything a file does
            self.w_status.value = f"Could not use this file: {html.escape(str(e) or type(e).__name__)}"
        finally:
            # forget the file (memory; and choosing the same file again is a new upload)
            self._clearing = True
            try:
                self.w_upload.value = ()
            except Exception:
                pass
            finally:
                self._clearing = False

    def __repr__(self) -> str:
        s = self.state
        return (f"FeatureBrowser(network={s['network']!r}, stage={_short(s['stage'])!r}, branch={s['branch']!r}, "
                f"channel={s['channel']}, image={s['image']!r}, {len(self.images)} images)")

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        if self.widget is None:
            self.build()
        bundle = self.widget._repr_mimebundle_(**kwargs) or {}
        bundle = dict(bundle[0] if isinstance(bundle, tuple) else bundle)
        bundle["text/plain"] = repr(self)
        return bundle

    def figure(self) -> Figure:
        """The current view as a matplotlib Figure (the static copy of the widget's state)."""
        rgb = np.asarray(Image.open(io.BytesIO(self.state["png"])).convert("RGB"))
        fig, ax = plt.subplots(figsize=(rgb.shape[1] / 100, rgb.shape[0] / 100 + 0.3), dpi=100)
        ax.imshow(rgb)
        s = self.state
        ax.set_title(f"{s['network']}, {s['image']}: {_short(self.layer_key(s['stage'], s['branch']))}, "
                     f"channel {s['channel']}", fontsize=9)
        _clean(ax)
        fig.tight_layout(pad=0.2)
        plt.close(fig)
        return fig


def feature_browser(models: Mapping[str, GoogLeNet], images: Mapping[str, Tensor], *,
                    preprocess: Preprocess | None = None) -> FeatureBrowser:
    """Build the feature-map browser (display it as a cell's value)."""
    b = FeatureBrowser(models, images, preprocess=preprocess)
    b.build()
    return b
