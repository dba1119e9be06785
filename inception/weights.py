"""Trained weights, each described once by a :class:`WeightsSpec` (as torchvision's ``Weights``):
where the file is, its SHA-256, what it is (``meta``) and how to prepare its input (``transforms``).

- :data:`MINI_GOOGLENET`: the project's own mini-GoogLeNet, shipped in ``inception/resources``
  (``mini_googlenet.pt``, a plain state dict, and ``mini_googlenet.json``, which says how it was made:
  the configuration, the command that reproduces it, ``python -m inception.experiments.train_checkpoint``,
  the seed, the data, the accuracy and the library versions). :func:`load_mini_googlenet`, and
  :func:`random_googlenet`, the same architecture with random weights (a control).
- :data:`TORCHVISION_IMAGENET`: torchvision's ImageNet GoogLeNet weights, loaded without torchvision
  (:func:`googlenet_imagenet`). The file is fetched once into torch's hub cache
  (``torch.hub.get_dir()/checkpoints``). Offline, the error says where to put it by hand.

Every file is checked against its spec's SHA-256 before it is read, and read with
``torch.load(..., weights_only=True)`` (no pickled code runs).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import torch
from torch import nn

from ._checks import check_bool, check_int
from .model import IMAGENET_MEAN, IMAGENET_STD, GoogLeNet, googlenet

if TYPE_CHECKING:
    from .display import Table

__all__ = [
    "WeightsSpec",
    "MINI_GOOGLENET",
    "TORCHVISION_IMAGENET",
    "CheckpointError",
    "RESOURCES",
    "MINI_CHECKPOINT",
    "MINI_SIDECAR",
    "checkpoint_path",
    "fetch_checkpoint",
    "sha256_file",
    "load_state_dict_file",
    "load_into",
    "googlenet_imagenet",
    "mini_info",
    "mini_config",
    "load_mini_googlenet",
    "mini_validation_set",
    "random_googlenet",
    "calibrate_batchnorm",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "imagenet_normalize",
    "imagenet_class_names",
    "top_k",
]

RESOURCES = Path(__file__).resolve().parent / "resources"
MINI_CHECKPOINT = RESOURCES / "mini_googlenet.pt"
MINI_SIDECAR = RESOURCES / "mini_googlenet.json"
_MODEL_KEYS = ("variant", "stem", "width", "num_classes", "aux_logits")
_BUILD = "build it with `python -m inception.experiments.train_checkpoint`"  # how to get a missing file


class CheckpointError(RuntimeError):
    """A checkpoint that is missing, corrupt, or does not fit the model."""


def imagenet_normalize(images: torch.Tensor) -> torch.Tensor:
    """[0, 1] images -> the ImageNet-normalised input torchvision's weights expect."""
    if not isinstance(images, torch.Tensor) or images.dim() != 4 or images.shape[1] != 3:
        raise ValueError(f"images must be a (N, 3, H, W) tensor, got {getattr(images, 'shape', type(images).__name__)}")
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return (images - mean) / std


def _mini_normalize(images: torch.Tensor) -> torch.Tensor:
    """[0, 1] images -> the mini-GoogLeNet's input (:func:`inception.data.normalize`)."""
    from .data import normalize

    return normalize(images)


@dataclass(frozen=True)
class WeightsSpec:
    """One set of trained weights: where its file is, its hash, what it is and what input it takes.

    Exactly one of ``url`` (downloaded into a cache) and ``path`` (a file shipped with the package).
    ``sha256``: the file's SHA-256 in hex, or a prefix of it (torch.hub names files
    ``name-<first 8 hex digits>.pth``; at least 8 digits). ``meta``: what the weights are (classes,
    input size, provenance); for a packaged file with a JSON ``sidecar`` its accuracy and how it was
    made are added from there (:attr:`meta`). ``transforms``: [0, 1] images -> the network's input.
    """

    name: str
    filename: str
    sha256: str
    url: str | None = None
    path: Path | None = None
    sidecar: Path | None = None
    static_meta: Mapping[str, Any] = field(default_factory=dict)
    transforms: Callable[[torch.Tensor], torch.Tensor] = imagenet_normalize

    def __post_init__(self) -> None:
        if (self.url is None) == (self.path is None):
            raise ValueError(f"{self.name}: give exactly one of url (downloaded) and path (packaged)")
        if not re.fullmatch(r"[0-9a-f]{8,64}", self.sha256):
            raise ValueError(f"{self.name}: sha256 must be 8 to 64 lowercase hex digits, got {self.sha256!r}")

    @property
    def meta(self) -> dict[str, Any]:
        """``static_meta``, and for a packaged file its sidecar's classes, input size, accuracy and provenance."""
        meta = dict(self.static_meta)
        if self.sidecar is not None:
            info = mini_info(self.sidecar)
            acc, t = info.get("accuracy", {}), info.get("training", {})
            meta.update(categories=info.get("class_names"), num_classes=info["config"]["num_classes"],
                        image_size=info["config"].get("image_size"),
                        accuracy={"val_main": acc.get("val_main"), "n_val": acc.get("n_val")},
                        data=t.get("data"), command=info.get("command"), seed=info.get("seed"),
                        versions=info.get("versions"))
        return meta


