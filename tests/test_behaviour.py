"""What the network *does*, measured on forward passes: dropout, losses, LRN, BatchNorm eps,
branch order, where the auxiliary heads read, feature-map sizes. Expected values come from the
publications (numbers typed here), not from the package's own configuration.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import inception
from inception import Inception, googlenet, googlenet_loss

VARIANTS = ["bn", "paper", "torchvision"]

#: (main classifier dropout, auxiliary-head dropout) as published:
#: paper: Table 1 "dropout (40%)", section 5 "a dropout layer with 70% ratio of dropped outputs";
#: torchvision: `googlenet(dropout=0.2, dropout_aux=0.7)`; the seed blog (bn): `p=0.5` for both.
DROPOUT = {"bn": (0.5, 0.5), "paper": (0.4, 0.7), "torchvision": (0.2, 0.7)}


#: one torch thread for this module (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("one_thread")


def _small(variant: str, **kw) -> inception.GoogLeNet:
    torch.manual_seed(0)
    return googlenet(variant, stem="small", width=0.25, num_classes=10, **kw)


def _x(n: int = 4, h: int = 32, w: int = 32) -> torch.Tensor:
    g = torch.Generator().manual_seed(123)
    return torch.randn(n, 3, h, w, generator=g)


# ----------------------------------------------------------------------------- dropout
@pytest.mark.parametrize("variant", VARIANTS)
def test_dropout_active_in_train_mode_and_inactive_in_eval(variant):
    model, x = _small(variant), _x()
    with torch.no_grad():
        model.train()
        a, b = model(x), model(x)
        for head in ("logits", "aux1", "aux2"):  # same input, same batch statistics: only dropout differs
            assert not torch.equal(getattr(a, head), getattr(b, head)), head
        model.eval()
        c, d = model(x), model(x)
        assert torch.equal(c.logits, d.logits)
    # without dropout the two training-mode passes agree: the difference above was dropout
    quiet = _small(variant, dropout=0.0, aux_dropout=0.0).train()
    with torch.no_grad():
        a, b = quiet(x), quiet(x)
    assert torch.equal(a.logits, b.logits) and torch.equal(a.aux1, b.aux1) and torch.equal(a.aux2, b.aux2)


def _measured_rate(before: torch.Tensor, after: torch.Tensor) -> tuple[float, float]:
    """Dropout's (fraction dropped, 1 - 1/scale of the kept values), from its input and output."""
    alive = before != 0
    kept = alive & (after != 0)
    dropped = (alive & (after == 0)).sum().item() / alive.sum().item()
    scale = (after[kept] / before[kept]).mean().item()
    assert torch.allclose(after[kept], before[kept] * scale, rtol=1e-5)  # one factor for all kept values
    return dropped, 1 - 1 / scale


@pytest.mark.parametrize("variant", VARIANTS)
def test_dropout_rates_measured_on_a_forward_pass(variant):
    """Main head: what reaches fc vs the pooled features; aux heads: what reaches fc2 vs relu(fc1)."""
    p_main, p_aux = DROPOUT[variant]
    torch.manual_seed(0)
    model = googlenet(variant, stem="small", width=0.5, num_classes=10).train()
    seen: dict[str, torch.Tensor] = {}
    hooks = [
        model.avgpool.register_forward_hook(lambda m, i, o: seen.__setitem__("pooled", o.flatten(1))),
        model.fc.register_forward_pre_hook(lambda m, a: seen.__setitem__("fc_in", a[0])),
    ]
    for head in ("aux1", "aux2"):
        aux = getattr(model, head)
        hooks.append(aux.fc1.register_forward_hook(lambda m, i, o, h=head: seen.__setitem__(f"{h}_fc1", F.relu(o))))
        hooks.append(aux.fc2.register_forward_pre_hook(lambda m, a, h=head: seen.__setitem__(f"{h}_fc2_in", a[0])))
    torch.manual_seed(1)
    with torch.no_grad():
        model(_x(16))
    for h in hooks:
        h.remove()
    # scale of the kept values: exact; fraction dropped: binomial, n >= 8000 here, 6 sigma < 0.04
    dropped, from_scale = _measured_rate(seen["pooled"], seen["fc_in"])
    assert from_scale == pytest.approx(p_main, abs=1e-4)
    assert dropped == pytest.approx(p_main, abs=0.04)
    for head in ("aux1", "aux2"):
        dropped, from_scale = _measured_rate(seen[f"{head}_fc1"], seen[f"{head}_fc2_in"])
        assert from_scale == pytest.approx(p_aux, abs=1e-4), head
        assert dropped == pytest.approx(p_aux, abs=0.05), head


