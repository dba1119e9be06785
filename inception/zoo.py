"""Other networks of the time, as layer configurations costed with :mod:`inception.cost`.

GoogLeNet's efficiency only means something next to its neighbours. This module writes
AlexNet and VGG-16 down as plain data (one :class:`Conv`, :class:`Pool` or :class:`FC` per
layer) and costs them with the same primitives as GoogLeNet (``conv_layer``, ``linear_layer``,
``pool_layer``), so every figure follows from the configuration; nothing is typed in.

- AlexNet (Krizhevsky, Sutskever & Hinton 2012, section 3.5 and Figure 2), in the original
  two-GPU form: conv2, conv4 and conv5 only see the 48/192/192 channels of their own GPU,
  i.e. grouped convolutions with ``groups=2``. Input 227 x 227 (the paper says 224, but an
  11x11/4 convolution gives its 55x55 maps only from 227 px, as in Caffe's reference model).
  ``ALEXNET_SINGLE`` is the same filters on one GPU (no groups).
- ``ALEXNET_OWT`` is the single-tower AlexNet torchvision ships (64-192-384-256-256 filters,
  Krizhevsky 2014, "One weird trick for parallelizing convolutional neural networks").
- VGG-16 (Simonyan & Zisserman 2014, Table 1, configuration D): thirteen 3x3 convolutions
  and three fully connected layers.
- GoogLeNet with naive Inception blocks (Figure 2a), and the classifier head compared both
  ways: global average pooling + FC (section 5) against flatten + FC.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, Union

from ._checks import check_int
from .config import GoogLeNetConfig
from .cost import LayerCost, Shape, Totals, conv_layer, layer_costs, linear_layer, pool_layer, totals
from .display import Table

__all__ = [
    "Conv",
    "Pool",
    "FC",
    "Architecture",
    "ALEXNET",
    "ALEXNET_SINGLE",
    "ALEXNET_OWT",
    "VGG16",
    "architecture_costs",
    "googlenet_costs",
    "NETWORKS",
    "network_costs",
    "fc_share",
    "compare_networks",
    "head_costs",
    "head_table",
]


@dataclass(frozen=True)
class Conv:
    """A square convolution with bias, followed by ReLU (not costed)."""

    out_channels: int
    kernel: int
    stride: int = 1
    padding: int = 0
    groups: int = 1


@dataclass(frozen=True)
class Pool:
    """A max pool (or ``kind="lrn"``: local response normalization, no cost, shape kept)."""

    kernel: int
    stride: int
    kind: str = "maxpool"


@dataclass(frozen=True)
class FC:
    """A fully connected layer with bias (the input is flattened first)."""

    out_features: int


LayerSpec = Union[Conv, Pool, FC]


@dataclass(frozen=True)
class Architecture:
    """A plain feed-forward network as data: named layers and the input it was designed for."""

    name: str
    input_size: int
    layers: tuple[tuple[str, LayerSpec], ...]
    source: str

    def __post_init__(self) -> None:
        for name, spec in self.layers:
            if not isinstance(spec, (Conv, Pool, FC)):
                raise TypeError(f"layer {name!r} must be a Conv, Pool or FC, got {type(spec).__name__}")


def _alexnet(groups: int, name: str, source: str) -> Architecture:
    return Architecture(
        name=name,
        input_size=227,
        layers=(
            ("conv1", Conv(96, 11, 4)),
            ("norm1", Pool(0, 1, "lrn")),
            ("pool1", Pool(3, 2)),
            ("conv2", Conv(256, 5, 1, 2, groups)),
            ("norm2", Pool(0, 1, "lrn")),
            ("pool2", Pool(3, 2)),
            ("conv3", Conv(384, 3, 1, 1)),  # sees both GPUs' maps (section 3.5)
            ("conv4", Conv(384, 3, 1, 1, groups)),
            ("conv5", Conv(256, 3, 1, 1, groups)),
            ("pool5", Pool(3, 2)),
            ("fc6", FC(4096)),
            ("fc7", FC(4096)),
            ("fc8", FC(1000)),
        ),
        source=source,
    )


#: AlexNet as published: two GPUs, conv2/4/5 grouped (Krizhevsky et al. 2012, Figure 2).
ALEXNET = _alexnet(2, "AlexNet", "Krizhevsky et al. 2012, section 3.5 and Figure 2 (two-GPU form, groups=2)")
#: The same filters on a single GPU (every convolution sees all input channels).
ALEXNET_SINGLE = _alexnet(1, "AlexNet (one tower)", "Krizhevsky et al. 2012 filters without the two-GPU split")
#: torchvision's AlexNet: Krizhevsky 2014, "One weird trick ...", 224 px input.
ALEXNET_OWT = Architecture(
    name="AlexNet (torchvision)",
    input_size=224,
    layers=(
        ("conv1", Conv(64, 11, 4, 2)),
        ("pool1", Pool(3, 2)),
        ("conv2", Conv(192, 5, 1, 2)),
        ("pool2", Pool(3, 2)),
        ("conv3", Conv(384, 3, 1, 1)),
        ("conv4", Conv(256, 3, 1, 1)),
        ("conv5", Conv(256, 3, 1, 1)),
        ("pool5", Pool(3, 2)),
        ("fc6", FC(4096)),
        ("fc7", FC(4096)),
        ("fc8", FC(1000)),
    ),
    source="Krizhevsky 2014, 'One weird trick for parallelizing convolutional neural networks'",
)


def _vgg16() -> Architecture:
    layers: list[tuple[str, LayerSpec]] = []
    # Configuration D: (filters, number of 3x3 convs) per block, each block ends in a 2x2/2 max pool.
    for block, (filters, n) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], start=1):
        layers += [(f"conv{block}_{i}", Conv(filters, 3, 1, 1)) for i in range(1, n + 1)]
        layers.append((f"pool{block}", Pool(2, 2)))
    layers += [("fc6", FC(4096)), ("fc7", FC(4096)), ("fc8", FC(1000))]
    return Architecture("VGG-16", 224, tuple(layers), "Simonyan & Zisserman 2014, Table 1, configuration D")


#: VGG-16 (configuration D).
VGG16 = _vgg16()


def architecture_costs(arch: Architecture, input_size: int | None = None, in_channels: int = 3) -> list[LayerCost]:
    """Every layer of ``arch`` costed per image (weights, biases, MACs, shapes), in order.

    Raises :class:`inception.cost.ShapeError` if the input is too small.
    """
    if not isinstance(arch, Architecture):
        raise TypeError(f"arch must be an Architecture (e.g. zoo.VGG16), got {type(arch).__name__}")
    size = arch.input_size if input_size is None else input_size
    size = check_int("input_size", size, 1)
    x: Shape = (check_int("in_channels", in_channels, 1), size, size)
    out: list[LayerCost] = []
    for name, spec in arch.layers:
        if isinstance(spec, Conv):
            layer = conv_layer(name, x, spec.out_channels, spec.kernel, spec.stride, spec.padding, groups=spec.groups)
        elif isinstance(spec, FC):
            layer = linear_layer(name, x[0] * x[1] * x[2], spec.out_features)
        elif spec.kind == "lrn":
            layer = LayerCost(name, name, None, "lrn", 0, 1, x, x)
        else:
            layer = pool_layer(name, x, spec.kernel, spec.stride, kind=spec.kind)
        out.append(layer)
        x = layer.out_shape
    return out


def googlenet_costs(*, naive: bool = False, variant: str = "paper", aux_logits: bool = False,
                    input_size: int = 224) -> list[LayerCost]:
    """GoogLeNet's layers (``naive=True``: every block built as Figure 2a, no 1x1 reductions)."""
    return layer_costs(GoogLeNetConfig(variant=variant, naive=naive, aux_logits=aux_logits), input_size)


