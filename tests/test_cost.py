"""The analytic cost model against torchinfo, FlopCounterMode and the paper's totals (Table 1 row by row: test_table1.py)."""

from __future__ import annotations

import pytest
import torch
import torchinfo
from hypothesis import example, given, settings
from hypothesis import strategies as st
from torch.utils.flop_counter import FlopCounterMode

import inception
from inception import GoogLeNetConfig, Inception, cost
from inception.model import GoogLeNet

CONFIGS = [
    GoogLeNetConfig(variant="bn"),
    GoogLeNetConfig(variant="paper"),
    GoogLeNetConfig(variant="torchvision"),
    GoogLeNetConfig(variant="torchvision", aux_logits=False, num_classes=10),
    GoogLeNetConfig(variant="bn", width=0.25, stem="small", num_classes=10),
    GoogLeNetConfig(variant="paper", width=0.3, stem="small", num_classes=7),
    GoogLeNetConfig(variant="bn", width=0.5, stage_width=(1.0, 0.5, 2.0, 0.75)),
    GoogLeNetConfig(variant="paper", naive=True, width=0.125, stem="small"),
]
SIZES = {"imagenet": [224, 160], "small": [32, 64]}


#: one torch thread for this module (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("one_thread")


def _flops(model: torch.nn.Module, x: torch.Tensor) -> int:
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(x)
    return counter.get_total_flops()


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: f"{c.variant}-w{c.width}-{c.stem}{'-naive' if c.naive else ''}")
def test_totals_match_torchinfo_and_flop_counter(cfg):
    model = GoogLeNet(cfg)
    for size in SIZES[cfg.stem]:
        layers = cost.layer_costs(cfg, size)
        for mode, with_aux in (("train", True), ("eval", False)):
            s = torchinfo.summary(model, input_size=(2, 3, size, size), device="cpu", verbose=0, mode=mode)
            assert s.total_params == cost.totals(layers).params
            assert s.total_mult_adds == 2 * cost.totals(layers, include_aux=with_aux).torchinfo_macs
            model.train(mode == "train")
            x = torch.randn(2, 3, size, size)
            assert _flops(model, x) == 2 * 2 * cost.totals(layers, include_aux=with_aux).macs


@pytest.mark.parametrize("cfg, hw", [
    (GoogLeNetConfig(variant="torchvision"), (224, 224)),
    (GoogLeNetConfig(variant="bn"), (224, 160)),
    (GoogLeNetConfig(variant="paper"), (160, 224)),
    (GoogLeNetConfig(variant="torchvision"), (224, 160)),
    (GoogLeNetConfig(variant="paper", width=0.25, stem="small", num_classes=10), (48, 32)),
], ids=lambda p: "x".join(map(str, p)) if isinstance(p, tuple) else p.variant)
def test_layer_shapes_match_a_forward_pass(cfg, hw):
    model = GoogLeNet(cfg).train()
    shapes = {}
    hooks = [mod.register_forward_hook(lambda m, i, o, n=name: shapes.__setitem__(n, tuple(o.shape[1:])))
             for name, mod in model.named_modules() if name]
    with torch.no_grad():
        model(torch.randn(2, 3, *hw))
    for h in hooks:
        h.remove()
    layers = cost.layer_costs(cfg, hw)
    assert layers[0].in_shape == (3, *hw)
    for layer in layers:
        if layer.kind == "linear":
            assert shapes[layer.name] == (layer.out_shape[0],)
        else:
            assert shapes[layer.name] == layer.out_shape, layer.name


# Non-square inputs: a formula that mixes up height and width is right on every square input.
NON_SQUARE = [
    (GoogLeNetConfig(variant=v, **kw), hw)
    for v in ("bn", "paper", "torchvision")
    for kw, hw in (({}, (224, 160)), (dict(width=0.25, stem="small", num_classes=10), (48, 32)),
                   (dict(width=0.25, stem="small", num_classes=10, aux_logits=False), (32, 48)))
]


@pytest.mark.parametrize("cfg, hw", NON_SQUARE,
                         ids=[f"{c.variant}-{c.stem}-{h}x{w}" for c, (h, w) in NON_SQUARE])
def test_non_square_inputs_match_torchinfo_and_flop_counter(cfg, hw):
    torch.manual_seed(0)
    model = GoogLeNet(cfg)
    layers = cost.layer_costs(cfg, hw)
    assert layers[-1].out_shape == (cfg.num_classes, 1, 1)
    for mode, with_aux in (("train", True), ("eval", False)):
        t = cost.totals(layers, include_aux=with_aux)
        s = torchinfo.summary(model, input_size=(2, 3, *hw), device="cpu", verbose=0, mode=mode)
        assert s.total_params == cost.totals(layers).params
        assert s.total_mult_adds == 2 * t.torchinfo_macs, mode
        model.train(mode == "train")
        assert _flops(model, torch.randn(2, 3, *hw)) == 2 * 2 * t.macs, mode  # 2 images, 2 FLOPs per MAC


