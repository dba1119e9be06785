"""Table 1 of Szegedy et al. (2014) against its recomputation, and the paper's headline numbers.

:data:`inception.architecture.TABLE1` holds the table as printed; this module puts every row
beside the figures the analytic cost model (:mod:`inception.cost`) gives for the ``"paper"``
variant at 224 x 224, shows which rows disagree with their own filter counts (and which
contradict themselves), adds the columns up and checks section 1's claims ("12x fewer
parameters" than AlexNet, "1.5 billion multiply-adds").

Table 1's conventions, worked out by recomputing its rows: "params" counts convolution and
linear weights only (no biases) in K = 1024; "ops" counts multiply-accumulates per image in
M = 10**6. A printed figure stands for every value that rounds to it (2.7 K is 2.65-2.75 K).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import zoo
from ._checks import check_int, check_number
from .architecture import TABLE1, long_name
from .config import GoogLeNetConfig
from .cost import LayerCost, Shape, by_stage, conv_layer, layer_costs, totals
from .display import Table

__all__ = [
    "Table1Comparison",
    "table1_comparison",
    "table1_table",
    "table1_disagreements",
    "separable_conv1",
    "Table1Sums",
    "table1_sums",
    "paper_claims_table",
]


# ----------------------------------------------------------------------------- row by row
@dataclass(frozen=True)
class Table1Comparison:
    """One row of Table 1: the published figures next to the ones recomputed from the filter counts."""

    name: str
    type: str
    published_output: tuple[int, int, int]  # H, W, C
    computed_output: tuple[int, int, int]
    published_params_k: float | None  # K = 1024 weights
    computed_params_k: float | None
    published_ops_m: float | None  # M = 10**6 MACs
    computed_ops_m: float | None
    note: str = ""

    @staticmethod
    def _rel(published: float | None, computed: float | None) -> float | None:
        if published is None or computed is None:
            return None
        return (published - computed) / computed

    @property
    def params_rel_diff(self) -> float | None:
        """(published - computed) / computed."""
        return self._rel(self.published_params_k, self.computed_params_k)

    @property
    def ops_rel_diff(self) -> float | None:
        return self._rel(self.published_ops_m, self.computed_ops_m)

    @property
    def implied_ops_m(self) -> float | None:
        """The ops the row's own printed params give: params x output positions (M = 10**6)."""
        if self.published_params_k is None:
            return None
        h, w, _ = self.published_output
        return self.published_params_k * 1024 * h * w / 1e6

    @property
    def self_consistent(self) -> bool | None:
        """Do the published params x output positions give the published ops?

        Each printed figure stands for an interval (2.7 K is 2.65-2.75 K); the row is
        consistent if the two intervals overlap, with 1 % slack.
        """
        if self.published_params_k is None or self.published_ops_m is None:
            return None
        h, w, _ = self.published_output
        scale = 1024 * h * w / 1e6
        p_lo, p_hi = printed_interval(self.published_params_k)
        o_lo, o_hi = printed_interval(self.published_ops_m)
        return p_lo * scale <= o_hi * 1.01 and p_hi * scale >= o_lo * 0.99

    def agrees(self, tol: float = 0.01) -> bool:
        """Same output shape, and both published figures (where given) within ``tol`` of the
        recomputed ones, or within the rounding of the printed figure (1 M for 1.024 M)."""
        tol = check_number("tol", tol, 0)
        pairs = [(self.published_params_k, self.computed_params_k), (self.published_ops_m, self.computed_ops_m)]
        for published, computed in pairs:
            if published is None or computed is None:
                continue
            lo, hi = printed_interval(published)
            if abs(published - computed) > max(tol * computed, hi - published):
                return False
        return self.published_output == self.computed_output


def printed_interval(value: float) -> tuple[float, float]:
    """The values that print as ``value`` in the paper (integers, or one decimal as in 2.7 K)."""
    value = check_number("value", value)
    half = 0.05 if value != int(value) else 0.5
    return value - half, value + half


