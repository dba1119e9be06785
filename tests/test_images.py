"""inception.images: every kind of input becomes a (3, size, size) tensor in [0, 1], or a clear ImageError."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image

from inception import images
from inception.images import ImageError, prepare_image


def _encode(img: Image.Image, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def _ok(result, size=32):
    t = result.tensor
    assert t.shape == (3, size, size) and t.dtype == torch.float32
    assert float(t.min()) >= 0 and float(t.max()) <= 1
    return result


def test_sample_photo():
    p = _ok(images.sample_photo(64), 64)
    assert p.original_size == (512, 600)
    assert p.notes == ("downscaled to 64x75, center-cropped to 64x64",)
    assert float(p.tensor.std()) > 0.1  # a real photograph, not a blank


def test_path_and_bytes_agree(tmp_path):
    rgb = Image.fromarray(np.random.default_rng(0).integers(0, 256, (40, 60, 3), dtype=np.uint8))
    path = tmp_path / "x.png"
    rgb.save(path)
    a = _ok(prepare_image(path))
    b = _ok(prepare_image(path.read_bytes()))
    c = _ok(prepare_image(memoryview(path.read_bytes())))
    d = _ok(prepare_image(rgb))
    assert torch.equal(a.tensor, b.tensor) and torch.equal(a.tensor, c.tensor) and torch.equal(a.tensor, d.tensor)
    assert a.notes == ("downscaled to 48x32, center-cropped to 32x32",)


def test_exact_size_is_untouched():
    arr = np.random.default_rng(1).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    p = _ok(prepare_image(arr))
    assert p.notes == ()
    assert torch.equal(p.tensor, torch.from_numpy(arr).permute(2, 0, 1).float() / 255)


@pytest.mark.parametrize(
    "make, note, value",
    [
        (lambda: Image.new("L", (40, 40), 51), "grayscale copied to R, G, B", 0.2),
        (lambda: Image.new("1", (40, 40), 1), "grayscale copied to R, G, B", 1.0),
        (lambda: Image.new("RGBA", (40, 40), (0, 0, 0, 0)), "transparency composited on white", 1.0),
        (lambda: Image.new("LA", (40, 40), (0, 255)), "transparency composited on white", 0.0),
        (lambda: Image.new("CMYK", (40, 40), (0, 0, 0, 0)), "CMYK converted to RGB", 1.0),
        (lambda: Image.fromarray(np.full((40, 40), 65535, np.uint16)), "16-bit grayscale scaled to 8 bits", 1.0),
    ],
)
def test_conversions_are_reported(make, note, value):
    img = make()
    fmt = "JPEG" if img.mode == "CMYK" else "PNG"
    p = _ok(prepare_image(_encode(img, fmt)))
    assert any(n.startswith(note) for n in p.notes), p.notes
    assert abs(float(p.tensor.mean()) - value) < 0.02
    assert p.message().startswith("40x40 image: ")


def test_palette_with_transparency():
    img = Image.new("P", (20, 20), 0)
    img.info["transparency"] = 0
    p = _ok(prepare_image(_encode(img)))
    assert "transparency composited on white" in p.notes


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"%PDF-1.4 not an image at all", "not an image file this notebook can read: it looks like a PDF"),
        (_encode(Image.new("RGB", (64, 64)), "JPEG")[:150], "could not be decoded"),
        (_encode(Image.new("RGB", (5, 100))), "5x100 px; at least 8x8"),
    ],
)
def test_bad_bytes(data, message):
    with pytest.raises(ImageError, match=message):
        prepare_image(data, name="upload.bin")


def test_too_many_pixels_refused_before_decoding(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 1000)
    with pytest.raises(ImageError, match="megapixels"):
        prepare_image(_encode(Image.new("RGB", (100, 100))))


def test_large_image_downscaled():
    p = _ok(prepare_image(_encode(Image.new("RGB", (3000, 2000), (255, 0, 0))), 64), 64)
    assert p.notes == ("downscaled to 96x64, center-cropped to 64x64",)
    assert torch.allclose(p.tensor[0], torch.ones(64, 64))


def test_elongated_image_warns():
    p = _ok(prepare_image(Image.new("RGB", (400, 50))))
    assert any("very elongated" in n for n in p.notes)


@pytest.mark.parametrize(
    "arr, note",
    [
        (np.zeros((20, 20)), None),
        (np.zeros((20, 20, 1), np.uint8), None),
        (np.zeros((3, 20, 20), np.float32), "channels-first array moved to channels-last"),
        (np.zeros((20, 20, 4), np.uint8), "transparency composited on white"),
        (np.zeros((20, 20), bool), "boolean array mapped to black/white"),
        (np.zeros((20, 20, 3), np.uint16), "16-bit values scaled to 8 bits"),
        (np.zeros((20, 20, 3), np.int64), None),
    ],
)
def test_arrays(arr, note):
    p = _ok(prepare_image(arr))
    if note:
        assert note in p.notes


@pytest.mark.parametrize(
    "arr, message",
    [
        (np.full((20, 20, 3), 255.0), r"float array values must lie in \[0, 1\]"),
        (np.full((20, 20, 3), np.nan), "NaN"),
        (np.zeros((20, 20, 5)), "not an image"),
        (np.zeros((2, 2, 2, 2)), "not an image"),
        (np.full((20, 20), -3), "outside 0..255"),
        (np.zeros((0, 20)), "empty"),
    ],
)
def test_bad_arrays(arr, message):
    with pytest.raises(ImageError, match=message):
        prepare_image(arr)


def test_tensor_input():
    t = torch.rand(3, 50, 50)
    p = _ok(prepare_image(t))
    assert p.original_size == (50, 50)
    assert _ok(prepare_image(t.unsqueeze(0))).original_size == (50, 50)


def test_argument_errors(tmp_path):
    with pytest.raises(TypeError, match="source must be a path, bytes"):
        prepare_image(42)
    with pytest.raises(ValueError, match="size must be an integer >= 8"):
        prepare_image(np.zeros((20, 20)), size=4)
    with pytest.raises(ImageError, match="no such file"):
        prepare_image(tmp_path / "missing.png")
    assert isinstance(ImageError("x"), ValueError)


def test_load_image_is_the_tensor():
    arr = np.random.default_rng(2).random((40, 40, 3))
    assert torch.equal(images.load_image(arr, 16), prepare_image(arr, 16).tensor)
