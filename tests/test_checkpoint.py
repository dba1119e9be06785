"""The shipped mini-GoogLeNet: its spec's hash, loads with weights_only, has the stated accuracy; its command is
reproducible; the random control; the ImageNet path (on a fake checkpoint written here, as in test_weights.py)."""

from __future__ import annotations

import hashlib
import json
import shutil
import urllib.request
from dataclasses import replace

import pytest
import torch

import inception
from inception import data as _data, features as _features, images as _images  # noqa: F401  (registers the submodules)
from inception import weights
from inception.experiments import train_checkpoint as tc
from inception.train import evaluate
from inception.weights import MINI_GOOGLENET, CheckpointError, WeightsSpec


def test_files_exist_and_are_small():
    assert weights.MINI_CHECKPOINT.stat().st_size <= 3 * 1024 * 1024
    info = weights.mini_info()
    for key in ("config", "accuracy", "command", "seed", "versions", "tolerance", "training"):
        assert key in info
    assert info["command"] == "python -m inception.experiments.train_checkpoint"
    assert info["config"]["aux_logits"] is False and info["training"]["trained_with_aux_heads"]
    assert info["accuracy"]["n_val"] == tc.N_VAL and info["config"]["width"] == tc.WIDTH


def test_spec_hash_matches_the_shipped_file():
    assert MINI_GOOGLENET.path == weights.MINI_CHECKPOINT and MINI_GOOGLENET.url is None
    assert len(MINI_GOOGLENET.sha256) == 64  # the whole digest, not a prefix
    assert hashlib.sha256(weights.MINI_CHECKPOINT.read_bytes()).hexdigest() == MINI_GOOGLENET.sha256
    assert weights.sha256_file(weights.MINI_CHECKPOINT) == MINI_GOOGLENET.sha256
    assert weights.fetch_checkpoint(MINI_GOOGLENET, download=False) == weights.MINI_CHECKPOINT


def test_spec_meta_and_transforms():
    info = weights.mini_info()
    meta = MINI_GOOGLENET.meta
    assert meta["categories"] == info["class_names"] and meta["num_classes"] == len(info["class_names"]) == 10
    assert meta["image_size"] == info["config"]["image_size"] == tc.IMAGE_SIZE
    assert meta["accuracy"] == {"val_main": info["accuracy"]["val_main"], "n_val": tc.N_VAL}
    assert meta["command"] == tc.COMMAND and meta["seed"] == tc.SEED
    x = torch.rand(2, 3, 32, 32)
    assert torch.equal(MINI_GOOGLENET.transforms(x), inception.data.normalize(x))
    imagenet = weights.TORCHVISION_IMAGENET
    assert imagenet.meta["num_classes"] == 1000 and imagenet.path is None and imagenet.url.endswith(imagenet.filename)
    assert torch.equal(imagenet.transforms(x), weights.imagenet_normalize(x))
    with pytest.raises(ValueError, match="exactly one of url"):
        WeightsSpec("x", "x.pt", "0" * 8, url="http://invalid.invalid/x.pt", path=weights.MINI_CHECKPOINT)
    with pytest.raises(ValueError, match="sha256 must be 8 to 64"):
        WeightsSpec("x", "x.pt", "abc", path=weights.MINI_CHECKPOINT)


