"""Figure 3 of Szegedy et al. (2014) redrawn from the package's data: one map of the whole network.

:func:`network_layout` reads the layers, their output shapes and channel counts from the cost
model (:func:`inception.cost.layer_costs`, itself built from Table 1 and the variant's config) and
arranges them in three columns: the stem and stage 3, stages 4-5 and the classifier, and the two
auxiliary heads. :func:`network_map` draws that layout as a matplotlib ``Figure``. No label is
typed: change the config and the map changes with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import cost
from ._checks import check_choice, check_int
from .architecture import AUX_HEADS, BRANCH_COLORS, BRANCH_NAMES, block_stage, long_name, short_name
from .config import VARIANTS, GoogLeNetConfig
from .display import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["MapBox", "network_layout", "network_map"]

#: Fill colours of the non-Inception boxes, by kind (light, so the branch colours stand out).
KIND_COLORS: dict[str, str] = {
    "input": "#FFFFFF", "conv": "#F2E6C9", "maxpool": "#DDDDDD", "avgpool": "#DDDDDD", "lrn": "#E8E0F0",
    "linear": "#D6E6F2", "dropout": "#F4F4F4", "softmax": "#FDEBD0",
}


@dataclass(frozen=True)
class MapBox:
    """One box of the map: a layer (or an Inception block) with its output shape.

    ``column`` 0 = stem and stage 3, 1 = stages 4-5 and classifier, 2 = auxiliary heads;
    ``row`` counts from the top. ``out_shape`` is (C, H, W) or None for dropout/softmax rows,
    which keep their input's shape. ``branch_channels`` is set for Inception blocks only.
    """

    name: str
    kind: str
    label: str
    out_shape: tuple[int, int, int] | None
    column: int
    row: int
    branch_channels: tuple[int, int, int, int] | None = None
    aux: bool = False

    @property
    def shape_label(self) -> str:
        """Output size as Table 1 prints it: H x W x C (blank where the shape is unchanged)."""
        if self.out_shape is None:
            return ""
        c, h, w = self.out_shape
        return f"{h}x{w}x{c}"


def _layer_label(layer: cost.LayerCost) -> str:
    k, s = layer.kernel, layer.stride
    if layer.kind == "conv":
        return f"conv {k}x{k}/{s}, {layer.out_shape[0]}" if s != 1 else f"conv {k}x{k}, {layer.out_shape[0]}"
    if layer.kind == "maxpool":
        return f"max pool {k}x{k}/{s}"
    if layer.kind == "avgpool":
        if k:  # a fixed window (the paper's auxiliary heads)
            return f"avg pool {k}x{k}/{s}"
        _, h, w = layer.in_shape
        if layer.out_shape[1:] == (1, 1):
            return f"avg pool {h}x{w} (global)"
        return f"adaptive avg pool to {layer.out_shape[1]}x{layer.out_shape[2]}"
    if layer.kind == "lrn":
        return "local response norm"
    if layer.kind == "linear":
        return f"FC {layer.in_shape[0]} -> {layer.out_shape[0]}"
    raise ValueError(f"unexpected layer kind {layer.kind!r}")  # pragma: no cover - the cost model's kinds


def network_layout(variant: str = "paper", input_size: int = 224, num_classes: int = 1000) -> list[MapBox]:
    """The boxes of the network map, in forward order per column (see :class:`MapBox`).

    Shapes and channel counts come from :func:`inception.cost.layer_costs` for
    ``GoogLeNetConfig(variant=variant, num_classes=num_classes)``; dropout rates from the config.
    """
    variant = check_choice("variant", variant, VARIANTS)
    input_size = check_int("input_size", input_size, 64)  # the auxiliary heads need 14x14 at 4a/4d
    num_classes = check_int("num_classes", num_classes, 1)
    config = GoogLeNetConfig(variant=variant, num_classes=num_classes)
    layers = cost.layer_costs(config, input_size)
    boxes: list[MapBox] = []
    rows = [0, 0, 0]

    def add(name: str, kind: str, label: str, shape: tuple[int, int, int] | None, column: int,
            branch_channels: tuple[int, int, int, int] | None = None, aux: bool = False) -> None:
        boxes.append(MapBox(name, kind, label, shape, column, rows[column], branch_channels, aux))
        rows[column] += 1

    add("input", "input", f"input image, {config.in_channels} channels", (config.in_channels, input_size, input_size), 0)
    seen_blocks: set[str] = set()
    column = 0
    for layer in layers:
        if short_name(layer.stage) != layer.stage:  # an Inception block
            if layer.stage in seen_blocks:
                continue
            seen_blocks.add(layer.stage)
            block = [l for l in layers if l.stage == layer.stage]
            outs = [[l for l in block if l.branch == b][-1].out_shape for b in BRANCH_NAMES]
            channels = tuple(o[0] for o in outs)
            name = short_name(layer.stage)
            if block_stage(name) != "3":
                column = 1  # the snake turns: stages 4 and 5 in the second column
            _, h, w = outs[0]
            add(layer.stage, "inception", f"inception {name}: " + " + ".join(map(str, channels)),
                (sum(channels), h, w), column, channels)  # type: ignore[arg-type]
            continue
        if layer.aux:
            add(layer.name, layer.kind, _layer_label(layer), layer.out_shape, 2, aux=True)
            if layer.name.endswith("fc1"):
                add(f"{layer.stage}.dropout", "dropout", f"dropout {config.aux_dropout_p:g}", None, 2, aux=True)
            if layer.name.endswith("fc2"):
                add(f"{layer.stage}.softmax", "softmax", f"softmax ({layer.stage}, training only)", None, 2, aux=True)
            continue
        if layer.name == "fc":
            add("dropout", "dropout", f"dropout {config.dropout_p:g}", None, column)
        add(layer.name, layer.kind, _layer_label(layer), layer.out_shape, column)
    add("softmax", "softmax", "softmax", None, column)
    return boxes


def network_map(variant: str = "paper", input_size: int = 224, dpi: int = 90) -> "Figure":
    """Figure 3 as a snake: stem and stage 3 down the first column, stages 4-5 and the classifier
    down the second, the auxiliary heads (attached after 4a and 4d) in the third. Each Inception
    block is split into its four branch outputs (widths proportional to their channels, in
    :data:`inception.architecture.BRANCH_COLORS`); every box is labelled with its output size."""
    from matplotlib.patches import Patch, Rectangle

    dpi = check_int("dpi", dpi, 30, 300)
    boxes = network_layout(variant, input_size)
    n_rows = max(b.row for b in boxes) + 1
    col_x = (0.0, 10.6, 21.2)  # left edges; every column is 9.2 wide, with gaps for the connectors
    box_w, box_h, pitch = 9.2, 0.72, 1.0
    fig = new_figure(figsize=(10.5, 0.42 * n_rows + 1.3), dpi=dpi)
    ax = fig.add_axes((0.005, 0.01, 0.99, 0.87))
    ax.set_xlim(-0.3, col_x[2] + box_w + 0.3)
    ax.set_ylim(n_rows - 0.1, -0.75)
    ax.axis("off")

    def top(b: MapBox) -> float:
        return b.row * pitch

    for b in boxes:
        x, y = col_x[b.column], top(b)
        if b.branch_channels is not None:  # four coloured segments: the concatenated branch outputs
            total, x0 = sum(b.branch_channels), x
            for branch, ch in zip(BRANCH_NAMES, b.branch_channels):
                w = box_w * ch / total
                ax.add_patch(Rectangle((x0, y), w, box_h, facecolor=BRANCH_COLORS[branch], alpha=0.35, lw=0))
                x0 += w
            ax.add_patch(Rectangle((x, y), box_w, box_h, fill=False, edgecolor="#333333", lw=1.0))
        else:
            ax.add_patch(Rectangle((x, y), box_w, box_h, facecolor=KIND_COLORS[b.kind], edgecolor="#666666",
                                   lw=0.6, ls="--" if b.kind in ("dropout", "softmax") else "-"))
        weight = "bold" if b.branch_channels is not None else "normal"
        ax.text(x + 0.15, y + box_h / 2, b.label, va="center", ha="left", fontsize=8, fontweight=weight)
        ax.text(x + box_w - 0.15, y + box_h / 2, b.shape_label, va="center", ha="right", fontsize=8, color="#444444")

    arrow = dict(arrowstyle="-|>", color="#555555", lw=0.8, shrinkA=0, shrinkB=0)
    by_column = [[b for b in boxes if b.column == c] for c in range(3)]
    for column in by_column:  # within a column: straight down, except between the two auxiliary heads
        for a, b in zip(column, column[1:]):
            if a.name.split(".")[0] != b.name.split(".")[0] and a.aux:
                continue
            cx = col_x[a.column] + box_w / 2
            ax.annotate("", (cx, top(b)), (cx, top(a) + box_h), arrowprops=arrow)
    # the snake's turn: from the last box of column 0 to the first of column 1
    last, first = by_column[0][-1], by_column[1][0]
    gap_x = (col_x[0] + box_w + col_x[1]) / 2
    x_from = col_x[0] + box_w / 2
    ax.plot([x_from, x_from, gap_x, gap_x], [top(last) + box_h, top(last) + box_h + 0.14,
                                             top(last) + box_h + 0.14, top(first) - 0.14], color="#555555", lw=0.8)
    ax.annotate("", (col_x[1] + box_w / 2, top(first)), (gap_x, top(first) - 0.14),
                arrowprops=dict(arrow, connectionstyle="angle,angleA=0,angleB=90,rad=0"))
    # the auxiliary heads branch off the outputs of 4a and 4d
    for head in AUX_HEADS:
        heads = [b for b in boxes if b.aux and b.name.startswith(head + ".")]
        if not heads:
            continue
        source = long_name(AUX_HEADS[head])
        src = next(b for b in boxes if b.name == source)
        ax.annotate("", (col_x[2], top(heads[0]) + box_h / 2), (col_x[1] + box_w, top(src) + box_h / 2),
                    arrowprops=dict(arrow, color="#222222", lw=1.1, ls="--"))

    heads = ("input, stem and stage 3", "stages 4 and 5, classifier", "auxiliary classifiers (training only)")
    for x, text in zip(col_x, heads):
        ax.text(x + box_w / 2, -0.4, text, ha="center", va="center", fontsize=9, fontweight="bold")
    fig.legend(handles=[Patch(facecolor=BRANCH_COLORS[b], alpha=0.35, edgecolor="#333333", label=f"{b} branch")
                        for b in BRANCH_NAMES], loc="upper right", ncol=4, fontsize=8, frameon=False,
               bbox_to_anchor=(0.995, 0.995))
    fig.text(0.005, 0.975, f"GoogLeNet ({variant} variant) on a {input_size}x{input_size} image: Figure 3 / Table 1",
             fontsize=10, fontweight="bold", va="top")
    fig.text(0.005, 0.94, "output sizes H x W x C from the cost model; Inception blocks split into their four "
             "branch outputs (width proportional to channels)", fontsize=8, color="#444444", va="top")
    return fig
