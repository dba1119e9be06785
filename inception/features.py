"""What the layers of a GoogLeNet compute: activations by name, branch energy, scale probes.

Names are those of ``model.feature_info`` (``"conv1"`` ... ``"inception5b"``, short form
``"4a"``), a branch of an Inception block (``"inception4a.3x3"``, ``"4a.3x3"``,
``"inception4a.branch2"`` or the pair ``("inception4a", "3x3")``), or any module path of
``model.named_modules()`` (e.g. ``"inception4a.branch2.0"``, the 3x3 branch's 1x1 reduction).

Activations are captured by forward hooks inside :func:`capture`, a context manager that
removes its hooks when it exits, also when the forward pass raises.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence, Union

import numpy as np
import torch
from torch import Tensor, nn

from ._checks import check_int, check_number
from .architecture import BRANCH_NAMES, long_name, short_name
from .display import Table, Verdict
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
    "PROBE_KINDS",
    "default_periods",
    "scale_probes",
    "ScaleResponse",
    "scale_response",
    "scale_summary",
    "scale_verdict",
    "winner_table",
    "receptive_field",
    "Verdict",
    "check_receptive_field",
    "check_energy_share",
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


# ---------------------------------------------------------------- scale probes
PROBE_KINDS: tuple[str, ...] = ("grating", "checkerboard", "blobs")


def default_periods(image_size: int) -> list[int]:
    """Periods from 2 px to the image size, spaced by about a factor sqrt(2)."""
    image_size = check_int("image_size", image_size, 4)
    n = int(math.floor(2 * math.log2(image_size / 2))) + 1
    periods = sorted({int(round(2 * 2 ** (k / 2))) for k in range(n)} | {image_size})
    return [p for p in periods if 2 <= p <= image_size]


def scale_probes(image_size: int, period: float, kind: str = "grating", *, orientations: int = 4,
                 phases: int = 4) -> Tensor:
    """Grey-level patterns of one spatial period, as (orientations * phases, 3, H, W) in [0, 1].

    ``grating``: sinusoids; ``checkerboard``: squares of side period/2; ``blobs``: Gaussian dots
    (sigma = period/6) on a square lattice of spacing ``period``. Several orientations and
    phases are averaged over so that a result does not hinge on where the pattern is cut.
    """
    if kind not in PROBE_KINDS:
        raise ValueError(f"kind must be one of {list(PROBE_KINDS)}, got {kind!r}")
    image_size = check_int("image_size", image_size, 1)
    period = check_number("period", period, 2)  # pixels
    orientations, phases = check_int("orientations", orientations, 1), check_int("phases", phases, 1)
    coords = torch.arange(image_size, dtype=torch.float64) + 0.5 - image_size / 2
    yy, xx = torch.meshgrid(coords, coords, indexing="ij")
    out = []
    for o in range(orientations):
        theta = math.pi * o / orientations
        u = xx * math.cos(theta) + yy * math.sin(theta)
        v = -xx * math.sin(theta) + yy * math.cos(theta)
        for ph in range(phases):
            shift = period * ph / phases
            if kind == "grating":
                img = 0.5 + 0.5 * torch.sin(2 * math.pi * (u + shift) / period)
            elif kind == "checkerboard":
                cu = torch.floor(2 * (u + shift) / period)
                cv = torch.floor(2 * (v + shift) / period)
                img = ((cu + cv) % 2).to(torch.float64)
            else:
                du = torch.remainder(u + shift, period) - period / 2
                dv = torch.remainder(v + shift, period) - period / 2
                img = torch.exp(-(du**2 + dv**2) / (2 * (period / 6) ** 2))
            out.append(img)
    g = torch.stack(out).float().clamp(0, 1)
    return g.unsqueeze(1).expand(-1, 3, -1, -1).contiguous()


@dataclass(frozen=True)
class ScaleResponse:
    """Driven response of each branch of each block to patterns of each period.

    ``response[p, b, r]``: mean over probe images, channels and positions of the squared
    change of branch ``r`` of block ``b``'s activation, relative to its activation on a
    uniform grey image of the same mean. ``tuning`` normalises each (block, branch) curve to
    mean 1 over the periods, so branches of different widths and gains can be compared by the
    *shape* of their response; ``preferred_period`` is the tuning-weighted geometric mean period.
    """

    periods: tuple[int, ...]
    blocks: tuple[str, ...]
    branches: tuple[str, ...]
    response: np.ndarray  # (periods, blocks, branches)
    kind: str

    @property
    def tuning(self) -> np.ndarray:
        mean = self.response.mean(axis=0, keepdims=True)
        return np.divide(self.response, mean, out=np.zeros_like(self.response), where=mean > 0)

    @property
    def preferred_period(self) -> np.ndarray:
        """(blocks, branches): 2 ** (tuning-weighted mean of log2 period)."""
        w = self.tuning
        logp = np.log2(np.asarray(self.periods, dtype=float))[:, None, None]
        total = w.sum(axis=0)
        centre = np.divide((w * logp).sum(axis=0), total, out=np.full_like(total, np.nan), where=total > 0)
        return 2 ** centre  # NaN for a branch that does not respond at all

    @property
    def winner(self) -> list[list[str]]:
        """For each period and block, the branch with the highest tuning value."""
        idx = self.tuning.argmax(axis=2)
        return [[self.branches[j] for j in row] for row in idx]

    def table(self, title: str | None = None) -> Table:
        pp = self.preferred_period
        rows = [[b.replace("inception", "")] + [float(v) for v in pp[i]] for i, b in enumerate(self.blocks)]
        return Table(["block"] + [f"{br} (px)" for br in self.branches], rows, title=title, digits=1)

    def order_holds(self, block: str) -> bool:
        """True when the block's preferred periods grow 1x1 < 3x3 < 5x5 (the multi-scale story)."""
        i = self.blocks.index(block if block.startswith("inception") else f"inception{block}")
        p = dict(zip(self.branches, self.preferred_period[i]))
        return bool(p["1x1"] < p["3x3"] < p["5x5"])