#: The networks compared in notebook 03, by display name.
NETWORKS: dict[str, str] = {
    "GoogLeNet": "the 2014 network (variant 'paper'), inference: no auxiliary heads",
    "GoogLeNet + aux heads": "the same, as trained: both auxiliary classifiers counted",
    "GoogLeNet, naive blocks": "every Inception block as Figure 2a: no 1x1 reductions or pool projections",
    "AlexNet": ALEXNET.source,
    "AlexNet (one tower)": ALEXNET_SINGLE.source,
    "VGG-16": VGG16.source,
}


def network_costs(name: str) -> list[LayerCost]:
    """The layers of one network of :data:`NETWORKS`, at its design resolution."""
    if name == "GoogLeNet":
        return googlenet_costs()
    if name == "GoogLeNet + aux heads":
        return googlenet_costs(aux_logits=True)
    if name == "GoogLeNet, naive blocks":
        return googlenet_costs(naive=True)
    archs = {a.name: a for a in (ALEXNET, ALEXNET_SINGLE, VGG16)}
    if name not in archs:
        raise ValueError(f"name must be one of {list(NETWORKS)}, got {name!r}")
    return architecture_costs(archs[name])


def fc_share(layers: Sequence[LayerCost]) -> float:
    """Fraction of the parameters that sit in fully connected layers."""
    t = totals(layers)
    return sum(l.params for l in layers if l.kind == "linear") / t.params


