"""inception.features: hooks by name (removed even on error), branch energy and ablation; featviz update logic."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image

import inception
from inception import BRANCH_NAMES, features
from inception.featviz import filter_tiles
from inception.widgets import FeatureBrowser

SMALL = dict(stem="small", width=0.125, num_classes=10, aux_logits=False)


def _hooks(model) -> int:
    return sum(len(m._forward_hooks) for m in model.modules())


@pytest.fixture(scope="module")
def small():
    torch.manual_seed(0)
    return inception.googlenet("bn", **SMALL).eval()


@pytest.mark.parametrize("variant", sorted(inception.VARIANTS))
@pytest.mark.parametrize("naive", [False, True])
def test_every_name_of_every_variant(variant, naive):
    torch.manual_seed(0)
    model = inception.googlenet(variant, naive=naive, **SMALL)
    names = features.feature_names(model)
    assert len(names) == 12 + 9 * 4
    acts = features.activations(model, torch.rand(2, 3, 32, 32), names)
    assert list(acts) == names
    for info in model.feature_info:  # stages agree with feature_info
        assert acts[info.module].shape[1] == info.num_chs
        assert acts[info.module].shape[-1] == 32 // info.reduction
    for block in features.block_names(model):  # the branches concatenate to the block output
        cat = torch.cat([acts[f"{block}.{b}"] for b in BRANCH_NAMES], 1)
        assert torch.equal(cat, acts[block])
        assert [acts[f"{block}.{b}"].shape[1] for b in BRANCH_NAMES] == list(getattr(model, block).branch_channels.values())
    assert _hooks(model) == 0


def test_spellings_are_equivalent(small):
    spellings = ["inception4a.3x3", "4a.3x3", "inception4a.branch2", ("inception4a", "3x3"), ("4a", "branch2")]
    resolved = [features.resolve(small, s) for s in spellings]
    assert all(list(r) == ["inception4a.3x3"] for r in resolved)
    assert all(r["inception4a.3x3"] is small.inception4a.branch2 for r in resolved)
    # any module path works too (the 1x1 reduction in front of the 3x3)
    assert features.resolve(small, "inception4a.branch2.0")["inception4a.branch2.0"] is small.inception4a.branch2[0]
    assert list(features.resolve(small, ["conv1", "5b"])) == ["conv1", "inception5b"]


@pytest.mark.parametrize("bad", ["inception6a", "4a.7x7", "conv9", "", ("inception4a", "huge")])
def test_unknown_names_list_valid_ones(small, bad):
    with pytest.raises(ValueError, match="valid names: the stages conv1, conv2, conv3, inception3a.*'1x1', '3x3', '5x5', 'pool'"):
        features.resolve(small, bad)


def test_bad_name_types(small):
    with pytest.raises(TypeError, match="names must be"):
        features.resolve(small, 3)
    with pytest.raises(TypeError, match="model must be an inception.GoogLeNet"):
        features.resolve(torch.nn.Linear(2, 2), "conv1")


def test_hooks_removed_even_on_error(small):
    before = _hooks(small)
    with pytest.raises(RuntimeError, match="boom"):
        with features.capture(small, ["conv1", "4a.pool", "inception5b"]) as acts:
            assert _hooks(small) == before + 3
            small(torch.rand(1, 3, 32, 32))
            raise RuntimeError("boom")
    assert acts and _hooks(small) == before
    # a forward pass that fails inside torch (wrong channel count) also leaves no hooks
    with pytest.raises(ValueError, match="3 input channels"):
        features.activations(small, torch.rand(1, 4, 32, 32), "conv1")
    assert _hooks(small) == before
    # a bad name in the middle of the list registers nothing
    with pytest.raises(ValueError):
        with features.capture(small, ["conv1", "nope"]):
            pass
    assert _hooks(small) == before


def test_activations_restore_training_mode():
    model = inception.googlenet("bn", **SMALL)
    model.train()
    features.activations(model, torch.rand(1, 3, 32, 32), "conv1")
    assert model.training


def test_imagenet_stem_full_size():
    model = inception.googlenet("torchvision", width=0.125, aux_logits=False)
    acts = features.activations(model, torch.rand(1, 3, 224, 224), ["conv1", "inception3a.5x5", "inception5b"])
    assert acts["conv1"].shape[-1] == 112 and acts["inception3a.5x5"].shape[-1] == 28 and acts["inception5b"].shape[-1] == 7


def test_branch_energy_shares(small):
    e = features.branch_energy(small, torch.rand(4, 3, 32, 32))
    assert e.share.shape == (9, 4)
    np.testing.assert_allclose(e.share.sum(1), 1.0)
    np.testing.assert_allclose(e.channel_share.sum(1), 1.0)
    acts = features.activations(small, torch.rand(4, 3, 32, 32), "inception3a.1x1")  # independent recomputation
    assert e.channels[0, 0] == acts["inception3a.1x1"].shape[1]
    assert e.table().column("block")[0] == "3a"


def test_filter_tiles(small):
    t = filter_tiles(small)
    assert t.shape == (small.conv1.conv.out_channels, 3, 3, 3)
    assert t.min() >= 0 and t.max() <= 1
    assert np.isclose(np.abs(t - 0.5).reshape(len(t), -1).max(1), 0.5).all()  # each filter uses its full range


# ---------------------------------------------------------------- the browser's update logic
@pytest.fixture()
def browser(small):
    torch.manual_seed(1)
    other = inception.googlenet("bn", **SMALL).eval()
    imgs = {"a": torch.rand(3, 32, 32), "b": torch.rand(3, 32, 32)}
    b = FeatureBrowser({"trained": small, "random": other}, imgs)
    b.build()
    return b


def test_browser_widgets_drive_the_state(browser):
    b = browser
    assert b.state["stage"] == "inception3a" and b.w_channel.max == b.state["num_channels"] - 1
    b.w_stage.value = "inception4a"
    b.w_branch.value = "5x5"
    n = b.models["trained"].inception4a.branch_channels["5x5"]
    assert b.state["num_channels"] == n and b.w_channel.max == n - 1
    b.w_channel.value = n - 1
    assert f"channel {n - 1}:" in b.state["html"] and "inception4a" not in b.state["html"]
    assert "4a.5x5" in b.state["html"]
    # switching to a stem conv: the branch menu offers only the whole stage, the channel is clamped
    b.w_stage.value = "conv1"
    assert list(b.w_branch.options) == ["(whole stage)"] and b.state["branch"] == "(whole stage)"
    assert b.state["channel"] <= b.w_channel.max
    b.w_network.value = "random"
    assert "<b>random</b>" in b.state["html"]
    assert "data:image/png;base64," in b.w_view.value and b.state["html"] in b.w_view.value
    assert b.png()[:4] == b"\x89PNG"


def test_browser_energy_readout_matches_features(browser):
    s = browser.show(stage="inception3b", branch="all (concatenated)", image="b", network="trained")
    e = features.branch_energy(browser.models["trained"], browser.images["b"].unsqueeze(0))
    share = e.share[1]
    for br, v in zip(BRANCH_NAMES, share, strict=True):
        assert f"{br} {v:.0%}" in s["html"]


def test_browser_computes_activations_once_per_image(browser, monkeypatch):
    from inception import features

    calls = []
    real = features.activations
    monkeypatch.setattr(features, "activations", lambda *a, **k: calls.append(1) or real(*a, **k))
    browser.show(image="b", network="random")
    for stage in ("inception3a", "inception4e", "conv2"):
        for ch in range(3):
            browser.show(stage=stage, channel=ch)
    assert len(calls) == 1


def test_browser_upload_good_and_bad(browser):
    buf = io.BytesIO()
    Image.new("LA", (50, 40), (120, 200)).save(buf, "PNG")
    name, msg = browser.add_upload(({"name": "me.png", "content": memoryview(buf.getvalue())},))
    assert name == "me.png" and "transparency composited on white" in msg
    browser._on_upload({"new": ({"name": "me.png", "content": memoryview(buf.getvalue())},)})
    assert browser.w_image.value == "me.png" and "Added me.png" in browser.w_status.value
    browser._on_upload({"new": ({"name": "notes.txt", "content": memoryview(b"just text")},)})
    assert "Could not use notes.txt" in browser.w_status.value and "not an image" in browser.w_status.value
    assert browser.w_image.value == "me.png"  # the view is unchanged
    assert browser.add_upload(()) == (None, "No file chosen.")


def test_browser_repr_is_deterministic(browser):
    ch = browser.state["channel"]  # the most active channel of 3a on image a
    assert repr(browser) == ("FeatureBrowser(network='trained', stage='3a', branch='all (concatenated)', "
                             f"channel={ch}, image='a', 2 images)")
    assert browser._repr_mimebundle_()["text/plain"] == repr(browser)


def test_browser_rejects_bad_selection(browser):
    with pytest.raises(ValueError, match="stage must be one of"):
        browser.show(stage="inception9z")
    with pytest.raises(ValueError, match="network must be one of"):
        browser.show(network="imagenet")


def test_receptive_field_by_backprop(small):
    # small stem: conv1 3x3 (3), conv3 3x3 (5), pool 3x3/2 (7); then 3a's kernels at stride 2
    assert features.receptive_field(small, "conv1") == 3
    assert features.receptive_field(small, "conv3") == 5
    got = {b: features.receptive_field(small, f"3a.{b}") for b in BRANCH_NAMES}
    assert got == {"1x1": 7, "3x3": 11, "5x5": 15, "pool": 11}
    assert _hooks(small) == 0


def test_exercise_checks(small):
    v = features.check_receptive_field(None, small, "3a.5x5")
    assert v.ok is None and repr(v).startswith("Fill in") and repr(v).endswith("then run the cell again.")
    assert str(features.check_receptive_field(15, small, "3a.5x5")) == "Correct: '3a.5x5' sees 15x15 input pixels."
    wrong = features.check_receptive_field(9, small, "3a.5x5")
    assert wrong.ok is False and wrong.message.startswith("Not yet: 9 px is too small")
    x = torch.rand(2, 3, 32, 32)
    e = features.branch_energy(small, x)
    true = float(e.share[2, 3])
    assert features.check_energy_share(true, small, x, "4a", "pool").ok is True
    assert features.check_energy_share(true + 0.1, small, x, "4a", "pool").message.startswith("Not yet: off by")
    assert features.check_energy_share(None, small, x, "4a", "pool").ok is None
    loudest = e.branches[int(e.share[2].argmax())]
    quiet = next(b for b in BRANCH_NAMES if b != loudest)
    assert str(features.check_loudest_branch(loudest, small, x, "4a")).startswith("Correct: shares 1x1 ")
    v = features.check_loudest_branch(quiet, small, x, "4a")
    assert v.ok is False and v.message.startswith(f"Not yet: it is the {loudest} branch: shares 1x1 ")
    assert features.check_loudest_branch(None, small, x, "4a").message.startswith("Fill in `answer` with the branch")


def test_visualize_channels_raises_activation(small):
    before = [p.grad for p in small.parameters()]
    x0 = features.visualize_channels(small, "3a.3x3", [0, 1], steps=1, image_size=24)
    x = features.visualize_channels(small, "3a.3x3", [0, 1], steps=40, image_size=24)
    assert x.shape == (2, 3, 24, 24) and float(x.min()) >= 0 and float(x.max()) <= 1
    a0 = features.activations(small, x0, "3a.3x3")["inception3a.3x3"]
    a = features.activations(small, x, "3a.3x3")["inception3a.3x3"]
    for i, ch in enumerate([0, 1]):
        assert a[i, ch].mean() > a0[i, ch].mean()
    assert [p.grad for p in small.parameters()] == before  # no gradients left on the model
    assert _hooks(small) == 0
    with pytest.raises(ValueError, match="channels must lie in 0.."):
        features.visualize_channels(small, "3a.5x5", [999], steps=1)


def test_signal_share_caffe_fill_loses_the_input():
    """The Caffe fill (variance 1/fan_in, conv bias 0.2) lets the biases swamp the input within the
    network; Kaiming keeps a good part of the output input-dependent. A constant input has share 0."""
    from inception import data as D
    from inception.features import signal_share
    from inception.train import make_model

    torch.manual_seed(0)
    x = D.normalize(D.synthetic(32, seed=0).images)
    caffe = signal_share(make_model("paper", init="caffe"), x)
    kaiming = signal_share(make_model("paper", init="kaiming"), x)
    assert list(caffe)[:3] == ["conv1", "conv2", "conv3"] and list(caffe)[-2:] == ["5b", "logits"]
    assert caffe["logits"] < 0.05 and kaiming["logits"] > 0.2
    assert all(0 <= v <= 1 for v in caffe.values())
    same = signal_share(make_model("bn"), x[:1].expand(4, -1, -1, -1).clone())
    assert max(same.values()) < 1e-6
    with pytest.raises(ValueError, match="at least 2 images"):
        signal_share(make_model("bn"), x[:1])


# ---------------------------------------------------------------- branch ablation
def test_branch_ablation_matches_a_zeroing_hook(small):
    """The cached fast path equals the plain way: a forward hook that zeroes the branch's output."""
    from inception import data as D

    d = D.synthetic(24, seed=3)
    x = D.normalize(d.images)
    a = features.branch_ablation(small, d.images, d.labels, preprocess=D.normalize, blocks=["3a", "4e"], draws=2)
    b = features.branch_ablation(small, d.images, d.labels, preprocess=D.normalize, blocks=["3a", "4e"], draws=2)
    np.testing.assert_array_equal(a.control, b.control)  # deterministic (seeded draws)
    assert a.accuracy.shape == (2, 4) and a.control.shape == (2, 4, 2) and a.images == 24
    with torch.no_grad():
        assert a.baseline == int((small(x).logits.argmax(1) == d.labels).sum()) / 24
        for i, block in enumerate(("inception3a", "inception4e")):
            for j, br in enumerate(BRANCH_NAMES):
                h = small.get_submodule(block).branch(br).register_forward_hook(lambda m, i_, o: torch.zeros_like(o))
                try:
                    acc = int((small(x).logits.argmax(1) == d.labels).sum()) / 24
                finally:
                    h.remove()
                assert a.accuracy[i, j] == acc, (block, br)
    assert _hooks(small) == 0
    assert (a.channels == [[8, 16, 4, 4], [32, 40, 16, 16]]).all()
    # branches of the same width share the control's draws
    np.testing.assert_array_equal(a.control[0, 2], a.control[0, 3])
    e = features.branch_energy(small, x)
    t = a.table(e)
    assert t.column("branch")[:4] == list(BRANCH_NAMES) and "energy share" in t.columns
    with pytest.raises(ValueError, match="labels must"):
        features.branch_ablation(small, d.images, d.labels[:3])


