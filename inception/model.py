"""GoogLeNet (Szegedy et al. 2014, "Going deeper with convolutions") in one readable file.

Classes are ordered bottom-up: the conv block, the Inception block (Figure 2), the auxiliary
classifier (section 5), then the network (Table 1, Figure 3). Module names follow
torchvision's ``googlenet`` so its ImageNet weights load into the ``"torchvision"`` variant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generator, NamedTuple, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ._checks import ArgumentTypeError, check_bool, check_memory, check_number
from .architecture import (AUX_HEADS, BLOCK_NAMES, BRANCH_NAMES, LAYER_NAMES, POOLS, BlockSpec, block_stage,
                           check_filter_count, long_name)
from .config import AUX_POOL_OUTPUT, INIT_SCHEMES, GoogLeNetConfig, VariantSpec, aux_fixed_pool_fits, variant_spec
from .cost import _param_count, _single_image_bn_map, min_input_size, min_train_input_size

__all__ = [
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "BasicConv2d",
    "Inception",
    "AuxPool",
    "InceptionAux",
    "GoogLeNet",
    "GoogLeNetOutputs",
    "FeatureInfo",
    "AuxLoss",
    "googlenet",
    "googlenet_loss",
    "aux_weight_pair",
]

#: Per-channel statistics of ImageNet: torchvision-style input normalisation.
IMAGENET_MEAN: tuple[float, float, float] = (0.485, 0.456, 0.406)
IMAGENET_STD: tuple[float, float, float] = (0.229, 0.224, 0.225)


class BasicConv2d(nn.Module):
    """Convolution, optional BatchNorm, ReLU: the unit every GoogLeNet layer is made of."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        *,
        batch_norm: bool = True,
        bias: bool = True,
        bn_eps: float = 1e-5,
    ) -> None:
        super().__init__()
        check_filter_count("in_channels", in_channels)
        check_filter_count("out_channels", out_channels)
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, bias=bias)
        self.bn = nn.BatchNorm2d(out_channels, eps=bn_eps) if batch_norm else None
        self.relu = nn.ReLU()  # not in-place, so hooks on `conv` see pre-activation values

    @classmethod
    def for_variant(cls, spec: VariantSpec, *args, **kwargs) -> "BasicConv2d":
        return cls(*args, batch_norm=spec.batch_norm, bias=spec.conv_bias, bn_eps=spec.bn_eps, **kwargs)

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv(x)
        if self.bn is not None:
            x = self.bn(x)
        return self.relu(x)


