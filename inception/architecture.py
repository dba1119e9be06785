"""GoogLeNet's architecture as data: Table 1 of Szegedy et al. (2014), read once.

The table ships with the package (``resources/googlenet_table1.csv``, transcribed as
published). Models, the cost model and the widgets all read the nine Inception
configurations from :data:`INCEPTION_BLOCKS`, so there is a single source of truth.

The network's vocabulary is named here once, too: the layers in order (:data:`LAYER_NAMES`), where the
auxiliary heads attach (:data:`AUX_HEADS`), where the pools sit (:data:`POOLS`), and the two spellings
of a block's name (:func:`short_name` ``"3a"``, :func:`long_name` ``"inception3a"``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Mapping

from ._checks import check_int

__all__ = [
    "BlockSpec",
    "Table1Row",
    "TABLE1",
    "INCEPTION_BLOCKS",
    "BLOCK_NAMES",
    "STEM_CHANNELS",
    "BRANCH_NAMES",
    "BRANCH_COLORS",
    "STEM_LAYERS",
    "LAYER_NAMES",
    "AUX_HEADS",
    "POOLS",
    "BLOCK_PREFIX",
    "short_name",
    "long_name",
    "block_stage",
    "check_filter_count",
]

#: Names of the four parallel branches, in the order their outputs are concatenated.
BRANCH_NAMES: tuple[str, ...] = ("1x1", "3x3", "5x5", "pool")

#: One colour per branch (blue, green, red, purple), keyed by :data:`BRANCH_NAMES`. Every figure
#: that tells the branches apart (block diagrams, feature maps, energy and scale plots) uses it,
#: so a branch has the same colour in every notebook. Read-only: change it here, not in a figure.
BRANCH_COLORS: Mapping[str, str] = MappingProxyType(
    {"1x1": "#4C72B0", "3x3": "#55A868", "5x5": "#C44E52", "pool": "#8172B2"}
)


def check_filter_count(name: str, value: object) -> int:
    """``value`` as an int if it is a positive integer (numpy integers too), else a clear error naming ``name``."""
    return check_int(name, value, 1)


@dataclass(frozen=True)
class BlockSpec:
    """The six filter counts of one Inception module, in the paper's column order.

    ``ch3x3red`` / ``ch5x5red`` are the 1x1 reductions before the 3x3 / 5x5 convolutions;
    ``pool_proj`` is the 1x1 projection after the 3x3 max pooling (paper, Figure 2b).
    """

    ch1x1: int
    ch3x3red: int
    ch3x3: int
    ch5x5red: int
    ch5x5: int
    pool_proj: int

    def __post_init__(self) -> None:
        for field in ("ch1x1", "ch3x3red", "ch3x3", "ch5x5red", "ch5x5", "pool_proj"):
            # stored as a plain int, so numpy integers give the same repr, hash and equality
            object.__setattr__(self, field, check_filter_count(field, getattr(self, field)))

    @property
    def out_channels(self) -> int:
        """Channels after concatenation: the four branch outputs added up."""
        return self.ch1x1 + self.ch3x3 + self.ch5x5 + self.pool_proj

    def as_tuple(self) -> tuple[int, int, int, int, int, int]:
        return (self.ch1x1, self.ch3x3red, self.ch3x3, self.ch5x5red, self.ch5x5, self.pool_proj)

    def scaled(self, multiplier: float) -> "BlockSpec":
        """Every filter count times ``multiplier``, rounded half up, at least 1."""
        return BlockSpec(*(scale_channels(c, multiplier) for c in self.as_tuple()))


def scale_channels(channels: int, multiplier: float) -> int:
    """``channels * multiplier`` rounded half up, never below 1 (used by ``width``)."""
    return max(1, int(channels * multiplier + 0.5))


@dataclass(frozen=True)
class Table1Row:
    """One row of the paper's Table 1, exactly as published (``params``/``ops`` are strings)."""

    name: str
    type: str
    patch_size_stride: str
    output_size: tuple[int, int, int]  # H, W, C as printed ("28x28x256")
    depth: int
    block: BlockSpec | None
    n3x3_reduce: int | None  # only for conv2, whose 1x1 reduction has no BlockSpec
    n3x3: int | None
    params: str
    ops: str

    @property
    def published_params_k(self) -> float | None:
        """The published weight count in the paper's unit K = 1024 (None where blank)."""
        return float(self.params.rstrip("K")) if self.params else None

    @property
    def published_ops_m(self) -> float | None:
        """The published multiply-accumulates in the paper's unit M = 10**6 (None where blank)."""
        return float(self.ops.rstrip("M")) if self.ops else None


def _int_or_none(text: str) -> int | None:
    return int(text) if text.strip() else None