@torch.no_grad()
def scale_response(
    model: GoogLeNet,
    image_size: int = 32,
    *,
    kind: str = "grating",
    periods: Iterable[int] | None = None,
    preprocess: Callable[[Tensor], Tensor] | None = None,
    blocks: Sequence[str] | None = None,
    orientations: int = 4,
    phases: int = 4,
) -> ScaleResponse:
    """Probe every branch with patterns of growing period (2 px ... image size).

    ``preprocess`` maps [0, 1] images to model input (e.g. ``inception.data.normalize``).
    """
    periods = tuple(default_periods(image_size) if periods is None else periods)
    blocks = tuple(block_names(model) if blocks is None else [_canonical(model, b) for b in blocks])
    names = [f"{b}.{br}" for b in blocks for br in BRANCH_NAMES]
    prep = preprocess or (lambda t: t)
    probes = [scale_probes(image_size, p, kind, orientations=orientations, phases=phases) for p in periods]
    grey = torch.full((1, 3, image_size, image_size), 0.0)
    grey_level = [float(t.mean()) for t in probes]
    batch = torch.cat([prep(t) for t in probes] + [prep(grey + g) for g in grey_level])
    acts = activations(model, batch, names)
    n = probes[0].shape[0]
    k = len(periods)
    resp = np.zeros((k, len(blocks), len(BRANCH_NAMES)))
    for bi, b in enumerate(blocks):
        for ri, br in enumerate(BRANCH_NAMES):
            a = acts[f"{b}.{br}"].double()
            for pi in range(k):
                driven = a[pi * n:(pi + 1) * n] - a[k * n + pi]
                resp[pi, bi, ri] = float(driven.pow(2).mean())
    return ScaleResponse(periods, blocks, BRANCH_NAMES, resp, kind)


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
        return Verdict(None, f"Fill in `answer` with your predicted receptive-field width of {name!r} in pixels, "
                             f"then run this again.")
    true = receptive_field(model, name)
    if answer == true:
        return Verdict(True, f"Correct: {name!r} sees {true}x{true} input pixels.")
    return Verdict(False, f"Not quite: {answer} px is {'too small' if answer < true else 'too large'}. "
                          f"Add up (kernel - 1) x (stride of the layer's input) over the layers below.")


def check_energy_share(answer: float | None, model: GoogLeNet, x: Tensor, block: str, branch: str) -> Verdict:
    """Exercise check: is ``answer`` (within 0.01) the share of ``block``'s output energy in ``branch`` on ``x``?"""
    if answer is None:
        return Verdict(None, f"Fill in `answer` with the share (0..1) of {block}'s output energy carried by its "
                             f"{branch} branch.")
    e = branch_energy(model, x)
    i = e.blocks.index(_canonical(model, block))
    true = float(e.share[i, list(e.branches).index(branch)])
    ok = abs(answer - true) <= 0.01
    return Verdict(ok, ("Correct" if ok else f"Not quite (off by {answer - true:+.3f})")
                   + ": the branch's sum(a**2) over the whole block output's sum(a**2).")


