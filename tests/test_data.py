"""inception.data: the procedural data set, normalisation, and CIFAR-10 parsing (offline, on a tiny archive)."""

from __future__ import annotations

import hashlib
import io
import pickle
import tarfile
import urllib.error

import numpy as np
import pytest
import torch

from inception import data
from inception.data import DataError, ImageData


def test_synthetic_shapes_range_balance():
    d = data.synthetic(60, seed=1)
    assert d.images.shape == (60, 3, 32, 32) and d.images.dtype == torch.float32
    assert d.labels.dtype == torch.int64 and len(d) == 60
    assert 0.0 <= d.images.min() and d.images.max() <= 1.0
    assert d.class_names == data.SYNTHETIC_CLASSES and len(d.class_names) == 10
    assert d.class_counts() == [6] * 10


def test_synthetic_deterministic_and_seed_dependent():
    a, b, c = data.synthetic(40, seed=3), data.synthetic(40, seed=3), data.synthetic(40, seed=4)
    assert torch.equal(a.images, b.images) and torch.equal(a.labels, b.labels)
    assert not torch.equal(a.images, c.images)


def test_synthetic_chunking_does_not_change_images():
    """Images are drawn in chunks of 2048: a data set larger than one chunk is still deterministic,
    and the images past the first chunk are real draws (not blank, not repeats)."""
    a = data.synthetic(2050, seed=0)
    b = data.synthetic(2050, seed=0)
    tail = a.images[2048:]
    assert tail.shape == (2, 3, 32, 32)  # the second chunk: two images
    assert torch.equal(tail, b.images[2048:]) and torch.equal(a.images, b.images)
    assert torch.equal(a.labels, b.labels) and a.class_counts() == [205] * 10
    assert tail.std() > 0.05 and not torch.equal(tail[0], tail[1])
    assert not any(torch.equal(t, img) for t in tail for img in a.images[:2048])
    assert not torch.equal(tail, data.synthetic(2050, seed=1).images[2048:])


def test_synthetic_splits_are_different_draws():
    tr, va = data.synthetic_splits(30, 20, seed=0)
    assert len(tr) == 30 and len(va) == 20
    assert torch.equal(tr.images, data.synthetic(30, seed=0).images)
    assert not torch.equal(tr.images[:20], va.images)


def test_color_alone_does_not_tell_the_class():
    """Mean image color is (nearly) the same for every class: colors are drawn per image."""
    d = data.synthetic(1000, seed=0)
    means = torch.stack([d.images[d.labels == k].mean((0, 2, 3)) for k in range(10)])
    assert (means - means.mean(0)).abs().max() < 0.1  # a color-coded class would be ~0.3 off


def test_classes_differ_by_structure():
    """Striped classes have far more fine-scale (pixel-to-pixel) variation than solid ones."""
    d = data.synthetic(200, seed=0, noise=0.0, clutter=0)
    grad = (d.images[..., 1:] - d.images[..., :-1]).abs().mean((1, 2, 3))
    striped = d.labels % 2 == 1
    assert grad[striped].mean() > 1.5 * grad[~striped].mean()


def test_synthetic_larger_images_and_nuisance_options():
    d = data.synthetic(10, image_size=48, seed=0, noise=0.0, clutter=0)
    assert d.images.shape == (10, 3, 48, 48)


@pytest.mark.parametrize("kwargs, name", [
    (dict(n=-1), "n"), (dict(n=5, image_size=8), "image_size"), (dict(n=5, seed=-2), "seed"),
    (dict(n=5, noise=2.0), "noise"), (dict(n=5, clutter=1.5), "clutter"), (dict(n=True), "n"),
])
def test_synthetic_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        data.synthetic(**kwargs)


def test_subset_and_validation():
    d = data.synthetic(20, seed=0)
    s = d.subset([0, 5, 7])
    assert len(s) == 3 and torch.equal(s.images[1], d.images[5]) and s.class_names == d.class_names
    assert len(d.subset(slice(0, 4))) == 4
    assert len(d.subset(d.labels == 0)) == 2
    with pytest.raises(ValueError, match="labels"):
        ImageData(d.images, d.labels[:3], d.class_names)
    with pytest.raises(ValueError, match="images"):
        ImageData(d.images[0], d.labels, d.class_names)


