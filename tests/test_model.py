"""The three GoogLeNet variants: structure, outputs, options, and errors on bad input."""

from __future__ import annotations

import math

import pytest
import torch
import torchinfo
from torch import nn

import inception
from inception import BasicConv2d, Inception, InceptionAux, googlenet, googlenet_loss
from inception.model import AuxPool

VARIANTS = ["bn", "paper", "torchvision"]


@pytest.fixture(scope="module")
def x224() -> torch.Tensor:
    torch.manual_seed(0)
    return torch.randn(2, 3, 224, 224)


def test_seed_summary_reproduced_exactly():
    """torchinfo's default (eval) mode, as in the seed: params include the aux heads, mult-adds don't."""
    model = googlenet("bn")
    s = torchinfo.summary(model, input_size=(2, 3, 224, 224), device="cpu", verbose=0)
    assert s.total_params == 13_393_352
    assert f"{s.total_mult_adds / 1e9:.2f}" == "3.17"
    # In training mode the auxiliary heads run too: 3.19 G.
    s = torchinfo.summary(model, input_size=(2, 3, 224, 224), device="cpu", verbose=0, mode="train")
    assert s.total_params == 13_393_352
    assert f"{s.total_mult_adds / 1e9:.2f}" == "3.19"


def test_seed_layer_params_match_seed_table():
    """A few rows of the seed's printed summary, layer by layer."""
    m = googlenet("bn")
    n = lambda mod: sum(p.numel() for p in mod.parameters())  # noqa: E731
    assert n(m.conv1.conv) == 9_472 and n(m.conv1.bn) == 128
    assert n(m.conv3.conv) == 110_784
    assert n(m.inception3a.branch1) == 12_480
    assert n(m.inception3a.branch3[1]) == 12_896
    assert n(m.inception5b.branch2[1]) == 664_704
    assert n(m.fc) == 1_025_000


@pytest.mark.parametrize("variant, params, params_no_aux", [
    ("bn", 13_393_352, 7_013_112),
    ("paper", 13_378_280, 6_998_552),
    ("torchvision", 13_004_888, 6_624_904),
])
def test_parameter_counts(variant, params, params_no_aux):
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(googlenet(variant)) == params
    assert count(googlenet(variant, aux_logits=False)) == params_no_aux


@pytest.mark.parametrize("variant", VARIANTS)
def test_forward_train_and_eval_return_same_type(variant, x224):
    model = googlenet(variant, num_classes=10)
    model.train()
    out = model(x224)
    assert isinstance(out, inception.GoogLeNetOutputs)
    aux1, aux2, logits = out  # the seed's unpacking order
    assert aux1.shape == aux2.shape == logits.shape == (2, 10)
    model.eval()
    with torch.no_grad():
        out = model(x224)
    assert isinstance(out, inception.GoogLeNetOutputs)
    assert out.aux1 is None and out.aux2 is None and out.logits.shape == (2, 10)


def test_no_aux_heads():
    model = googlenet("bn", aux_logits=False, num_classes=5).train()
    out = model(torch.randn(2, 3, 96, 96))
    assert out.aux1 is None and out.aux2 is None and out.logits.shape == (2, 5)
    assert model.aux1 is None and not any(k.startswith("aux") for k in model.state_dict())


def test_variant_details():
    bn, paper, tv = (googlenet(v) for v in VARIANTS)
    # the "5x5" branch: true 5x5 except in torchvision's port
    assert bn.inception3a.branch3[1].conv.kernel_size == (5, 5)
    assert paper.inception3a.branch3[1].conv.kernel_size == (5, 5)
    assert tv.inception3a.branch3[1].conv.kernel_size == (3, 3)
    # BatchNorm, bias, eps
    assert bn.conv1.bn.eps == 1e-5 and bn.conv1.conv.bias is not None
    assert tv.conv1.bn.eps == 1e-3 and tv.conv1.conv.bias is None
    assert paper.conv1.bn is None and paper.conv1.conv.bias is not None
    assert not any(isinstance(m, nn.BatchNorm2d) for m in paper.modules())
    # LRN only in the paper's stem
    assert isinstance(paper.lrn1, nn.LocalResponseNorm) and isinstance(paper.lrn2, nn.LocalResponseNorm)
    assert bn.lrn1 is None and tv.lrn2 is None
    # pools
    assert tv.maxpool4.kernel_size == 2 and tv.maxpool4.ceil_mode
    assert bn.maxpool4.kernel_size == 3 and bn.maxpool4.padding == 1 and not bn.maxpool4.ceil_mode
    assert paper.maxpool1.ceil_mode
    # dropout
    assert (bn.dropout.p, paper.dropout.p, tv.dropout.p) == (0.5, 0.4, 0.2)
    assert (bn.aux1.dropout.p, paper.aux1.dropout.p, tv.aux1.dropout.p) == (0.5, 0.7, 0.7)
    assert paper.aux1.pool.mode == "5x5/3" and tv.aux1.pool.mode == "adaptive"