def scale_summary(responses: "dict[str, ScaleResponse] | Sequence[tuple[str, ScaleResponse]]") -> Table:
    """Does the preferred period grow 1x1 < 3x3 < 5x5, as the multi-scale story predicts?

    One row per (network, probe kind): in how many blocks the order holds, and the ratio of the
    5x5 branch's preferred period to the 1x1 branch's (geometric mean over the blocks of each
    stage; > 1 means the 5x5 branch prefers coarser patterns).
    """
    items = list(responses.items()) if isinstance(responses, dict) else list(responses)
    rows = []
    for label, r in items:
        ratio = _ratio_5x5_1x1(r)
        holds = sum(r.order_holds(b) for b in r.blocks)
        rows.append([label, r.kind, f"{holds} of {len(r.blocks)}",
                     *(_stage_mean(r, ratio, st) for st in "345")])
    return Table(["network", "probes", "1x1 < 3x3 < 5x5 in", "5x5/1x1 stage 3", "5x5/1x1 stage 4", "5x5/1x1 stage 5"],
                 rows, digits=2)


def _ratio_5x5_1x1(r: ScaleResponse) -> np.ndarray:
    pp = r.preferred_period
    return pp[:, r.branches.index("5x5")] / pp[:, r.branches.index("1x1")]


def _stage_mean(r: ScaleResponse, values: np.ndarray, stage: str) -> float:
    sel = [v for v, b in zip(values, r.blocks) if b.replace("inception", "").startswith(stage)]
    return float(np.exp(np.mean(np.log(sel)))) if sel else float("nan")


def scale_verdict(trained: ScaleResponse, control: ScaleResponse) -> str:
    """A plain-language reading of the scale experiment, computed from the numbers."""
    lines = []
    stats = {}
    for label, r in (("trained", trained), ("random", control)):
        ratio = _ratio_5x5_1x1(r)
        coarser = int((ratio > 1).sum())
        holds = sum(r.order_holds(b) for b in r.blocks)
        s3 = _stage_mean(r, ratio, "3")
        stats[label] = (coarser, holds, s3)
        lines.append(f"{label}: the 5x5 branch prefers coarser {r.kind}s than the 1x1 branch in {coarser} of "
                     f"{len(r.blocks)} blocks; the full order 1x1 < 3x3 < 5x5 holds in {holds}; "
                     f"in stage 3 the 5x5 branch's preferred period is {s3:.2f}x the 1x1 branch's.")
    (tc, _, t3), (_, _, r3) = stats["trained"], stats["random"]
    if t3 > 1.1 and tc > len(trained.blocks) / 2:
        if t3 > r3 * 1.1:
            v = ("Verdict: consistent with the multi-scale story, and stronger than in the random control: "
                 "training made the 5x5 branches of the early blocks prefer coarser patterns than the kernels alone do.")
        else:
            v = ("Verdict: the 5x5 branches do prefer coarser patterns, but the random control shows it as much: "
                 "the ordering comes from the kernel sizes (receptive fields), not from what training learned.")
    elif t3 > 1.1:
        v = ("Verdict: mixed: stage 3 follows the multi-scale story, but most deeper blocks do not "
             "(their branches already see most of the image through the layers below).")
    else:
        v = ("Verdict: not supported by this network: in stage 3 the 5x5 branch does not prefer coarser patterns "
             "than the 1x1 branch" + (" (the random control does, so training removed the kernel-size ordering)."
                                       if r3 > 1.1 else "."))
    return "\n".join(lines + [v])


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


def winner_table(responses: dict[str, ScaleResponse], blocks: Sequence[str]) -> Table:
    """At each period, the branch with the highest tuning value ("which branch responds most")."""
    first = next(iter(responses.values()))
    cols, getters = ["period (px)"], []
    for label, r in responses.items():
        for b in blocks:
            i = r.blocks.index(b if b.startswith("inception") else f"inception{b}")
            cols.append(f"{label} {b.replace('inception', '')}")
            getters.append((r, i))
    rows = [[p] + [r.winner[k][i] for r, i in getters] for k, p in enumerate(first.periods)]
    return Table(cols, rows, title=f"branch with the largest relative response ({first.kind})")
