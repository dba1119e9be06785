"""Loading torchvision's ImageNet checkpoint, tested offline on checkpoint files the test writes."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest
import torch

from inception import googlenet, weights
from inception.weights import CheckpointError


def _write_checkpoint(path, state):
    torch.save(state, path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def torchvision_like_checkpoint(tmp_path, monkeypatch):
    """A checkpoint with torchvision's keys and shapes, under the published file name."""
    torch.manual_seed(0)
    source = googlenet("torchvision", aux_logits=True)
    state = {k: v for k, v in source.state_dict().items() if not k.endswith("num_batches_tracked")}
    path = tmp_path / weights.TORCHVISION_IMAGENET.filename
    digest = _write_checkpoint(path, state)
    spec = replace(weights.TORCHVISION_IMAGENET, url="http://invalid.invalid/x.pth", sha256=digest[:8])
    monkeypatch.setattr(weights, "TORCHVISION_IMAGENET", spec)
    return source, tmp_path


def test_googlenet_imagenet_loads_strictly(torchvision_like_checkpoint):
    source, cache = torchvision_like_checkpoint
    model = weights.googlenet_imagenet(cache_dir=cache, download=False)
    assert not model.training and model.aux1 is None and model.transform_input
    x = torch.randn(1, 3, 224, 224)
    source.eval()
    source.transform_input = True
    with torch.no_grad():
        assert torch.equal(model(x).logits, source(x).logits)
    with_aux = weights.googlenet_imagenet(cache_dir=cache, download=False, aux_logits=True)
    assert torch.equal(with_aux.aux1.fc2.weight, source.aux1.fc2.weight)


def test_bad_hash_says_what_to_do(torchvision_like_checkpoint, monkeypatch):
    _, cache = torchvision_like_checkpoint
    spec = replace(weights.TORCHVISION_IMAGENET, url="http://invalid.invalid/x.pth", sha256="00000000")
    monkeypatch.setattr(weights, "TORCHVISION_IMAGENET", spec)
    with pytest.raises(CheckpointError, match="expected a prefix of 00000000.*copy it to"):
        weights.googlenet_imagenet(cache_dir=cache, download=False)


def test_missing_file_without_download(tmp_path):
    with pytest.raises(CheckpointError, match="not in the cache and download=False.*googlenet-1378be20.pth"):
        weights.fetch_checkpoint(cache_dir=tmp_path, download=False)


def test_offline_download_fails_clearly(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(torch.hub, "download_url_to_file", no_network)
    with pytest.raises(CheckpointError, match="Could not download .*network is unreachable.*copy it to"):
        weights.fetch_checkpoint(cache_dir=tmp_path, download=True)


def test_default_cache_is_torch_hub(monkeypatch, tmp_path):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    assert weights.checkpoint_path() == tmp_path / "hub" / "checkpoints" / "googlenet-1378be20.pth"


def test_wrong_keys_are_listed(tmp_path):
    model = googlenet("torchvision", aux_logits=False)
    state = model.state_dict()
    state["extra.weight"] = torch.zeros(1)
    del state["fc.bias"]
    state["fc.weight"] = torch.zeros(3, 1024)
    with pytest.raises(CheckpointError) as info:
        weights.load_into(model, state, source="test.pth")
    msg = str(info.value)
    assert "missing keys: fc.bias" in msg
    assert "unexpected keys: extra.weight" in msg
    assert "fc.weight: checkpoint (3, 1024) vs model (1000, 1024)" in msg


def test_not_a_state_dict(tmp_path):
    path = tmp_path / "list.pth"
    torch.save([1, 2, 3], path)
    with pytest.raises(CheckpointError, match="does not hold a state dict"):
        weights.load_state_dict_file(path)


class NotATensor:
    """Any pickled object that is not a tensor: weights_only loading must refuse it."""


def test_pickled_code_is_refused(tmp_path):
    path = tmp_path / "evil.pth"
    torch.save({"x": NotATensor()}, path)
    with pytest.raises(CheckpointError, match="weights-only"):
        weights.load_state_dict_file(path)
