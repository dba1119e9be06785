"""Training a GoogLeNet with its auxiliary classifiers, recording what section 5 of the paper is about.

Per optimisation step: the total, main and auxiliary losses and the gradient norm of every
stage (the three stem convolutions and the nine Inception blocks, bottom to top). Per epoch:
the training accuracy (running, in training mode) and validation accuracy of the main head and
of both auxiliary heads. The result is a :class:`History` that saves to / loads from JSON and
plots itself.

With ``aux_weight=0`` the auxiliary heads are still trained, as *probes* on detached features
(``probe_aux=True``): their loss does not reach the trunk, so the network is trained by the
main loss alone, yet their accuracy still measures how discriminative the features at 4a and
4d are. That makes the auxiliary-head accuracy comparable between arms. The rule holds per
head: with ``aux_weight=(0, 0.3)`` aux1 is a probe and only aux2 trains the trunk.

The optimiser is SGD with momentum (default) or AdamW, with an optional linear warm-up before
the per-step cosine decay (:func:`lr_schedule`).
"""

from __future__ import annotations

import json
import math
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import torch
from torch import Tensor, nn

from ._checks import check_bool, check_int, check_number
from .architecture import AUX_HEADS, LAYER_NAMES, long_name
from .data import ImageData, normalize
from .model import GoogLeNet, aux_weight_pair, googlenet, googlenet_loss
from .display import subplots

__all__ = [
    "GRAD_LAYERS",
    "HEADS",
    "OPTIMIZERS",
    "DEVICES",
    "History",
    "train",
    "evaluate",
    "make_model",
    "stage_modules",
    "deterministic",
    "lr_schedule",
    "warmup_steps",
    "resolve_device",
]

#: Layers whose gradient norm is recorded, from the input upwards: every layer of the trunk
#: (:data:`inception.architecture.LAYER_NAMES`, short names).
GRAD_LAYERS: tuple[str, ...] = LAYER_NAMES
#: The classifiers whose accuracy ``evaluate`` reports: the main head, then the auxiliary heads.
HEADS: tuple[str, ...] = ("main", *AUX_HEADS)
#: Optimisers ``train`` knows, by the name its ``optimizer`` argument takes.
OPTIMIZERS: tuple[str, ...] = ("sgd", "adamw")
#: Devices ``train`` and ``make_model`` accept by name (or pass a ``torch.device``).
DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda", "mps")


def stage_modules(model: GoogLeNet) -> dict[str, nn.Module]:
    """The modules of :data:`GRAD_LAYERS` by short name (stem convolutions and Inception blocks)."""
    return {s: getattr(model, long_name(s)) for s in GRAD_LAYERS}


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """The ``torch.device`` for ``device``: ``"auto"`` picks cuda, then mps, then cpu.

    Asking for an unavailable accelerator is an error, not a silent fall-back to the CPU:
    a run that was meant for a GPU would otherwise take hours without a word.
    """
    if isinstance(device, torch.device):
        kind = device.type
    elif isinstance(device, str) and device in DEVICES:
        kind = device
    else:
        raise ValueError(f"device must be one of {list(DEVICES)} or a torch.device, got {device!r}")
    if kind == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "mps" if _mps_available() else "cpu")
    if kind not in DEVICES:
        raise ValueError(f"device must be one of {list(DEVICES)} or a torch.device, got {device!r}")
    if kind == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was asked for but torch.cuda.is_available() is False "
                         f"(this torch build: {torch.__version__})")
    if kind == "mps" and not _mps_available():
        raise ValueError(f"device={device!r} was asked for but torch.backends.mps.is_available() is False "
                         f"(this torch build: {torch.__version__})")
    return device if isinstance(device, torch.device) else torch.device(kind)


