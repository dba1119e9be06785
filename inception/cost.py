"""Exact, analytic cost model: output shapes, weights, biases and multiply-accumulates.

Nothing here builds a torch module, so a widget can recompute a whole network in well under
a millisecond. Tests check the totals against ``torchinfo.summary`` and against
``torch.utils.flop_counter.FlopCounterMode`` for every variant.

Conventions (per image):
- ``weights``: convolution/linear weights (k*k*C_in*C_out, or in*out), what Table 1 counts.
- ``biases``: convolution/linear biases; ``norm_params``: BatchNorm scale and shift.
- ``macs``: multiply-accumulates of convolutions and linear layers, weights x output
  positions (biases, ReLU, pooling and normalization are not counted). FLOPs = 2 x MACs.
- ``torchinfo_macs``: what torchinfo calls "mult-adds": it also counts each bias once per
  output position and each BatchNorm parameter once per image.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from ._checks import ArgumentTypeError, check_bool, check_int
from .architecture import AUX_HEADS, BRANCH_NAMES, POOLS, BlockSpec, check_filter_count, long_name
from .config import GoogLeNetConfig, VariantSpec, aux_fixed_pool_fits, variant_spec

__all__ = [
    "LayerCost",
    "Totals",
    "ShapeError",
    "conv_out_size",
    "pool_out_size",
    "conv_layer",
    "linear_layer",
    "pool_layer",
    "block_costs",
    "layer_costs",
    "totals",
    "by_stage",
    "by_branch",
    "min_input_size",
    "min_train_input_size",
]

Shape = tuple[int, int, int]  # C, H, W


class ShapeError(ValueError):
    """An input too small for a layer (the output would have no pixels)."""


@dataclass(frozen=True)
class LayerCost:
    """One layer's output shape and cost, per image."""

    name: str  # module path in the torch model, e.g. "inception3a.branch2.1"
    stage: str  # top-level module: "conv1", "inception3a", "aux1", "fc", ...
    branch: str | None  # "1x1", "3x3", "5x5" or "pool" inside an Inception block
    kind: str  # "conv", "linear", "maxpool", "avgpool", "lrn"
    kernel: int
    stride: int
    in_shape: Shape
    out_shape: Shape
    weights: int = 0
    biases: int = 0
    norm_params: int = 0
    macs: int = 0
    aux: bool = False

    @property
    def params(self) -> int:
        return self.weights + self.biases + self.norm_params

    @property
    def flops(self) -> int:
        return 2 * self.macs

    @property
    def torchinfo_macs(self) -> int:
        _, h, w = self.out_shape
        positions = h * w if self.kind == "conv" else 1
        return (self.weights + self.biases) * positions + self.norm_params


@dataclass(frozen=True)
class Totals:
    params: int
    weights: int
    biases: int
    norm_params: int
    macs: int
    torchinfo_macs: int

    @property
    def flops(self) -> int:
        return 2 * self.macs


