"""Configuration of a GoogLeNet: the three variants and the user's options, as plain data.

Both the torch model (:mod:`inception.model`) and the analytic cost model
(:mod:`inception.cost`) are built from a :class:`GoogLeNetConfig`, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ._checks import ArgumentTypeError, check_bool, check_choice, check_int, check_number
from .architecture import BLOCK_NAMES, INCEPTION_BLOCKS, STEM_CHANNELS, BlockSpec, block_stage, scale_channels

__all__ = [
    "VariantSpec",
    "VARIANTS",
    "variant_spec",
    "GoogLeNetConfig",
    "STEMS",
    "WIDTH_GROUPS",
    "INIT_SCHEMES",
    "AUX_POOL_OUTPUT",
    "aux_fixed_pool_fits",
]


@dataclass(frozen=True)
class VariantSpec:
    """What distinguishes one published GoogLeNet from another."""

    name: str
    batch_norm: bool  # BatchNorm after every convolution
    conv_bias: bool  # convolutions carry a bias
    bn_eps: float
    lrn: bool  # local response normalization in the stem (paper, Figure 3)
    pool_ceil: bool  # stride-2 max pools: ceil_mode without padding (Caffe/TF) or padding 1
    pool4_kernel: int  # kernel of the max pool between stage 4 and 5
    branch3_kernel: int  # the "5x5" branch's kernel (torchvision keeps 3x3)
    aux_pool: str  # "5x5/3" (paper, seed) or "adaptive" (torchvision)
    dropout: float  # before the final classifier
    aux_dropout: float  # inside the auxiliary heads
    init: str  # weight initialisation scheme, see GoogLeNet._init_weights
    summary: str


VARIANTS: dict[str, VariantSpec] = {
    "bn": VariantSpec(
        name="bn",
        batch_norm=True,
        conv_bias=True,
        bn_eps=1e-5,
        lrn=False,
        pool_ceil=False,
        pool4_kernel=3,
        branch3_kernel=5,
        aux_pool="5x5/3",
        dropout=0.5,
        aux_dropout=0.5,
        init="seed",
        summary=(
            "The seed blog's network: conv (with bias) + BatchNorm + ReLU everywhere, true 5x5 "
            "branches, 3x3/2 max pools with padding 1, dropout 0.5 in the classifier and the "
            "auxiliary heads, truncated-normal(0.01) init applied to Conv2d and Linear "
            "(the seed's `isinstance(m, nn.Conv2d) or isinstance(m, nn.Conv2d)` skipped Linear)."
        ),
    ),
    "paper": VariantSpec(
        name="paper",
        batch_norm=False,
        conv_bias=True,
        bn_eps=1e-5,  # unused: no BatchNorm
        lrn=True,
        pool_ceil=True,
        pool4_kernel=3,
        branch3_kernel=5,
        aux_pool="5x5/3",
        dropout=0.4,
        aux_dropout=0.7,
        init="caffe",
        summary=(
            "The network as published in 2014 (Table 1, Figure 3): no BatchNorm, convolutions "
            "with bias, local response normalization after conv1's pool and after conv3, true "
            "5x5 branches, 3x3/2 max pools (ceil mode, as in the Caffe reference model), dropout "
            "0.4 before the classifier, auxiliary heads with 5x5/3 average pooling and dropout 0.7."
        ),
    ),
    "torchvision": VariantSpec(
        name="torchvision",
        batch_norm=True,
        conv_bias=False,
        bn_eps=1e-3,
        lrn=False,
        pool_ceil=True,
        pool4_kernel=2,
        branch3_kernel=3,
        aux_pool="adaptive",
        dropout=0.2,
        aux_dropout=0.7,
        init="torchvision",
        summary=(
            "Weight-compatible with torchvision's ImageNet GoogLeNet (ported from TF-slim): "
            "conv without bias + BatchNorm(eps=1e-3), ceil-mode max pools, a 2x2 fourth max pool, "
            "a 3x3 kernel in the '5x5' branch (kept by torchvision for weight compatibility), "
            "auxiliary heads pooled adaptively to 4x4, dropout 0.2."
        ),
    ),
}

def variant_spec(name: str | VariantSpec, argument: str = "variant") -> VariantSpec:
    """The :class:`VariantSpec` called ``name`` (a spec is returned as it is).

    Every lookup of a variant by name goes through here, so a bad name always gets the same error,
    naming ``argument`` and listing the variants: ``variant must be one of ['bn', 'paper',
    'torchvision'], got 'vgg'``.
    """
    if isinstance(name, VariantSpec):
        return name
    return VARIANTS[check_choice(argument, name, sorted(VARIANTS))]


#: Side of the map the auxiliary heads pool to (section 5: 4x4x512 for 4a, 4x4x528 for 4d).
AUX_POOL_OUTPUT: int = 4


def aux_fixed_pool_fits(h: int, w: int) -> bool:
    """Whether the paper's 5x5/3 average pool gives the heads' 4x4 map on an ``h`` x ``w`` input
    (the paper's case: the 14x14 maps of 4a and 4d at 224 px).

    Where it does not (other resolutions, the small stem), the ``"5x5/3"`` heads pool adaptively to 4x4
    instead, so their 2048-input FC layer still fits; the model and the cost model both follow this rule.
    """
    n = AUX_POOL_OUTPUT
    return h >= 5 and w >= 5 and (h - 5) // 3 + 1 == n and (w - 5) // 3 + 1 == n


STEMS: tuple[str, ...] = ("imagenet", "small")
#: Weight initialisation schemes (``GoogLeNet._init_weights``): each variant's own, plus ``"kaiming"``
#: (He-normal), which trains the BatchNorm-free ``paper`` network where Caffe's "xavier" filler stalls.
INIT_SCHEMES: tuple[str, ...] = ("seed", "caffe", "torchvision", "kaiming")
#: The groups of layers ``stage_width`` scales separately: the stem and the three stages of Inception
#: blocks (3a-3b, 4a-4e, 5a-5b), in that order.
WIDTH_GROUPS: tuple[str, ...] = ("stem",) + tuple(dict.fromkeys(block_stage(b) for b in BLOCK_NAMES))


@dataclass(frozen=True)
class GoogLeNetConfig:
    """Everything needed to build (or cost) one GoogLeNet.

    ``width`` multiplies every filter count (stem, Inception blocks, auxiliary heads);
    ``stage_width`` further multiplies the stem and the stage-3/4/5 blocks separately.
    ``stem="small"`` replaces the 224 px stem (7x7/2 conv, two 3x3/2 pools) by a stride-1
    3x3 conv, the 1x1 and 3x3 convs and one 3x3/2 pool, for 32-64 px images; the nine
    blocks and both auxiliary heads are kept. ``init`` overrides the variant's weight
    initialisation scheme (one of :data:`INIT_SCHEMES`; ``None``: the variant's own).
    """

    variant: str = "bn"
    num_classes: int = 1000
    aux_logits: bool = True
    width: float = 1.0
    stage_width: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
    stem: str = "imagenet"
    in_channels: int = 3
    naive: bool = False
    transform_input: bool = False
    dropout: float | None = None
    aux_dropout: float | None = None
    init_weights: bool = True
    init: str | None = None
    spec: VariantSpec = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.variant, VariantSpec):  # the field holds the name: a spec is looked up, not stored
            raise ArgumentTypeError(f"variant must be one of {sorted(VARIANTS)}, got a VariantSpec")
        object.__setattr__(self, "spec", variant_spec(self.variant))
        if not isinstance(self.stem, str) or self.stem not in STEMS:
            raise ValueError(f"stem must be one of {list(STEMS)}, got {self.stem!r}")
        # Values are stored as plain Python objects: numpy scalars would change repr, hash and JSON.
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        for name in ("num_classes", "in_channels"):
            set_(name, check_int(name, getattr(self, name), 1))
        set_("width", check_number("width", self.width, 0, min_open=True))
        sw_message = (
            f"stage_width must be {len(WIDTH_GROUPS)} positive numbers for stages {list(WIDTH_GROUPS)}, "
            f"got {self.stage_width!r}"
        )
        try:
            sw = tuple(check_number("stage_width", v, 0, min_open=True) for v in self.stage_width)
        except TypeError:  # not iterable (stage_width=2), or not numbers
            raise ArgumentTypeError(sw_message) from None
        except ValueError:
            raise ValueError(sw_message) from None
        if len(sw) != len(WIDTH_GROUPS):
            raise ValueError(sw_message)
        set_("stage_width", sw)
        for name in ("dropout", "aux_dropout"):
            value = getattr(self, name)
            if value is not None:
                try:
                    set_(name, check_number(name, value, 0, 1, max_open=True))
                except ValueError as e:  # ArgumentTypeError too; keep the "None or" in the message
                    raise type(e)(f"{name} must be None or a number in [0, 1), got {value!r}") from None
        for name in ("aux_logits", "naive", "transform_input", "init_weights"):
            set_(name, check_bool(name, getattr(self, name)))
        if self.init is not None and (not isinstance(self.init, str) or self.init not in INIT_SCHEMES):
            raise ValueError(f"init must be None (the variant's scheme) or one of {list(INIT_SCHEMES)}, got {self.init!r}")
        if self.transform_input and self.in_channels != 3:
            raise ValueError("transform_input=True needs in_channels=3 (it re-normalises RGB)")

    # ----- derived quantities, shared by the model and the cost model -----
    @property
    def dropout_p(self) -> float:
        return self.spec.dropout if self.dropout is None else float(self.dropout)

    @property
    def aux_dropout_p(self) -> float:
        return self.spec.aux_dropout if self.aux_dropout is None else float(self.aux_dropout)

    @property
    def init_scheme(self) -> str:
        """The initialisation scheme applied: ``init``, or the variant's own when ``init`` is None."""
        return self.spec.init if self.init is None else self.init

    def _mult(self, group: str) -> float:
        return self.width * self.stage_width[WIDTH_GROUPS.index(group)]

    @property
    def stem_channels(self) -> dict[str, int]:
        """Filter counts of conv1, conv2 (1x1 reduction) and conv3 after width scaling."""
        m = self._mult("stem")
        return {k: scale_channels(v, m) for k, v in STEM_CHANNELS.items()}

    @property
    def blocks(self) -> dict[str, BlockSpec]:
        """The nine Inception blocks ("3a" ... "5b") after width scaling."""
        return {name: spec.scaled(self._mult(block_stage(name))) for name, spec in INCEPTION_BLOCKS.items()}

    @property
    def aux_channels(self) -> tuple[int, int]:
        """The auxiliary head's 1x1 conv filters (128) and hidden FC units (1024), scaled."""
        return scale_channels(128, self.width), scale_channels(1024, self.width)

    def block_in_channels(self) -> dict[str, int]:
        """Input channels of each Inception block (naive blocks pass their input through)."""
        c = self.stem_channels["conv3"]
        result = {}
        for name, spec in self.blocks.items():
            result[name] = c
            c = naive_out_channels(spec, c) if self.naive else spec.out_channels
        return result

    @property
    def out_channels(self) -> int:
        """Channels of the final feature map (1024 at width 1)."""
        last = list(self.blocks)[-1]
        spec = self.blocks[last]
        cin = self.block_in_channels()[last]
        return naive_out_channels(spec, cin) if self.naive else spec.out_channels


def naive_out_channels(spec: BlockSpec, in_channels: int) -> int:
    """Figure 2a: no reductions, and the pool branch passes all ``in_channels`` through."""
    return spec.ch1x1 + spec.ch3x3 + spec.ch5x5 + in_channels