def make_model(variant: str = "bn", *, width: float = 0.125, num_classes: int = 10, seed: int = 0,
               device: str | torch.device = "cpu", **options: Any) -> GoogLeNet:
    """A small-input GoogLeNet (``stem="small"``) with both auxiliary heads, initialised from ``seed``.

    ``options`` go to :func:`~inception.model.googlenet` (e.g. ``init="kaiming"``). The weights are
    drawn on the CPU and then moved to ``device``, so a seed gives the same network everywhere.
    """
    dev = resolve_device(device)  # checked before the (possibly slow) construction
    torch.manual_seed(seed)
    model = googlenet(variant, stem="small", width=width, num_classes=num_classes, aux_logits=True, **options)
    return model if dev.type == "cpu" else model.to(dev)


def warmup_steps(total: int, warmup: float) -> int:
    """Steps of linear warm-up: ``warmup * total`` rounded, at least 1 if ``warmup > 0``, and
    leaving at least one step for the cosine decay."""
    total = check_int("total", total, 1)
    warmup = check_number("warmup", warmup, 0, 1, max_open=True)
    if warmup == 0:
        return 0
    return max(0, min(max(1, round(warmup * total)), total - 1))


def lr_schedule(total: int, warmup: float = 0.0) -> Callable[[int], float]:
    """The learning-rate multiplier of step ``k`` (0-based) for ``total`` steps.

    ``w = warmup_steps(total, warmup)`` steps ramp linearly, ``(k + 1) / w`` (from lr/w to lr),
    then a cosine decays from 1 to 0 over the remaining ``total - w`` steps. With ``warmup=0``
    it is exactly the cosine ``train`` always used: ``0.5 (1 + cos(pi k / total))``.
    """
    total = check_int("total", total, 1)
    w = warmup_steps(total, warmup)
    span = total - w

    def multiplier(k: int) -> float:
        if k < w:
            return (k + 1) / w
        return 0.5 * (1 + math.cos(math.pi * (min(k, total) - w) / span))

    return multiplier


@contextmanager
def deterministic(threads: int | None = None, *, warn_only: bool = False) -> Iterator[None]:
    """Deterministic algorithms (and optionally a thread count) for the duration of a block.

    ``threads`` is checked before anything changes, and the previous settings come back however
    the block ends (even if switching fails half-way). ``warn_only``: an operation without a
    deterministic implementation warns instead of raising (needed on CUDA, where adaptive
    average pooling's backward has none).
    """
    if threads is not None:
        threads = check_int("threads", threads, 1)
    warn_only = check_bool("warn_only", warn_only)
    old_det = torch.are_deterministic_algorithms_enabled()
    old_warn = torch.is_deterministic_algorithms_warn_only_enabled()
    old_threads = torch.get_num_threads()
    try:
        torch.use_deterministic_algorithms(True, warn_only=warn_only)
        if threads is not None:
            torch.set_num_threads(threads)
        yield
    finally:
        torch.use_deterministic_algorithms(old_det, warn_only=old_warn)
        torch.set_num_threads(old_threads)