def test_seed_init_bug_fixed():
    """The seed's check tested nn.Conv2d twice, so Linear kept PyTorch's default init."""
    torch.manual_seed(0)
    m = googlenet("bn")
    assert abs(m.fc.weight.std().item() - 0.01) < 1e-3
    assert torch.all(m.fc.bias == 0)
    default_std = 1 / math.sqrt(3 * 1024)  # kaiming_uniform(a=sqrt(5)) on a 1024-input layer
    assert abs(m.fc.weight.std().item() - default_std) > 5e-3


def test_paper_init_caffe_xavier():
    torch.manual_seed(0)
    m = googlenet("paper")
    w = m.inception4a.branch2[1].conv.weight
    fan_in = w.shape[1] * 9
    assert abs(w.std().item() - 1 / math.sqrt(fan_in)) < 2e-3
    assert torch.all(m.inception4a.branch2[1].conv.bias == 0.2)


def test_transform_input_matches_torchvision_formula():
    m = googlenet("torchvision", transform_input=True)
    x = torch.randn(1, 3, 8, 8)
    y = m._transform_input(x)
    assert torch.allclose(y[:, 0], x[:, 0] * (0.229 / 0.5) + (0.485 - 0.5) / 0.5)
    assert torch.allclose(y[:, 2], x[:, 2] * (0.225 / 0.5) + (0.406 - 0.5) / 0.5)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("size", [32, 48, 64])
def test_small_stem_keeps_topology(variant, size):
    model = googlenet(variant, stem="small", width=0.25, num_classes=10).train()
    names = [n for n, _ in model.named_children()]
    assert [n for n in names if n.startswith("inception")] == [f"inception{b}" for b in inception.BLOCK_NAMES]
    out = model(torch.randn(2, 3, size, size))
    assert out.aux1.shape == out.aux2.shape == out.logits.shape == (2, 10)


def test_aux_pool_is_the_papers_5x5_stride_3_at_14px_and_adaptive_elsewhere():
    pool = AuxPool("5x5/3")
    x = torch.randn(1, 2, 14, 14)
    assert torch.equal(pool(x), nn.functional.avg_pool2d(x, 5, 3))
    y = torch.randn(1, 2, 8, 8)
    assert torch.equal(pool(y), nn.functional.adaptive_avg_pool2d(y, 4))


@pytest.mark.parametrize("size", [96, 160, 299])
def test_other_resolutions_reach_the_heads(size):
    for v in VARIANTS:
        out = googlenet(v, num_classes=3).train()(torch.randn(1, 3, size, size))
        assert out.aux1.shape == (1, 3)


def test_width_scales_every_filter_count():
    m = googlenet("bn", width=0.5, num_classes=10)
    assert m.conv1.conv.out_channels == 32
    assert m.inception3a.out_channels == 128
    assert m.inception5b.out_channels == 512
    assert m.aux1.conv.conv.out_channels == 64 and m.aux1.fc1.out_features == 512
    assert m.fc.in_features == 512


def test_feature_info_and_forward_features():
    m = googlenet("bn").eval()
    info = {f.module: f for f in m.feature_info}
    assert list(info)[:3] == ["conv1", "conv2", "conv3"]
    assert (info["inception3a"].num_chs, info["inception3a"].reduction) == (256, 8)
    assert (info["inception5b"].num_chs, info["inception5b"].reduction) == (1024, 32)
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        feats = m.forward_features(x)
    assert feats.shape == (1, 1024, 7, 7)
    # every feature_info entry names a real module with that many output channels
    captured = {}
    hooks = [m.get_submodule(f.module).register_forward_hook(
        lambda mod, i, o, name=f.module: captured.__setitem__(name, o.shape)) for f in m.feature_info]
    with torch.no_grad():
        m(x)
    for h in hooks:
        h.remove()
    for f in m.feature_info:
        assert captured[f.module][1] == f.num_chs
        assert captured[f.module][2] == math.ceil(224 / f.reduction)


def test_forward_features_in_training_mode_runs_no_aux_head():
    m = googlenet("bn", num_classes=4).train()
    calls = []
    m.aux1.register_forward_hook(lambda *a: calls.append(1))
    m.forward_features(torch.randn(2, 3, 64, 64))
    assert calls == []


def test_inception_block_api():
    blk = Inception(192, 64, 96, 128, 16, 32, 32)
    assert blk.out_channels == 256
    assert set(blk.branches) == {"1x1", "3x3", "5x5", "pool"}
    assert blk.branch("5x5") is blk.branch3
    assert blk.branch_channels == {"1x1": 64, "3x3": 128, "5x5": 32, "pool": 32}
    y = blk(torch.randn(1, 192, 28, 28))
    assert y.shape == (1, 256, 28, 28)
    naive = Inception(192, 64, 96, 128, 16, 32, 32, naive=True)
    assert naive.out_channels == 64 + 128 + 32 + 192
    assert naive(torch.randn(1, 192, 28, 28)).shape == (1, 416, 28, 28)
    assert isinstance(naive.branch("pool"), nn.MaxPool2d)
    with pytest.raises(KeyError, match="branch must be one of"):
        blk.branch("7x7")