def compare_networks(names: Sequence[str] | None = None) -> Table:
    """Parameters (weights + biases) and MACs per image, relative to GoogLeNet."""
    names = list(NETWORKS) if names is None else list(names)
    ref = totals(network_costs("GoogLeNet"))
    rows = []
    for name in names:
        layers = network_costs(name)
        t: Totals = totals(layers)
        size = layers[0].in_shape[1]
        rows.append([name, f"{size} px", t.params, round(t.params / ref.params, 2), round(t.macs / 1e9, 3),
                     round(t.macs / ref.macs, 2), f"{fc_share(layers):.1%}"])
    return Table(
        ["network", "input", "params", "params x GoogLeNet", "GMACs", "MACs x GoogLeNet", "params in FC layers"],
        rows,
        title="Parameters (weights + biases) and multiply-accumulates per image",
        digits=2,
    )


def head_costs(in_shape: Shape = (1024, 7, 7), num_classes: int = 1000) -> dict[str, list[LayerCost]]:
    """The classifier on top of the last feature map, three ways.

    - ``"GAP + FC"``: GoogLeNet (section 5): 7x7 average pool, then one linear layer.
    - ``"flatten + FC"``: the same single linear classifier on the flattened map.
    - ``"flatten + FC-4096-4096"``: an AlexNet/VGG-style head (two hidden layers of 4096).
    """
    c, h, w = in_shape
    gap = pool_layer("avgpool", in_shape, h, 1, kind="avgpool")
    return {
        "GAP + FC": [gap, linear_layer("fc", c, num_classes)],
        "flatten + FC": [linear_layer("fc", c * h * w, num_classes)],
        "flatten + FC-4096-4096": [
            linear_layer("fc6", c * h * w, 4096),
            linear_layer("fc7", 4096, 4096),
            linear_layer("fc8", 4096, num_classes),
        ],
    }


def head_table(in_shape: Shape = (1024, 7, 7), num_classes: int = 1000) -> Table:
    """:func:`head_costs` as a table, with each head's size relative to GAP + FC and to GoogLeNet."""
    heads = head_costs(in_shape, num_classes)
    gap = totals(heads["GAP + FC"]).params
    body = totals(network_costs("GoogLeNet")).params - gap  # GoogLeNet below its head
    rows = []
    for name, layers in heads.items():
        t = totals(layers)
        rows.append([name, t.params, round(t.params / gap, 1), body + t.params, f"{t.params / (body + t.params):.1%}"])
    c, h, w = in_shape
    return Table(
        ["head", "params", "x GAP + FC", "GoogLeNet with this head", "head's share"],
        rows,
        title=f"Classifier heads on the {h}x{w}x{c} feature map, {num_classes} classes",
    )