# ----------------------------------------------------------------------------- history
@dataclass
class History:
    """Everything one training run recorded (plain lists, JSON-ready).

    ``steps``: per-step ``"loss"`` (the optimised total), ``"main"``, ``"aux1"``, ``"aux2"``
    (cross-entropy of each head); ``grad_norm[stage]``: per-step L2 norm of the gradient of
    that stage's parameters. ``epochs``: per-epoch ``"train_main"``, ``"val_main"``,
    ``"train_aux1"`` ... (accuracies in [0, 1]). ``config``: the run's settings.
    ``seconds`` is wall-clock time (not deterministic: never print it in a checked output).
    """

    config: dict[str, Any]
    steps: dict[str, list[float]] = field(default_factory=dict)
    grad_norm: dict[str, list[float]] = field(default_factory=dict)
    epochs: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def label(self) -> str:
        c = self.config
        return f"{c.get('variant', '?')} aux {c.get('aux_weight', '?')} seed {c.get('seed', '?')}"

    @property
    def num_steps(self) -> int:
        return len(self.steps.get("loss", []))

    def final(self, key: str = "val_main") -> float:
        """The last epoch's value of ``key`` (e.g. ``"val_main"``, ``"val_aux1"``)."""
        if key not in self.epochs or not self.epochs[key]:
            raise KeyError(f"key must be one of {sorted(self.epochs)}, got {key!r}")
        return self.epochs[key][-1]

    def mean_grad_norm(self, stage: str, *, first: int | None = None) -> float:
        """Mean gradient norm of ``stage`` over all steps (or the ``first`` steps)."""
        if stage not in self.grad_norm:
            raise KeyError(f"stage must be one of {list(self.grad_norm)}, got {stage!r}")
        values = self.grad_norm[stage][:first] if first else self.grad_norm[stage]
        return sum(values) / len(values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "History":
        missing = {"config", "steps", "grad_norm", "epochs"} - set(d)
        if missing:
            raise ValueError(f"not a History: missing keys {sorted(missing)}")
        return cls(d["config"], d["steps"], d["grad_norm"], d["epochs"], float(d.get("seconds", 0.0)))

    def to_json(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.to_dict()))
        return path

    @classmethod
    def from_json(cls, path: str | Path) -> "History":
        return cls.from_dict(json.loads(Path(path).read_text()))

    def plot(self, *, smooth: int = 10):
        """Losses per step, accuracies per epoch, mean gradient norm by stage; returns the Figure."""

        fig, axes = subplots(1, 3, figsize=(11, 3.0), dpi=80)
        for key in ("main", "aux1", "aux2"):
            y = [v for v in self.steps.get(key, []) if v is not None]
            if y:
                axes[0].plot(_smooth(y, smooth), label=f"{key} loss")
        axes[0].set_xlabel("step")
        axes[0].set_ylabel("cross-entropy")
        axes[0].legend(fontsize=7)
        ep = list(range(1, len(self.epochs.get("val_main", [])) + 1))
        for head, style in zip(HEADS, ("-", "--", ":")):
            for split, color in (("train", "tab:blue"), ("val", "tab:orange")):
                y = self.epochs.get(f"{split}_{head}")
                if y:
                    axes[1].plot(ep, y, style, color=color, label=f"{split} {head}")
        axes[1].set_xlabel("epoch")
        axes[1].set_ylabel("accuracy")
        axes[1].legend(fontsize=6, ncol=2)
        stages = list(self.grad_norm)
        axes[2].bar(range(len(stages)), [self.mean_grad_norm(s) for s in stages])
        axes[2].set_xticks(range(len(stages)), stages, rotation=60, fontsize=7)
        axes[2].set_yscale("log")
        axes[2].set_ylabel("mean gradient norm")
        fig.suptitle(self.label, fontsize=10)
        fig.tight_layout()
        return fig


def _smooth(y: list[float], k: int) -> list[float]:
    if k <= 1 or len(y) < k:
        return list(y)
    out, acc = [], 0.0
    for i, v in enumerate(y):
        acc += v
        if i >= k:
            acc -= y[i - k]
        out.append(acc / min(i + 1, k))
    return out


# ----------------------------------------------------------------------------- evaluation
def _features_and_aux(model: GoogLeNet, x: Tensor) -> tuple[Tensor, Tensor | None, Tensor | None]:
    """Main logits and both auxiliary logits (None without heads), in whatever mode the model is in.

    In eval mode ``GoogLeNet.forward`` skips the auxiliary heads (they are discarded at
    inference, section 5); ``forward_intermediates`` runs them when they are named.
    """
    last = long_name(GRAD_LAYERS[-1])
    heads = [h for h in AUX_HEADS if getattr(model, h) is not None]
    out = model.forward_intermediates(x, [last, *heads])
    return model.forward_head(out[last]), out.get("aux1"), out.get("aux2")


def _model_device(model: nn.Module) -> torch.device:
    p = next(model.parameters(), None)
    return p.device if p is not None else torch.device("cpu")