def test_normalize():
    x = torch.full((2, 3, 4, 4), 0.5)
    assert torch.equal(data.normalize(x), torch.zeros_like(x))
    assert torch.allclose(data.normalize(torch.ones(1, 3, 2, 2)), torch.full((1, 3, 2, 2), 2.0))
    with pytest.raises(ValueError, match="images"):
        data.normalize(torch.ones(3, 2, 2))


def test_plot_samples_returns_figure():
    fig = data.synthetic(30, seed=0).plot_samples(per_class=2)
    assert len(fig.axes) == 20
    with pytest.raises(ValueError, match="per_class"):
        data.synthetic(30, seed=0).plot_samples(per_class=0)


# ----------------------------------------------------------------------------- CIFAR-10, offline
def _batch(n: int, offset: int) -> bytes:
    rng = np.random.default_rng(offset)
    d = {b"batch_label": b"x", b"labels": [int(v) for v in (np.arange(n) + offset) % 10],
         b"data": rng.integers(0, 256, size=(n, 3072), dtype=np.uint8), b"filenames": [b"f"] * n}
    return pickle.dumps(d, protocol=2)


def _write_archive(path, members: dict[str, bytes]) -> str:
    with tarfile.open(path, "w:gz") as tar:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture
def tiny_cifar(tmp_path, monkeypatch):
    members = {f"cifar-10-batches-py/data_batch_{i}": _batch(4, i) for i in range(1, 6)}
    members["cifar-10-batches-py/test_batch"] = _batch(3, 7)
    members["cifar-10-batches-py/batches.meta"] = pickle.dumps({b"label_names": []})
    md5 = _write_archive(tmp_path / data.CIFAR10_FILENAME, members)
    monkeypatch.setattr(data, "CIFAR10_MD5", md5)
    return tmp_path


def test_cifar10_parses_archive(tiny_cifar):
    train = data.cifar10(tiny_cifar, split="train", download=False)
    test = data.cifar10(tiny_cifar, split="test", download=False)
    assert train.images.shape == (20, 3, 32, 32) and len(test) == 3
    assert train.class_names[0] == "airplane" and len(train.class_names) == 10
    assert train.labels[:4].tolist() == [1, 2, 3, 4]  # batch 1's labels
    raw = pickle.loads(_batch(4, 1))[b"data"]
    assert torch.allclose(train.images[0], torch.from_numpy(raw[0].reshape(3, 32, 32)).float() / 255)


def test_cifar10_bad_checksum(tiny_cifar, monkeypatch):
    monkeypatch.setattr(data, "CIFAR10_MD5", "0" * 32)
    with pytest.raises(DataError, match="MD5"):
        data.cifar10(tiny_cifar, download=False)


def test_cifar10_missing_without_download(tmp_path):
    with pytest.raises(FileNotFoundError, match="download"):
        data.cifar10(tmp_path, download=False)


def test_cifar10_offline_download_error(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(data.urllib.request, "urlopen", offline)
    with pytest.raises(DataError, match="could not download"):
        data.cifar10(tmp_path / "cache", download=True)
    assert not list((tmp_path / "cache").glob("*.part"))


def test_cifar10_rejects_foreign_pickle_objects(tmp_path, monkeypatch):
    """A checksum-valid archive whose batch pickles an arbitrary callable is refused."""
    evil = pickle.dumps({b"data": np.zeros((1, 3072), np.uint8), b"labels": [0], b"x": print})
    members = {f"cifar-10-batches-py/data_batch_{i}": evil for i in range(1, 6)}
    monkeypatch.setattr(data, "CIFAR10_MD5", _write_archive(tmp_path / data.CIFAR10_FILENAME, members))
    with pytest.raises(DataError, match="unexpected object"):
        data.cifar10(tmp_path, download=False)


def test_cifar10_bad_split(tmp_path):
    with pytest.raises(ValueError, match="split"):
        data.cifar10(tmp_path, split="val", download=False)


def test_synthetic_scales_follow_the_image_size():
    """The generator's constants at 32 px, scaled linearly elsewhere; notebooks print these, never typed ranges."""
    from inception.data import synthetic_scales

    assert synthetic_scales(32) == {"shape radius": (8.0, 13.0), "stripe period": (4.0, 6.0)}
    assert synthetic_scales(24) == {"shape radius": (6.0, 9.75), "stripe period": (3.0, 4.5)}
    with pytest.raises(ValueError, match="image_size"):
        synthetic_scales(8)
