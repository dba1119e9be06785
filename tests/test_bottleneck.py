"""inception.bottleneck: the optimal linear 1x1 reduction's reconstruction error (notebook 01)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import inception
from inception import bottleneck as bn


def _acts(seed: int = 0, c: int = 6, rank: int | None = None) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(3, c, 5, 4, generator=g)
    if rank is not None:  # every pixel's C-vector in a rank-dimensional affine subspace
        basis = torch.randn(c, rank, generator=g)
        x = torch.einsum("cr,nrhw->nchw", basis, torch.randn(3, rank, 5, 4, generator=g)) + 2.0
    return x


def test_curve_is_one_at_zero_and_zero_at_full_width_and_decreasing():
    curve = bn.reconstruction_curve(_acts(c=7))
    assert curve.channels == 7 and len(curve.error) == 8
    assert curve.error[0] == pytest.approx(1.0) and curve.error[-1] == 0.0
    assert all(a >= b for a, b in zip(curve.error, curve.error[1:]))
    assert all(a > b for a, b in zip(curve.error[:-1], curve.error[1:]))  # random data: every channel helps


def test_low_rank_input_is_rebuilt_exactly_at_its_rank():
    curve = bn.reconstruction_curve(_acts(c=8, rank=3))
    assert curve.error[2] > 0.01 and curve.error[3] < 1e-10
    assert curve.width_for(1e-6) == 3


def test_curve_matches_a_direct_least_squares_on_a_small_case():
    """PCA's r directions with a least-squares decoder reach the curve; random r x C reductions never beat it."""
    acts = _acts(seed=1, c=5)
    curve = bn.reconstruction_curve(acts)
    x = bn.pixel_vectors(acts)
    x = x - x.mean(axis=0)
    _, vecs = np.linalg.eigh(x.T @ x)
    rng = np.random.default_rng(0)
    for r in range(1, 5):
        top = vecs[:, ::-1][:, :r].T.copy()                                    # the optimal 1x1 reduction
        assert bn.reconstruction_error(acts, top) == pytest.approx(curve.at(r), abs=1e-9)
        assert bn.reconstruction_error(acts, torch.from_numpy(top), torch.from_numpy(top.T)) == pytest.approx(curve.at(r), abs=1e-9)
        for _ in range(20):
            assert bn.reconstruction_error(acts, rng.normal(size=(r, 5))) >= curve.at(r) - 1e-9


def test_bad_inputs_name_the_argument():
    with pytest.raises(TypeError, match="acts"):
        bn.reconstruction_curve(np.zeros((1, 2, 3, 3)))
    with pytest.raises(ValueError, match="acts"):
        bn.reconstruction_curve(torch.zeros(2, 3, 4))
    with pytest.raises(ValueError, match="constant"):
        bn.reconstruction_curve(torch.ones(1, 3, 2, 2))
    with pytest.raises(ValueError, match="down"):
        bn.reconstruction_error(_acts(c=4), np.zeros((2, 3)))
    curve = bn.reconstruction_curve(_acts(c=4))
    with pytest.raises(ValueError, match="max_error"):
        curve.width_for(1.5)
    with pytest.raises(ValueError, match="r"):
        curve.at(5)


def test_block_input_and_reduction_widths_on_a_small_network():
    torch.manual_seed(0)
    model = inception.googlenet("bn", num_classes=10, stem="small", width=0.25, aux_logits=False).eval()
    x = torch.randn(2, 3, 32, 32)
    acts = bn.block_input(model, x, "3a")
    widths = bn.reduction_widths(model, "inception3a")
    spec = model.config.blocks["3a"]
    assert acts.shape[1] == widths["input channels"] == model.inception3a.branch("1x1").conv.in_channels
    assert (widths["3x3 reduce"], widths["5x5 reduce"]) == (spec.ch3x3red, spec.ch5x5red)
    both = bn.block_inputs(model, x, ["3a", "inception4a"])
    assert torch.equal(both["3a"], acts) and both["inception4a"].shape[1] == bn.reduction_widths(model, "4a")["input channels"]
    with pytest.raises(ValueError, match="block"):
        bn.block_input(model, x, "6a")
    with pytest.raises(TypeError, match="blocks"):
        bn.block_inputs(model, x, "3a")
    with pytest.raises(TypeError, match="model"):
        bn.reduction_widths(object(), "3a")


def test_check_width_for_exercise():
    curve = bn.reconstruction_curve(_acts(c=8, rank=3))
    todo, right, narrow, wide = (bn.check_width_for(a, curve, 1e-6) for a in (None, 3, 2, 5))
    assert todo.ok is None and str(todo).startswith("Fill in your answer for the narrowest width")
    assert right.ok is True and str(right).startswith("Correct: the narrowest width with error <= 0% is r = 3")
    assert narrow.ok is False and str(narrow).startswith("Not yet: r = 2 is too narrow")
    assert wide.ok is False and str(wide).startswith("Not yet: r = 5 is wide enough")


def test_plot_returns_a_figure_with_marks():
    curve = bn.reconstruction_curve(_acts(c=6))
    fig = bn.plot_bottleneck({"a": curve, "b": curve}, {"3x3 reduce": 3}, title="t")
    ax = fig.axes[0]
    assert len(ax.lines) == 3 and any("3x3 reduce = 3" in t.get_text() for t in ax.texts)
    assert ax.lines[-1].get_color() == inception.architecture.BRANCH_COLORS["3x3"]
    with pytest.raises(ValueError, match="curves"):
        bn.plot_bottleneck({})