# ----------------------------------------------------------------------------- loss
def test_each_loss_part_is_its_own_heads_cross_entropy():
    g = torch.Generator().manual_seed(0)
    aux1, aux2, logits = (torch.randn(6, 5, generator=g) * s for s in (1.0, 2.0, 3.0))
    y = torch.tensor([0, 1, 2, 3, 4, 0])
    ce = [F.cross_entropy(t, y) for t in (aux1, aux2, logits)]
    assert len({round(v.item(), 6) for v in ce}) == 3  # three different numbers to tell apart
    for weight in (0.0, 0.3, 1.0, 2.5):
        parts = googlenet_loss(inception.GoogLeNetOutputs(aux1, aux2, logits), y, aux_weight=weight)
        assert torch.equal(parts.aux1, ce[0]) and torch.equal(parts.aux2, ce[1]) and torch.equal(parts.main, ce[2])
        assert parts.total.item() == pytest.approx((ce[2] + weight * (ce[0] + ce[1])).item(), rel=1e-6)
    # the default weight is the paper's 0.3 (section 5)
    parts = googlenet_loss((aux1, aux2, logits), y)
    assert parts.total.item() == pytest.approx((ce[2] + 0.3 * (ce[0] + ce[1])).item(), rel=1e-6)


def test_loss_parts_on_real_outputs():
    model = _small("bn").train()
    x, y = _x(4), torch.tensor([0, 1, 2, 3])
    out = model(x)
    parts = googlenet_loss(out, y, aux_weight=0.7)
    for part, head in ((parts.main, out.logits), (parts.aux1, out.aux1), (parts.aux2, out.aux2)):
        assert torch.equal(part, F.cross_entropy(head, y))
    # the gradient of the total reaches each auxiliary head scaled by the weight:
    # d(0.7 * CE)/d(fc2.bias) = 0.7 * mean over the batch of (softmax - one-hot)
    parts.total.backward()
    for head, logits in (("aux1", out.aux1), ("aux2", out.aux2)):
        expected = 0.7 * (F.softmax(logits.detach(), 1) - F.one_hot(y, 10)).mean(0)
        assert torch.allclose(getattr(model, head).fc2.bias.grad, expected, rtol=1e-4, atol=1e-7), head
    expected = (F.softmax(out.logits.detach(), 1) - F.one_hot(y, 10)).mean(0)
    assert torch.allclose(model.fc.bias.grad, expected, rtol=1e-4, atol=1e-7)