class Inception(nn.Module):
    """The Inception module (Figure 2b): four parallel branches, concatenated on channels.

    ``branch1`` 1x1; ``branch2`` 1x1 reduction -> 3x3; ``branch3`` 1x1 reduction -> 5x5;
    ``branch4`` 3x3/1 max pool -> 1x1 projection. Padding keeps H and W, so the outputs can be
    concatenated. ``naive=True`` builds Figure 2a instead: no reductions or projection, and the
    pool branch passes all ``in_channels`` through (``ch3x3red``, ``ch5x5red``, ``pool_proj``
    are then unused).
    """

    def __init__(
        self,
        in_channels: int,
        ch1x1: int,
        ch3x3red: int,
        ch3x3: int,
        ch5x5red: int,
        ch5x5: int,
        pool_proj: int,
        *,
        naive: bool = False,
        variant: str | VariantSpec = "bn",
    ) -> None:
        super().__init__()
        in_channels = check_filter_count("in_channels", in_channels)
        naive = check_bool("naive", naive)
        self.spec = BlockSpec(ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj)  # validates counts
        v = variant_spec(variant)
        self.in_channels, self.naive = in_channels, naive
        conv = lambda *a, **k: BasicConv2d.for_variant(v, *a, **k)  # noqa: E731
        k5 = v.branch3_kernel  # 5, or 3 in torchvision's port
        pool = nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=v.pool_ceil)
        if naive:
            self.branch1: nn.Module = conv(in_channels, ch1x1, 1)
            self.branch2: nn.Module = conv(in_channels, ch3x3, 3, padding=1)
            self.branch3: nn.Module = conv(in_channels, ch5x5, k5, padding=k5 // 2)
            self.branch4: nn.Module = pool
            self.out_channels = ch1x1 + ch3x3 + ch5x5 + in_channels
        else:
            self.branch1 = conv(in_channels, ch1x1, 1)
            self.branch2 = nn.Sequential(conv(in_channels, ch3x3red, 1), conv(ch3x3red, ch3x3, 3, padding=1))
            self.branch3 = nn.Sequential(conv(in_channels, ch5x5red, 1), conv(ch5x5red, ch5x5, k5, padding=k5 // 2))
            self.branch4 = nn.Sequential(pool, conv(in_channels, pool_proj, 1))
            self.out_channels = self.spec.out_channels

    @property
    def branches(self) -> dict[str, nn.Module]:
        """The four branches by name: "1x1", "3x3", "5x5", "pool"."""
        return dict(zip(BRANCH_NAMES, (self.branch1, self.branch2, self.branch3, self.branch4)))

    @property
    def branch_channels(self) -> dict[str, int]:
        s = self.spec
        pool = self.in_channels if self.naive else s.pool_proj
        return dict(zip(BRANCH_NAMES, (s.ch1x1, s.ch3x3, s.ch5x5, pool)))

    def branch(self, name: str) -> nn.Module:
        if name not in BRANCH_NAMES:
            raise KeyError(f"branch must be one of {list(BRANCH_NAMES)}, got {name!r}")
        return self.branches[name]

    def forward_branches(self, x: Tensor) -> dict[str, Tensor]:
        """The four branch outputs by name, before concatenation (``forward`` concatenates them)."""
        return dict(zip(BRANCH_NAMES, (self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x))))

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)  # N, out, H, W


class AuxPool(nn.Module):
    """Pool the auxiliary head's input to 4x4.

    ``"5x5/3"`` is the paper's 5x5 average pool with stride 3, exact on the 14x14 maps of a
    224 px input; on maps where it would not give 4x4 (other resolutions, the small stem) it
    falls back to adaptive average pooling, so the head's 2048-input FC layer still fits (the rule
    is :func:`inception.config.aux_fixed_pool_fits`). ``"adaptive"`` is torchvision's choice.
    """

    def __init__(self, mode: str) -> None:
        super().__init__()
        if mode not in ("5x5/3", "adaptive"):
            raise ValueError(f"mode must be '5x5/3' or 'adaptive', got {mode!r}")
        self.mode = mode

    def forward(self, x: Tensor) -> Tensor:
        if self.mode == "5x5/3" and aux_fixed_pool_fits(x.shape[-2], x.shape[-1]):
            return F.avg_pool2d(x, kernel_size=5, stride=3)
        return F.adaptive_avg_pool2d(x, (AUX_POOL_OUTPUT, AUX_POOL_OUTPUT))

    def extra_repr(self) -> str:
        return f"mode={self.mode!r}"


class InceptionAux(nn.Module):
    """Auxiliary classifier (section 5): pool to 4x4, 1x1 conv, FC, ReLU, dropout, FC."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        *,
        conv_channels: int = 128,
        fc_channels: int = 1024,
        dropout: float = 0.7,
        variant: str | VariantSpec = "bn",
    ) -> None:
        super().__init__()
        v = variant_spec(variant)
        self.pool = AuxPool(v.aux_pool)
        self.conv = BasicConv2d.for_variant(v, in_channels, conv_channels, 1)
        self.fc1 = nn.Linear(conv_channels * AUX_POOL_OUTPUT**2, fc_channels)
        self.relu = nn.ReLU()
        self.dropout = nn.Dropout(dropout)
        self.fc2 = nn.Linear(fc_channels, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.pool(x)  # N, C, 4, 4
        x = self.conv(x)  # N, 128, 4, 4
        x = torch.flatten(x, 1)  # N, 2048
        x = self.dropout(self.relu(self.fc1(x)))  # N, 1024
        return self.fc2(x)  # N, num_classes


class GoogLeNetOutputs(NamedTuple):
    """What ``GoogLeNet.forward`` returns, in the seed's order: ``aux1, aux2, out = model(x)``.

    The auxiliary fields are ``None`` when not computed (eval mode, or ``aux_logits=False``).
    """

    aux1: Tensor | None
    aux2: Tensor | None
    logits: Tensor


@dataclass(frozen=True)
class FeatureInfo:
    """A stage whose output can be extracted: module name, channels, stride w.r.t. the input."""

    module: str
    num_chs: int
    reduction: int


#: The trunk above the stem in forward order, the blocks and the pools between them, derived from the
#: vocabulary (``architecture.BLOCK_NAMES``, ``POOLS``): "inception3a", "inception3b", "maxpool3", ...
#: ``GoogLeNet._layers`` spells the same order out with shapes; a test keeps the two equal.
_TRUNK: tuple[str, ...] = tuple(n for b in BLOCK_NAMES for n in (long_name(b), POOLS.get(b)) if n)


class GoogLeNet(nn.Module):
    """GoogLeNet built from a :class:`~inception.config.GoogLeNetConfig` (see :func:`googlenet`).

    ``forward`` returns :class:`GoogLeNetOutputs`; ``forward_features`` the last feature map;
    ``forward_intermediates`` any layers, branches or auxiliary heads by name (also in eval mode).
    """

    def __init__(self, config: GoogLeNetConfig | None = None) -> None:
        super().__init__()
        if config is not None and not isinstance(config, GoogLeNetConfig):
            raise TypeError(f"config must be a GoogLeNetConfig or None, got {type(config).__name__}")
        self.config = cfg = config or GoogLeNetConfig()
        # Refuse a network that cannot fit before allocating it, instead of failing in the allocator.
        params = _param_count(cfg)
        check_memory(
            f"a GoogLeNet with width={cfg.width!r} and num_classes={cfg.num_classes:,}",
            4 * params,
            f"{params:,} float32 parameters, from the cost model",
            "use a smaller width or num_classes",
        )
        v = cfg.spec
        self.aux_logits, self.transform_input = cfg.aux_logits, cfg.transform_input
        conv = lambda *a, **k: BasicConv2d.for_variant(v, *a, **k)  # noqa: E731
        stem = cfg.stem_channels

        def pool(kernel: int = 3) -> nn.MaxPool2d:
            if v.pool_ceil:  # Caffe/TF convention: no padding, round up
                return nn.MaxPool2d(kernel, stride=2, ceil_mode=True)
            return nn.MaxPool2d(kernel, stride=2, padding=1 if kernel == 3 else 0)

        if cfg.stem == "imagenet":
            self.conv1 = conv(cfg.in_channels, stem["conv1"], 7, stride=2, padding=3)
            self.maxpool1: nn.Module | None = pool()
        else:  # small inputs: keep the resolution, a single pool before the blocks
            self.conv1 = conv(cfg.in_channels, stem["conv1"], 3, padding=1)
            self.maxpool1 = None
        lrn = lambda: nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0)  # noqa: E731  (Caffe's values)
        self.lrn1 = lrn() if v.lrn else None
        self.conv2 = conv(stem["conv1"], stem["conv2"], 1)
        self.conv3 = conv(stem["conv2"], stem["conv3"], 3, padding=1)
        self.lrn2 = lrn() if v.lrn else None
        self.maxpool2 = pool()

        in_ch = cfg.block_in_channels()
        blocks = cfg.blocks
        block = lambda n: Inception(in_ch[n], *blocks[n].as_tuple(), naive=cfg.naive, variant=v)  # noqa: E731
        self.inception3a = block("3a")
        self.inception3b = block("3b")
        self.maxpool3 = pool()
        self.inception4a = block("4a")
        self.inception4b = block("4b")
        self.inception4c = block("4c")
        self.inception4d = block("4d")
        self.inception4e = block("4e")
        self.maxpool4 = pool(v.pool4_kernel)
        self.inception5a = block("5a")
        self.inception5b = block("5b")

        if cfg.aux_logits:
            conv_ch, fc_ch = cfg.aux_channels
            aux = lambda c: InceptionAux(  # noqa: E731
                c, cfg.num_classes, conv_channels=conv_ch, fc_channels=fc_ch, dropout=cfg.aux_dropout_p, variant=v
            )
            # each head reads the output of the block it attaches to (AUX_HEADS: aux1 after 4a, aux2 after 4d)
            self.aux1: InceptionAux | None = aux(getattr(self, long_name(AUX_HEADS["aux1"])).out_channels)
            self.aux2: InceptionAux | None = aux(getattr(self, long_name(AUX_HEADS["aux2"])).out_channels)
        else:
            self.aux1 = self.aux2 = None

        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))  # = the paper's 7x7/1 average pool at 224 px
        self.dropout = nn.Dropout(cfg.dropout_p)
        self.fc = nn.Linear(cfg.out_channels, cfg.num_classes)
        self.num_features = cfg.out_channels
        self.feature_info = self._feature_info()
        if cfg.init_weights:
            self._init_weights(cfg.init_scheme)

    # ------------------------------------------------------------------ construction helpers
    def _feature_info(self) -> list[FeatureInfo]:
        s = 2 if self.config.stem == "imagenet" else 1  # conv1's own stride
        info = []
        for name in LAYER_NAMES:
            module = getattr(self, long_name(name))
            channels = module.out_channels if isinstance(module, Inception) else module.conv.out_channels
            info.append(FeatureInfo(long_name(name), channels, s))
            if name in POOLS and getattr(self, POOLS[name]) is not None:  # each stride-2 pool halves the map
                s *= 2
        return info

    def _init_weights(self, scheme: str) -> None:
        """``seed``/``torchvision``: truncated normal, std 0.01, on Conv2d *and* Linear weights
        (the seed tested ``nn.Conv2d`` twice, so its Linear layers kept PyTorch's default);
        the bounds a=-2, b=2 are absolute, i.e. 200 standard deviations: no real truncation.
        ``caffe`` (the paper variant): the "xavier" filler of the Caffe reference GoogLeNet,
        uniform with variance 1/fan_in, conv biases 0.2, classifier biases 0.
        ``kaiming``: He-normal (fan_in, ReLU gain) on every convolution and hidden Linear layer,
        normal std 0.01 on the final classifiers (``fc`` and each head's ``fc2``), biases 0: the
        variance-preserving choice that lets the BatchNorm-free ``paper`` network train, where
        ``caffe``'s variance 1/fan_in halves the signal at every ReLU layer.
        BatchNorm: weight 1, bias 0 in every scheme.
        """
        if scheme not in INIT_SCHEMES:
            raise ValueError(f"scheme must be one of {list(INIT_SCHEMES)}, got {scheme!r}")
        if scheme == "kaiming":
            self._init_kaiming()
            return
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                if scheme == "caffe":
                    bound = (3.0 / nn.init._calculate_fan_in_and_fan_out(m.weight)[0]) ** 0.5
                    nn.init.uniform_(m.weight, -bound, bound)
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0.2 if isinstance(m, nn.Conv2d) else 0.0)
                else:
                    nn.init.trunc_normal_(m.weight, mean=0.0, std=0.01, a=-2, b=2)
                    if m.bias is not None and (scheme == "seed" or isinstance(m, nn.Conv2d)):
                        nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def _init_kaiming(self) -> None:
        classifiers = [self.fc] + [h.fc2 for h in (self.aux1, self.aux2) if h is not None]
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                if any(m is c for c in classifiers):  # no ReLU follows: small logits at the start
                    nn.init.normal_(m.weight, mean=0.0, std=0.01)
                else:
                    nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    # ------------------------------------------------------------------ forward
    @property
    def min_input_size(self) -> int:
        """The smallest square input (pixels) the network accepts (eval mode, or batches of >= 2).

        BatchNorm in training mode needs more than one value per channel: a *single* image of
        this size may leave a 1x1 map; :attr:`min_train_input_size` is the size that always works.
        """
        return min_input_size(self.config)

    @property
    def min_train_input_size(self) -> int:
        """The smallest square input that also trains on a batch of one image."""
        return min_train_input_size(self.config)

    def _check_input(self, x: Tensor) -> Tensor:
        """Check ``x`` before any layer runs; return it in the model's floating-point dtype."""
        if not isinstance(x, Tensor):
            raise TypeError(f"x must be a torch.Tensor of shape (N, C, H, W), got {type(x).__name__}")
        if x.dim() != 4:
            raise ValueError(f"x must have shape (N, C, H, W), got {tuple(x.shape)}")
        c = self.config.in_channels
        if x.shape[1] != c:
            raise ValueError(f"x must have {c} input channels (dim 1), got shape {tuple(x.shape)}")
        if not x.is_floating_point():
            # Integer images are usually 0..255: converting them silently would feed the network
            # values 255 times too large, so say how to scale them instead.
            raise TypeError(
                f"x must be a floating-point tensor, got dtype {x.dtype}: scale integer or boolean images "
                f"to [0, 1] first (e.g. x.float() / 255 for 8-bit images), then normalise them as usual"
            )
        m = self.min_input_size
        if x.shape[2] < m or x.shape[3] < m:
            raise ValueError(
                f"x is {x.shape[2]}x{x.shape[3]} px; this network needs at least {m}x{m} "
                f"(variant={self.config.variant!r}, stem={self.config.stem!r})"
            )
        if self.training and x.shape[0] == 1 and self.config.spec.batch_norm:
            layer = _single_image_bn_map(self.config, (int(x.shape[2]), int(x.shape[3])))
            if layer is not None:
                t = self.min_train_input_size
                raise ValueError(
                    f"x is a batch of one {x.shape[2]}x{x.shape[3]} image: in training mode {layer} sees a 1x1 "
                    f"map, and BatchNorm needs more than one value per channel. Use a batch of >= 2 images, "
                    f"inputs of at least {t}x{t} px, or model.eval()"
                )
        dtype = self.fc.weight.dtype
        return x if x.dtype == dtype else x.to(dtype)  # float64/float16 input: compute in the model's dtype

    def _transform_input(self, x: Tensor) -> Tensor:
        """Map ImageNet-normalised input to the [-1, 1] scaling TF-slim's weights expect."""
        mean = torch.tensor(IMAGENET_MEAN, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
        std = torch.tensor(IMAGENET_STD, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
        return x * (std / 0.5) + (mean - 0.5) / 0.5

    def _stem_layers(self, x: Tensor) -> Generator[tuple[str, Tensor], None, Tensor]:
        """Run the stem, yielding ``(name, output)`` after conv1, conv2 and conv3; returns its output."""
        if self.transform_input:
            x = self._transform_input(x)
        x = self.conv1(x)  # N, 64, 112, 112
        yield "conv1", x
        if self.maxpool1 is not None:
            x = self.maxpool1(x)  # N, 64, 56, 56
        if self.lrn1 is not None:
            x = self.lrn1(x)
        x = self.conv2(x)  # N, 64, 56, 56
        yield "conv2", x
        x = self.conv3(x)  # N, 192, 56, 56
        yield "conv3", x
        if self.lrn2 is not None:
            x = self.lrn2(x)
        return self.maxpool2(x)  # N, 192, 28, 28

    def _block(self, name: str, x: Tensor, heads: bool, branches: frozenset[str]) -> Generator[tuple[str, Tensor], None, Tensor]:
        """Run block ``name`` ("inception4a"), yielding its output, then the output of any auxiliary head
        attached to it (if ``heads``); with ``name`` in ``branches``, its four branch outputs first."""
        block = getattr(self, name)
        if name in branches:
            parts = block.forward_branches(x)
            for branch, out in parts.items():
                yield f"{name}.{branch}", out
            x = torch.cat(list(parts.values()), 1)  # the same concatenation as Inception.forward
        else:
            x = block(x)
        yield name, x
        for head, at in AUX_HEADS.items():
            if heads and long_name(at) == name and getattr(self, head) is not None:
                yield head, getattr(self, head)(x)  # N, num_classes
        return x

    def _layers(
        self, x: Tensor, heads: bool = False, branches: frozenset[str] = frozenset()
    ) -> Generator[tuple[str, Tensor], None, None]:
        """Run the trunk bottom to top, yielding ``(name, output)`` after every layer of ``feature_info``,
        after each auxiliary head (if ``heads``) and after each branch of the blocks in ``branches``.

        A generator computes lazily: the layers above the point where the caller stops iterating never run.
        """
        x = yield from self._stem_layers(x)  # N, 192, 28, 28
        x = yield from self._block("inception3a", x, heads, branches)  # N, 256, 28, 28
        x = yield from self._block("inception3b", x, heads, branches)  # N, 480, 28, 28
        x = self.maxpool3(x)  # N, 480, 14, 14
        x = yield from self._block("inception4a", x, heads, branches)  # N, 512, 14, 14 (then aux1)
        x = yield from self._block("inception4b", x, heads, branches)  # N, 512, 14, 14
        x = yield from self._block("inception4c", x, heads, branches)  # N, 512, 14, 14
        x = yield from self._block("inception4d", x, heads, branches)  # N, 528, 14, 14 (then aux2)
        x = yield from self._block("inception4e", x, heads, branches)  # N, 832, 14, 14
        x = self.maxpool4(x)  # N, 832, 7, 7
        x = yield from self._block("inception5a", x, heads, branches)  # N, 832, 7, 7
        yield from self._block("inception5b", x, heads, branches)  # N, 1024, 7, 7

    def forward_stem(self, x: Tensor) -> Tensor:
        """The stem's output (N, 192, 28, 28 at 224 px): conv1 to conv3 and their pools."""
        stem = self._stem_layers(x)
        while True:
            try:
                next(stem)
            except StopIteration as done:
                return done.value

    def _forward(self, x: Tensor, with_aux: bool) -> tuple[Tensor, Tensor | None, Tensor | None]:
        x = self._check_input(x)
        aux = with_aux and self.training and self.aux_logits
        out: dict[str, Tensor] = {}
        for name, t in self._layers(x, heads=aux):
            if name in AUX_HEADS or name == self.feature_info[-1].module:  # keep only what is returned
                out[name] = t
        return out[self.feature_info[-1].module], out.get("aux1"), out.get("aux2")

    def intermediate_names(self) -> list[str]:
        """Every name :meth:`forward_intermediates` accepts, in forward order (canonical spelling):
        the layers of ``feature_info``, each block's branches ``"<block>.<branch>"``, and the
        auxiliary heads ``"aux1"``/``"aux2"`` when the network has them."""
        names = []
        for f in self.feature_info:
            module = getattr(self, f.module)
            if isinstance(module, Inception):
                names += [f"{f.module}.{b}" for b in BRANCH_NAMES]
            names.append(f.module)
            names += [h for h, at in AUX_HEADS.items() if long_name(at) == f.module and getattr(self, h) is not None]
        return names

    def _intermediate_name(self, name: object, valid: list[str]) -> str:
        if not isinstance(name, str):
            raise TypeError(f"names must hold layer names (str), got {name!r} ({type(name).__name__})")
        canonical = long_name(name)
        if canonical in valid:
            return canonical
        if canonical in AUX_HEADS:
            raise ValueError(f"names: {name!r} is not available, this network was built with aux_logits=False")
        heads = [h for h in AUX_HEADS if h in valid]
        raise ValueError(
            f"names: unknown layer {name!r}; valid names are the layers {list(LAYER_NAMES)} (blocks also as "
            f"'inception3a' ...), a block's branch '<block>.<branch>' with branch in {list(BRANCH_NAMES)} "
            f"(e.g. '4a.3x3')" + (f", and the auxiliary heads {heads}" if heads else "")
        )

    def forward_intermediates(
        self, x: Tensor, names: str | Sequence[str] | None = None, *, stop_early: bool = False
    ) -> dict[str, Tensor]:
        """The outputs of the named layers in one forward pass, keyed by canonical name (as timm's
        ``forward_intermediates``, by name rather than index).

        ``names``: layers of ``feature_info`` (``"conv1"``, ``"4a"`` or ``"inception4a"``), a block's
        branch (``"4a.3x3"``) or an auxiliary head (``"aux1"``, ``"aux2"``); ``None``: every layer of
        ``feature_info``. Keys are long names (``"inception4a"``, ``"inception4a.3x3"``), in the order asked.
        The heads run whenever they are named, also in eval mode, where ``forward`` skips them; they
        return logits (N, num_classes), with dropout only in training mode.
        ``stop_early``: stop after the last requested output; the layers above it are not run.
        Without it the whole trunk runs (not the classifier), as in ``forward_features``.
        See :meth:`intermediate_names` for every valid name.
        """
        valid = self.intermediate_names()
        if names is None:
            wanted = [f.module for f in self.feature_info]
        else:
            if isinstance(names, str):
                names = [names]
            elif not isinstance(names, Sequence):
                raise TypeError(f"names must be a layer name, a list of them or None, got {type(names).__name__}")
            wanted = list(dict.fromkeys(self._intermediate_name(n, valid) for n in names))
            if not wanted:
                raise ValueError("names must name at least one layer (or be None: every layer of feature_info)")
        stop_early = check_bool("stop_early", stop_early)
        x = self._check_input(x)
        heads = any(n in AUX_HEADS for n in wanted)
        branches = frozenset(n.partition(".")[0] for n in wanted if "." in n)
        found: dict[str, Tensor] = {}
        for name, t in self._layers(x, heads=heads, branches=branches):
            if name in wanted:
                found[name] = t
                if stop_early and len(found) == len(wanted):
                    break  # the generator is dropped: nothing above this layer runs
        return {n: found[n] for n in wanted}

    def forward_from(self, name: str, x: Tensor) -> Tensor:
        """The main head's logits when ``x`` stands for the output of block ``name`` ("4a" or
        "inception4a"): only the layers above it run (no auxiliary heads).

        For interventions: take a block's output from :meth:`forward_intermediates`, change it (zero
        a branch's channels, say) and finish the pass. ``forward_from("5b", f)`` is ``forward_head(f)``.
        """
        if not isinstance(name, str):
            raise TypeError(f"name must be an Inception block name (str), got {type(name).__name__}")
        block_stage(name)  # a clear error for anything but a block
        if not isinstance(x, Tensor) or x.dim() != 4:
            raise ValueError(f"x must be a block's output, an (N, C, H, W) tensor, got {getattr(x, 'shape', type(x).__name__)}")
        for layer in _TRUNK[_TRUNK.index(long_name(name)) + 1:]:
            x = getattr(self, layer)(x)
        return self.forward_head(x)

    def forward_features(self, x: Tensor) -> Tensor:
        """The last feature map (N, 1024, 7, 7 at 224 px), no auxiliary heads run."""
        return self._forward(x, with_aux=False)[0]

    def forward_head(self, x: Tensor) -> Tensor:
        x = self.avgpool(x)  # N, 1024, 1, 1
        x = torch.flatten(x, 1)  # N, 1024
        x = self.dropout(x)
        return self.fc(x)  # N, num_classes

    def forward(self, x: Tensor) -> GoogLeNetOutputs:
        features, aux1, aux2 = self._forward(x, with_aux=True)
        return GoogLeNetOutputs(aux1, aux2, self.forward_head(features))


def googlenet(
    variant: str = "bn",
    *,
    num_classes: int = 1000,
    aux_logits: bool = True,
    width: float = 1.0,
    stage_width: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0),
    stem: str = "imagenet",
    in_channels: int = 3,
    naive: bool = False,
    transform_input: bool = False,
    dropout: float | None = None,
    aux_dropout: float | None = None,
    init_weights: bool = True,
    init: str | None = None,
) -> GoogLeNet:
    """Build a GoogLeNet.

    Args:
        variant: ``"bn"`` (the seed blog's network, default), ``"paper"`` (as published in
            2014) or ``"torchvision"`` (loads torchvision's ImageNet weights). See
            ``inception.config.variant_spec(name).summary`` for what each one changes.
        num_classes: classifier outputs. aux_logits: build the two auxiliary heads.
        width: multiplies every filter count (e.g. 0.25 for CPU experiments).
        stage_width: extra multipliers for (stem, stage 3, stage 4, stage 5).
        stem: ``"imagenet"`` (224 px) or ``"small"`` (32-64 px inputs, same nine blocks).
        naive: use Figure 2a's naive blocks (no 1x1 reductions).
        transform_input: re-normalise ImageNet-normalised input (torchvision's weights need it).
        dropout / aux_dropout: override the variant's dropout rates.
        init_weights: apply an initialisation scheme (else PyTorch's defaults).
        init: the scheme, one of ``inception.config.INIT_SCHEMES`` (``"seed"``, ``"caffe"``,
            ``"torchvision"``, ``"kaiming"``); ``None`` (default): the variant's own.
    """
    cfg = GoogLeNetConfig(
        variant=variant,
        num_classes=num_classes,
        aux_logits=aux_logits,
        width=width,
        stage_width=stage_width,
        stem=stem,
        in_channels=in_channels,
        naive=naive,
        transform_input=transform_input,
        dropout=dropout,
        aux_dropout=aux_dropout,
        init_weights=init_weights,
        init=init,
    )
    return GoogLeNet(cfg)


class AuxLoss(NamedTuple):
    """The combined loss and its parts (auxiliary parts ``None`` when not computed)."""

    total: Tensor
    main: Tensor
    aux1: Tensor | None
    aux2: Tensor | None


def aux_weight_pair(aux_weight: Any, name: str = "aux_weight") -> tuple[float, float]:
    """``(aux1_weight, aux2_weight)`` from a number (both heads) or a pair; each finite and >= 0.

    Values come back as given (an ``int`` stays an ``int``), so a number and the pair of it
    give bit-identical losses.
    """
    allowed = f"{name} must be a number >= 0 (both heads) or a pair (aux1_weight, aux2_weight) of them"
    if isinstance(aux_weight, (str, bytes)):
        raise ArgumentTypeError(f"{allowed}, got {aux_weight!r} ({type(aux_weight).__name__})")
    if isinstance(aux_weight, Sequence) or (isinstance(aux_weight, np.ndarray) and aux_weight.ndim):
        if len(aux_weight) != 2:
            raise ValueError(f"{allowed}, got {len(aux_weight)} values: {aux_weight!r}")
        w1, w2 = (check_number(f"{name}[{i}]", w, 0) for i, w in enumerate(aux_weight))
        return w1, w2
    try:
        w = check_number(name, aux_weight, 0)
    except ArgumentTypeError:
        raise ArgumentTypeError(f"{allowed}, got {aux_weight!r} ({type(aux_weight).__name__})") from None
    return w, w


def googlenet_loss(
    outputs: GoogLeNetOutputs | tuple,
    target: Tensor,
    aux_weight: float | tuple[float, float] = 0.3,
    criterion: Callable[[Tensor, Tensor], Tensor] = F.cross_entropy,
) -> AuxLoss:
    """Main loss plus each auxiliary loss times its weight (section 5: 0.3 for both).

    ``aux_weight`` is one number for both heads or a pair ``(aux1_weight, aux2_weight)``
    (Inception-v3 asks whether the lower head, aux1 after 4a, is needed at all).
    """
    weights = aux_weight_pair(aux_weight)
    aux1, aux2, logits = outputs
    main = criterion(logits, target)
    l1 = criterion(aux1, target) if aux1 is not None else None
    l2 = criterion(aux2, target) if aux2 is not None else None
    total = main
    for part, w in zip((l1, l2), weights):
        if part is not None and w:
            total = total + w * part
    return AuxLoss(total, main, l1, l2)