# The errata, in words. Every figure here is checked against the recomputation in tests/test_table1.py.
_NOTES = {
    "conv1": (
        "A plain 7x7x3x64 conv has 9,408 weights (9.2 K) and 118 M MACs. The published "
        "2.7 K / 34 M are consistent with a depthwise-separable 7x7 (depth multiplier 8): "
        "7*7*3*8 + 3*8*64 = 2,712 weights (2.65 K with K = 1024), x 112*112 = 34.0 M."
    ),
    "4c": "The listed 463 K disagrees with the filter counts (497.5 K) and with the row's own 100 M ops.",
    "4d": "Listed 580 K; the filter counts give 590.5 K, and the row's own 119 M ops imply ~593 K.",
    "5a": "Listed 1072 K / 54 M; the filter counts give 1018 K / 51.1 M (the two listed figures agree with each other).",
    "5b": "Listed 1388 K; the filter counts give 1409 K (1.5 % more); the 71 M ops agree.",
}

# Table 1 rows that are not one module of the model; conv2 is the 1x1 reduction plus the 3x3 conv.
_ROW_MODULES = {"conv1": ["conv1"], "conv2": ["conv2", "conv3"], "linear": ["fc"], "avgpool": ["avgpool"],
                "dropout": ["avgpool"], "softmax": ["fc"]}


def _row_modules(name: str, type_: str) -> list[str]:
    if type_ == "inception":
        return [long_name(name)]
    if name.startswith("pool"):
        return [f"maxpool{name[-1]}"]
    return _ROW_MODULES[name]


def _stage_outputs(layers: list[LayerCost]) -> dict[str, Shape]:
    """Each top-level module's output shape. A block's branches run side by side, so its output
    is what the next module receives (the concatenation), not its last layer's output."""
    out: dict[str, Shape] = {}
    for layer, following in zip(layers, layers[1:] + [None]):
        if following is not None and following.stage != layer.stage:
            out[layer.stage] = following.in_shape if layer.branch is not None else layer.out_shape
        else:
            out[layer.stage] = layer.out_shape
    return out


def table1_comparison() -> list[Table1Comparison]:
    """Every row of Table 1 beside the figures recomputed from its filter counts.

    Uses the ``"paper"`` variant at 224 x 224, counting weights only (the paper's params
    leave out biases) in K = 1024 and MACs in M = 10**6.
    """
    layers = layer_costs(GoogLeNetConfig(variant="paper", aux_logits=False), 224)
    stages = by_stage(layers)
    shape_of = _stage_outputs(layers)
    result = []
    for row in TABLE1:
        modules = _row_modules(row.name, row.type)
        c, h, w = shape_of[modules[-1]]
        weights = sum(stages[m].weights for m in modules)
        macs = sum(stages[m].macs for m in modules)
        has_cost = bool(row.params)
        result.append(
            Table1Comparison(
                name=row.name,
                type=row.type,
                published_output=row.output_size,
                computed_output=(h, w, c),
                published_params_k=row.published_params_k,
                computed_params_k=weights / 1024 if has_cost else None,
                published_ops_m=row.published_ops_m,
                computed_ops_m=macs / 1e6 if has_cost else None,
                note=_NOTES.get(row.name, ""),
            )
        )
    return result


def table1_table(rows: list[Table1Comparison] | None = None) -> Table:
    """Table 1 beside its recomputation, as a :class:`~inception.display.Table`."""
    rows = rows if rows is not None else table1_comparison()
    pct = lambda d: None if d is None else f"{d:+.1%}"  # noqa: E731
    return Table(
        ["layer", "output", "params K (paper)", "recomputed", "diff", "ops M (paper)", "recomputed", "diff",
         "agrees (1 %)", "self-consistent"],
        [
            [r.name, "x".join(map(str, r.computed_output)), r.published_params_k,
             None if r.computed_params_k is None else round(r.computed_params_k, 1), pct(r.params_rel_diff),
             r.published_ops_m, None if r.computed_ops_m is None else round(r.computed_ops_m, 1),
             pct(r.ops_rel_diff), r.agrees(), r.self_consistent]
            for r in rows
        ],
        title="Table 1 (Szegedy et al. 2014) recomputed from its filter counts: K = 1024 weights, M = 10^6 MACs",
        digits=1,
    )


