"""A k x k convolution, direct or after a 1x1 reduction (Section 4 of the paper): its weights and
MACs, and the reduction width at which both cost the same (notebook 01's calculations).

Everything comes from the analytic cost model (:mod:`inception.cost`): no torch modules are built.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import cost
from .architecture import check_filter_count

__all__ = ["KERNEL_SIZES", "ReductionCost", "reduction_cost", "break_even_width", "check_odd_kernel"]

#: Kernel sizes the reduction widget offers (odd, so "same" padding k // 2 keeps H and W).
KERNEL_SIZES: tuple[int, ...] = (1, 3, 5, 7)


def check_odd_kernel(kernel: object) -> int:
    """``kernel`` as an int, if it is an odd positive integer (a "same"-padded kernel size)."""
    k = check_filter_count("kernel", kernel)
    if k % 2 == 0:
        raise ValueError(f"kernel must be an odd positive integer (e.g. {list(KERNEL_SIZES)}), got {k}")
    return k


@dataclass(frozen=True)
class ReductionCost:
    """A k x k convolution C_in -> C_out, direct or after a 1x1 reduction to ``reduction`` channels,
    on an H x W map with "same" padding (weights without biases, MACs per image)."""

    c_in: int
    c_out: int
    kernel: int
    reduction: int
    size: int
    direct: cost.LayerCost
    reduce: cost.LayerCost  # the 1x1 reduction C_in -> reduction
    conv: cost.LayerCost  # the k x k convolution reduction -> C_out

    @property
    def direct_weights(self) -> int:
        return self.direct.weights

    @property
    def direct_macs(self) -> int:
        return self.direct.macs

    @property
    def reduced_weights(self) -> int:
        return self.reduce.weights + self.conv.weights

    @property
    def reduced_macs(self) -> int:
        return self.reduce.macs + self.conv.macs

    @property
    def ratio(self) -> float:
        """Reduced over direct cost (the same for weights and MACs: both share H x W)."""
        return self.reduced_macs / self.direct_macs

    @property
    def break_even(self) -> float:
        return break_even_width(self.c_in, self.c_out, self.kernel)

    @property
    def pays_off(self) -> bool:
        return self.reduced_macs < self.direct_macs


def _conv(name: str, shape: tuple[int, int, int], c_out: int, k: int) -> cost.LayerCost:
    return cost.conv_layer(name, shape, c_out, k, 1, k // 2, bias=False)


def reduction_cost(c_in: int, c_out: int, kernel: int, reduction: int, size: int = 28) -> ReductionCost:
    """Weights and MACs of a direct k x k convolution versus 1x1 reduction + k x k convolution."""
    c_in, c_out = check_filter_count("c_in", c_in), check_filter_count("c_out", c_out)
    reduction, size = check_filter_count("reduction", reduction), check_filter_count("size", size)
    k = check_odd_kernel(kernel)
    x = (c_in, size, size)
    reduce = _conv("reduce", x, reduction, 1)
    return ReductionCost(c_in, c_out, k, reduction, size, _conv("direct", x, c_out, k), reduce,
                         _conv("conv", reduce.out_shape, c_out, k))


def break_even_width(c_in: int, c_out: int, kernel: int) -> float:
    """The reduction width r at which 1x1 reduction + k x k conv costs as much as the direct conv.

    Reduced weights r*C_in + k*k*r*C_out equal direct weights k*k*C_in*C_out at
    r = k*k*C_in*C_out / (C_in + k*k*C_out); the MACs (weights x H x W) break even at the same r.
    Any narrower reduction saves compute.
    """
    c_in, c_out, k = check_filter_count("c_in", c_in), check_filter_count("c_out", c_out), check_odd_kernel(kernel)
    return k * k * c_in * c_out / (c_in + k * k * c_out)
