"""torchvision's ImageNet GoogLeNet weights, loaded without torchvision.

The checkpoint is fetched once into torch's hub cache (``torch.hub.get_dir()/checkpoints``),
checked against the SHA-256 prefix in its file name, and read with
``torch.load(..., weights_only=True)`` (no pickled code runs). Offline, or on a bad hash,
the error says what happened and where to put the file by hand.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from ._checks import check_bool
from .model import GoogLeNet, googlenet

__all__ = [
    "CheckpointSpec",
    "TORCHVISION_IMAGENET",
    "CheckpointError",
    "checkpoint_path",
    "fetch_checkpoint",
    "load_state_dict_file",
    "load_into",
    "googlenet_imagenet",
]


@dataclass(frozen=True)
class CheckpointSpec:
    filename: str
    url: str
    sha256_prefix: str  # torch.hub convention: the hex digits after the last "-" of the file name


TORCHVISION_IMAGENET = CheckpointSpec(
    filename="googlenet-1378be20.pth",
    url="https://download.pytorch.org/models/googlenet-1378be20.pth",
    sha256_prefix="1378be20",
)


class CheckpointError(RuntimeError):
    """A checkpoint that is missing, corrupt, or does not fit the model."""


def checkpoint_path(spec: CheckpointSpec = TORCHVISION_IMAGENET, cache_dir: str | os.PathLike | None = None) -> Path:
    """Where the checkpoint lives: ``cache_dir`` or torch's hub cache (``$TORCH_HOME/hub/checkpoints``)."""
    root = Path(cache_dir) if cache_dir is not None else Path(torch.hub.get_dir()) / "checkpoints"
    return root / spec.filename


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch_checkpoint(
    spec: CheckpointSpec = TORCHVISION_IMAGENET,
    cache_dir: str | os.PathLike | None = None,
    *,
    download: bool = True,
    progress: bool = True,
) -> Path:
    """Return the path of a verified copy of the checkpoint, downloading it if allowed."""
    download, progress = check_bool("download", download), check_bool("progress", progress)
    path = checkpoint_path(spec, cache_dir)
    by_hand = (
        f"Download {spec.url} on a machine with internet access and copy it to {path} "
        f"(its SHA-256 must start with {spec.sha256_prefix})."
    )
    if not path.exists():
        if not download:
            raise CheckpointError(f"{spec.filename} is not in the cache and download=False. {by_hand}")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            torch.hub.download_url_to_file(spec.url, str(path), hash_prefix=None, progress=progress)
        except Exception as exc:  # URLError, timeouts, HTTP errors: all mean "could not download"
            raise CheckpointError(f"Could not download {spec.url} ({type(exc).__name__}: {exc}). {by_hand}") from exc
    digest = _sha256(path)
    if not digest.startswith(spec.sha256_prefix):
        raise CheckpointError(
            f"{path} has SHA-256 {digest[:16]}..., expected a prefix of {spec.sha256_prefix}: the file is "
            f"corrupt or not the published checkpoint. Delete it and try again, or: {by_hand}"
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
