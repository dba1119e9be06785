"""The project's own trained mini-GoogLeNet, and a random control with the same architecture.

``resources/mini_googlenet.pt`` is a plain state dict (read with ``torch.load(weights_only=True)``),
``resources/mini_googlenet.json`` says how it was made: the configuration, the command that
reproduces it (``python -m inception.experiments.train_checkpoint``), the seed, the data, the
accuracy, and the library versions.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Sequence

import torch

from ._checks import check_int
from .model import IMAGENET_MEAN, IMAGENET_STD, GoogLeNet, googlenet
from .weights import CheckpointError, load_into, load_state_dict_file

__all__ = [
    "RESOURCES",
    "MINI_CHECKPOINT",
    "MINI_SIDECAR",
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
    """The trained mini-GoogLeNet in eval mode (input: ``inception.data.normalize(images)``).

    ``sidecar`` defaults to the ``.json`` file next to ``path``.
    """
    path = Path(path) if path is not None else MINI_CHECKPOINT
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


# ---------------------------------------------------------------- ImageNet weights (optional)
def imagenet_normalize(images: torch.Tensor) -> torch.Tensor:
    """[0, 1] images -> the ImageNet-normalised input torchvision's weights expect."""
    if not isinstance(images, torch.Tensor) or images.dim() != 4 or images.shape[1] != 3:
        raise ValueError(f"images must be a (N, 3, H, W) tensor, got {getattr(images, 'shape', type(images).__name__)}")
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return (images - mean) / std


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
