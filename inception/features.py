"""What the layers of a GoogLeNet compute: activations by name, branch energy and ablation, receptive fields.

The scale experiment (probes, tuning curves) lives in :mod:`inception.scale`.

Names are those of ``model.feature_info`` (``"conv1"`` ... ``"inception5b"``, short form
``"4a"``), a branch of an Inception block (``"inception4a.3x3"``, ``"4a.3x3"``,
``"inception4a.branch2"`` or the pair ``("inception4a", "3x3")``), or any module path of
``model.named_modules()`` (e.g. ``"inception4a.branch2.0"``, the 3x3 branch's 1x1 reduction).

Activations are captured by forward hooks inside :func:`capture`, a context manager that
removes its hooks when it exits, also when the forward pass raises.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence, Union

import numpy as np
import torch
from torch import Tensor, nn

from ._checks import check_choice, check_int
from .architecture import BRANCH_NAMES, long_name, short_name
from .display import Table, Verdict, verdict
from .model import GoogLeNet, Inception

__all__ = [
    "LayerName",
    "stage_names",
    "block_names",
    "feature_names",
    "resolve",
    "capture",
    "activations",
    "signal_share",
    "BranchEnergy",
    "branch_energy",
    "BranchAblation",
    "branch_ablation",
    "receptive_field",
    "Verdict",
    "check_receptive_field",
    "check_energy_share",
    "check_loudest_branch",
    "visualize_channels",
]

LayerName = Union[str, tuple[str, str]]
_BRANCH_ATTR = {b: f"branch{i + 1}" for i, b in enumerate(BRANCH_NAMES)}  # "3x3" -> "branch2"
_ATTR_BRANCH = {v: k for k, v in _BRANCH_ATTR.items()}


def _check_model(model: object) -> GoogLeNet:
    if not isinstance(model, GoogLeNet):
        raise TypeError(f"model must be an inception.GoogLeNet, got {type(model).__name__}")
    return model


def stage_names(model: GoogLeNet) -> list[str]:
    """The stages of ``model.feature_info``: conv1, conv2, conv3, inception3a ... inception5b."""
    return [f.module for f in _check_model(model).feature_info]


def block_names(model: GoogLeNet) -> list[str]:
    """The nine Inception blocks, bottom to top."""
    return [n for n in stage_names(model) if isinstance(getattr(model, n), Inception)]


def feature_names(model: GoogLeNet) -> list[str]:
    """Every canonical name: the stages, then ``"<block>.<branch>"`` for each block and branch."""
    return stage_names(model) + [f"{b}.{br}" for b in block_names(model) for br in BRANCH_NAMES]


def _canonical(model: GoogLeNet, name: LayerName) -> str:
    """Map the accepted spellings of a layer name to one canonical string."""
    if isinstance(name, tuple):
        if len(name) != 2 or not all(isinstance(p, str) for p in name):
            raise ValueError(f"a layer name tuple must be (block, branch), e.g. ('inception4a', '3x3'); got {name!r}")
        name = f"{name[0]}.{name[1]}"
    if not isinstance(name, str):
        raise TypeError(f"layer name must be a str or a (block, branch) tuple, got {type(name).__name__}")
    head, _, rest = long_name(name).partition(".")  # "4a" -> "inception4a"
    if rest in _ATTR_BRANCH and isinstance(getattr(model, head, None), Inception):
        rest = _ATTR_BRANCH[rest]  # "branch2" -> "3x3"
    return f"{head}.{rest}" if rest else head


def _valid_names_message(model: GoogLeNet) -> str:
    stages = ", ".join(stage_names(model))
    return (
        f"valid names: the stages {stages}; a block's branch as '<block>.<branch>' with branch in "
        f"{list(BRANCH_NAMES)} (e.g. 'inception4a.3x3', '4a.3x3', 'inception4a.branch2', "
        f"('inception4a', '3x3')); or any module path of model.named_modules()"
    )


def resolve(model: GoogLeNet, names: LayerName | Sequence[LayerName]) -> dict[str, nn.Module]:
    """Canonical name -> module for each requested name; a ValueError lists the valid names."""
    _check_model(model)
    if isinstance(names, str) or (isinstance(names, tuple) and _is_pair(names)):
        names = [names]
    elif not isinstance(names, (list, tuple)):
        raise TypeError(f"names must be a layer name or a list of them, got {type(names).__name__}")
    modules = dict(model.named_modules())
    out: dict[str, nn.Module] = {}
    for raw in names:
        name = _canonical(model, raw)
        head, _, rest = name.partition(".")
        if rest in BRANCH_NAMES and isinstance(modules.get(head), Inception):
            out[name] = modules[head].branch(rest)
        elif name in modules and name != "":
            module = modules[name]
            if module is None:
                raise ValueError(f"layer {raw!r} does not exist in this configuration; {_valid_names_message(model)}")
            out[name] = module
        else:
            raise ValueError(f"unknown layer name {raw!r}; {_valid_names_message(model)}")
    if not out:
        raise ValueError(f"names must name at least one layer; {_valid_names_message(model)}")
    return out


def _is_pair(names: tuple) -> bool:
    return len(names) == 2 and all(isinstance(p, str) for p in names) and names[1] in BRANCH_NAMES + tuple(_ATTR_BRANCH)


@contextmanager
def capture(model: GoogLeNet, names: LayerName | Sequence[LayerName]) -> Iterator[dict[str, Tensor]]:
    """Record the outputs of the named layers during the forward passes run inside the block.

    ``with capture(model, ["conv1", "4a.5x5"]) as acts: model(x)`` fills ``acts`` with detached
    tensors (the last forward pass wins). The hooks are removed on exit, even after an error.
    """
    targets = resolve(model, names)
    store: dict[str, Tensor] = {}
    handles = []

    def saver(name: str) -> Callable:
        def hook(module: nn.Module, inputs: tuple, output: Tensor) -> None:
            store[name] = output.detach()

        return hook

    try:
        for name, module in targets.items():
            handles.append(module.register_forward_hook(saver(name)))
        yield store
    finally:
        for h in handles:
            h.remove()


def _check_images(x: object) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"x must be a torch.Tensor of shape (N, 3, H, W), got {type(x).__name__}")
    if x.dim() == 3:
        x = x.unsqueeze(0)
    if x.dim() != 4:
        raise ValueError(f"x must have shape (N, C, H, W) or (C, H, W), got {tuple(x.shape)}")
    return x.float()


@torch.no_grad()
def activations(model: GoogLeNet, x: Tensor, names: LayerName | Sequence[LayerName]) -> dict[str, Tensor]:
    """One forward pass in eval mode (the model's mode is restored); canonical name -> activation,
    in the order requested."""
    x = _check_images(x)
    order = list(resolve(model, names))
    was_training = model.training
    model.eval()
    try:
        with capture(model, names) as acts:
            model(x)
    finally:
        model.train(was_training)
    return {n: acts[n] for n in order}


@torch.no_grad()
def signal_share(model: GoogLeNet, x: Tensor) -> dict[str, float]:
    """How much of each stage's output depends on the input: per stage (conv1 ... 5b, then the
    logits), the RMS over units of the between-image standard deviation, divided by the RMS of the
    activations. 1 would be all signal; near 0 every image gives almost the same output, i.e. the
    constant part (biases) has swamped what the input contributes. Needs at least 2 images."""
    x = _check_images(x)
    if x.shape[0] < 2:
        raise ValueError(f"x must hold at least 2 images (a between-image spread), got {x.shape[0]}")
    acts = activations(model, x, stage_names(model))
    was_training = model.training
    model.eval()
    try:
        logits = model(x)
    finally:
        model.train(was_training)
    acts["logits"] = logits.logits if hasattr(logits, "logits") else logits

    def share(t: Tensor) -> float:
        t = t.flatten(1).double()
        return float(t.std(0).pow(2).mean().sqrt() / t.pow(2).mean().sqrt().clamp_min(1e-30))

    return {short_name(n): share(t) for n, t in acts.items()}


# ---------------------------------------------------------------- branch energy
@dataclass(frozen=True)
class BranchEnergy:
    """Per block and branch: the share of the block output's energy (sum of squares).

    A block's output is the concatenation of its four branches, so the four shares of a
    block add up to 1. ``channel_share`` is each branch's share of the block's channels:
    a branch with ``share > channel_share`` is louder per channel than the block average.
    """

    blocks: tuple[str, ...]
    branches: tuple[str, ...]
    energy: np.ndarray  # (blocks, branches): mean over images of the summed squared activations
    channels: np.ndarray  # (blocks, branches)

    @property
    def share(self) -> np.ndarray:
        return self.energy / self.energy.sum(axis=1, keepdims=True)

    @property
    def channel_share(self) -> np.ndarray:
        return self.channels / self.channels.sum(axis=1, keepdims=True)

    def table(self, title: str | None = None) -> Table:
        rows = []
        for i, b in enumerate(self.blocks):
            rows.append([short_name(b)] + [float(v) for v in self.share[i]]
                        + [float(v) for v in self.channel_share[i]])
        cols = ["block"] + [f"energy {br}" for br in self.branches] + [f"channels {br}" for br in self.branches]
        return Table(cols, rows, title=title, digits=2)


@torch.no_grad()
def branch_energy(model: GoogLeNet, x: Tensor) -> BranchEnergy:
    """Share of activation energy of each branch of each Inception block, on images ``x``."""
    blocks = block_names(model)
    names = [f"{b}.{br}" for b in blocks for br in BRANCH_NAMES]
    acts = activations(model, x, names)
    energy = np.zeros((len(blocks), len(BRANCH_NAMES)))
    channels = np.zeros_like(energy)
    for i, b in enumerate(blocks):
        for j, br in enumerate(BRANCH_NAMES):
            a = acts[f"{b}.{br}"].double()
            energy[i, j] = float(a.pow(2).sum()) / a.shape[0]
            channels[i, j] = a.shape[1]
    return BranchEnergy(tuple(blocks), BRANCH_NAMES, energy, channels)


# ---------------------------------------------------------------- branch ablation
@dataclass(frozen=True)
class BranchAblation:
    """Validation accuracy with one branch of one block zeroed, against a random control.

    ``accuracy[b, r]``: accuracy with branch ``r`` of block ``b`` set to zero. ``control[b, r]``
    (draws,): accuracy with the same *number* of randomly chosen channels of block ``b``'s output
    zeroed, one value per draw. ``drop`` and ``control_drop`` are the losses against ``baseline``.
    """

    blocks: tuple[str, ...]
    branches: tuple[str, ...]
    baseline: float
    accuracy: np.ndarray  # (blocks, branches)
    control: np.ndarray  # (blocks, branches, draws)
    channels: np.ndarray  # (blocks, branches)
    images: int

    @property
    def drop(self) -> np.ndarray:
        return self.baseline - self.accuracy

    @property
    def control_drop(self) -> np.ndarray:
        """(blocks, branches, draws)"""
        return self.baseline - self.control

    def table(self, energy: "BranchEnergy | None" = None, title: str | None = None,
              blocks: Sequence[str] | None = None) -> Table:
        """One row per block (all, or ``blocks``) and branch: channels, accuracy drop, the random
        control's drop (mean and range over draws) and, given ``energy``, the branch's share of
        activation energy."""
        cd = self.control_drop
        short = [short_name(b) for b in self.blocks]
        if blocks is not None:
            for b in blocks:
                check_choice("blocks", short_name(b), short)
        rows = []
        for i, b in enumerate(self.blocks):
            if blocks is not None and short[i] not in [short_name(x) for x in blocks]:
                continue
            for j, br in enumerate(self.branches):
                row = [short[i], br, int(self.channels[i, j]), float(self.drop[i, j]),
                       float(cd[i, j].mean()), f"{cd[i, j].min():.3f} to {cd[i, j].max():.3f}"]
                if energy is not None:
                    row.append(float(energy.share[energy.blocks.index(b), energy.branches.index(br)]))
                rows.append(row)
        cols = ["block", "branch", "channels", "accuracy drop", "random: mean drop", "random: range"]
        return Table(cols + (["energy share"] if energy is not None else []), rows, title=title, digits=3)


@torch.no_grad()
def branch_ablation(model: GoogLeNet, images: Tensor, labels: Tensor, *,
                    preprocess: Callable[[Tensor], Tensor] | None = None, draws: int = 4, seed: int = 0,
                    blocks: Sequence[str] | None = None, batch_size: int = 250) -> BranchAblation:
    """Zero one branch of one block at a time and measure the accuracy of the main head.

    Control: zero as many randomly chosen channels of the same block's concatenated output as the
    branch has (``draws`` draws from a generator seeded with ``seed``). Eval mode, deterministic.
    Each block's output is computed once and cached; only the layers above it are rerun.
    """
    _check_model(model)
    x_all = _check_images(images)
    if not isinstance(labels, Tensor) or labels.shape != (x_all.shape[0],):
        raise ValueError(f"labels must be a tensor of shape ({x_all.shape[0]},), one label per image, "
                         f"got {getattr(labels, 'shape', type(labels).__name__)}")
    draws, batch_size = check_int("draws", draws, 1), check_int("batch_size", batch_size, 1)
    valid = block_names(model)
    blocks = tuple(valid if blocks is None else [_canonical(model, b) for b in blocks])
    for b in blocks:
        if b not in valid:
            raise ValueError(f"blocks must name Inception blocks, one of {valid}, got {b!r}")
    prep = preprocess or (lambda t: t)
    channels = np.array([[activations(model, prep(x_all[:1]), f"{b}.{br}").popitem()[1].shape[1]
                          for br in BRANCH_NAMES] for b in blocks])
    gen = torch.Generator().manual_seed(seed)
    # per block: channel count -> draws of channel indices; branches of equal width share draws
    masks: list[dict[int, list[Tensor]]] = []
    for i in range(len(blocks)):
        total = int(channels[i].sum())
        masks.append({})
        for n in sorted({int(n) for n in channels[i]}):
            masks[i][n] = [torch.randperm(total, generator=gen)[:n] for _ in range(draws)]
    correct = np.zeros((len(blocks), len(BRANCH_NAMES)))
    correct_ctl = np.zeros((len(blocks), len(BRANCH_NAMES), draws))
    base = 0
    was_training = model.training
    model.eval()
    try:
        for start in range(0, x_all.shape[0], batch_size):
            # channels-last (NHWC) activations take oneDNN's fast convolution path on a CPU: 3x faster
            # here, with the same predictions (the zeroed copies below keep the layout)
            x = prep(x_all[start:start + batch_size]).contiguous(memory_format=torch.channels_last)
            y = labels[start:start + batch_size]
            acts = activations(model, x, list(blocks))
            base += int((model.forward_head(model.forward_features(x)).argmax(1) == y).sum())
            for i, b in enumerate(blocks):
                out = acts[b]
                edges = np.concatenate([[0], np.cumsum(channels[i])])
                for j in range(len(BRANCH_NAMES)):
                    z = out.clone()
                    z[:, edges[j]:edges[j + 1]] = 0
                    correct[i, j] += int((model.forward_from(b, z).argmax(1) == y).sum())
                for n, draws_n in masks[i].items():
                    for d, idx in enumerate(draws_n):
                        z = out.clone()
                        z[:, idx] = 0
                        hits = int((model.forward_from(b, z).argmax(1) == y).sum())
                        correct_ctl[i, channels[i] == n, d] += hits
    finally:
        model.train(was_training)
    n = x_all.shape[0]
    return BranchAblation(blocks, BRANCH_NAMES, base / n, correct / n, correct_ctl / n, channels, n)


# ---------------------------------------------------------------- receptive field and exercise checks
def _forward_until(model: GoogLeNet, name: LayerName) -> Callable[[Tensor], Tensor]:
    """A function that runs ``model`` only as far as layer ``name`` and returns its output (with its graph).

    Layers and branches come from ``GoogLeNet.forward_intermediates(..., stop_early=True)``. Any other
    module path (e.g. ``"inception4a.branch2.0"``) is read by a forward hook during the same pass, which
    stops after the layer that contains the module (after the whole trunk for a module between layers).
    """
    target, module = next(iter(resolve(model, name).items()))
    valid = model.intermediate_names()
    if target in valid:
        return lambda x: model.forward_intermediates(x, [target], stop_early=True)[target]
    head = target.partition(".")[0]

    def run(x: Tensor) -> Tensor:
        keep: dict[str, Tensor] = {}
        hook = module.register_forward_hook(lambda m, i, o: keep.__setitem__("o", o))
        try:
            model.forward_intermediates(x, [head] if head in valid else None, stop_early=True)
        finally:
            hook.remove()
        if "o" not in keep:
            raise ValueError(f"layer {name!r} is not part of the trunk that forward_intermediates runs "
                             f"(conv1 ... inception5b and the auxiliary heads)")
        return keep["o"]

    return run


def receptive_field(model: GoogLeNet, name: LayerName, image_size: int = 48) -> int:
    """Width in input pixels of the region that can influence one central unit of layer ``name``.

    Measured, not derived: on a copy of the network with ReLUs removed, max pools replaced by
    average pools of the same geometry and all weights made positive (so nothing cancels), the
    gradient of the central unit with respect to the input is non-zero exactly on its receptive field.
    """
    import copy

    probe = copy.deepcopy(_check_model(model)).eval()
    for parent in probe.modules():
        for child_name, child in list(parent.named_children()):
            if isinstance(child, nn.ReLU):
                setattr(parent, child_name, nn.Identity())
            elif isinstance(child, nn.MaxPool2d):
                setattr(parent, child_name, nn.AvgPool2d(child.kernel_size, child.stride, child.padding,
                                                         ceil_mode=child.ceil_mode, count_include_pad=True))
            elif isinstance(child, nn.LocalResponseNorm):
                setattr(parent, child_name, nn.Identity())
    with torch.no_grad():
        for p in probe.parameters():
            p.abs_().add_(1e-3)
    x = torch.zeros(1, probe.config.in_channels, image_size, image_size, requires_grad=True)
    o = _forward_until(probe, name)(x)
    o[0, :, o.shape[-2] // 2, o.shape[-1] // 2].sum().backward()
    cols = (x.grad[0].abs().sum(0).sum(0) > 0).nonzero().flatten()
    width = int(cols.max() - cols.min() + 1)
    if cols.min() == 0 or cols.max() == image_size - 1:
        raise ValueError(f"the receptive field of {name!r} reaches the border at {image_size} px: use a larger image_size")
    return width


def check_receptive_field(answer: int | None, model: GoogLeNet, name: LayerName) -> Verdict:
    """Exercise check: is ``answer`` the receptive-field width (px) of ``name``?"""
    if answer is None:
        return verdict(None, missing=f"Fill in `answer` with your predicted receptive-field width of {name!r} "
                                     f"in pixels, then run the cell again.")
    true = receptive_field(model, name)
    return verdict(answer == true, f"{name!r} sees {true}x{true} input pixels.",
                   f"{answer} px is {'too small' if answer < true else 'too large'}. "
                   f"Add up (kernel - 1) x (stride of the layer's input) over the layers below.")


def check_energy_share(answer: float | None, model: GoogLeNet, x: Tensor, block: str, branch: str) -> Verdict:
    """Exercise check: is ``answer`` (within 0.01) the share of ``block``'s output energy in ``branch`` on ``x``?"""
    if answer is None:
        return verdict(None, missing=f"Fill in `answer` with the share (0..1) of {block}'s output energy carried "
                                     f"by its {branch} branch, then run the cell again.")
    e = branch_energy(model, x)
    i = e.blocks.index(_canonical(model, block))
    true = float(e.share[i, list(e.branches).index(branch)])
    rule = "the branch's sum(a**2) over the whole block output's sum(a**2)."
    return verdict(abs(answer - true) <= 0.01, rule, f"off by {answer - true:+.3f}; the share is {rule}")


