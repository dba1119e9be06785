"""GoogLeNet.forward_intermediates: the same tensors as hooks, early stopping that skips work, aux logits in eval."""

from __future__ import annotations

import pytest
import torch

import inception
from inception import BRANCH_NAMES, features, train
from inception.architecture import AUX_HEADS, LAYER_NAMES, long_name

pytestmark = pytest.mark.usefixtures("one_thread")

SMALL = dict(stem="small", width=0.125, num_classes=10)


def _model(variant: str = "bn", **kw) -> inception.GoogLeNet:
    torch.manual_seed(0)
    return inception.googlenet(variant, **{**SMALL, **kw})


def _count_runs(model: torch.nn.Module):
    """Forward hooks on every module without children: how many of them ran."""
    ran: list[str] = []
    handles = [m.register_forward_hook(lambda m, i, o, n=n: ran.append(n))
               for n, m in model.named_modules() if not list(m.children())]
    return ran, handles


@pytest.mark.parametrize("variant", sorted(inception.VARIANTS))
@pytest.mark.parametrize("naive", [False, True])
def test_equals_hook_captured_activations(variant, naive):
    model = _model(variant, naive=naive).eval()
    x = torch.rand(2, 3, 32, 32)
    names = features.feature_names(model)  # every stage and every branch
    with features.capture(model, names) as acts:
        model.forward_features(x)
    got = model.forward_intermediates(x, names)
    assert list(got) == names
    for n in names:
        assert torch.equal(got[n], acts[n]), n