# ----------------------------------------------------------------------------- shapes
def _check_window(kernel: object, stride: object, padding: object, *, pool: bool = False) -> tuple[int, int, int]:
    """A kernel and stride >= 1 and a padding >= 0 (for pools at most half the kernel, PyTorch's rule)."""
    kernel, stride = check_int("kernel", kernel, 1), check_int("stride", stride, 1)
    padding = check_int("padding", padding, 0, kernel // 2 if pool else None)
    return kernel, stride, padding


def _check_shape(name: str, shape: object) -> Shape:
    """A (channels, height, width) triple of positive integers, as plain ints."""
    try:
        triple = tuple(shape)  # type: ignore[arg-type]
    except TypeError:
        triple = ()
    if isinstance(shape, (str, bytes)) or len(triple) != 3:
        raise ArgumentTypeError(f"{name} must be a (channels, height, width) triple of positive integers, got {shape!r}")
    c, h, w = triple
    return (check_int(f"{name} channels", c, 1), check_int(f"{name} height", h, 1), check_int(f"{name} width", w, 1))


def conv_out_size(n: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """Output length of a convolution along one axis (PyTorch's formula)."""
    n = check_int("n", n, 0)
    return _conv_out(n, *_check_window(kernel, stride, padding))


def _conv_out(n: int, kernel: int, stride: int, padding: int) -> int:
    out = (n + 2 * padding - kernel) // stride + 1
    if out < 1:
        raise ShapeError(f"a {kernel}x{kernel}/{stride} convolution needs >= {kernel - 2 * padding} pixels, got {n}")
    return out


def pool_out_size(n: int, kernel: int, stride: int, padding: int = 0, ceil_mode: bool = False) -> int:
    """Output length of a max/avg pool along one axis, ceil_mode included (PyTorch's rule:
    in ceil mode a last, partial window counts if it starts inside the input)."""
    n = check_int("n", n, 0)
    return _pool_out(n, *_check_window(kernel, stride, padding, pool=True), check_bool("ceil_mode", ceil_mode))


def _pool_out(n: int, kernel: int, stride: int, padding: int, ceil_mode: bool) -> int:
    out = (n + 2 * padding - kernel + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= n + padding:
        out -= 1
    if out < 1:
        raise ShapeError(f"a {kernel}x{kernel}/{stride} pool leaves no pixels of a {n}-pixel input")
    return out


# ----------------------------------------------------------------------------- primitives
def conv_layer(
    name: str,
    in_shape: Shape,
    out_channels: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    *,
    bias: bool = True,
    batch_norm: bool = False,
    groups: int = 1,
    stage: str | None = None,
    branch: str | None = None,
    aux: bool = False,
) -> LayerCost:
    """A (square) convolution, optionally followed by BatchNorm."""
    in_shape = c, h, w = _check_shape("in_shape", in_shape)
    out_channels = check_filter_count("out_channels", out_channels)
    kernel, stride, padding = _check_window(kernel, stride, padding)
    groups = check_int("groups", groups, 1)
    bias, batch_norm = check_bool("bias", bias), check_bool("batch_norm", batch_norm)
    if c % groups or out_channels % groups:
        raise ValueError(f"groups={groups} must divide in_channels={c} and out_channels={out_channels}")
    oh, ow = _conv_out(h, kernel, stride, padding), _conv_out(w, kernel, stride, padding)
    weights = kernel * kernel * (c // groups) * out_channels
    return LayerCost(
        name=name,
        stage=stage or name.split(".")[0],
        branch=branch,
        kind="conv",
        kernel=kernel,
        stride=stride,
        in_shape=in_shape,
        out_shape=(out_channels, oh, ow),
        weights=weights,
        biases=out_channels if bias else 0,
        norm_params=2 * out_channels if batch_norm else 0,
        macs=weights * oh * ow,
        aux=aux,
    )


def linear_layer(
    name: str, in_features: int, out_features: int, *, bias: bool = True, stage: str | None = None, aux: bool = False
) -> LayerCost:
    """A fully connected layer (per image: one output position)."""
    in_features = check_filter_count("in_features", in_features)
    out_features = check_filter_count("out_features", out_features)
    bias = check_bool("bias", bias)
    weights = in_features * out_features
    return LayerCost(
        name=name,
        stage=stage or name.split(".")[0],
        branch=None,
        kind="linear",
        kernel=1,
        stride=1,
        in_shape=(in_features, 1, 1),
        out_shape=(out_features, 1, 1),
        weights=weights,
        biases=out_features if bias else 0,
        macs=weights,
        aux=aux,
    )


def pool_layer(
    name: str,
    in_shape: Shape,
    kernel: int,
    stride: int,
    padding: int = 0,
    *,
    ceil_mode: bool = False,
    kind: str = "maxpool",
    stage: str | None = None,
    branch: str | None = None,
    aux: bool = False,
) -> LayerCost:
    """A max or average pool (no parameters, no MACs counted)."""
    in_shape = c, h, w = _check_shape("in_shape", in_shape)
    kernel, stride, padding = _check_window(kernel, stride, padding, pool=True)
    ceil_mode = check_bool("ceil_mode", ceil_mode)
    if kind not in ("maxpool", "avgpool"):
        raise ValueError(f"kind must be 'maxpool' or 'avgpool', got {kind!r}")
    out = (c, _pool_out(h, kernel, stride, padding, ceil_mode), _pool_out(w, kernel, stride, padding, ceil_mode))
    return LayerCost(name, stage or name.split(".")[0], branch, kind, kernel, stride, in_shape, out, aux=aux)


def _resize_layer(name: str, in_shape: Shape, out_hw: tuple[int, int], kind: str, *, aux: bool = False) -> LayerCost:
    """Adaptive pooling or LRN: no parameters, no MACs counted."""
    return LayerCost(name, name.split(".")[0], None, kind, 0, 1, in_shape, (in_shape[0], *out_hw), aux=aux)


# ----------------------------------------------------------------------------- one block
def block_costs(
    in_shape: Shape,
    spec: BlockSpec | Sequence[int],
    *,
    variant: str | VariantSpec = "paper",
    naive: bool = False,
    name: str = "inception",
) -> list[LayerCost]:
    """Per-layer cost of one Inception block on an input of shape (C, H, W).

    ``naive=True`` is Figure 2a: 1x1, 3x3 and 5x5 convolutions straight on the input and a
    3x3 max pool whose output (all input channels) is concatenated as well.
    """
    if not isinstance(spec, BlockSpec):
        try:
            counts = () if isinstance(spec, (str, bytes)) else tuple(spec)  # type: ignore[arg-type]
        except TypeError:
            counts = ()
        if len(counts) != 6:
            raise ArgumentTypeError(
                "spec must be a BlockSpec or six filter counts (ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, "
                f"pool_proj), got {spec!r}"
            )
        spec = BlockSpec(*counts)
    in_shape = _check_shape("in_shape", in_shape)
    naive = check_bool("naive", naive)
    v = variant_spec(variant)
    kw = dict(bias=v.conv_bias, batch_norm=v.batch_norm, stage=name)
    k5 = v.branch3_kernel
    b1, b3, b5, bp = BRANCH_NAMES
    layers: list[LayerCost] = []
    if naive:
        layers.append(conv_layer(f"{name}.branch1", in_shape, spec.ch1x1, 1, branch=b1, **kw))
        layers.append(conv_layer(f"{name}.branch2", in_shape, spec.ch3x3, 3, 1, 1, branch=b3, **kw))
        layers.append(conv_layer(f"{name}.branch3", in_shape, spec.ch5x5, k5, 1, k5 // 2, branch=b5, **kw))
        layers.append(pool_layer(f"{name}.branch4", in_shape, 3, 1, 1, ceil_mode=v.pool_ceil, stage=name, branch=bp))
        return layers
    layers.append(conv_layer(f"{name}.branch1", in_shape, spec.ch1x1, 1, branch=b1, **kw))
    red3 = conv_layer(f"{name}.branch2.0", in_shape, spec.ch3x3red, 1, branch=b3, **kw)
    layers += [red3, conv_layer(f"{name}.branch2.1", red3.out_shape, spec.ch3x3, 3, 1, 1, branch=b3, **kw)]
    red5 = conv_layer(f"{name}.branch3.0", in_shape, spec.ch5x5red, 1, branch=b5, **kw)
    layers += [red5, conv_layer(f"{name}.branch3.1", red5.out_shape, spec.ch5x5, k5, 1, k5 // 2, branch=b5, **kw)]
    pool = pool_layer(f"{name}.branch4.0", in_shape, 3, 1, 1, ceil_mode=v.pool_ceil, stage=name, branch=bp)
    layers += [pool, conv_layer(f"{name}.branch4.1", pool.out_shape, spec.pool_proj, 1, branch=bp, **kw)]
    return layers


def _block_out_shape(layers: list[LayerCost]) -> Shape:
    """Concatenate the branches: channels add up, H and W are shared."""
    last = {}
    for layer in layers:
        last[layer.branch] = layer.out_shape
    shapes = list(last.values())
    _, h, w = shapes[0]
    assert all(s[1:] == (h, w) for s in shapes), "branches must keep H and W equal"
    return (sum(s[0] for s in shapes), h, w)


# ----------------------------------------------------------------------------- whole network
def _input_hw(input_size: int | Sequence[int]) -> tuple[int, int]:
    message = f"input_size must be a positive int or a (height, width) pair of positive ints, got {input_size!r}"
    if isinstance(input_size, (str, bytes)):
        raise ArgumentTypeError(message + " (str)")
    try:
        hw = tuple(input_size)  # type: ignore[arg-type]  # a (height, width) pair
    except TypeError:
        hw = (input_size, input_size)  # one number: a square
    if len(hw) != 2:
        raise ValueError(message)
    try:
        return check_int("input_size", hw[0], 1), check_int("input_size", hw[1], 1)
    except ArgumentTypeError:
        raise ArgumentTypeError(f"{message} ({type(input_size).__name__})") from None
    except ValueError:
        raise ValueError(message) from None


def _config(config: object) -> GoogLeNetConfig:
    if config is None:
        return GoogLeNetConfig()
    if not isinstance(config, GoogLeNetConfig):
        raise TypeError(
            f"config must be a GoogLeNetConfig or None, got {config!r} ({type(config).__name__}); "
            f"e.g. GoogLeNetConfig(variant='bn')"
        )
    return config


def _aux_costs(name: str, in_shape: Shape, cfg: GoogLeNetConfig) -> list[LayerCost]:
    v = cfg.spec
    conv_ch, fc_ch = cfg.aux_channels
    c, h, w = in_shape
    fixed = v.aux_pool == "5x5/3" and aux_fixed_pool_fits(h, w)
    pool = (
        pool_layer(f"{name}.pool", in_shape, 5, 3, kind="avgpool", aux=True)
        if fixed
        else _resize_layer(f"{name}.pool", in_shape, (4, 4), "avgpool", aux=True)
    )
    conv = conv_layer(f"{name}.conv", pool.out_shape, conv_ch, 1, bias=v.conv_bias, batch_norm=v.batch_norm, aux=True)
    return [
        pool,
        conv,
        linear_layer(f"{name}.fc1", conv_ch * 16, fc_ch, aux=True),
        linear_layer(f"{name}.fc2", fc_ch, cfg.num_classes, aux=True),
    ]


def layer_costs(config: GoogLeNetConfig | None = None, input_size: int | Sequence[int] = 224) -> list[LayerCost]:
    """Every layer of the network described by ``config``, in forward order, per image.

    Raises :class:`ShapeError` (a ``ValueError``) if the input is too small.
    """
    return list(_layer_costs_cached(_config(config), _input_hw(input_size)))


@lru_cache(maxsize=256)
def _layer_costs_cached(cfg: GoogLeNetConfig, hw: tuple[int, int]) -> tuple[LayerCost, ...]:
    v = cfg.spec
    conv_kw = dict(bias=v.conv_bias, batch_norm=v.batch_norm)
    stem = cfg.stem_channels
    layers: list[LayerCost] = []
    x: Shape = (cfg.in_channels, *hw)

    def add(layer: LayerCost) -> Shape:
        layers.append(layer)
        return layer.out_shape

    def maxpool(name: str, shape: Shape, kernel: int = 3) -> Shape:
        pad = 0 if v.pool_ceil else 1
        return add(pool_layer(name, shape, kernel, 2, pad if kernel == 3 else 0, ceil_mode=v.pool_ceil))

    if cfg.stem == "imagenet":
        x = add(conv_layer("conv1", x, stem["conv1"], 7, 2, 3, **conv_kw))
        x = maxpool(POOLS["conv1"], x)
    else:
        x = add(conv_layer("conv1", x, stem["conv1"], 3, 1, 1, **conv_kw))
    if v.lrn:
        x = add(_resize_layer("lrn1", x, x[1:], "lrn"))
    x = add(conv_layer("conv2", x, stem["conv2"], 1, **conv_kw))
    x = add(conv_layer("conv3", x, stem["conv3"], 3, 1, 1, **conv_kw))
    if v.lrn:
        x = add(_resize_layer("lrn2", x, x[1:], "lrn"))
    x = maxpool(POOLS["conv3"], x)

    heads = {block: head for head, block in AUX_HEADS.items()}  # "4a" -> "aux1"
    for name, spec in cfg.blocks.items():
        block = block_costs(x, spec, variant=v, naive=cfg.naive, name=long_name(name))
        layers += block
        x = _block_out_shape(block)
        if cfg.aux_logits and name in heads:
            layers += _aux_costs(heads[name], x, cfg)
        if name in POOLS:  # maxpool3 after 3b, maxpool4 (kernel 2 in torchvision's port) after 4e
            x = maxpool(POOLS[name], x, kernel=v.pool4_kernel if POOLS[name] == "maxpool4" else 3)

    x = add(_resize_layer("avgpool", x, (1, 1), "avgpool"))
    add(linear_layer("fc", x[0], cfg.num_classes))
    return tuple(layers)


def _layers(layers: Iterable[LayerCost]) -> list[LayerCost]:
    if isinstance(layers, LayerCost) or not isinstance(layers, Iterable):
        raise TypeError(f"layers must be a list of LayerCost (e.g. from layer_costs), got {type(layers).__name__}")
    layers = list(layers)
    for layer in layers:
        if not isinstance(layer, LayerCost):
            raise TypeError(f"layers must hold LayerCost objects only, got a {type(layer).__name__}")
    return layers


def _param_count(cfg: GoogLeNetConfig) -> int:
    """Parameters of the network (they do not depend on the input size), computed analytically."""
    return totals(_layer_costs_cached(cfg, (_min_input_size(cfg),) * 2)).params


def totals(layers: Iterable[LayerCost], *, include_aux: bool = True) -> Totals:
    """Add up a list of layers (optionally leaving out the auxiliary heads)."""
    include_aux = check_bool("include_aux", include_aux)
    sel = [l for l in _layers(layers) if include_aux or not l.aux]
    return Totals(
        params=sum(l.params for l in sel),
        weights=sum(l.weights for l in sel),
        biases=sum(l.biases for l in sel),
        norm_params=sum(l.norm_params for l in sel),
        macs=sum(l.macs for l in sel),
        torchinfo_macs=sum(l.torchinfo_macs for l in sel),
    )


def by_stage(layers: Iterable[LayerCost]) -> dict[str, Totals]:
    """Totals per top-level stage ("conv1", ..., "inception5b", "aux1", "aux2", "fc"), in order."""
    groups: dict[str, list[LayerCost]] = {}
    for layer in _layers(layers):
        groups.setdefault(layer.stage, []).append(layer)
    return {stage: totals(ls) for stage, ls in groups.items()}


def by_branch(layers: Iterable[LayerCost]) -> dict[str, Totals]:
    """Totals per branch ("1x1", "3x3", "5x5", "pool") of a block's layers."""
    groups: dict[str, list[LayerCost]] = {b: [] for b in BRANCH_NAMES}
    for layer in _layers(layers):
        if layer.branch is not None:
            groups[layer.branch].append(layer)
    return {b: totals(ls) for b, ls in groups.items()}


def min_input_size(config: GoogLeNetConfig | None = None) -> int:
    """The smallest square input (pixels) the network accepts.

    In training mode a BatchNorm network needs more than one value per channel, so a *single*
    image of this size may not train: see :func:`min_train_input_size`.
    """
    return _min_input_size(_config(config))


@lru_cache(maxsize=64)
def _min_input_size(cfg: GoogLeNetConfig) -> int:
    for size in range(1, 1025):
        try:
            _layer_costs_cached(cfg, (size, size))
        except ShapeError:
            continue
        return size
    raise AssertionError("no input size up to 1024 px fits")  # pragma: no cover


def _single_image_bn_map(cfg: GoogLeNetConfig, hw: tuple[int, int]) -> str | None:
    """The first layer followed by BatchNorm whose output is 1x1 for one ``hw`` image, or None.

    BatchNorm in training mode computes statistics over batch x height x width; with a batch of
    one image and a 1x1 map there is a single value per channel, and PyTorch refuses it.
    """
    for layer in _layer_costs_cached(cfg, hw):
        if layer.norm_params and layer.out_shape[1] * layer.out_shape[2] == 1:
            return layer.name
    return None


def min_train_input_size(config: GoogLeNetConfig | None = None) -> int:
    """The smallest square input that trains even on a batch of one image.

    Equal to :func:`min_input_size` for networks without BatchNorm; with BatchNorm every
    normalised map must keep more than one pixel.
    """
    cfg = _config(config)
    size = _min_input_size(cfg)
    if not cfg.spec.batch_norm:
        return size
    while _single_image_bn_map(cfg, (size, size)) is not None:
        size += 1
    return size
