"""torchvision's ImageNet GoogLeNet weights, loaded without torchvision.

The checkpoint is fetched once into torch's hub cache (``torch.hub.get_dir()/checkpoints``),
checked against the SHA-256 prefix in its file name, and read with
``torch.load(..., weights_only=True)`` (no pickled code runs). Offline, or on a bad hash,
the error says what happened and where to put the file by hand.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

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


def load_state_dict_file(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """Read a state dict with ``weights_only=True``, with a clear error if that fails."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise CheckpointError(f"Could not read {path} as a weights-only checkpoint: {exc}") from exc
    if not isinstance(state, dict):
        raise CheckpointError(f"{path} does not hold a state dict (got {type(state).__name__})")
    return state


def load_into(model: nn.Module, state: dict[str, torch.Tensor], *, source: str = "checkpoint") -> None:
    """``load_state_dict(strict=True)``, raising an error that lists missing and unexpected keys."""
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