TORCHVISION_IMAGENET = WeightsSpec(
    name="torchvision GoogLeNet, ImageNet-1k (GoogLeNet_Weights.IMAGENET1K_V1)",
    filename="googlenet-1378be20.pth",
    url="https://download.pytorch.org/models/googlenet-1378be20.pth",
    sha256="1378be20",  # torch.hub convention: the hex digits after the last "-" of the file name
    static_meta={"num_classes": 1000, "image_size": 224, "variant": "torchvision",
                 "categories": "imagenet_class_names() (needs torchvision installed)",
                 "provenance": "torchvision's GoogLeNet_Weights.IMAGENET1K_V1; its auxiliary heads were not trained"},
    transforms=imagenet_normalize,
)

MINI_GOOGLENET = WeightsSpec(
    name="inception mini-GoogLeNet (bn, small stem, width 0.125), synthetic shapes and textures",
    filename=MINI_CHECKPOINT.name,
    path=MINI_CHECKPOINT,
    # The shipped file's SHA-256: rebuilding it (train_checkpoint --update-package) prints the new one.
    sha256="a99212230ab3d3477af2159380563168d44329ba3e329117358fca71a5dd482c",
    sidecar=MINI_SIDECAR,
    static_meta={"variant": "bn", "provenance": "python -m inception.experiments.train_checkpoint"},
    transforms=_mini_normalize,
)

def checkpoint_path(spec: WeightsSpec = TORCHVISION_IMAGENET, cache_dir: str | os.PathLike | None = None) -> Path:
    """Where the checkpoint lives: ``cache_dir`` or torch's hub cache (``$TORCH_HOME/hub/checkpoints``)."""
    root = Path(cache_dir) if cache_dir is not None else Path(torch.hub.get_dir()) / "checkpoints"
    return root / spec.filename


def sha256_file(path: str | os.PathLike) -> str:
    """The SHA-256 of a file, in hex."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch_checkpoint(
    spec: WeightsSpec = TORCHVISION_IMAGENET,
    cache_dir: str | os.PathLike | None = None,
    *,
    download: bool = True,
    progress: bool = True,
) -> Path:
    """Return the path of a verified copy of the checkpoint, downloading it if allowed.

    A packaged spec (``spec.path``) is never downloaded: its file is only checked.
    """
    download, progress = check_bool("download", download), check_bool("progress", progress)
    if spec.path is not None:
        return _verified_packaged(spec)
    path = checkpoint_path(spec, cache_dir)
    by_hand = (
        f"Download {spec.url} on a machine with internet access and copy it to {path} "
        f"(its SHA-256 must start with {spec.sha256})."
    )
    if not path.exists():
        if not download:
            raise CheckpointError(f"{spec.filename} is not in the cache and download=False. {by_hand}")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            torch.hub.download_url_to_file(spec.url, str(path), hash_prefix=None, progress=progress)
        except Exception as exc:  # URLError, timeouts, HTTP errors: all mean "could not download"
            raise CheckpointError(f"Could not download {spec.url} ({type(exc).__name__}: {exc}). {by_hand}") from exc
    digest = sha256_file(path)
    if not digest.startswith(spec.sha256):
        raise CheckpointError(
            f"{path} has SHA-256 {digest[:16]}..., expected a prefix of {spec.sha256}: the file is "
            f"corrupt or not the published checkpoint. Delete it and try again, or: {by_hand}"
        )
    return path


def _verified_packaged(spec: WeightsSpec) -> Path:
    """``spec.path`` if it exists and its SHA-256 is the spec's, else a CheckpointError saying what to do."""
    path = Path(spec.path)
    if path.is_dir():
        raise CheckpointError(f"{path} is a folder, not a checkpoint file")
    if not path.is_file():
        raise CheckpointError(f"{path.name} not found: {_BUILD}")
    digest = sha256_file(path)
    if not digest.startswith(spec.sha256):
        raise CheckpointError(
            f"{path.name} has SHA-256 {digest[:16]}..., expected {spec.sha256[:16]}...: it is not the file "
            f"this package shipped (modified or corrupt), so it will not be loaded. Reinstall the package, "
            f"or rebuild it with `python -m inception.experiments.train_checkpoint --out {path.parent} "
            f"--update-package` and put the SHA-256 it prints into inception.weights.MINI_GOOGLENET"
        )
    return path