def test_tampered_copy_is_rejected(tmp_path, monkeypatch):
    """One flipped byte in the packaged file: it is refused before torch reads it, and the message says why."""
    copy = tmp_path / "mini_googlenet.pt"
    raw = bytearray(weights.MINI_CHECKPOINT.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    copy.write_bytes(bytes(raw))
    shutil.copy(weights.MINI_SIDECAR, tmp_path / "mini_googlenet.json")
    monkeypatch.setattr(weights, "MINI_GOOGLENET", replace(MINI_GOOGLENET, path=copy))

    def no_read(*args, **kwargs):
        raise AssertionError("torch.load reached a file with the wrong hash")

    monkeypatch.setattr(torch, "load", no_read)
    with pytest.raises(CheckpointError, match=r"mini_googlenet.pt has SHA-256 [0-9a-f]{16}\.\.\., expected "
                                              + MINI_GOOGLENET.sha256[:16] + r".*not the file this package shipped"):
        weights.load_mini_googlenet()
    with pytest.raises(CheckpointError, match="modified or corrupt.*will not be loaded"):
        weights.fetch_checkpoint(weights.MINI_GOOGLENET)


def test_loads_offline(monkeypatch):
    """The packaged checkpoint never touches the network."""
    def no_network(*args, **kwargs):
        raise AssertionError("network access")

    monkeypatch.setattr(torch.hub, "download_url_to_file", no_network)
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    model = weights.load_mini_googlenet()
    assert not model.training and model.fc.out_features == 10


def test_plain_state_dict_loads_with_weights_only():
    state = torch.load(weights.MINI_CHECKPOINT, map_location="cpu", weights_only=True)
    assert isinstance(state, dict) and all(isinstance(v, torch.Tensor) for v in state.values())
    assert not any(k.startswith(("aux1.", "aux2.")) for k in state)


def test_stated_accuracy_on_the_validation_set():
    model = weights.load_mini_googlenet()
    assert not model.training and model.aux1 is None
    info = weights.mini_info()
    val = weights.mini_validation_set(info)
    assert torch.equal(val.images, tc.validation_set().images)  # the JSON describes the command's data
    acc = evaluate(model, val)["main"]
    # same weights, same images: only floating-point rounding can differ
    assert abs(acc - info["accuracy"]["val_main"]) <= 0.005
    assert acc > 0.5  # far above chance (0.1) for ten balanced classes


def test_missing_or_bad_files(tmp_path):
    with pytest.raises(CheckpointError, match="not found.*train_checkpoint"):
        weights.load_mini_googlenet(tmp_path / "nothing.pt")
    (tmp_path / "m.json").write_text(weights.MINI_SIDECAR.read_text())
    torch.save({"conv1.conv.weight": torch.zeros(1)}, tmp_path / "m.pt")
    with pytest.raises(CheckpointError, match="missing keys"):
        weights.load_mini_googlenet(tmp_path / "m.pt")
    (tmp_path / "m.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="not valid JSON"):
        weights.load_mini_googlenet(tmp_path / "m.pt")


def test_command_is_reproducible_at_small_scale(tmp_path, monkeypatch):
    """The same build twice gives bit-identical weights and the same accuracy (tiny settings, fast)."""
    monkeypatch.setattr(tc, "N_TRAIN", 96)
    monkeypatch.setattr(tc, "N_VAL", 40)
    monkeypatch.setattr(tc, "EPOCHS", 1)
    monkeypatch.setattr(tc, "BATCH_SIZE", 32)
    a = tc.build(tmp_path / "a", progress=False)
    b = tc.build(tmp_path / "b", progress=False)
    assert a["accuracy"] == b["accuracy"]
    sa = torch.load(tmp_path / "a" / "mini_googlenet.pt", weights_only=True)
    sb = torch.load(tmp_path / "b" / "mini_googlenet.pt", weights_only=True)
    assert sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)
    model = weights.load_mini_googlenet(tmp_path / "a" / "mini_googlenet.pt")
    small_val = inception.data.synthetic_splits(1, 40, seed=tc.SEED)[1]
    assert evaluate(model, small_val)["main"] == pytest.approx(a["accuracy"]["val_main"], abs=1e-9)
    assert json.loads((tmp_path / "a" / "mini_googlenet.json").read_text())["seed"] == tc.SEED


def test_random_control_calibrated_batchnorm():
    x = inception.data.normalize(inception.data.synthetic(64, seed=5).images)
    raw = weights.random_googlenet(seed=0)
    cal = weights.random_googlenet(seed=0, calibrate_on=x)
    assert not cal.training
    assert all(torch.equal(p, q) for p, q in zip(raw.parameters(), cal.parameters(), strict=True))  # same filters
    with torch.no_grad():
        a_raw = raw.forward_features(x).pow(2).mean()
        a_cal = cal.forward_features(x).pow(2).mean()
    assert a_cal > 100 * a_raw  # uncalibrated BatchNorm lets the signal die out with depth
    bn = cal.inception3a.branch1.bn
    assert not torch.equal(bn.running_var, torch.ones_like(bn.running_var)) and bn.momentum == 0.1


@pytest.fixture
def fake_imagenet(tmp_path, monkeypatch):
    torch.manual_seed(0)
    source = inception.googlenet("torchvision", aux_logits=True)
    state = {k: v for k, v in source.state_dict().items() if not k.endswith("num_batches_tracked")}
    path = tmp_path / weights.TORCHVISION_IMAGENET.filename
    torch.save(state, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    spec = replace(weights.TORCHVISION_IMAGENET, url="http://invalid.invalid/x.pth", sha256=digest[:8])
    monkeypatch.setattr(weights, "TORCHVISION_IMAGENET", spec)
    return tmp_path


def test_imagenet_top5_with_and_without_names(fake_imagenet):
    model = weights.googlenet_imagenet(cache_dir=fake_imagenet, download=False)
    photo = inception.images.sample_photo(224).tensor
    table = weights.top_k(model, photo)
    assert table.column("rank") == [1, 2, 3, 4, 5]
    p = table.column("probability")
    assert p == sorted(p, reverse=True) and 0 < sum(p) <= 1
    assert all("names need torchvision" in c for c in table.column("class"))
    names = tuple(f"name{i}" for i in range(1000))
    named = weights.top_k(model, photo, class_names=names)
    assert named.column("class") == [f"name{i}" for i in named.column("index")]
    # the ImageNet model's activations are reachable by the same names
    acts = inception.features.activations(model, weights.imagenet_normalize(photo[None]), ["conv1", "4a.5x5"])
    assert acts["conv1"].shape == (1, 64, 112, 112)


def test_imagenet_names_absent_without_torchvision():
    try:
        import torchvision  # noqa: F401
    except ImportError:
        assert weights.imagenet_class_names() is None
    else:
        assert len(weights.imagenet_class_names()) == 1000


def test_imagenet_normalize_validates():
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\)"):
        weights.imagenet_normalize(torch.zeros(3, 8, 8))