def test_names_none_gives_every_layer_of_feature_info():
    model = _model().eval()
    x = torch.rand(1, 3, 32, 32)
    got = model.forward_intermediates(x)
    assert list(got) == [f.module for f in model.feature_info] == [long_name(n) for n in LAYER_NAMES]
    for f in model.feature_info:
        assert got[f.module].shape[1:] == (f.num_chs, 32 // f.reduction, 32 // f.reduction)
    assert torch.equal(got["inception5b"], model.forward_features(x))


def test_short_and_long_names_and_request_order():
    model = _model().eval()
    x = torch.rand(1, 3, 32, 32)
    short = model.forward_intermediates(x, ["4a.3x3", "conv2", "3b", "4a.3x3"])
    long = model.forward_intermediates(x, ["inception4a.3x3", "conv2", "inception3b"])
    assert list(short) == list(long) == ["inception4a.3x3", "conv2", "inception3b"]  # duplicates once
    for k in short:
        assert torch.equal(short[k], long[k])
    assert list(model.forward_intermediates(x, "3a")) == ["inception3a"]  # one name as a str


def test_forward_stem_and_forward_unchanged_by_the_walk():
    model = _model("paper").eval()  # LRN layers in the stem
    x = torch.rand(2, 3, 32, 32)
    with features.capture(model, ["maxpool2", "inception5b"]) as acts:
        out = model(x)
    assert torch.equal(model.forward_stem(x), acts["maxpool2"])
    assert torch.equal(model.forward_features(x), acts["inception5b"])
    assert torch.equal(out.logits, model.forward_head(acts["inception5b"]))


@pytest.mark.parametrize("name", ["conv1", "3a", "4a.5x5", "aux1", "4e"])
def test_stop_early_same_values_fewer_modules(name):
    model = _model().eval()
    x = torch.rand(2, 3, 32, 32)
    ran, handles = _count_runs(model)
    try:
        full = model.forward_intermediates(x, [name])
        n_full = len(ran)
        ran.clear()
        early = model.forward_intermediates(x, [name], stop_early=True)
        n_early = len(ran)
        early_modules = set(ran)
    finally:
        for h in handles:
            h.remove()
    key = long_name(name)
    assert torch.equal(full[key], early[key])
    assert n_early < n_full
    # nothing above the requested layer ran: not the last block, nor any later stage
    assert not any(m.startswith("inception5b") for m in early_modules)
    if name == "conv1":
        assert early_modules == {"conv1.conv", "conv1.bn", "conv1.relu"}


def test_stop_early_stops_after_the_last_requested_layer():
    model = _model().eval()
    ran, handles = _count_runs(model)
    try:
        model.forward_intermediates(torch.rand(1, 3, 32, 32), ["4b", "3a"], stop_early=True)
    finally:
        for h in handles:
            h.remove()
    blocks = {m.split(".")[0] for m in ran if m.startswith("inception")}
    assert blocks == {long_name(b) for b in ("3a", "3b", "4a", "4b")}


@pytest.mark.parametrize("variant", sorted(inception.VARIANTS))
def test_aux_logits_in_eval_equal_the_train_mode_heads_without_dropout(variant):
    # BatchNorm uses batch statistics in training mode: compare at the same statistics by putting
    # only the BatchNorm layers in eval mode, and switch dropout off.
    model = _model(variant, dropout=0.0, aux_dropout=0.0)
    x = torch.rand(4, 3, 32, 32)
    model.train()
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.eval()
    with torch.no_grad():
        trained = model(x)
    model.eval()
    with torch.no_grad():
        assert model(x).aux1 is None  # forward skips the heads in eval mode (section 5) ...
        got = model.forward_intermediates(x, ["aux1", "aux2"])  # ... forward_intermediates runs them
    assert list(got) == list(AUX_HEADS)
    torch.testing.assert_close(got["aux1"], trained.aux1, rtol=0, atol=0)
    torch.testing.assert_close(got["aux2"], trained.aux2, rtol=0, atol=0)


def test_aux_logits_in_train_mode_are_the_heads_of_forward():
    model = _model("paper", dropout=0.0, aux_dropout=0.0).train()  # no BatchNorm, no dropout
    x = torch.rand(2, 3, 32, 32)
    out = model(x)
    got = model.forward_intermediates(x, ["aux2", "aux1"], stop_early=True)
    assert torch.equal(got["aux1"], out.aux1) and torch.equal(got["aux2"], out.aux2)


def test_features_and_aux_as_the_old_hooks_computed_them():
    model = _model().eval()
    x = torch.rand(3, 3, 32, 32)
    with features.capture(model, ["4a", "4d"]) as acts:
        logits = model(x).logits
    heads = dict(zip(AUX_HEADS, (model.aux1(acts["inception4a"]), model.aux2(acts["inception4d"]))))
    main, a1, a2 = train._features_and_aux(model, x)
    assert torch.equal(main, logits)
    assert torch.equal(a1, heads["aux1"]) and torch.equal(a2, heads["aux2"])
    no_heads = _model(aux_logits=False).eval()
    assert train._features_and_aux(no_heads, x)[1:] == (None, None)


def test_bad_names_list_the_valid_ones():
    model = _model().eval()
    x = torch.rand(1, 3, 32, 32)
    with pytest.raises(ValueError, match=r"unknown layer '6a'; valid names are the layers \['conv1', 'conv2', 'conv3', "
                                         r"'3a', .*'5b'\].*branch in \['1x1', '3x3', '5x5', 'pool'\].*\['aux1', 'aux2'\]"):
        model.forward_intermediates(x, ["3a", "6a"])
    with pytest.raises(ValueError, match=r"unknown layer '4a\.7x7'"):
        model.forward_intermediates(x, ["4a.7x7"])
    with pytest.raises(ValueError, match="at least one layer"):
        model.forward_intermediates(x, [])
    with pytest.raises(TypeError, match=r"names must hold layer names \(str\), got 3"):
        model.forward_intermediates(x, [3])
    with pytest.raises(TypeError, match="names must be a layer name, a list of them or None"):
        model.forward_intermediates(x, 3)
    with pytest.raises(TypeError, match="stop_early"):
        model.forward_intermediates(x, ["3a"], stop_early="yes")
    no_heads = _model(aux_logits=False).eval()
    with pytest.raises(ValueError, match="'aux1' is not available, this network was built with aux_logits=False"):
        no_heads.forward_intermediates(x, ["aux1"])
    with pytest.raises(ValueError, match="valid names") as err:
        no_heads.forward_intermediates(x, ["fc"])
    assert "aux1" not in str(err.value)  # only the names this network has
    with pytest.raises(ValueError, match="input channels"):  # the input is checked as in forward
        model.forward_intermediates(torch.rand(1, 1, 32, 32), ["conv1"])


def test_intermediate_names_are_the_valid_names():
    model = _model()
    names = model.intermediate_names()
    assert names[:3] == ["conv1", "conv2", "conv3"]
    assert names[3:8] == [f"inception3a.{b}" for b in BRANCH_NAMES] + ["inception3a"]
    assert names.index("aux1") == names.index("inception4a") + 1
    assert names.index("aux2") == names.index("inception4d") + 1
    assert len(names) == 12 + 9 * 4 + 2
    x = torch.rand(1, 3, 32, 32)
    assert list(model.eval().forward_intermediates(x, names)) == names


def test_forward_until_deeper_module_paths_and_gradients():
    model = _model().eval()
    x = torch.rand(1, 3, 32, 32, requires_grad=True)
    with features.capture(model, ["inception3a.branch2.0", "3a.5x5"]) as acts:
        model.forward_features(x)
    deep = features._forward_until(model, "inception3a.branch2.0")(x)
    branch = features._forward_until(model, "3a.5x5")(x)
    assert torch.equal(deep.detach(), acts["inception3a.branch2.0"])
    assert torch.equal(branch.detach(), acts["inception3a.5x5"])
    deep.sum().backward()  # the output keeps its graph (receptive_field and visualize_channels need it)
    assert x.grad is not None and x.grad.abs().sum() > 0
    assert all(not m._forward_hooks for m in model.modules())  # the deep path's hook is gone
    with pytest.raises(ValueError, match="not part of the trunk"):
        features._forward_until(model, "fc")(x)


@pytest.mark.parametrize("variant", sorted(inception.VARIANTS))
def test_forward_from_finishes_the_pass_from_any_block(variant):
    model = _model(variant).eval()
    x = torch.rand(2, 3, 32, 32)
    logits = model(x).logits
    acts = model.forward_intermediates(x, [long_name(b) for b in inception.BLOCK_NAMES])
    for name, out in acts.items():
        torch.testing.assert_close(model.forward_from(name, out), logits, rtol=0, atol=1e-5)
    assert torch.equal(model.forward_from("5b", acts["inception5b"]), model.forward_head(acts["inception5b"]))


def test_forward_from_runs_only_the_layers_above():
    from inception.model import _TRUNK

    model = _model().eval()
    ran, handles = _count_runs(model)
    acts = model.forward_intermediates(torch.rand(1, 3, 32, 32), "4d")
    ran.clear()
    try:
        model.forward_from("4d", acts["inception4d"])
    finally:
        for h in handles:
            h.remove()
    blocks = {n.partition(".")[0] for n in ran}
    assert blocks == {"inception4e", "maxpool4", "inception5a", "inception5b", "avgpool", "dropout", "fc"}
    # the vocabulary's order is the order _layers runs (the walk yields every block in that order)
    walk = [n for n, _ in model._layers(torch.rand(1, 3, 32, 32)) if n.startswith("inception")]
    assert walk == [n for n in _TRUNK if n.startswith("inception")]


@pytest.mark.parametrize("name, x, error, match", [
    ("conv3", torch.rand(1, 192, 4, 4), ValueError, "name must be an Inception block"),
    ("6a", torch.rand(1, 192, 4, 4), ValueError, "name must be an Inception block"),
    (3, torch.rand(1, 192, 4, 4), TypeError, "name must be an Inception block name"),
    ("4a", torch.rand(192, 4, 4), ValueError, r"x must be a block's output, an \(N, C, H, W\) tensor"),
])
def test_forward_from_clear_errors(name, x, error, match):
    with pytest.raises(error, match=match):
        _model().eval().forward_from(name, x)