def table1_disagreements(tol: float = 0.01) -> Table:
    """The rows of Table 1 that do not match their filter counts (within ``tol``), with the ops
    the paper's own params imply (params x output positions): a row whose implied ops differ
    from its printed ops contradicts itself."""
    tol = check_number("tol", tol, 0)
    rows = []
    for r in table1_comparison():
        if r.agrees(tol):
            continue
        rows.append([r.name, r.published_params_k, round(r.computed_params_k, 1), r.published_ops_m,
                     round(r.computed_ops_m, 1), round(r.implied_ops_m, 1), r.self_consistent])
    return Table(["layer", "params K (paper)", "from filter counts", "ops M (paper)", "from filter counts ",
                  "ops implied by paper's params", "self-consistent"], rows,
                 title=f"Table 1 rows more than {tol:.0%} away from their filter counts", digits=1)


def separable_conv1(depth_multiplier: int = 8) -> tuple[LayerCost, LayerCost]:
    """conv1 as a depthwise-separable 7x7/2 on a 224 px RGB image: a 7x7 filter bank per input
    channel (``3 * depth_multiplier`` maps), then a 1x1 convolution to 64 channels, no biases.
    With the default multiplier 8 it gives 2,712 weights and 34.0 M MACs, Table 1's conv1 row."""
    depth_multiplier = check_int("depth_multiplier", depth_multiplier, 1)
    depthwise = conv_layer("conv1.depthwise", (3, 224, 224), 3 * depth_multiplier, 7, stride=2, padding=3,
                           groups=3, bias=False)
    pointwise = conv_layer("conv1.pointwise", depthwise.out_shape, 64, 1, bias=False)
    return depthwise, pointwise


# ----------------------------------------------------------------------------- sums and claims
@dataclass(frozen=True)
class Table1Sums:
    """Table 1's params and ops columns added up, next to the recomputed totals (paper variant)."""

    published_params_k: float  # sum of the params column, in the paper's K (= 1024 weights)
    published_ops_m: float  # sum of the ops column, M = 10**6 MACs
    computed_weights: int  # weights of the main path recomputed from the filter counts
    computed_macs: int

    @property
    def published_weights(self) -> float:
        return self.published_params_k * 1024


def table1_sums() -> Table1Sums:
    """Add up Table 1's columns and recompute the same totals from its filter counts."""
    t = totals(zoo.googlenet_costs())
    return Table1Sums(
        published_params_k=round(sum(r.published_params_k or 0 for r in TABLE1), 1),
        published_ops_m=round(sum(r.published_ops_m or 0 for r in TABLE1), 1),
        computed_weights=t.weights,
        computed_macs=t.macs,
    )


def paper_claims_table() -> Table:
    """The paper's headline numbers (section 1) and Table 1's column sums, recomputed."""
    s = table1_sums()
    g = totals(zoo.googlenet_costs())
    a = totals(zoo.architecture_costs(zoo.ALEXNET))
    rows = [
        ["GoogLeNet uses 12x fewer parameters than AlexNet (section 1)", "12x",
         f"{a.params / g.params:.2f}x", f"AlexNet {a.params:,} / GoogLeNet {g.params:,} params"],
        ["budget of 1.5 billion multiply-adds at inference (section 1)", "1.5 G",
         f"{g.macs / 1e9:.3f} G", f"{g.macs / 1.5e9 - 1:+.1%} over the budget"],
        ["Table 1, params column added up (K = 1024)", f"{s.published_params_k:,} K",
         f"{s.computed_weights / 1024:,.1f} K", f"{s.published_weights:,.0f} vs {s.computed_weights:,} weights"],
        ["Table 1, ops column added up", f"{s.published_ops_m:,} M", f"{s.computed_macs / 1e6:,.1f} M",
         f"{s.published_ops_m * 1e6 / s.computed_macs - 1:+.1%}"],
    ]
    return Table(["claim", "paper", "recomputed", "detail"], rows,
                 title="The paper's numbers against the recomputation (variant 'paper', 224 px, no auxiliary heads)")
