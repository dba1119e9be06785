"""AlexNet, VGG-16, naive GoogLeNet and the classifier heads: analytic costs against torch modules."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from inception import GoogLeNet, GoogLeNetConfig, cost, zoo


def _torch_module(arch: zoo.Architecture) -> nn.Sequential:
    """Build ``arch`` as an nn.Sequential straight from its layer configuration (on the meta
    device: shapes and parameter counts without allocating 138 M floats)."""
    with torch.device("meta"):  # no weights allocated, initialisation skipped
        layers: list[nn.Module] = []
        c, hw = 3, arch.input_size
        flat = False
        for _, spec in arch.layers:
            if isinstance(spec, zoo.Conv):
                layers += [nn.Conv2d(c, spec.out_channels, spec.kernel, spec.stride, spec.padding, groups=spec.groups),
                           nn.ReLU()]
                c, hw = spec.out_channels, (hw + 2 * spec.padding - spec.kernel) // spec.stride + 1
            elif isinstance(spec, zoo.Pool) and spec.kind == "lrn":
                layers.append(nn.LocalResponseNorm(5))
            elif isinstance(spec, zoo.Pool):
                layers.append(nn.MaxPool2d(spec.kernel, spec.stride))
                hw = (hw - spec.kernel) // spec.stride + 1
            else:
                if not flat:
                    layers.append(nn.Flatten())
                    c, flat = c * hw * hw, True
                layers.append(nn.Linear(c, spec.out_features))
                c = spec.out_features
        return nn.Sequential(*layers)


def _flops(model: nn.Module, x: torch.Tensor) -> int:
    with FlopCounterMode(display=False) as counter:
        model(x)
    return counter.get_total_flops()


@pytest.mark.parametrize("arch", [zoo.ALEXNET, zoo.ALEXNET_SINGLE, zoo.ALEXNET_OWT, zoo.VGG16], ids=lambda a: a.name)
def test_architectures_match_torch(arch):
    model = _torch_module(arch)
    layers = zoo.architecture_costs(arch)
    t = cost.totals(layers)
    assert sum(p.numel() for p in model.parameters()) == t.params
    x = torch.zeros(1, 3, arch.input_size, arch.input_size, device="meta")
    assert _flops(model, x) == 2 * t.macs
    assert tuple(model(x).shape) == (1, 1000)


def test_well_known_totals():
    vgg = cost.totals(zoo.architecture_costs(zoo.VGG16))
    assert vgg.params == 138_357_544  # Simonyan & Zisserman's configuration D, with biases
    assert round(vgg.macs / 1e9, 2) == 15.47  # torchvision lists VGG-16 at "15.47 GFLOPS", which are MACs
    alex = cost.totals(zoo.architecture_costs(zoo.ALEXNET))
    assert alex.params == 60_965_224  # "60 million parameters" (Krizhevsky et al. 2012, abstract)
    assert round(alex.macs / 1e6) == 724
    assert cost.totals(zoo.architecture_costs(zoo.ALEXNET_SINGLE)).params == 62_378_344
    assert cost.totals(zoo.architecture_costs(zoo.ALEXNET_OWT)).params == 61_100_840  # torchvision's alexnet
    # AlexNet's output maps: 55, 27, 13, 6 (Figure 2 of Krizhevsky et al.)
    shapes = {l.name: l.out_shape for l in zoo.architecture_costs(zoo.ALEXNET)}
    assert shapes["conv1"] == (96, 55, 55) and shapes["conv2"] == (256, 27, 27) and shapes["pool5"] == (256, 6, 6)


def test_grouped_convolutions_halve_the_weights():
    grouped = {l.name: l for l in zoo.architecture_costs(zoo.ALEXNET)}
    single = {l.name: l for l in zoo.architecture_costs(zoo.ALEXNET_SINGLE)}
    for name in ("conv2", "conv4", "conv5"):
        assert 2 * grouped[name].weights == single[name].weights
    assert grouped["conv3"].weights == single["conv3"].weights == 3 * 3 * 256 * 384


def test_naive_googlenet_matches_torch():
    layers = zoo.googlenet_costs(naive=True)
    with torch.device("meta"):
        model = GoogLeNet(GoogLeNetConfig(variant="paper", naive=True, aux_logits=False, init_weights=False)).eval()
    assert sum(p.numel() for p in model.parameters()) == cost.totals(layers).params
    assert _flops(model, torch.zeros(1, 3, 224, 224, device="meta")) == 2 * cost.totals(layers).macs
    # without reductions the pool branch passes every channel on: 5b ends with far more than 1024
    assert layers[-1].in_shape[0] > 1024


def test_network_table():
    table = zoo.compare_networks()
    assert table.column("network") == list(zoo.NETWORKS)
    params = dict(zip(table.column("network"), table.column("params"), strict=True))
    assert params["GoogLeNet"] == cost.totals(cost.layer_costs(GoogLeNetConfig(variant="paper", aux_logits=False))).params
    assert params["VGG-16"] == 138_357_544
    assert zoo.fc_share(zoo.network_costs("AlexNet")) > 0.95
    assert zoo.fc_share(zoo.network_costs("GoogLeNet")) < 0.15


def test_heads():
    heads = zoo.head_costs()
    assert cost.totals(heads["GAP + FC"]).params == 1024 * 1000 + 1000
    assert cost.totals(heads["flatten + FC"]).params == 7 * 7 * 1024 * 1000 + 1000
    assert cost.totals(heads["flatten + FC-4096-4096"]).weights == 50176 * 4096 + 4096 * 4096 + 4096 * 1000
    assert heads["GAP + FC"][0].out_shape == (1024, 1, 1)
    table = zoo.head_table()
    assert table.column("x GAP + FC")[1] == 49.0
    # the GoogLeNet column is the real GoogLeNet with its head swapped
    ref = cost.totals(zoo.network_costs("GoogLeNet")).params
    assert table.column("GoogLeNet with this head")[0] == ref


def test_bad_input():
    with pytest.raises(TypeError, match="arch must be an Architecture"):
        zoo.architecture_costs("VGG-16")
    with pytest.raises(ValueError, match="input_size must be"):
        zoo.architecture_costs(zoo.VGG16, input_size=0)
    with pytest.raises(cost.ShapeError):
        zoo.architecture_costs(zoo.VGG16, input_size=16)
    with pytest.raises(ValueError, match="name must be one of"):
        zoo.network_costs("ResNet-50")
    with pytest.raises(TypeError, match="must be a Conv, Pool or FC"):
        zoo.Architecture("bad", 32, (("x", nn.ReLU()),), "")
    with pytest.raises(ValueError, match="groups=3 must divide"):
        cost.conv_layer("c", (4, 8, 8), 6, 3, groups=3)