def evaluate(model: GoogLeNet, data: ImageData, *, batch_size: int = 256) -> dict[str, float]:
    """Accuracy (in [0, 1]) of the main head and, if present, of each auxiliary head, in eval mode.

    Runs on the model's device (batches are moved there).
    """
    if not isinstance(model, GoogLeNet):
        raise TypeError(f"model must be an inception GoogLeNet, got {type(model).__name__}")
    if not isinstance(data, ImageData):
        raise TypeError(f"data must be an ImageData, got {type(data).__name__}")
    if len(data) == 0:
        raise ValueError("data is empty")
    batch_size = check_int("batch_size", batch_size, 1)
    was_training = model.training
    model.eval()
    correct = {h: 0 for h in HEADS}
    device = _model_device(model)
    try:
        with torch.inference_mode():
            for i in range(0, len(data), batch_size):
                x = normalize(data.images[i : i + batch_size].to(device))
                y = data.labels[i : i + batch_size].to(device)
                for head, out in zip(HEADS, _features_and_aux(model, x)):
                    if out is not None:
                        correct[head] += int((out.argmax(1) == y).sum())
    finally:
        model.train(was_training)
    heads = [h for h in HEADS if h == "main" or getattr(model, h, None) is not None]
    return {h: correct[h] / len(data) for h in heads}


# ----------------------------------------------------------------------------- training
def _grad_norms(groups: dict[str, list[Tensor]]) -> dict[str, float]:
    out = {}
    for name, params in groups.items():
        grads = [p.grad for p in params if p.grad is not None]
        out[name] = float(torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))) if grads else 0.0
    return out


def _check_args(model: nn.Module, train_data: Any, val_data: Any, hyper: dict[str, Any]) -> dict[str, Any]:
    """Check everything ``train`` is given before a single step runs; return the numbers as plain Python.

    NaN and infinite hyper-parameters are refused: SGD accepts them and silently returns NaN weights.
    """
    if not isinstance(model, GoogLeNet):
        raise TypeError(f"model must be an inception GoogLeNet, got {type(model).__name__}")
    for name, d in (("train_data", train_data), ("val_data", val_data)):
        if not isinstance(d, ImageData):
            raise TypeError(f"{name} must be an ImageData, got {type(d).__name__}")
        if len(d) == 0:
            raise ValueError(f"{name} is empty")
        if d.num_classes != model.fc.out_features:
            raise ValueError(f"{name} has {d.num_classes} classes but the model outputs {model.fc.out_features}")
    h = dict(hyper)
    for name in ("epochs", "batch_size"):
        h[name] = check_int(name, h[name], 1)
    h["seed"] = check_int("seed", h["seed"], 0)
    h["aux_weight"] = aux_weight_pair(h["aux_weight"])
    h["lr"] = check_number("lr", h["lr"], 0, min_open=True)
    h["momentum"] = check_number("momentum", h["momentum"], 0, 1, max_open=True)
    h["weight_decay"] = check_number("weight_decay", h["weight_decay"], 0)
    if not isinstance(h["optimizer"], str) or h["optimizer"] not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {list(OPTIMIZERS)}, got {h['optimizer']!r}")
    h["warmup"] = check_number("warmup", h["warmup"], 0, 1, max_open=True)
    h["device"] = resolve_device(h["device"])
    for name in ("probe_aux", "channels_last"):
        h[name] = check_bool(name, h[name])
    if not (h["progress"] is None or isinstance(h["progress"], bool)):
        raise TypeError(f"progress must be True or False, got {h['progress']!r} (to drive a widget of your own, "
                        f"pass callback=lambda step, total, history: ...)")
    if h["callback"] is not None and not callable(h["callback"]):
        raise TypeError(f"callback must be None or a function (step, total_steps, history), got {h['callback']!r}")
    return h