def _describe_load_failure(path: Path, exc: Exception) -> str:
    """Why ``torch.load`` failed, in words: torch's own messages can be empty, a bare number, or
    advice to switch off ``weights_only`` (which must never be passed on: it would run pickled code)."""
    if isinstance(exc, pickle.UnpicklingError) and "weights only load failed" in str(exc).lower():
        found = re.search(r"GLOBAL ([\w.]+)", str(exc))
        what = f"a Python object ({found.group(1)})" if found else "pickled data other than tensors"
        return (
            f"{path} is not a plain tensor checkpoint: it holds {what}, which weights-only loading refuses "
            f"because unpickling it could run code. It will not be loaded; if you made it yourself, save a "
            f"state dict of tensors instead (torch.save(model.state_dict(), path))"
        )
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\x80"):  # torch's zip format, or a legacy pickle
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return f"Could not read {path} as a weights-only checkpoint: the file is truncated or corrupt ({detail})"
    return (
        f"Could not read {path} as a weights-only checkpoint: it is not a PyTorch checkpoint file "
        f"({path.stat().st_size:,} bytes starting with {head!r})"
    )


def _check_state_dict(state: object, source: str) -> dict[str, torch.Tensor]:
    """``state`` if it is a dict of tensors keyed by strings, else a CheckpointError naming ``source``."""
    if not isinstance(state, dict):
        raise CheckpointError(f"{source} does not hold a state dict (got {type(state).__name__})")
    for key, value in state.items():
        if not isinstance(key, str) or not isinstance(value, torch.Tensor):
            raise CheckpointError(
                f"{source} is not a state dict of tensors: entry {key!r} is a {type(value).__name__}"
                + ("" if isinstance(key, str) else f" under a {type(key).__name__} key")
            )
    return state