def _load_table1() -> tuple[Table1Row, ...]:
    source = resources.files("inception").joinpath("resources/googlenet_table1.csv")
    rows = []
    with source.open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            counts = [
                _int_or_none(rec[k])
                for k in ("n1x1", "n3x3_reduce", "n3x3", "n5x5_reduce", "n5x5", "pool_proj")
            ]
            block = BlockSpec(*counts) if rec["type"] == "inception" else None  # type: ignore[arg-type]
            h, w, c = (int(v) for v in rec["output_size"].split("x"))
            rows.append(
                Table1Row(
                    name=rec["name"],
                    type=rec["type"],
                    patch_size_stride=rec["patch_size_stride"],
                    output_size=(h, w, c),
                    depth=int(rec["depth"]),
                    block=block,
                    n3x3_reduce=None if block else counts[1],
                    n3x3=None if block else counts[2],
                    params=rec["params"],
                    ops=rec["ops"],
                )
            )
    return tuple(rows)


#: Every row of Table 1, as published.
TABLE1: tuple[Table1Row, ...] = _load_table1()

#: The nine Inception configurations, keyed by the paper's names ("3a" ... "5b").
INCEPTION_BLOCKS: dict[str, BlockSpec] = {
    row.name: row.block for row in TABLE1 if row.block is not None
}
BLOCK_NAMES: tuple[str, ...] = tuple(INCEPTION_BLOCKS)

_conv2 = next(row for row in TABLE1 if row.name == "conv2")
_conv1 = next(row for row in TABLE1 if row.name == "conv1")
#: Stem filter counts: conv1 (7x7/2), conv2 (the 1x1 reduction), conv3 (3x3), from Table 1.
STEM_CHANNELS: dict[str, int] = {
    "conv1": _conv1.output_size[2],
    "conv2": int(_conv2.n3x3_reduce or 0),
    "conv3": _conv2.output_size[2],
}

# ----------------------------------------------------------------------------- the network's vocabulary
# Everything below is named here once; the model, the cost model, training and the figures derive
# their lists from it. Layer names come in two spellings: the short one of the paper's Table 1
# ("3a") and the long one of the torch module ("inception3a"); :func:`short_name` and
# :func:`long_name` convert between them.

#: The stem's convolutions, bottom to top (Table 1: conv1 7x7/2, conv2 = the 1x1 reduction, conv3 3x3).
STEM_LAYERS: tuple[str, ...] = tuple(STEM_CHANNELS)

#: Every layer whose output is a feature map of the trunk, bottom to top, short names:
#: the stem's three convolutions, then the nine Inception blocks.
LAYER_NAMES: tuple[str, ...] = STEM_LAYERS + BLOCK_NAMES

#: Where the auxiliary classifiers attach (section 5): each head reads the output of this block.
AUX_HEADS: Mapping[str, str] = MappingProxyType({"aux1": "4a", "aux2": "4d"})

#: The stride-2 max pools of the trunk, each keyed by the layer it follows (Table 1, Figure 3).
#: ``maxpool1`` exists only in the 224 px stem; every pool halves the feature map.
POOLS: Mapping[str, str] = MappingProxyType(
    {"conv1": "maxpool1", "conv3": "maxpool2", "3b": "maxpool3", "4e": "maxpool4"}
)

#: The torch module of block "3a" is ``inception3a`` (torchvision's names, so its weights load).
BLOCK_PREFIX = "inception"


def short_name(name: str) -> str:
    """The paper's name of a layer: ``"inception3a"`` -> ``"3a"``, ``"inception4a.3x3"`` -> ``"4a.3x3"``.

    Names that are already short, or are not Inception blocks (``"conv1"``, ``"fc"``), come back unchanged.
    """
    head, dot, rest = name.partition(".")
    if head.startswith(BLOCK_PREFIX) and head[len(BLOCK_PREFIX):] in INCEPTION_BLOCKS:
        head = head[len(BLOCK_PREFIX):]
    return head + dot + rest


def long_name(name: str) -> str:
    """The torch module's name of a layer: ``"3a"`` -> ``"inception3a"``, ``"4a.3x3"`` -> ``"inception4a.3x3"``.

    Names that are already long, or are not Inception blocks (``"conv1"``, ``"fc"``), come back unchanged.
    """
    head, dot, rest = name.partition(".")
    if head in INCEPTION_BLOCKS:
        head = BLOCK_PREFIX + head
    return head + dot + rest


def block_stage(name: str) -> str:
    """The stage ("3", "4" or "5") of an Inception block, in either spelling: ``"inception4c"`` -> ``"4"``."""
    short = short_name(name).partition(".")[0]
    if short not in INCEPTION_BLOCKS:
        raise ValueError(f"name must be an Inception block, one of {list(BLOCK_NAMES)} (or 'inception3a' ...), "
                         f"got {name!r}")
    return short[0]