def train(
    model: GoogLeNet,
    train_data: ImageData,
    val_data: ImageData,
    *,
    epochs: int,
    aux_weight: float | tuple[float, float] = 0.3,
    batch_size: int = 128,
    lr: float = 0.05,
    momentum: float = 0.9,
    weight_decay: float = 5e-4,
    seed: int = 0,
    probe_aux: bool = True,
    channels_last: bool = True,
    progress: bool = False,
    callback: Callable[[int, int, "History"], None] | None = None,
    optimizer: str = "sgd",
    warmup: float = 0.0,
    device: str | torch.device = "cpu",
) -> History:
    """Train ``model`` in place (SGD or AdamW, cosine learning-rate decay); return its History.

    ``aux_weight`` multiplies each auxiliary loss (the paper uses 0.3, section 5); a pair
    ``(aux1_weight, aux2_weight)`` weights the heads separately. A head whose weight is 0 is,
    with ``probe_aux=True``, trained on detached features (see the module docstring).
    ``optimizer``: ``"sgd"`` (with ``momentum``, coupled L2 ``weight_decay``) or ``"adamw"``
    (default betas, decoupled ``weight_decay``; ``momentum`` unused). ``warmup``: the fraction
    of all steps spent ramping the learning rate linearly up to ``lr`` before the cosine decay
    (:func:`lr_schedule`). ``device``: one of :data:`DEVICES` or a ``torch.device``; the model
    is moved there, and so is every batch. ``seed`` fixes batch order and dropout. ``progress``: ``True``
    shows a ``tqdm.auto`` progress bar (a widget in Jupyter, a line on stderr elsewhere).
    ``callback(step, total_steps, history)`` is called after every step: a widget of your own
    (e.g. notebook 04's explorer's ``IntProgress``) is driven from there. The model ends in eval mode.
    Inputs are ``normalize(images)``. ``channels_last`` stores activations NHWC, which
    oneDNN's CPU convolutions and pooling run about 1.5x faster (results identical in
    distribution, not bit-identical to NCHW).

    The recipe notebook 04's ablation uses (``aux_ablation.RECIPE``), measured at width 0.125 on the
    32 px synthetic set: ``optimizer="adamw"``, ``warmup=0.05``, ``weight_decay=1e-4``, batch 128,
    lr about 2e-3 (swept per arm), and ``init="kaiming"`` for the ``paper`` variant. With it both
    variants train to 0.7-0.9 validation accuracy in 8 epochs of 6,000 images. The defaults here
    (SGD, no warm-up) are the classic recipe; they train ``bn`` more slowly (0.46 where AdamW
    reached 0.69 in one measurement). At this width and budget the ``paper`` network with its Caffe
    fill stays at chance under either recipe, because that fill (variance 1/fan_in, conv biases 0.2)
    lets the constant biases swamp the input's signal within a few ReLU layers
    (``inception.features.signal_share`` measures it).
    """
    hyper = _check_args(model, train_data, val_data, dict(
        epochs=epochs, aux_weight=aux_weight, batch_size=batch_size, lr=lr, momentum=momentum,
        weight_decay=weight_decay, seed=seed, probe_aux=probe_aux, channels_last=channels_last,
        progress=progress, callback=callback, optimizer=optimizer, warmup=warmup, device=device))
    (epochs, weights, batch_size, lr, momentum, weight_decay, seed, probe_aux, channels_last, optimizer, warmup,
     device) = (hyper[k] for k in ("epochs", "aux_weight", "batch_size", "lr", "momentum", "weight_decay", "seed",
                                   "probe_aux", "channels_last", "optimizer", "warmup", "device"))
    n = len(train_data)
    steps_per_epoch = math.ceil(n / batch_size)
    total = epochs * steps_per_epoch
    w1, w2 = float(weights[0]), float(weights[1])
    config = {
        "variant": model.config.variant,
        "width": model.config.width,
        # one number when the heads share it (as before pairs existed), so Results.arm(v, 0.3) still finds it
        "aux_weight": w1 if w1 == w2 else [w1, w2],
        "probe_aux": bool(probe_aux),
        "epochs": epochs,
        "batch_size": batch_size,
        "lr": float(lr),
        "momentum": float(momentum) if optimizer == "sgd" else None,
        "weight_decay": float(weight_decay),
        "seed": seed,
        "n_train": n,
        "n_val": len(val_data),
        "image_size": train_data.image_size,
        "num_classes": train_data.num_classes,
        "optimizer": _describe_optimizer(optimizer, warmup),
        "aux1_weight": w1,
        "aux2_weight": w2,
        "optimizer_name": optimizer,
        "warmup": float(warmup),
        "warmup_steps": warmup_steps(total, warmup),
        "init": model.config.init_scheme if model.config.init_weights else "pytorch",
        "device": device.type,
    }
    hist = History(config, {k: [] for k in ("loss", "main", "aux1", "aux2")}, {s: [] for s in GRAD_LAYERS},
                   {f"{split}_{h}": [] for split in ("train", "val") for h in HEADS})
    stages = stage_modules(model)
    groups = {s: [p for p in m.parameters() if p.requires_grad] for s, m in stages.items()}
    model.to(device)  # before the optimiser is built: it holds the parameters it steps
    if optimizer == "adamw":
        opt: torch.optim.Optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_schedule(total, warmup))
    if channels_last:
        model.to(memory_format=torch.channels_last)
    # A head with weight 0 becomes a probe: it learns from frozen features, so its loss cannot reach the trunk.
    probes = [probe_aux and w == 0 for w in weights]
    pre_hooks = []
    for head, is_probe in zip((model.aux1, model.aux2), probes):
        if head is not None and is_probe:
            pre_hooks.append(head.register_forward_pre_hook(lambda m, args: (args[0].detach(),)))
    bar = _progress_bar(progress, total)
    torch.manual_seed(seed)  # dropout
    order_gen = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    step = 0
    try:
        for _ in range(epochs):
            model.train()
            perm = torch.randperm(n, generator=order_gen)
            correct = {h: 0 for h in HEADS}
            for i in range(0, n, batch_size):
                idx = perm[i : i + batch_size]
                x, y = normalize(train_data.images[idx].to(device)), train_data.labels[idx].to(device)
                if channels_last:
                    x = x.contiguous(memory_format=torch.channels_last)
                out = model(x)
                parts = googlenet_loss(out, y, aux_weight=weights)
                loss = parts.total
                probe_losses = [p for p, is_probe in zip((parts.aux1, parts.aux2), probes) if is_probe and p is not None]
                if probe_losses:  # sum() as before pairs existed: the (0, 0) run stays bit-identical
                    loss = loss + sum(probe_losses)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                norms = _grad_norms(groups)
                opt.step()
                sched.step()
                hist.steps["loss"].append(parts.total.item())
                for key in ("main", "aux1", "aux2"):
                    v = getattr(parts, key)
                    hist.steps[key].append(None if v is None else v.item())
                for s, v in norms.items():
                    hist.grad_norm[s].append(v)
                for head, logits in zip(HEADS, (out.logits, out.aux1, out.aux2)):
                    if logits is not None:
                        correct[head] += int((logits.argmax(1) == y).sum())
                step += 1
                if not math.isfinite(hist.steps["loss"][-1]):
                    raise FloatingPointError(
                        f"the loss became {hist.steps['loss'][-1]} at step {step}: lower lr (now {lr})"
                    )
                if bar is not None:
                    bar.update(1)
                if callback is not None:
                    callback(step, total, hist)
            val = evaluate(model, val_data)
            for h in HEADS:
                if h == "main" or getattr(model, h) is not None:
                    hist.epochs[f"train_{h}"].append(correct[h] / n)
                    hist.epochs[f"val_{h}"].append(val[h])
    finally:
        for h in pre_hooks:
            h.remove()
        if bar is not None:
            bar.close()
    hist.epochs = {k: v for k, v in hist.epochs.items() if v}
    hist.seconds = time.perf_counter() - start
    model.eval()
    return hist


def _describe_optimizer(name: str, warmup: float) -> str:
    """The ``optimizer`` entry of History.config, in words (the default's wording predates the options)."""
    parts = ["SGD" if name == "sgd" else "AdamW"]
    if warmup:
        parts.append(f"{warmup * 100:g}% linear warm-up")
    parts.append("cosine learning-rate decay to 0 per step")
    return ", ".join(parts)


def _progress_bar(progress: bool | None, total: int) -> Any:
    """A ``tqdm.auto`` bar over the ``total`` steps (a widget in Jupyter, text on stderr elsewhere), or None."""
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="training", unit="step")