def test_naive_network_builds_and_runs():
    m = googlenet("bn", naive=True, width=0.125, stem="small", num_classes=3).train()
    out = m(torch.randn(1, 3, 32, 32))
    assert out.logits.shape == (1, 3)


def test_conv_block_options():
    b = BasicConv2d(3, 8, 3, padding=1, batch_norm=False, bias=False)
    assert b.bn is None and b.conv.bias is None
    b = BasicConv2d(3, 8, 3, bn_eps=1e-3)
    assert b.bn.eps == 1e-3


def test_aux_head_structure():
    head = InceptionAux(512, 10)
    assert head.fc1.in_features == 2048 and head.fc1.out_features == 1024
    assert isinstance(head.dropout, nn.Dropout)
    assert head(torch.randn(2, 512, 14, 14)).shape == (2, 10)


def test_loss_helper():
    torch.manual_seed(0)
    m = googlenet("bn", num_classes=4, stem="small", width=0.25).train()
    x, y = torch.randn(4, 3, 32, 32), torch.tensor([0, 1, 2, 3])
    out = m(x)
    parts = googlenet_loss(out, y)
    ce = nn.functional.cross_entropy
    expected = ce(out.logits, y) + 0.3 * (ce(out.aux1, y) + ce(out.aux2, y))
    assert torch.allclose(parts.total, expected)
    assert torch.allclose(googlenet_loss(out, y, aux_weight=1.0).total,
                          ce(out.logits, y) + ce(out.aux1, y) + ce(out.aux2, y))
    assert torch.allclose(googlenet_loss(out, y, aux_weight=0).total, ce(out.logits, y))
    m.eval()
    with torch.no_grad():
        parts = googlenet_loss(m(x), y)
    assert parts.aux1 is None and torch.allclose(parts.total, parts.main)
    with pytest.raises(ValueError, match="aux_weight"):
        googlenet_loss(out, y, aux_weight=-1)


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(variant="resnet"), ValueError, r"variant must be one of \['bn', 'paper', 'torchvision'\]"),
    (dict(width=0), ValueError, "width must be a positive number"),
    (dict(width=-0.5), ValueError, "width must be a positive number"),
    (dict(width="wide"), ValueError, "width must be a positive number"),
    (dict(num_classes=0), ValueError, "num_classes must be a positive integer"),
    (dict(stem="tiny"), ValueError, r"stem must be one of \['imagenet', 'small'\]"),
    (dict(dropout=1.5), ValueError, "dropout must be None or a number in"),
    (dict(stage_width=(1, 1)), ValueError, "stage_width must be 4 positive numbers"),
])
def test_bad_options(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        googlenet(**kwargs)


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="unexpected keyword"):
        googlenet("bn", widht=2)


@pytest.mark.parametrize("counts, exc, match", [
    ((64, 96, 128, 16, 32, 0), ValueError, "pool_proj must be a positive integer"),
    ((64, 96, -1, 16, 32, 32), ValueError, "ch3x3 must be a positive integer"),
    ((64, 96.5, 128, 16, 32, 32), TypeError, "ch3x3red must be a positive integer"),
    ((64, 96, 128, "16", 32, 32), TypeError, "ch5x5red must be a positive integer"),
])
def test_bad_filter_counts(counts, exc, match):
    with pytest.raises(exc, match=match):
        Inception(192, *counts)


def test_bad_in_channels_for_block():
    with pytest.raises(ValueError, match="in_channels must be a positive integer"):
        Inception(0, 64, 96, 128, 16, 32, 32)


@pytest.mark.parametrize("variant, stem", [("bn", "imagenet"), ("torchvision", "imagenet"), ("paper", "small")])
def test_too_small_input_names_the_minimum(variant, stem):
    m = googlenet(variant, stem=stem, width=0.25).eval()
    smallest = m.min_input_size
    with torch.no_grad():
        m(torch.randn(1, 3, smallest, smallest))  # the minimum itself works
    with pytest.raises(ValueError, match=f"needs at least {smallest}x{smallest}"):
        m(torch.randn(1, 3, smallest - 1, smallest - 1))


def test_wrong_channels_and_rank():
    m = googlenet("bn", width=0.25).eval()
    with pytest.raises(ValueError, match="must have 3 input channels"):
        m(torch.randn(1, 1, 224, 224))
    with pytest.raises(ValueError, match=r"must have shape \(N, C, H, W\)"):
        m(torch.randn(3, 224, 224))
    with pytest.raises(TypeError, match="torch.Tensor"):
        m([[1.0]])
    gray = googlenet("bn", width=0.25, in_channels=1).eval()
    with torch.no_grad():
        assert gray(torch.randn(1, 1, 64, 64)).logits.shape == (1, 1000)
