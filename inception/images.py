"""Images for the notebooks: files, bytes (what an upload widget gives), PIL images, arrays.

:func:`prepare_image` turns any of these into a float tensor (3, H, W) in [0, 1], resized and
center-cropped to the model's input size, and says what it converted (grayscale -> RGB,
transparency -> composited on white, 16-bit -> 8-bit, ...). What it cannot use raises
:class:`ImageError` (a ValueError) with a message meant for the student, never PIL's or
torch's own traceback.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError
from torch import Tensor

from ._checks import check_int, format_bytes

__all__ = [
    "ImageError",
    "PreparedImage",
    "MIN_SIDE",
    "MAX_PIXELS",
    "MAX_SIZE",
    "prepare_image",
    "load_image",
    "sample_photo",
    "SAMPLE_PHOTO",
]

#: Images smaller than this (in pixels, either side) carry too little to look at.
MIN_SIDE = 8
#: Larger images are refused before decoding (a 50-megapixel photo is 150 MB as RGB).
MAX_PIXELS = 50_000_000
#: The largest output side of :func:`prepare_image` (4096 px: 200 MB as a float32 tensor);
#: GoogLeNet itself is meant for 224 px.
MAX_SIZE = 4096
#: The photograph in matplotlib's sample data (Grace Hopper, 512x600 JPEG).
SAMPLE_PHOTO = "grace_hopper.jpg"


class ImageError(ValueError):
    """An input that cannot be used as an image; the message says why and what to do."""


@dataclass(frozen=True)
class PreparedImage:
    """The model-ready image and what was done to get it."""

    tensor: Tensor  # (3, size, size) float32 in [0, 1]
    original_size: tuple[int, int]  # (width, height) as read
    notes: tuple[str, ...]  # conversions applied, in order, for the reader

    def message(self) -> str:
        w, h = self.original_size
        done = "; ".join(self.notes) if self.notes else "no conversion needed"
        return f"{w}x{h} image: {done}."


def _open_bytes(data: bytes, what: str) -> Image.Image:
    if len(data) == 0:
        raise ImageError(f"{what} is empty (0 bytes): choose an image file (PNG, JPEG, GIF, BMP, WebP, TIFF)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            w, h = img.size
            if w * h > MAX_PIXELS:
                raise ImageError(
                    f"{what} is {w}x{h} = {w * h / 1e6:.0f} megapixels, more than the {MAX_PIXELS / 1e6:.0f} "
                    f"allowed: shrink it first"
                )
            img.load()  # decode now, so a truncated file fails here and not later
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"{what} has too many pixels to open safely: shrink it first") from None
    except UnidentifiedImageError:
        raise ImageError(
            f"{what} is not an image file this notebook can read: {_describe_start(data)}, {len(data):,} bytes; "
            f"use PNG, JPEG, GIF, BMP, WebP or TIFF"
        ) from None
    except (OSError, SyntaxError, ValueError) as e:
        raise ImageError(_undecodable(what, e)) from None
    return img


#: File signatures worth naming when a file is not an image we can read.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/Excel/PowerPoint file)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"<svg", "an SVG drawing (vector graphics): export it as PNG first"),
    (b"<?xml", "an XML file"),
)


def _describe_start(data: bytes) -> str:
    """How ``data`` begins, in words: a known kind of file, text (quoted), or its first bytes in hex."""
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return f"it looks like {kind}"
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc", b"ftypavif"):
        return "it looks like a HEIC/AVIF photo (as iPhones save them): save it as JPEG or PNG first"
    head = data[:16]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and text.strip() and all(c.isprintable() or c in "\t\r\n" for c in text):
        shown = " ".join(text.split())[:12]
        return f'it starts with text ("{shown}...")'
    return "it starts with the bytes " + " ".join(f"{b:02x}" for b in data[:8])


def _undecodable(what: str, e: BaseException) -> str:
    """A decoding failure in words (the library's own wording kept as the detail)."""
    detail = str(e).strip().rstrip(".") or "no details"
    return f"{what} could not be decoded as an image: the file may be truncated or damaged (reason: {detail})"


def _from_array(arr: np.ndarray, notes: list[str]) -> Image.Image:
    """An (H, W), (H, W, C) or (C, H, W) array -> 8-bit PIL image, noting conversions."""
    a = np.asarray(arr)
    if a.dtype == bool:
        a = a.astype(np.uint8) * 255
        notes.append("boolean array mapped to black/white")
    if a.ndim == 3 and a.shape[0] in (1, 3, 4) and a.shape[-1] not in (1, 3, 4):
        a = np.moveaxis(a, 0, -1)
        notes.append("channels-first array moved to channels-last")
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] not in (3, 4)):
        raise ImageError(
            f"array of shape {a.shape} is not an image: expected (H, W), (H, W, 3), (H, W, 4) or (3, H, W)"
        )
    if a.size == 0:
        raise ImageError(f"array of shape {a.shape} is empty")
    if np.issubdtype(a.dtype, np.floating):
        if not np.isfinite(a).all():
            raise ImageError("array contains NaN or infinite values")
        lo, hi = float(a.min()), float(a.max())
        if lo < 0 or hi > 1:
            raise ImageError(
                f"float array values must lie in [0, 1], got [{lo:.3g}, {hi:.3g}]; "
                f"divide 8-bit data by 255 or pass it as uint8"
            )
        a = np.round(a * 255).astype(np.uint8)
    elif a.dtype == np.uint16:
        a = (a // 257).astype(np.uint8)
        notes.append("16-bit values scaled to 8 bits")
    elif a.dtype != np.uint8:
        if np.issubdtype(a.dtype, np.integer) and a.min() >= 0 and a.max() <= 255:
            a = a.astype(np.uint8)
        else:
            raise ImageError(f"array dtype {a.dtype} with values outside 0..255: use uint8, uint16 or floats in [0, 1]")
    mode = "L" if a.ndim == 2 else ("RGB" if a.shape[-1] == 3 else "RGBA")
    return Image.fromarray(np.ascontiguousarray(a), mode=mode)


def _to_rgb(img: Image.Image, notes: list[str]) -> Image.Image:
    """Any PIL mode -> 8-bit RGB, saying what changed."""
    mode = img.mode
    if mode == "RGB":
        return img
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        a = np.asarray(img, dtype=np.float64)
        if not np.isfinite(a).all():  # NaN would otherwise become 0 (black) without a word
            bad = int((~np.isfinite(a)).sum())
            raise ImageError(f"image has {bad:,} NaN or infinite pixel values (mode {mode}); replace them first")
        top = 65535.0 if mode.startswith("I;16") or a.max() > 255 else 255.0
        a = np.clip(a / top, 0, 1)
        notes.append(f"{'16-bit' if top > 255 else mode + '-mode'} grayscale scaled to 8 bits and copied to R, G, B")
        return Image.fromarray(np.round(a * 255).astype(np.uint8), mode="L").convert("RGB")
    has_alpha = mode in ("RGBA", "LA", "La", "RGBa", "PA") or (mode == "P" and "transparency" in img.info)
    if has_alpha:
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        notes.append("transparency composited on white")
        return Image.alpha_composite(white, rgba).convert("RGB")
    if mode in ("L", "1"):
        notes.append("grayscale copied to R, G, B")
    elif mode == "P":
        notes.append("palette colors expanded to RGB")
    elif mode == "CMYK":
        notes.append("CMYK converted to RGB")
    else:
        notes.append(f"{mode} converted to RGB")
    return img.convert("RGB")


def _resize_crop(img: Image.Image, size: int, notes: list[str]) -> Image.Image:
    """Scale the shorter side to ``size`` (antialiased), then crop the center square."""
    w, h = img.size
    if (w, h) == (size, size):
        return img
    s = size / min(w, h)
    nw, nh = max(size, round(w * s)), max(size, round(h * s))
    notes.append(f"{'up' if s > 1 else 'down'}scaled to {nw}x{nh}" + (f", center-cropped to {size}x{size}" if (nw, nh) != (size, size) else ""))
    img = img.resize((nw, nh), Image.Resampling.BICUBIC if s > 1 else Image.Resampling.LANCZOS)
    left, top = (nw - size) // 2, (nh - size) // 2
    return img.crop((left, top, left + size, top + size))


def _check_size(size: object) -> int:
    """The output side, in [MIN_SIDE, MAX_SIZE] (checked before any work)."""
    size = check_int("size", size, MIN_SIDE)
    if size > MAX_SIZE:
        raise ValueError(
            f"size must be an integer in [{MIN_SIDE}, {MAX_SIZE}], got {size}: a {size}x{size} image would need "
            f"about {format_bytes(size * size * 3 * 4)} as a float32 tensor (and more while resizing)"
        )
    return size


def _load_pil(img: Image.Image, what: str) -> Image.Image:
    """Decode a (possibly lazily opened) PIL image now, so a truncated file fails with ImageError."""
    w, h = img.size
    if w * h > MAX_PIXELS:  # before decoding: the pixels are not in memory yet
        raise ImageError(f"{what} is {w}x{h} = {w * h / 1e6:.0f} megapixels, more than {MAX_PIXELS / 1e6:.0f}: shrink it first")
    try:
        img.load()
    except (OSError, SyntaxError, ValueError) as e:
        raise ImageError(_undecodable(what, e)) from None
    return img


def prepare_image(source: object, size: int = 32, *, name: str | None = None) -> PreparedImage:
    """Read ``source`` and make it a (3, size, size) float tensor in [0, 1].

    ``source``: a path, ``bytes``/``bytearray``/``memoryview`` (an upload widget's content), a PIL
    image, a numpy array ((H, W), (H, W, 3|4) or (3, H, W); uint8, uint16 or floats in [0, 1]) or
    a tensor (3, H, W) in [0, 1]. ``name`` is used in messages (e.g. the uploaded file's name).
    """
    size = _check_size(size)
    notes: list[str] = []
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        what = name or f"file {path.name!r}"
        if path.is_dir():
            raise ImageError(f"{what} is a folder, not an image file: choose a file inside it")
        if not path.is_file():
            raise ImageError(f"{what}: no such file")
        img = _open_bytes(path.read_bytes(), what)
    elif isinstance(source, (bytes, bytearray, memoryview)):
        img = _open_bytes(bytes(source), name or "the uploaded data")
    elif isinstance(source, Image.Image):
        file = getattr(source, "filename", None)  # set when the image was opened from a file
        img = _load_pil(source, name or (f"the image from {Path(file).name!r}" if file else "the image"))
    elif isinstance(source, np.ndarray):
        img = _from_array(source, notes)
    elif isinstance(source, Tensor):
        t = source.detach().cpu()
        if t.dim() == 4 and t.shape[0] == 1:
            t = t[0]
        img = _from_array(t.float().numpy() if t.is_floating_point() else t.numpy(), notes)
    else:
        raise TypeError(
            f"source must be a path, bytes, a PIL image, a numpy array or a torch tensor, got {type(source).__name__}"
        )
    # Before exif_transpose: it returns a single-frame copy, which no longer knows the frame count.
    frames = getattr(img, "n_frames", 1)
    if frames > 1:
        notes.append(f"first of {frames} frames used")
    try:
        img = ImageOps.exif_transpose(img)  # phone photos store their rotation in EXIF
    except Exception:  # a malformed EXIF block is no reason to refuse the picture
        pass
    w, h = img.size
    if min(w, h) < MIN_SIDE:
        raise ImageError(f"image is {w}x{h} px; at least {MIN_SIDE}x{MIN_SIDE} is needed")
    if w * h > MAX_PIXELS:
        raise ImageError(f"image is {w}x{h} = {w * h / 1e6:.0f} megapixels, more than {MAX_PIXELS / 1e6:.0f}: shrink it first")
    rgb = _to_rgb(img, notes)
    if max(w, h) > 3 * min(w, h):
        notes.append(f"very elongated ({w}x{h}): the center crop keeps only part of it")
    out = _resize_crop(rgb, size, notes)
    tensor = torch.from_numpy(np.asarray(out, dtype=np.float32) / 255.0).permute(2, 0, 1).contiguous()
    return PreparedImage(tensor, (w, h), tuple(notes))


def load_image(source: object, size: int = 32, *, name: str | None = None) -> Tensor:
    """:func:`prepare_image` without the notes: a (3, size, size) float tensor in [0, 1]."""
    return prepare_image(source, size, name=name).tensor


def sample_photo(size: int = 64) -> PreparedImage:
    """The photograph shipped with matplotlib (Grace Hopper), prepared at ``size``."""
    import matplotlib.cbook

    with matplotlib.cbook.get_sample_data(SAMPLE_PHOTO) as fh:
        data = fh.read()
    return prepare_image(data, size, name="matplotlib's sample photograph")
