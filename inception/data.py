"""Image data for the training notebooks: a procedural "shapes and textures" set and CIFAR-10.

``synthetic`` draws small RGB images in a few seconds, deterministically from a seed. Each class
is a *(shape, texture)* pair: the outline of the object is coarse structure (a disk, a ring, a
cross, ...; several pixels across), the texture is fine structure (solid, or stripes 4-6 px
apart). Telling the ten classes apart needs both scales at once, which is what the parallel
1x1/3x3/5x5 branches of an Inception block are for. Colors are drawn afresh for every image
(foreground, background and clutter), so color alone carries no information about the class;
position, size, rotation, stripe period and angle, pixel noise and clutter blobs are nuisances.

``cifar10`` downloads the official python archive once, checks its MD5 and parses it with a
restricted unpickler (no torchvision).
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import pickle
import tarfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch import Tensor

from ._checks import check_bool, check_int, check_memory, check_number
from .display import subplots

__all__ = [
    "ImageData",
    "SHAPES",
    "TEXTURES",
    "synthetic_scales",
    "SYNTHETIC_CLASSES",
    "synthetic",
    "synthetic_splits",
    "normalize",
    "NORMALIZE_MEAN",
    "NORMALIZE_STD",
    "cifar10",
    "CIFAR10_CLASSES",
    "CIFAR10_URL",
    "CIFAR10_MD5",
    "DataError",
    "default_cache_dir",
    "MAX_CLUTTER",
]


@dataclass
class ImageData:
    """Images (N, 3, H, W) float32 in [0, 1], integer labels (N,), and the class names."""

    images: Tensor
    labels: Tensor
    class_names: tuple[str, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.images, Tensor) or self.images.dim() != 4:
            raise ValueError(f"images must be a (N, C, H, W) tensor, got {getattr(self.images, 'shape', self.images)!r}")
        if not self.images.is_floating_point():
            raise TypeError(
                f"images must be floating point in [0, 1], got dtype {self.images.dtype}: "
                f"scale 8-bit images with images.float() / 255"
            )
        if not isinstance(self.labels, Tensor) or self.labels.shape != (self.images.shape[0],):
            raise ValueError(
                f"labels must be a ({self.images.shape[0]},) tensor, got {getattr(self.labels, 'shape', self.labels)!r}"
            )
        if isinstance(self.class_names, (str, bytes)):
            raise TypeError(f"class_names must be a sequence of names, one per class, got {self.class_names!r}")
        self.class_names = tuple(self.class_names)
        # Checked here, not when training fails with "Target 10 is out of bounds" several frames deep.
        if self.labels.dtype == torch.bool or self.labels.is_floating_point() or self.labels.is_complex():
            raise TypeError(f"labels must be an integer tensor of class indices, got dtype {self.labels.dtype}")
        if self.labels.numel():
            lo, hi = int(self.labels.min()), int(self.labels.max())
            if lo < 0 or hi >= self.num_classes:
                raise ValueError(
                    f"labels must be class indices in 0..{self.num_classes - 1} (one per name in class_names), "
                    f"got values in {lo}..{hi}"
                )

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def image_size(self) -> int:
        return int(self.images.shape[-1])

    def subset(self, idx: Sequence[int] | Tensor | slice) -> "ImageData":
        """The images at ``idx`` (indices, a boolean mask or a slice), same class names."""
        if isinstance(idx, slice):
            return ImageData(self.images[idx], self.labels[idx], self.class_names)
        idx = torch.as_tensor(idx)
        return ImageData(self.images[idx], self.labels[idx], self.class_names)

    def class_counts(self) -> list[int]:
        return torch.bincount(self.labels, minlength=self.num_classes).tolist()

    def plot_samples(self, per_class: int = 6, *, title: str | None = None):
        """A grid of ``per_class`` images of each class (rows = classes); returns the Figure."""

        per_class = check_int("per_class", per_class, 1)
        c = self.num_classes
        fig, axes = subplots(c, per_class, figsize=(0.75 * per_class + 1.6, 0.75 * c), dpi=80, squeeze=False)
        for k in range(c):
            where = torch.nonzero(self.labels == k).flatten()[:per_class].tolist()
            for j in range(per_class):
                ax = axes[k, j]
                ax.set_xticks([])
                ax.set_yticks([])
                for s in ax.spines.values():
                    s.set_visible(False)
                if j < len(where):
                    ax.imshow(self.images[where[j]].permute(1, 2, 0).numpy(), interpolation="nearest")
            axes[k, 0].set_ylabel(self.class_names[k], rotation=0, ha="right", va="center", fontsize=8)
        if title:
            fig.suptitle(title, fontsize=10)
        fig.tight_layout(pad=0.2)
        return fig


# ----------------------------------------------------------------------------- synthetic data
SHAPES: tuple[str, ...] = ("disk", "square", "ring", "cross", "triangle")
TEXTURES: tuple[str, ...] = ("solid", "striped")
SYNTHETIC_CLASSES: tuple[str, ...] = tuple(f"{s} {t}" for s in SHAPES for t in TEXTURES)
#: The generator's scales at ``REFERENCE_SIZE`` px (uniform ranges, in pixels); at another image
#: size both scale with it (see :func:`synthetic_scales`).
REFERENCE_SIZE: int = 32
SHAPE_RADIUS: tuple[float, float] = (8.0, 13.0)  # coarse structure
STRIPE_PERIOD: tuple[float, float] = (4.0, 6.0)  # fine structure


def synthetic_scales(image_size: int = REFERENCE_SIZE) -> dict[str, tuple[float, float]]:
    """The coarse and fine scales :func:`synthetic` draws at ``image_size`` px, in pixels:
    ``{"shape radius": (lo, hi), "stripe period": (lo, hi)}``."""
    image_size = check_int("image_size", image_size, 16)
    f = image_size / REFERENCE_SIZE
    return {"shape radius": (SHAPE_RADIUS[0] * f, SHAPE_RADIUS[1] * f),
            "stripe period": (STRIPE_PERIOD[0] * f, STRIPE_PERIOD[1] * f)}


def _shape_distance(shape: Tensor, u: Tensor, v: Tensor) -> Tensor:
    """Signed distance (negative inside) to each image's shape, in units of its radius.

    ``shape`` (n,) indexes ``SHAPES``; ``u, v`` (n, H, W) are the pixel coordinates in the
    object's own frame (centered, rotated, divided by the radius). All five distances are
    computed for every image and the right one is picked: cheap at 32 px and loop-free.
    """
    r = torch.sqrt(u * u + v * v)
    au, av = u.abs(), v.abs()
    disk = r - 1.0
    square = torch.maximum(au, av) - 0.8
    ring = (r - 0.72).abs() - 0.28
    cross = torch.minimum(torch.maximum(au - 0.35, av - 1.0), torch.maximum(au - 1.0, av - 0.35))
    tri = None
    for k in range(3):  # equilateral triangle: the largest of three half-plane distances
        a = math.pi / 2 + 2 * math.pi * k / 3
        d = u * math.cos(a) + v * math.sin(a) - 0.6
        tri = d if tri is None else torch.maximum(tri, d)
    all_d = torch.stack([disk, square, ring, cross, tri], 0)  # 5, n, H, W
    return torch.gather(all_d, 0, shape.view(1, -1, 1, 1).expand(1, *u.shape)).squeeze(0)


def _distinct_colors(n: int, g: torch.Generator) -> tuple[Tensor, Tensor]:
    """Foreground and background colors, uniform in RGB but at least 0.35 apart (L2)."""
    fg = torch.rand(n, 3, generator=g)
    bg = torch.rand(n, 3, generator=g)
    close = (fg - bg).norm(dim=1) < 0.35
    bg[close] = 1.0 - fg[close]  # the complement is >= 0.35 away unless fg is mid-grey
    grey = (fg - bg).norm(dim=1) < 0.35
    bg[grey] = (fg[grey] + 0.5) % 1.0
    return fg, bg


def _render(labels: Tensor, image_size: int, g: torch.Generator, noise: float, clutter: int) -> Tensor:
    n, s = labels.shape[0], image_size
    shape = labels // len(TEXTURES)
    striped = (labels % len(TEXTURES)) == 1
    px = (torch.arange(s, dtype=torch.float32) + 0.5 - s / 2).view(1, 1, s)  # pixel centres, origin mid-image
    x, y = px, px.transpose(1, 2)

    def uniform(lo: float, hi: float) -> Tensor:
        return (lo + (hi - lo) * torch.rand(n, generator=g)).view(n, 1, 1)

    scale = s / REFERENCE_SIZE
    radius = uniform(*SHAPE_RADIUS) * scale
    cx, cy = uniform(-4.0, 4.0) * scale, uniform(-4.0, 4.0) * scale
    angle = uniform(0.0, 2 * math.pi)
    dx, dy = x - cx, y - cy
    u = (dx * torch.cos(angle) + dy * torch.sin(angle)) / radius
    v = (-dx * torch.sin(angle) + dy * torch.cos(angle)) / radius
    dist = _shape_distance(shape, u, v) * radius  # in pixels
    inside = torch.sigmoid(-dist / 0.6)  # soft edge, about one pixel wide

    period = uniform(*STRIPE_PERIOD) * scale  # fine scale: stripes a few pixels apart
    theta = uniform(0.0, math.pi)
    phase = uniform(0.0, 2 * math.pi)
    wave = torch.sin(2 * math.pi * (x * torch.cos(theta) + y * torch.sin(theta)) / period + phase)
    stripes = torch.sigmoid(wave * 4.0)  # 1 on the stripes, 0 between them
    fg_weight = inside * torch.where(striped.view(n, 1, 1), stripes, torch.ones_like(stripes))

    fg, bg = _distinct_colors(n, g)
    img = bg.view(n, 3, 1, 1) + (fg - bg).view(n, 3, 1, 1) * fg_weight.unsqueeze(1)

    # Clutter: small blobs of random colors anywhere (they may overlap the object).
    for _ in range(clutter):
        bx, by = uniform(-s / 2, s / 2), uniform(-s / 2, s / 2)
        br = uniform(1.0, 2.0) * scale
        blob = torch.sigmoid((br - torch.sqrt((x - bx) ** 2 + (y - by) ** 2)) / 0.6).unsqueeze(1)
        color = torch.rand(n, 3, 1, 1, generator=g)
        img = img * (1 - blob) + color * blob
    img = img + noise * torch.randn(img.shape, generator=g)
    return img.clamp_(0.0, 1.0)


def _generator(seed: int, stream: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed * 1_000_003 + stream)


def _synthetic(n: int, image_size: int, seed: int, stream: int, noise: float, clutter: int) -> ImageData:
    g = _generator(seed, stream)
    c = len(SYNTHETIC_CLASSES)
    labels = (torch.arange(n) % c)[torch.randperm(n, generator=g)]  # balanced to within one image
    chunks = [_render(labels[i : i + 2048], image_size, g, noise, clutter) for i in range(0, n, 2048)]
    images = torch.cat(chunks) if chunks else torch.zeros(0, 3, image_size, image_size)
    return ImageData(images.contiguous(), labels, SYNTHETIC_CLASSES)


#: At most this many clutter blobs: each one is a pass over every image, and far fewer already
#: cover the whole picture (a blob is 1-2 px across in a 32 px image).
MAX_CLUTTER = 100
#: Float maps per image that drawing a chunk of images holds at its peak (measured: about 20-25).
_RENDER_MAPS = 24
_CHUNK = 2048


def _check_nuisance(noise: float, clutter: int) -> tuple[float, int]:
    noise = check_number("noise", noise, 0, 1)  # the pixel noise's standard deviation
    return float(noise), check_int("clutter", clutter, 0, MAX_CLUTTER)


def _check_synthetic_memory(call: str, sizes: Sequence[int], image_size: int) -> None:
    """Refuse a request whose images cannot fit, before drawing any (estimate, not a measurement)."""
    pixels = image_size * image_size
    images = sum(sizes) * 3 * pixels * 4
    drawing = min(max(sizes), _CHUNK) * pixels * 4 * _RENDER_MAPS
    check_memory(
        call,
        2 * images + drawing,  # the chunks and their concatenation coexist for a moment
        f"{sum(sizes):,} images x 3 x {image_size} x {image_size} x 4 bytes, twice while they are assembled, "
        f"plus {_RENDER_MAPS} float maps per image of a {_CHUNK}-image drawing chunk",
        "ask for fewer or smaller images",
    )


def synthetic(n: int, *, image_size: int = 32, seed: int = 0, noise: float = 0.04, clutter: int = 2) -> ImageData:
    """``n`` procedurally drawn images (ten *shape x texture* classes), balanced, deterministic for a seed.

    ``noise``: standard deviation of the Gaussian pixel noise; ``clutter``: number of random blobs.
    """
    n = check_int("n", n, 0)
    image_size = check_int("image_size", image_size, 16)
    seed = check_int("seed", seed, 0)
    nuisance = _check_nuisance(noise, clutter)
    _check_synthetic_memory(f"synthetic(n={n:,}, image_size={image_size})", [n], image_size)
    return _synthetic(n, image_size, seed, 0, *nuisance)


def synthetic_splits(n_train: int, n_val: int, *, image_size: int = 32, seed: int = 0, noise: float = 0.04,
                     clutter: int = 2) -> tuple[ImageData, ImageData]:
    """Independent training and validation sets (separate random streams of the same seed)."""
    n_train = check_int("n_train", n_train, 1)
    n_val = check_int("n_val", n_val, 1)
    image_size = check_int("image_size", image_size, 16)
    seed = check_int("seed", seed, 0)
    nuisance = _check_nuisance(noise, clutter)
    _check_synthetic_memory(f"synthetic_splits(n_train={n_train:,}, n_val={n_val:,}, image_size={image_size})",
                            [n_train, n_val], image_size)
    return _synthetic(n_train, image_size, seed, 0, *nuisance), _synthetic(n_val, image_size, seed, 1, *nuisance)


NORMALIZE_MEAN = 0.5
NORMALIZE_STD = 0.25


def normalize(images: Tensor) -> Tensor:
    """Map [0, 1] images to roughly zero mean, unit variance: ``(x - 0.5) / 0.25``.

    One fixed affine map for every data set (the synthetic colors are uniform in [0, 1], so
    their per-channel mean is 0.5 and their spread about 0.25-0.3; CIFAR-10 is close to that).
    """
    if not isinstance(images, Tensor) or images.dim() != 4:
        raise ValueError(f"images must be a (N, C, H, W) tensor, got {getattr(images, 'shape', type(images).__name__)!r}")
    if not images.is_floating_point():
        # uint8 images (0..255) would come out as values up to ~1018 without a word
        raise TypeError(
            f"images must be floating point in [0, 1], got dtype {images.dtype}: "
            f"scale 8-bit images first with images.float() / 255"
        )
    return (images - NORMALIZE_MEAN) / NORMALIZE_STD


# ----------------------------------------------------------------------------- CIFAR-10
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_MD5 = "c58f30108f718f92721af3b95e74349a"
CIFAR10_FILENAME = "cifar-10-python.tar.gz"
CIFAR10_CLASSES: tuple[str, ...] = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)
_CIFAR10_MEMBERS = {
    "train": tuple(f"cifar-10-batches-py/data_batch_{i}" for i in range(1, 6)),
    "test": ("cifar-10-batches-py/test_batch",),
}


class DataError(RuntimeError):
    """A data file could not be obtained or is not what it should be."""


def default_cache_dir() -> Path:
    """``$INCEPTION_DATA`` if set, else ``~/.cache/inception-notebooks``."""
    env = os.environ.get("INCEPTION_DATA")
    return Path(env) if env else Path.home() / ".cache" / "inception-notebooks"


def _md5(path: Path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _download(url: str, dest: Path) -> None:
    tmp = dest.with_suffix(dest.suffix + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as r, open(tmp, "wb") as f:
            while block := r.read(1 << 20):
                f.write(block)
    except (urllib.error.URLError, OSError) as e:
        tmp.unlink(missing_ok=True)
        raise DataError(
            f"could not download CIFAR-10 from {url} ({e}). Without internet, place "
            f"{dest.name} in the cache directory yourself, or use inception.data.synthetic()."
        ) from e
    tmp.replace(dest)


class _BatchUnpickler(pickle.Unpickler):
    """Only what a CIFAR batch holds: dicts, lists, bytes, and numpy arrays (no other globals)."""

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),  # how protocol-2 pickles written by Python 3 store bytes
    }

    def find_class(self, module: str, name: str):
        if (module, name) not in self._ALLOWED:
            raise DataError(f"unexpected object {module}.{name} in a CIFAR-10 batch")
        return super().find_class(module, name)


def _read_batch(tar: tarfile.TarFile, member: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        f = tar.extractfile(member)
    except KeyError as e:
        raise DataError(f"the archive has no member {member!r}: not the CIFAR-10 python archive") from e
    if f is None:
        raise DataError(f"archive member {member!r} is not a file")
    # The batches are Python-2 pickles; encoding="bytes" is the only way to read them.
    batch = _BatchUnpickler(io.BytesIO(f.read()), encoding="bytes").load()
    data = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
    labels = np.asarray(batch[b"labels"], dtype=np.int64)
    if labels.shape[0] != data.shape[0]:
        raise DataError(f"{member}: {data.shape[0]} images but {labels.shape[0]} labels")
    return data, labels


def cifar10(root: str | Path | None = None, *, split: str = "train", download: bool = True) -> ImageData:
    """CIFAR-10 (Krizhevsky 2009): 50,000 training or 10,000 test images, 32x32 RGB, 10 classes.

    The official python archive is downloaded once into ``root`` (default
    :func:`default_cache_dir`), its MD5 checked, and only the known batch files are read.
    """
    if not isinstance(split, str) or split not in _CIFAR10_MEMBERS:
        raise ValueError(f"split must be one of {sorted(_CIFAR10_MEMBERS)}, got {split!r}")
    download = check_bool("download", download)
    if root is not None and not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a folder path (str or Path) or None, got {type(root).__name__}")
    root = Path(root) if root is not None else default_cache_dir()
    if root.exists() and not root.is_dir():
        raise ValueError(f"root must be a folder (where the archive is cached), but {root} is a file")
    path = root / CIFAR10_FILENAME
    if path.exists() and not path.is_file():
        raise DataError(f"{path} is a folder, not the CIFAR-10 archive: remove or rename it")
    if not path.exists():
        if not download:
            raise FileNotFoundError(
                f"{CIFAR10_FILENAME} not found in the cache directory and download=False; "
                f"call cifar10(download=True) or fetch {CIFAR10_URL}"
            )
        root.mkdir(parents=True, exist_ok=True)
        _download(CIFAR10_URL, path)
    digest = _md5(path)
    if digest != CIFAR10_MD5:
        raise DataError(
            f"{CIFAR10_FILENAME} has MD5 {digest}, expected {CIFAR10_MD5}: the file is corrupt or "
            f"incomplete; delete it and download again"
        )
    with tarfile.open(path, "r:gz") as tar:
        parts = [_read_batch(tar, m) for m in _CIFAR10_MEMBERS[split]]
    images = torch.from_numpy(np.concatenate([p[0] for p in parts])).float().div_(255.0)
    labels = torch.from_numpy(np.concatenate([p[1] for p in parts]))
    if labels.numel() and (labels.min() < 0 or labels.max() >= len(CIFAR10_CLASSES)):
        raise DataError("CIFAR-10 labels outside 0..9")
    return ImageData(images, labels, CIFAR10_CLASSES)