def test_check_loudest_branch(small):
    x = torch.rand(2, 3, 32, 32)
    e = features.branch_energy(small, x)
    true = e.branches[int(e.share[0].argmax())]
    assert features.check_loudest_branch(None, small, x, "3a").ok is None
    assert features.check_loudest_branch(true, small, x, "3a").ok is True
    other = next(b for b in BRANCH_NAMES if b != true)
    assert features.check_loudest_branch(other, small, x, "3a").ok is False
    with pytest.raises(ValueError, match="answer must be one of"):
        features.check_loudest_branch("7x7", small, x, "3a")


def test_stage_grid_ranks_by_contrast_and_greys_flat_maps(small):
    from inception import featviz

    a = torch.zeros(3, 4, 4)
    a[1] = 5.0                      # loud but flat
    a[2, 0, 0] = 1.0                # quiet but with a pattern
    assert featviz._top_contrast(a, 1) == [2] and featviz._top_channels(a, 1) == [1]
    assert (featviz._tile(a[1].numpy()) == 200).all()  # a flat map is grey
    with pytest.raises(ValueError, match="rank"):
        featviz.plot_stage_grids(small, torch.rand(3, 32, 32), rank="loudest")


def test_first_layer_filter_grid_is_readable(small):
    """One axes per filter, each at least ~0.7 inch (the old strip drew 8 filters in 368x55 px)."""
    from inception import featviz

    big = inception.googlenet("torchvision", num_classes=10, aux_logits=False, init_weights=False)
    fig = featviz.plot_first_layer_filters({"trained": small, "imagenet-sized": big})
    tiles = [ax for ax in fig.axes if ax.images]
    assert len(tiles) == small.conv1.conv.out_channels + big.conv1.conv.out_channels
    w, h = tiles[0].get_position().width * fig.get_figwidth(), tiles[0].get_position().height * fig.get_figheight()
    assert min(w, h) > 0.5
