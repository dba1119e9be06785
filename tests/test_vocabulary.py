"""The network's vocabulary (inception.architecture), the variant lookup and the aux-pool rule, each defined once."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import inception
from inception import architecture as A
from inception import config, cost, netviz, train
from inception.widgets import network as network_explorer
from inception.config import VARIANTS, GoogLeNetConfig, aux_fixed_pool_fits, variant_spec

pytestmark = pytest.mark.usefixtures("one_thread")


# ----------------------------------------------------------------------------- names
def test_short_and_long_names_convert_both_ways():
    for b in A.BLOCK_NAMES:
        assert A.long_name(b) == f"inception{b}" and A.short_name(f"inception{b}") == b
        assert A.long_name(A.long_name(b)) == A.long_name(b) and A.short_name(b) == b  # idempotent
        for br in A.BRANCH_NAMES:
            assert A.long_name(f"{b}.{br}") == f"inception{b}.{br}"
            assert A.short_name(f"inception{b}.{br}") == f"{b}.{br}"
    for other in ("conv1", "conv3", "fc", "aux1", "maxpool3", "inception", "inception6a", "3e", "inception4a3"):
        assert A.short_name(other) == other and A.long_name(other) == other
    assert A.short_name("inception4a.branch2.0") == "4a.branch2.0"


def test_block_stage():
    assert [A.block_stage(b) for b in A.BLOCK_NAMES] == list("334444455")
    assert A.block_stage("inception4c.3x3") == "4"
    with pytest.raises(ValueError, match=r"name must be an Inception block, one of \['3a'"):
        A.block_stage("conv1")


def test_layer_names_are_the_models_feature_layers_in_order():
    assert A.LAYER_NAMES == ("conv1", "conv2", "conv3", *inception.BLOCK_NAMES)
    for stem in config.STEMS:
        model = inception.googlenet(stem=stem, width=0.125, num_classes=10, init_weights=False)
        assert [A.short_name(f.module) for f in model.feature_info] == list(A.LAYER_NAMES)
        top = [n for n, _ in model.named_children()]
        assert [n for n in top if A.short_name(n) in A.LAYER_NAMES] == [A.long_name(n) for n in A.LAYER_NAMES]


def test_pools_sit_where_the_model_and_cost_model_put_them():
    for stem in config.STEMS:
        cfg = GoogLeNetConfig(stem=stem, width=0.125, num_classes=10, init_weights=False)
        model = inception.GoogLeNet(cfg)
        top = [n for n, m in model.named_children() if m is not None]
        for after, pool in A.POOLS.items():
            if getattr(model, pool) is None:  # the small stem has no maxpool1
                assert stem == "small" and pool == "maxpool1"
                continue
            # next layer of the trunk after `after` (LRN aside) is the pool
            following = [n for n in top[top.index(A.long_name(after)) + 1:] if not n.startswith("lrn")]
            assert following[0] == pool
        # the cost model agrees: each pool's layer comes right after the keyed layer's last sub-layer
        names = [layer.name for layer in cost.layer_costs(cfg, 64) if not layer.aux and layer.kind != "lrn"]
        stages = [layer.stage for layer in cost.layer_costs(cfg, 64) if not layer.aux and layer.kind != "lrn"]
        for after, pool in A.POOLS.items():
            if pool not in names:
                continue
            i = names.index(pool)
            assert stages[i - 1] == A.long_name(after)
        # and every pool halves the map: feature_info's reduction doubles right after it
        red = {A.short_name(f.module): f.reduction for f in model.feature_info}
        for prev, nxt in zip(A.LAYER_NAMES, A.LAYER_NAMES[1:]):
            halves = prev in A.POOLS and getattr(model, A.POOLS[prev]) is not None
            assert red[nxt] == red[prev] * (2 if halves else 1)


def test_aux_heads_attach_where_the_vocabulary_says():
    assert dict(A.AUX_HEADS) == {"aux1": "4a", "aux2": "4d"}  # section 5
    model = inception.googlenet(width=0.25, init_weights=False)
    layers = cost.layer_costs(model.config, 224)
    for head, block in A.AUX_HEADS.items():
        assert getattr(model, head).conv.conv.in_channels == getattr(model, A.long_name(block)).out_channels
        first = next(i for i, layer in enumerate(layers) if layer.name.startswith(f"{head}."))
        assert layers[first - 1].stage == A.long_name(block)  # right after the block's last layer


def test_the_three_meanings_of_stages_have_their_own_names():
    assert config.WIDTH_GROUPS == ("stem", "3", "4", "5")
    assert netviz.COST_GROUPS == config.WIDTH_GROUPS + ("head",)
    assert train.GRAD_LAYERS == A.LAYER_NAMES
    assert list(train.stage_modules(inception.googlenet(width=0.125, init_weights=False))) == list(A.LAYER_NAMES)
    # one name per meaning: the ambiguous old names are gone
    assert not hasattr(config, "STAGES") and not hasattr(train, "STAGES") and not hasattr(netviz, "GROUPS")
    assert [netviz.stage_group(f"inception{b}") for b in A.BLOCK_NAMES] == [A.block_stage(b) for b in A.BLOCK_NAMES]
    assert netviz.stage_label("inception4c") == "4c" and netviz.stage_label("conv2") == "conv2"


# ----------------------------------------------------------------------------- variants
def test_variant_spec():
    for name, spec in VARIANTS.items():
        assert variant_spec(name) is spec
        assert variant_spec(spec) is spec
        assert inception.variant_spec is variant_spec
    with pytest.raises(ValueError, match=r"variant must be one of \['bn', 'paper', 'torchvision'\], got 'vgg'"):
        variant_spec("vgg")
    with pytest.raises(ValueError, match=r"arch must be one of \['bn', 'paper', 'torchvision'\], got 3"):
        variant_spec(3, "arch")


@pytest.mark.parametrize("call", [
    lambda: GoogLeNetConfig(variant="vgg"),
    lambda: inception.googlenet("vgg"),
    lambda: inception.Inception(8, 1, 1, 1, 1, 1, 1, variant="vgg"),
    lambda: inception.InceptionAux(8, 10, variant="vgg"),
    lambda: cost.block_costs((8, 8, 8), (1, 1, 1, 1, 1, 1), variant="vgg"),
    lambda: network_explorer._check_explorer_args(variant="vgg"),
])
def test_every_variant_lookup_gives_the_same_error(call):
    with pytest.raises(ValueError, match=r"^variant must be one of \['bn', 'paper', 'torchvision'\], got 'vgg'$"):
        call()


def test_config_refuses_a_spec_object_as_the_variant_name():
    with pytest.raises(TypeError, match="variant must be one of"):
        GoogLeNetConfig(variant=VARIANTS["bn"])


# ----------------------------------------------------------------------------- aux pool rule
def test_aux_fixed_pool_rule():
    # 5x5/3 gives 4x4 exactly on 14..16 px maps (14x14 is the paper's, at 224 px)
    assert [s for s in range(1, 40) if aux_fixed_pool_fits(s, s)] == [14, 15, 16]
    assert not aux_fixed_pool_fits(14, 7)
    for s in range(5, 30):
        out = F.avg_pool2d(torch.zeros(1, 1, s, s), 5, 3).shape[-1]
        assert aux_fixed_pool_fits(s, s) == (out == config.AUX_POOL_OUTPUT)


@pytest.mark.parametrize("size", [14, 9])
def test_model_and_cost_model_follow_the_one_rule(size):
    pool = inception.model.AuxPool("5x5/3")
    x = torch.rand(1, 2, size, size)
    fixed = F.avg_pool2d(x, 5, 3)
    assert torch.equal(pool(x), fixed) == aux_fixed_pool_fits(size, size)
    cfg = GoogLeNetConfig(variant="paper", width=0.125, num_classes=10, init_weights=False)
    input_size = 224 if size == 14 else 144  # 4a's map: 14 px, or 9 px
    aux_pool = next(layer for layer in cost.layer_costs(cfg, input_size) if layer.name == "aux1.pool")
    assert aux_pool.in_shape[1] == size
    assert aux_pool.kind == "avgpool" and aux_pool.out_shape[1:] == (4, 4)
    # the fixed pool is costed as a 5x5/3 pool layer, the fallback as an adaptive resize (kernel 0)
    assert (aux_pool.kernel, aux_pool.stride) == ((5, 3) if aux_fixed_pool_fits(size, size) else (0, 1))