# ----------------------------------------------------------------------------- LRN
def _lrn_by_hand(x: torch.Tensor, size: int, alpha: float, beta: float, k: float) -> torch.Tensor:
    """b_c = a_c / (k + alpha / size * sum of a_j^2 over the `size` channels centred on c)^beta."""
    out = torch.empty_like(x)
    channels = x.shape[1]
    for c in range(channels):
        lo, hi = max(0, c - size // 2), min(channels - 1, c + size // 2)
        s = (x[:, lo : hi + 1] ** 2).sum(1)
        out[:, c] = x[:, c] / (k + alpha / size * s) ** beta
    return out


def test_paper_lrn_constants_numerically():
    """Caffe's reference GoogLeNet: local_size 5, alpha 1e-4, beta 0.75, k 1 (both norms)."""
    model = googlenet("paper", width=0.25).eval()
    x = torch.arange(1, 1 + 2 * 9 * 3 * 2, dtype=torch.float64).view(2, 9, 3, 2) * 7.0  # up to 756
    x[:, 4] *= -1  # a negative channel: squared in the sum
    expected = _lrn_by_hand(x, 5, 1e-4, 0.75, 1.0)
    assert (expected / x).min() < 0.5  # the constants matter a lot on these values
    for lrn in (model.lrn1, model.lrn2):
        assert torch.allclose(lrn.double()(x), expected, rtol=1e-12, atol=0)
    # alternatives a wrong constant would give are far off
    for other in ((3, 1e-4, 0.75, 1.0), (5, 1e-4 / 5, 0.75, 1.0), (5, 1e-4, 0.5, 1.0), (5, 1e-4, 0.75, 2.0)):
        assert not torch.allclose(_lrn_by_hand(x, *other), expected, rtol=1e-3)


def test_paper_lrn_sits_after_pool1_and_after_conv3():
    """Figure 3: conv 7x7/2 -> max pool -> LRN -> conv 1x1 -> conv 3x3 -> LRN -> max pool."""
    model = googlenet("paper", width=0.25).eval()
    io: dict[str, tuple] = {}
    for name in ("maxpool1", "lrn1", "conv2", "conv3", "lrn2", "maxpool2"):
        model.get_submodule(name).register_forward_hook(lambda m, i, o, n=name: io.__setitem__(n, (i[0], o)))
    with torch.no_grad():
        model(_x(1, 64, 64) * 64)
    assert torch.equal(io["lrn1"][0], io["maxpool1"][1]) and torch.equal(io["conv2"][0], io["lrn1"][1])
    assert torch.equal(io["lrn2"][0], io["conv3"][1]) and torch.equal(io["maxpool2"][0], io["lrn2"][1])
    for name in ("lrn1", "lrn2"):
        i, o = io[name]
        assert torch.allclose(o, _lrn_by_hand(i, 5, 1e-4, 0.75, 1.0), rtol=1e-5, atol=1e-6)
        assert not torch.allclose(o, i, rtol=1e-3)  # not a no-op at this input scale


def test_no_lrn_in_bn_and_torchvision_stems():
    for variant in ("bn", "torchvision"):
        model = googlenet(variant, width=0.25).eval()
        io: dict[str, torch.Tensor] = {}
        model.maxpool1.register_forward_hook(lambda m, i, o: io.__setitem__("pool1", o))
        model.conv2.register_forward_pre_hook(lambda m, a: io.__setitem__("conv2_in", a[0]))
        with torch.no_grad():
            model(_x(1, 64, 64))
        assert torch.equal(io["pool1"], io["conv2_in"]), variant


# ----------------------------------------------------------------------------- BatchNorm eps
@pytest.mark.parametrize("variant, eps", [("bn", 1e-5), ("torchvision", 1e-3)])
def test_batchnorm_eps_measured(variant, eps):
    """With a running variance of 1e-3, eps 1e-3 (TF-slim's) and 1e-5 (PyTorch's default) differ by 40 %."""
    block = googlenet(variant, width=0.25).eval().conv1
    with torch.no_grad():
        block.bn.running_var.fill_(1e-3)
        block.bn.running_mean.zero_()
        block.bn.weight.fill_(1.0)
        block.bn.bias.zero_()
    seen = {}
    block.conv.register_forward_hook(lambda m, i, o: seen.__setitem__("conv", o))
    with torch.no_grad():
        y = block(_x(1, 16, 16))
    assert torch.allclose(y, F.relu(seen["conv"] / (1e-3 + eps) ** 0.5), rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------- structure, measured
@pytest.mark.parametrize("variant", VARIANTS)
def test_branches_are_concatenated_1x1_3x3_5x5_pool(variant):
    """Figure 2b, and the order torchvision's weights expect: 1x1, 3x3, 5x5, pool projection."""
    block = Inception(6, 2, 3, 4, 2, 5, 3, variant=variant).eval()
    x = _x(2, 9, 7)[:, :3].repeat(1, 2, 1, 1)
    with torch.no_grad():
        y = block(x)
        parts = [block.branch1(x), block.branch2(x), block.branch3(x), block.branch4(x)]
    assert [p.shape[1] for p in parts] == [2, 4, 5, 3]
    assert torch.equal(y, torch.cat(parts, 1))
    # the pool branch really pools: its 1x1 projection sees max_pool2d(x, 3, 1, 1)
    seen = {}
    block.branch4[1].register_forward_pre_hook(lambda m, a: seen.__setitem__("in", a[0]))
    with torch.no_grad():
        block(x)
    assert torch.equal(seen["in"], F.max_pool2d(x, 3, 1, 1))


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("pixel", [(5, 5), (0, 0), (10, 3)])
def test_branch_kernels_act_on_the_neighbourhood(variant, pixel):
    """A single bright pixel: the 3x3 branch spreads it 1 px, the "5x5" branch 2 px (1 px in
    torchvision's port, which keeps a 3x3 there), without shifting it (padding = k // 2), also
    at the border."""
    block = Inception(1, 1, 1, 1, 1, 1, 1, variant=variant).eval()
    with torch.no_grad():
        for m in block.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.fill_(1.0)
                if m.bias is not None:
                    m.bias.zero_()
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.zero_(), m.running_var.fill_(1.0), m.weight.fill_(1.0), m.bias.zero_()
        x = torch.zeros(1, 1, 11, 11)
        x[0, 0, pixel[0], pixel[1]] = 1.0
        y = block(x)[0]
    assert y.shape == (4, 11, 11)
    reach = {"bn": 2, "paper": 2, "torchvision": 1}[variant]
    i, j = pixel
    for channel, r in ((0, 0), (1, 1), (2, reach), (3, 1)):
        rows, cols = torch.nonzero(y[channel] > 0, as_tuple=True)
        box = (rows.min().item(), rows.max().item(), cols.min().item(), cols.max().item())
        assert box == (max(0, i - r), min(10, i + r), max(0, j - r), min(10, j + r)), (channel, r)


@pytest.mark.parametrize("variant", VARIANTS)
def test_aux_heads_read_4a_and_4d(variant):
    """Section 5: the auxiliary classifiers are put on top of the (4a) and (4d) modules."""
    model = _small(variant).eval()
    model.training = True  # the top module only: heads run, dropout and BatchNorm stay in eval mode
    seen: dict[str, torch.Tensor] = {}
    for name in ("inception4a", "inception4b", "inception4d", "inception4e"):
        model.get_submodule(name).register_forward_hook(lambda m, i, o, n=name: seen.__setitem__(n, o))
    for head in ("aux1", "aux2"):
        getattr(model, head).register_forward_pre_hook(lambda m, a, n=head: seen.__setitem__(n, a[0]))
    with torch.no_grad():
        out = model(_x(2))
        assert torch.equal(seen["aux1"], seen["inception4a"]) and not torch.equal(seen["aux1"], seen["inception4b"])
        assert torch.equal(seen["aux2"], seen["inception4d"]) and not torch.equal(seen["aux2"], seen["inception4e"])
        assert torch.equal(out.aux1, model.aux1(seen["inception4a"]))
        assert torch.equal(out.aux2, model.aux2(seen["inception4d"]))


@pytest.mark.parametrize("variant", VARIANTS)
def test_feature_map_sizes_at_224_match_table1(variant):
    """Table 1's output sizes (112, 56, 28, 14, 7 px) from a real forward pass of each variant."""
    model = googlenet(variant, width=0.25).eval()
    table = {r.name: r.output_size for r in inception.TABLE1}
    modules = {"conv1": "conv1", "pool1": "maxpool1", "conv2": "conv3", "pool2": "maxpool2", "pool3": "maxpool3",
               "pool4": "maxpool4", "avgpool": "avgpool"}
    modules.update({b: f"inception{b}" for b in inception.BLOCK_NAMES})
    sizes = {}
    for row, name in modules.items():
        model.get_submodule(name).register_forward_hook(lambda m, i, o, r=row: sizes.__setitem__(r, tuple(o.shape[2:])))
    with torch.no_grad():
        model(_x(1, 224, 224))
    assert sizes == {row: table[row][:2] for row in modules}


@pytest.mark.parametrize("variant", VARIANTS)
def test_stride2_max_pools(variant):
    """3x3/2 max pools: ceil mode without padding (paper and torchvision, as in Caffe / TF-slim)
    or floor mode with padding 1 (the seed's bn network). A 7 px map pools to 3 px vs 4 px."""
    model = googlenet(variant, width=0.25).eval()
    for n in (7, 8):
        x = torch.arange(1.0, 1.0 + n * n).view(1, 1, n, n)
        y = model.maxpool2(x)
        if variant == "bn":
            assert torch.equal(y, F.max_pool2d(x, 3, 2, padding=1))
        else:
            assert torch.equal(y, F.max_pool2d(x, 3, 2, ceil_mode=True))
        if n == 7:
            assert y.shape[-1] == (4 if variant == "bn" else 3)
            # top-left window: rows/cols 0-1 (padding) vs 0-2 (no padding); x[i, j] = 7 i + j + 1
            assert y[0, 0, 0, 0].item() == (9.0 if variant == "bn" else 17.0)