# ---------------------------------------------------------------- feature visualization by optimization
def visualize_channels(
    model: GoogLeNet,
    name: LayerName,
    channels: Sequence[int],
    *,
    image_size: int = 32,
    steps: int = 96,
    lr: float = 0.08,
    jitter: int = 2,
    tv_weight: float = 0.05,
    preprocess: Callable[[Tensor], Tensor] | None = None,
    seed: int = 0,
) -> Tensor:
    """Images (len(channels), 3, H, W) in [0, 1] that maximise the mean activation of each channel.

    Gradient ascent on the input, as in Olah et al. (Distill 2017, "Feature Visualization"), with
    two simple regularisers: random jitter (shifts of up to ``jitter`` px each step) and a total-
    variation penalty, which suppress the high-frequency patterns that otherwise dominate. The
    pixels are parametrised as ``sigmoid(logits)`` to stay in [0, 1]. Seconds on a CPU.
    """
    _check_model(model)
    forward = _forward_until(model, name)  # checks the name before any work
    n_ch = None
    gen = torch.Generator().manual_seed(seed)
    logits = (0.1 * torch.randn(len(channels), 3, image_size, image_size, generator=gen)).requires_grad_(True)
    opt = torch.optim.Adam([logits], lr=lr)
    prep = preprocess or (lambda t: t)
    idx = torch.as_tensor(list(channels))
    was_training = model.training
    model.eval()
    try:
        for _ in range(steps):
            img = torch.sigmoid(logits)
            dx, dy = (int(v) for v in torch.randint(-jitter, jitter + 1, (2,), generator=gen))
            out = forward(prep(torch.roll(img, shifts=(dy, dx), dims=(2, 3))))
            if n_ch is None:
                n_ch = out.shape[1]
                if int(idx.max()) >= n_ch or int(idx.min()) < 0:
                    raise ValueError(f"channels must lie in 0..{n_ch - 1} for {name!r}, got {list(channels)}")
            act = out[torch.arange(len(idx)), idx].mean(dim=(1, 2))
            tv = (img[..., 1:, :] - img[..., :-1, :]).abs().mean() + (img[..., :, 1:] - img[..., :, :-1]).abs().mean()
            # relative gain of each channel (d log activation), so the penalty's weight does not
            # depend on how loud the layer is
            gain = (act / act.detach().abs().clamp(min=1e-12)).sum()
            loss = -gain + tv_weight * len(idx) * tv
            # autograd.grad, not backward(): the model's own .grad fields stay untouched
            (logits.grad,) = torch.autograd.grad(loss, [logits])
            opt.step()
    finally:
        model.train(was_training)
    return torch.sigmoid(logits).detach()


def check_loudest_branch(answer: str | None, model: GoogLeNet, x: Tensor, block: str) -> Verdict:
    """Exercise check: is ``answer`` the branch carrying the largest share of ``block``'s output
    energy on images ``x``?"""
    if answer is None:
        return verdict(None, missing=f"Fill in `answer` with the branch ({', '.join(BRANCH_NAMES)}) that carries "
                                     f"the most of {block}'s output energy on your image, then run the cell again.")
    if answer not in BRANCH_NAMES:
        raise ValueError(f"answer must be one of {list(BRANCH_NAMES)}, got {answer!r}")
    e = branch_energy(model, x)
    share = e.share[e.blocks.index(_canonical(model, block))]
    true = e.branches[int(share.argmax())]
    shares = f"shares {', '.join(f'{br} {v:.2f}' for br, v in zip(e.branches, share))}."
    return verdict(answer == true, shares, f"it is the {true} branch: {shares}")