def load_state_dict_file(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """Read a state dict with ``weights_only=True``, with a clear error if that fails."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path (str or Path), got {type(path).__name__}")
    path = Path(path)
    if path.is_dir():
        raise CheckpointError(f"{path} is a folder, not a checkpoint file")
    if not path.is_file():
        raise CheckpointError(f"{path} not found")
    if path.stat().st_size == 0:
        raise CheckpointError(f"{path} is empty (0 bytes): not a checkpoint (an interrupted download or save?)")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise CheckpointError(_describe_load_failure(path, exc)) from None  # torch's text advises weights_only=False
    return _check_state_dict(state, str(path))


def load_into(model: nn.Module, state: dict[str, torch.Tensor], *, source: str = "checkpoint") -> None:
    """``load_state_dict(strict=True)``, raising an error that lists missing and unexpected keys."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    state = _check_state_dict(state, source)
    own = model.state_dict()
    # BatchNorm's num_batches_tracked is absent from older checkpoints; BN fills it in itself.
    missing = sorted(k for k in own if k not in state and not k.endswith("num_batches_tracked"))
    unexpected = sorted(k for k in state if k not in own)
    shape = sorted(
        f"{k}: checkpoint {tuple(state[k].shape)} vs model {tuple(own[k].shape)}"
        for k in own
        if k in state and tuple(state[k].shape) != tuple(own[k].shape)
    )
    if missing or unexpected or shape:
        def show(items: list[str]) -> str:
            return ", ".join(items[:10]) + (f" ... ({len(items)} in all)" if len(items) > 10 else "") or "none"

        raise CheckpointError(
            f"{source} does not fit {type(model).__name__}: missing keys: {show(missing)}; "
            f"unexpected keys: {show(unexpected)}; shape mismatches: {show(shape)}"
        )
    model.load_state_dict(state, strict=True)


# ---------------------------------------------------------------- ImageNet weights (optional)
def googlenet_imagenet(
    cache_dir: str | os.PathLike | None = None,
    *,
    download: bool = True,
    aux_logits: bool = False,
    progress: bool = True,
) -> GoogLeNet:
    """The ``"torchvision"`` variant with torchvision's ImageNet weights, in eval mode.

    As torchvision does, the input is expected ImageNet-normalised (mean/std) and is
    re-scaled inside (``transform_input=True``). The checkpoint's auxiliary heads were not
    trained, so they are dropped unless ``aux_logits=True``.
    """
    aux_logits = check_bool("aux_logits", aux_logits)
    path = fetch_checkpoint(TORCHVISION_IMAGENET, cache_dir, download=download, progress=progress)
    state = load_state_dict_file(path)
    build = lambda aux: googlenet(  # noqa: E731
        "torchvision", num_classes=1000, aux_logits=aux, transform_input=True, init_weights=False
    )
    model = build(True)
    load_into(model, state, source=str(path))  # checks the whole checkpoint, heads included
    if not aux_logits:
        model = build(False)
        load_into(model, {k: v for k, v in state.items() if not k.startswith(("aux1.", "aux2."))}, source=str(path))
    return model.eval()


# ---------------------------------------------------------------- the project's mini-GoogLeNet
def _check_info(info: object, source: str) -> dict[str, Any]:
    """A sidecar's content: a JSON object with ``config`` (the model keys) and ``accuracy``."""
    if not isinstance(info, dict):
        raise CheckpointError(f"{source} must hold a JSON object with 'config' and 'accuracy', got {type(info).__name__}")
    missing = [k for k in ("config", "accuracy") if k not in info]
    if missing:
        raise CheckpointError(f"{source} lacks {missing}")
    if not isinstance(info["config"], dict):
        raise CheckpointError(f"{source}: 'config' must be a JSON object, got {type(info['config']).__name__}")
    missing = [k for k in _MODEL_KEYS if k not in info["config"]]
    if missing:
        raise CheckpointError(f"{source}: 'config' lacks {missing} (needed to rebuild the network: {list(_MODEL_KEYS)})")
    return info


def mini_info(sidecar: str | os.PathLike | None = None) -> dict[str, Any]:
    """The checkpoint's JSON sidecar: config, accuracy, command, seed, versions."""
    path = Path(sidecar) if sidecar is not None else MINI_SIDECAR
    if path.is_dir():
        raise CheckpointError(f"{path} is a folder, not the checkpoint's JSON sidecar")
    if not path.is_file():
        raise CheckpointError(f"{path.name} not found: {_BUILD}")
    try:
        info = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CheckpointError(
            f"{path.name} is not a UTF-8 text file (byte {exc.start} is {exc.object[exc.start:exc.start + 1]!r}), "
            f"so not the checkpoint's JSON sidecar"
        ) from None
    except json.JSONDecodeError as exc:
        raise CheckpointError(f"{path.name} is not valid JSON: {exc}") from exc
    return _check_info(info, path.name)


def mini_config(info: dict[str, Any] | None = None) -> dict[str, Any]:
    """Keyword arguments of :func:`inception.googlenet` that rebuild the checkpoint's network."""
    cfg = (_check_info(info, "info") if info is not None else mini_info())["config"]
    return {k: cfg[k] for k in _MODEL_KEYS}


def _build(info: dict[str, Any], source: str, **options: Any) -> GoogLeNet:
    """The sidecar's network; a config googlenet() refuses is the sidecar's fault, so say so."""
    try:
        return googlenet(**mini_config(info), **options)
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"{source}: its 'config' does not describe a valid network: {exc}") from None


def load_mini_googlenet(path: str | os.PathLike | None = None, sidecar: str | os.PathLike | None = None) -> GoogLeNet:
    """The trained mini-GoogLeNet in eval mode (input: ``MINI_GOOGLENET.transforms(images)``,
    i.e. ``inception.data.normalize(images)``).

    Without ``path``: the packaged file, checked against ``MINI_GOOGLENET.sha256`` first. With
    ``path``: your own build (``train_checkpoint --out DIR``), read as it is. ``sidecar`` defaults
    to the ``.json`` file next to the checkpoint.
    """
    if path is None:
        spec = MINI_GOOGLENET
        path = _verified_packaged(spec)
        if sidecar is None and spec.sidecar is not None:
            sidecar = spec.sidecar
    path = Path(path)
    # The checkpoint first: a missing .pt must be reported as such, not as its missing sidecar.
    if path.is_dir():
        raise CheckpointError(f"{path} is a folder, not a checkpoint file")
    if not path.is_file():
        raise CheckpointError(f"{path.name} not found: {_BUILD}")
    if sidecar is None:
        sidecar = path.with_suffix(".json")
        if not sidecar.is_file() and not sidecar.is_dir():
            raise CheckpointError(f"{sidecar.name}, the JSON sidecar expected next to {path.name}, not found: {_BUILD}")
    info = mini_info(sidecar)
    model = _build(info, Path(sidecar).name, init_weights=False)
    load_into(model, load_state_dict_file(path), source=path.name)
    return model.eval()