def test_non_square_macs_by_hand():
    """A 3x3 convolution, 8 -> 4 channels, padding 1, on a 10 x 6 map: 3*3*8*4 weights at 60 positions."""
    layer = cost.conv_layer("c", (8, 10, 6), 4, 3, 1, 1)
    assert layer.out_shape == (4, 10, 6) and layer.macs == 3 * 3 * 8 * 4 * 10 * 6
    strided = cost.conv_layer("c", (8, 10, 6), 4, 3, 2, 1)
    assert strided.out_shape == (4, 5, 3) and strided.macs == 3 * 3 * 8 * 4 * 5 * 3
    pool = cost.pool_layer("p", (8, 11, 6), 3, 2, ceil_mode=True)
    assert pool.out_shape == (8, 5, 3)
    assert cost.totals(cost.layer_costs(GoogLeNetConfig(), (224, 160))).macs != cost.totals(
        cost.layer_costs(GoogLeNetConfig(), (160, 160))).macs


def test_per_layer_params_match_modules():
    for variant in ("bn", "paper", "torchvision"):
        cfg = GoogLeNetConfig(variant=variant)
        model = GoogLeNet(cfg)
        for layer in cost.layer_costs(cfg, 224):
            if layer.kind in ("conv", "linear"):
                mod = model.get_submodule(layer.name)
                assert sum(p.numel() for p in mod.parameters()) == layer.params, layer.name


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(
    counts=st.tuples(*[st.integers(1, 24)] * 6),
    in_channels=st.integers(1, 24),
    height=st.integers(1, 12),
    width=st.integers(1, 12),
    variant=st.sampled_from(["bn", "paper", "torchvision"]),
    naive=st.booleans(),
)
@example(counts=(3, 2, 5, 1, 4, 2), in_channels=3, height=7, width=2, variant="paper", naive=False)
@example(counts=(1, 1, 2, 1, 3, 1), in_channels=2, height=1, width=9, variant="bn", naive=True)
def test_block_costs_property(counts, in_channels, height, width, variant, naive):
    block = Inception(in_channels, *counts, naive=naive, variant=variant).eval()
    layers = cost.block_costs((in_channels, height, width), counts, variant=variant, naive=naive)
    t = cost.totals(layers)
    assert t.params == sum(p.numel() for p in block.parameters())
    x = torch.randn(1, in_channels, height, width)
    with torch.no_grad():
        y = block(x)
    assert (y.shape[1], y.shape[2], y.shape[3]) == cost._block_out_shape(layers)
    assert _flops(block, x) == 2 * t.macs
    s = torchinfo.summary(block, input_size=(1, in_channels, height, width), device="cpu", verbose=0)
    assert s.total_mult_adds == t.torchinfo_macs
    assert block.out_channels == cost._block_out_shape(layers)[0]


def test_block_3a_numbers():
    """Inception 3a at 28x28x192: 163,328 weights and 128.0 M MACs (the paper's 159 K / 128 M)."""
    t = cost.totals(cost.block_costs((192, 28, 28), inception.INCEPTION_BLOCKS["3a"]))
    assert t.weights == 163_328 and t.macs == 28 * 28 * 163_328
    naive = cost.totals(cost.block_costs((192, 28, 28), inception.INCEPTION_BLOCKS["3a"], naive=True))
    assert naive.weights == 192 * 64 + 9 * 192 * 128 + 25 * 192 * 32
    per_branch = cost.by_branch(cost.block_costs((192, 28, 28), inception.INCEPTION_BLOCKS["3a"]))
    assert per_branch["5x5"].weights == 192 * 16 + 25 * 16 * 32


def test_paper_totals_match_the_text():
    """Section 1's budget of '1.5 billion multiply-adds at inference time' holds to about 6 %;
    the main path has 6,990,272 weights (Table 1's params column adds up to 6,797.7 'K')."""
    t = cost.totals(cost.layer_costs(GoogLeNetConfig(variant="paper", aux_logits=False), 224))
    assert t.weights == 6_990_272
    assert 1.5e9 < t.macs < 1.6e9
    assert sum(r.published_params_k or 0 for r in inception.TABLE1) == pytest.approx(6797.7)


def test_min_input_size():
    assert cost.min_input_size(GoogLeNetConfig(variant="bn")) < cost.min_input_size(GoogLeNetConfig(variant="torchvision"))
    for cfg in CONFIGS:
        m = cost.min_input_size(cfg)
        cost.layer_costs(cfg, m)
        if m > 1:
            with pytest.raises(cost.ShapeError):
                cost.layer_costs(cfg, m - 1)


def test_pool_out_size_matches_torch():
    for n in range(1, 30):
        for k, s, p, ceil in [(3, 2, 0, True), (3, 2, 1, False), (2, 2, 0, True), (3, 1, 1, True), (5, 3, 0, False)]:
            x = torch.zeros(1, 1, n, n)
            try:
                expected = torch.nn.functional.max_pool2d(x, k, s, p, ceil_mode=ceil).shape[-1]
            except RuntimeError:
                with pytest.raises(cost.ShapeError):
                    cost.pool_out_size(n, k, s, p, ceil)
                continue
            assert cost.pool_out_size(n, k, s, p, ceil) == expected, (n, k, s, p, ceil)


def test_bad_input_size():
    with pytest.raises(ValueError, match="input_size must be"):
        cost.layer_costs(None, 0)
    with pytest.raises(ValueError, match="input_size must be"):
        cost.layer_costs(None, (224,))
    with pytest.raises(ValueError, match="variant must be one of"):
        cost.block_costs((192, 28, 28), (1, 1, 1, 1, 1, 1), variant="vgg")