def mini_validation_set(info: dict[str, Any] | None = None):
    """The checkpoint's validation images, rebuilt from its JSON (``inception.data.synthetic_splits``'s
    validation stream depends only on the number of images, the size and the seed)."""
    from .data import synthetic_splits

    info = _check_info(info, "info") if info is not None else mini_info()
    t = info.get("training")
    if not isinstance(t, dict) or any(k not in t for k in ("n_val", "image_size", "seed")):
        raise CheckpointError("info['training'] must be a JSON object with 'n_val', 'image_size' and 'seed'")
    return synthetic_splits(1, t["n_val"], image_size=t["image_size"], seed=t["seed"])[1]


@torch.no_grad()
def calibrate_batchnorm(model: GoogLeNet, inputs: torch.Tensor, *, batch_size: int = 256) -> GoogLeNet:
    """Re-estimate every BatchNorm's running mean and variance on ``inputs`` (weights untouched).

    A freshly initialised network still has BatchNorm's initial statistics (mean 0, variance 1),
    so in eval mode its activations shrink layer by layer; measuring them on real inputs gives
    a fair random control: random filters, but activations at the scale a trained network sees.
    """
    if not isinstance(model, GoogLeNet):
        raise TypeError(f"model must be an inception GoogLeNet, got {type(model).__name__}")
    if not isinstance(inputs, torch.Tensor):
        raise TypeError(f"inputs must be a tensor of model inputs (N, C, H, W), got {type(inputs).__name__}")
    batch_size = check_int("batch_size", batch_size, 1)
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    saved = [(m, m.momentum) for m in bns]
    was_training = model.training
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average over all batches
    model.train()
    try:
        for i in range(0, inputs.shape[0], batch_size):
            model.forward_features(inputs[i : i + batch_size])
    finally:
        for m, mom in saved:
            m.momentum = mom
        model.train(was_training)
    return model


def random_googlenet(seed: int = 0, calibrate_on: torch.Tensor | None = None,
                     info: dict[str, Any] | None = None) -> GoogLeNet:
    """The checkpoint's architecture with random weights (its variant's initialisation), eval mode.

    ``calibrate_on``: model inputs (already normalised) on which to estimate BatchNorm statistics.
    """
    seed = check_int("seed", seed, 0)
    if calibrate_on is not None and not isinstance(calibrate_on, torch.Tensor):
        raise TypeError(f"calibrate_on must be None or a tensor of model inputs, got {type(calibrate_on).__name__}")
    info = _check_info(info, "info") if info is not None else mini_info()
    torch.manual_seed(seed)
    model = _build(info, "info")
    if calibrate_on is not None and model.config.spec.batch_norm:
        calibrate_batchnorm(model, calibrate_on)
    return model.eval()


def imagenet_class_names() -> tuple[str, ...] | None:
    """The 1000 ImageNet class names from torchvision when it is installed, else None."""
    try:
        from torchvision.models._meta import _IMAGENET_CATEGORIES  # type: ignore[import-not-found]
    except Exception:  # torchvision missing or its private layout changed
        return None
    return tuple(_IMAGENET_CATEGORIES)


@torch.no_grad()
def top_k(model: GoogLeNet, image: torch.Tensor, *, k: int = 5, preprocess=imagenet_normalize,
          class_names: Sequence[str] | None = None) -> "Table":
    """The ``k`` most probable classes of one (3, H, W) image as a Table (rank, class, probability).

    Without class names (torchvision not installed) the class column holds the index, and says so.
    """
    from .display import Table

    k = check_int("k", k, 1)
    was_training = model.training
    model.eval()
    try:
        logits = model(preprocess(image.unsqueeze(0) if image.dim() == 3 else image[:1])).logits[0]
    finally:
        model.train(was_training)
    probs = torch.softmax(logits, 0)
    values, idx = probs.topk(min(k, probs.numel()))
    names = class_names if class_names is not None else None
    rows = [[r + 1, int(i), names[int(i)] if names else f"class {int(i)} (names need torchvision)", float(p)]
            for r, (p, i) in enumerate(zip(values, idx))]
    return Table(["rank", "index", "class", "probability"], rows, digits=3)
