"""The training recipe's options: per-head aux weights, AdamW with warm-up, He init, devices.

Every option's default must leave training exactly as it was (committed notebook outputs and
results depend on it), so the defaults are checked against an explicit spelling of the old call.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
import torch
from torch.optim.optimizer import register_optimizer_step_pre_hook

from inception import data, googlenet, googlenet_loss, train as T
from inception.config import INIT_SCHEMES, GoogLeNetConfig
from inception.cost import _param_count
from inception import aux_ablation as A

pytestmark = pytest.mark.usefixtures("one_thread")

OLD_CONFIG_KEYS = ["variant", "width", "aux_weight", "probe_aux", "epochs", "batch_size", "lr", "momentum",
                   "weight_decay", "seed", "n_train", "n_val", "image_size", "num_classes", "optimizer"]


@pytest.fixture(scope="module")
def tiny():
    return data.synthetic_splits(64, 32, image_size=32, seed=0)


def _model(**kw):
    return T.make_model(kw.pop("variant", "bn"), width=0.0625, seed=kw.pop("seed", 0), **kw)


def _train(tiny, model=None, **kw):
    model = model or _model()
    with T.deterministic(threads=1):
        return model, T.train(model, *tiny, **{"epochs": 1, "batch_size": 32, **kw})


def _first_step_grads(tiny, aux_weight, probe_aux: bool = True) -> dict[str, torch.Tensor]:
    """Every parameter's gradient after the first backward pass of ``train`` (fresh model, seed 0)."""
    model = _model()
    grads: dict[str, torch.Tensor] = {}

    def first_step(opt, args, kwargs) -> None:  # runs just before each opt.step(): gradients complete
        if not grads:
            grads.update({n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None})

    handle = register_optimizer_step_pre_hook(first_step)
    try:
        _train(tiny, model, aux_weight=aux_weight, probe_aux=probe_aux)
    finally:
        handle.remove()
    return grads


# ----------------------------------------------------------------------------- per-head aux weights
def test_loss_accepts_a_pair_of_weights():
    torch.manual_seed(0)
    a1, a2, logits, y = torch.randn(4, 10), torch.randn(4, 10), torch.randn(4, 10), torch.arange(4)
    ce = torch.nn.functional.cross_entropy
    pair = googlenet_loss((a1, a2, logits), y, aux_weight=(0.1, 0.7))
    assert pair.total.item() == pytest.approx((ce(logits, y) + 0.1 * ce(a1, y) + 0.7 * ce(a2, y)).item(), rel=1e-6)
    assert torch.equal(googlenet_loss((a1, a2, logits), y, aux_weight=0.3).total,
                       googlenet_loss((a1, a2, logits), y, aux_weight=(0.3, 0.3)).total)
    assert torch.equal(googlenet_loss((a1, a2, logits), y, aux_weight=(0, 0.3)).total,
                       ce(logits, y) + 0.3 * ce(a2, y))


@pytest.mark.parametrize("bad, error", [
    ((0.3,), ValueError), ((0.1, 0.2, 0.3), ValueError), ((0.3, -1), ValueError), ((float("nan"), 0.3), ValueError),
    (float("inf"), ValueError), ("0.3", TypeError), (None, TypeError), ((0.3, "x"), TypeError),
])
def test_bad_aux_weights_are_named(bad, error):
    out = (torch.zeros(2, 3), torch.zeros(2, 3), torch.zeros(2, 3))
    with pytest.raises(error, match="aux_weight"):
        googlenet_loss(out, torch.zeros(2, dtype=torch.long), aux_weight=bad)


def test_a_zero_weight_head_sends_no_gradient_into_the_trunk(tiny):
    """First step, identical weights. With (0, 0.3) aux1 is a probe: the trunk gets exactly the
    gradient of main + 0.3 aux2 (the run where aux1's loss is dropped altogether), while aux1's own
    parameters still learn. (0.3, 0.3) is the number 0.3, bit for bit, and adds aux1's gradient at 4a
    and below."""
    g_num = _first_step_grads(tiny, 0.3)
    g_same = _first_step_grads(tiny, (0.3, 0.3))
    g_upper = _first_step_grads(tiny, (0.0, 0.3))
    g_dropped = _first_step_grads(tiny, (0.0, 0.3), probe_aux=False)  # aux1's loss never computed into the total
    g_none = _first_step_grads(tiny, 0.0)
    assert g_num.keys() == g_same.keys() and all(torch.equal(g_num[k], g_same[k]) for k in g_num)
    trunk = [k for k in g_num if not k.startswith(("aux1.", "aux2."))]
    for k in trunk:  # the probe's loss reaches no trunk parameter
        assert torch.allclose(g_upper[k], g_dropped[k], rtol=1e-6, atol=1e-9), k
    assert g_upper["aux1.fc2.weight"].abs().sum() > 0 and "aux1.fc2.weight" not in g_dropped
    # above 4d only the main loss flows; 4b-4d also get aux2's (weight 0.3 in both runs)
    for k in (k for k in trunk if k.startswith(("inception4e", "inception5", "fc."))):
        assert torch.allclose(g_upper[k], g_none[k], rtol=1e-5, atol=1e-8), k
    for k in (k for k in trunk if k.startswith(("inception4b", "inception4c", "inception4d"))):
        assert torch.allclose(g_upper[k], g_num[k], rtol=1e-5, atol=1e-8), k
    # at and below 4a: a weighted aux1 adds gradient (0.3, 0.3) vs (0, 0.3); so does aux2 vs (0, 0)
    low = [k for k in trunk if k.startswith(("conv", "inception3", "inception4a"))]
    rel = lambda a, b: (sum((a[k] - b[k]).norm() ** 2 for k in low) / sum(b[k].norm() ** 2 for k in low)).sqrt()  # noqa: E731
    assert rel(g_num, g_upper) > 1e-3 and rel(g_upper, g_none) > 1e-3


def test_pair_weights_in_history(tiny):
    _, h = _train(tiny, aux_weight=(0.0, 0.3))
    assert h.config["aux_weight"] == [0.0, 0.3]
    assert (h.config["aux1_weight"], h.config["aux2_weight"]) == (0.0, 0.3)
    for tot, m, a2 in zip(h.steps["loss"], h.steps["main"], h.steps["aux2"], strict=True):
        assert tot == pytest.approx(m + 0.3 * a2, rel=1e-5)
    _, same = _train(tiny, aux_weight=(0.3, 0.3))
    assert same.config["aux_weight"] == 0.3 and isinstance(same.config["aux_weight"], float)


# ----------------------------------------------------------------------------- optimiser and schedule
def test_lr_schedule_values():
    total = 100
    f = T.lr_schedule(total, 0.05)
    w = T.warmup_steps(total, 0.05)
    assert w == 5
    assert f(0) == pytest.approx(1 / w)  # lr / warm-up steps
    assert f(w - 1) == pytest.approx(1.0) and f(w) == pytest.approx(1.0)  # warm-up end: the full lr
    assert f(w + (total - w) // 2) == pytest.approx(0.5, abs=0.02)
    assert f(total) == pytest.approx(0.0, abs=1e-12)
    assert all(f(k) >= f(k + 1) for k in range(w, total))
    plain = T.lr_schedule(total)
    for k in range(total + 1):  # warmup=0 is bit-for-bit the cosine train() always used
        assert plain(k) == 0.5 * (1 + math.cos(math.pi * min(k, total) / total))
    assert T.warmup_steps(1, 0.5) == 0 and T.warmup_steps(10, 0.01) == 1
    with pytest.raises(ValueError, match="warmup"):
        T.lr_schedule(10, 1.0)


def test_adamw_with_warmup_is_used(tiny, monkeypatch):
    made = []

    class Spy(torch.optim.AdamW):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            made.append(self)

    monkeypatch.setattr(torch.optim, "AdamW", Spy)
    lrs = []
    _, h = _train(tiny, epochs=4, batch_size=16, optimizer="adamw", lr=3e-3, weight_decay=1e-4, warmup=0.25,
                  callback=lambda step, total, hist: lrs.append(made[0].param_groups[0]["lr"]))
    assert len(made) == 1 and made[0].defaults["weight_decay"] == 1e-4
    total = h.num_steps
    assert total == 16 and T.warmup_steps(total, 0.25) == 4
    f = T.lr_schedule(total, 0.25)
    # after step s the optimiser holds the lr of step s (0-based); step 0 ran at lr * f(0)
    assert lrs == pytest.approx([3e-3 * f(s) for s in range(1, total + 1)])
    assert lrs[2] == pytest.approx(3e-3)  # warm-up end (step 3) reaches lr
    assert lrs[-1] == pytest.approx(0.0, abs=1e-12)
    c = h.config
    assert c["optimizer"] == "AdamW, 25% linear warm-up, cosine learning-rate decay to 0 per step"
    assert c["optimizer_name"] == "adamw" and c["warmup"] == 0.25 and c["warmup_steps"] == 4
    assert c["momentum"] is None


@pytest.mark.parametrize("kw, name", [
    (dict(optimizer="adam"), "optimizer"), (dict(optimizer=None), "optimizer"), (dict(warmup=1.0), "warmup"),
    (dict(warmup=-0.1), "warmup"), (dict(device="gpu"), "device"), (dict(aux_weight=(0.3,)), "aux_weight"),
])
def test_bad_recipe_arguments(tiny, kw, name):
    with pytest.raises((ValueError, TypeError), match=name):
        T.train(_model(), *tiny, epochs=1, **kw)


# ----------------------------------------------------------------------------- initialisation
def test_kaiming_init_statistics():
    model = googlenet("paper", width=0.25, stem="small", num_classes=10, init="kaiming")
    assert model.config.init_scheme == "kaiming" and model.config.variant == "paper"
    for conv in (model.inception4a.branch2[1].conv, model.conv3.conv, model.inception5b.branch1.conv):
        fan_in = conv.weight[0].numel()
        assert conv.weight.std().item() == pytest.approx(math.sqrt(2 / fan_in), rel=0.1)
        assert torch.count_nonzero(conv.bias) == 0  # not caffe's 0.2
    fc1 = model.aux1.fc1
    assert fc1.weight.std().item() == pytest.approx(math.sqrt(2 / fc1.in_features), rel=0.1)
    for fc in (model.fc, model.aux1.fc2, model.aux2.fc2):
        assert fc.weight.std().item() == pytest.approx(0.01, rel=0.1) and torch.count_nonzero(fc.bias) == 0
    bn = googlenet("bn", width=0.0625, stem="small", init="kaiming").conv1.bn
    assert torch.all(bn.weight == 1) and torch.all(bn.bias == 0)


def test_init_defaults_and_validation():
    assert GoogLeNetConfig(variant="paper").init_scheme == "caffe"
    assert GoogLeNetConfig(variant="bn").init_scheme == "seed"
    cfg = GoogLeNetConfig(variant="paper", init="kaiming", stem="small", width=0.0625)
    assert _param_count(cfg) == _param_count(replace(cfg, init=None))  # init changes no shape
    assert set(INIT_SCHEMES) == {"seed", "caffe", "torchvision", "kaiming"}
    with pytest.raises(ValueError, match="init must be .*'caffe'.*'kaiming'"):
        GoogLeNetConfig(init="xavier")
    # the default build is the variant's scheme, draw for draw
    a = T.make_model("paper", width=0.0625, seed=3)
    b = T.make_model("paper", width=0.0625, seed=3, init="caffe")
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    assert torch.all(a.conv1.conv.bias == 0.2)
    _, h = _train(data.synthetic_splits(32, 16, seed=0), _model(variant="paper", init="kaiming"), lr=0.01)
    assert h.config["init"] == "kaiming"


# ----------------------------------------------------------------------------- devices
def test_device_resolution_on_this_machine():
    assert T.resolve_device("cpu") == torch.device("cpu")
    assert T.resolve_device(torch.device("cpu")) == torch.device("cpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match=r"device='cuda' was asked for but torch.cuda.is_available\(\) is False "
                                             r"\(this torch build: "):
            T.resolve_device("cuda")
        with pytest.raises(ValueError, match="cuda"):
            T.make_model(device=torch.device("cuda"))
    if not T._mps_available():
        with pytest.raises(ValueError, match="mps"):
            T.resolve_device("mps")
    if not torch.cuda.is_available() and not T._mps_available():
        assert T.resolve_device("auto") == torch.device("cpu")
    with pytest.raises(ValueError, match="device must be one of"):
        T.resolve_device("tpu")


def test_cuda_refused_by_train_before_any_step(tiny):
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    model = _model()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(ValueError, match="cuda"):
        T.train(model, *tiny, epochs=1, device="cuda")
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


# ----------------------------------------------------------------------------- defaults unchanged
def test_defaults_give_the_old_history(tiny):
    """The default call equals the explicit old-style one, and its config holds the old keys and
    values (new keys only appended)."""
    _, new = _train(tiny)
    _, explicit = _train(tiny, aux_weight=0.3, optimizer="sgd", warmup=0.0, device="cpu", momentum=0.9,
                         weight_decay=5e-4, lr=0.05)
    assert new.steps == explicit.steps and new.grad_norm == explicit.grad_norm and new.epochs == explicit.epochs
    c = new.config
    assert list(c)[: len(OLD_CONFIG_KEYS)] == OLD_CONFIG_KEYS
    assert c["optimizer"] == "SGD, cosine learning-rate decay to 0 per step"
    assert c["aux_weight"] == 0.3 and c["momentum"] == 0.9 and c["lr"] == 0.05 and c["weight_decay"] == 5e-4
    assert {k: c[k] for k in list(c)[len(OLD_CONFIG_KEYS):]} == {
        "aux1_weight": 0.3, "aux2_weight": 0.3, "optimizer_name": "sgd", "warmup": 0.0, "warmup_steps": 0,
        "init": "seed", "device": "cpu"}
    assert T.History.from_dict(new.to_dict()).config == c  # JSON-ready


def test_setup_new_fields_default_to_todays_runs():
    s = A.Setup()
    assert (s.optimizer, s.warmup, s.init, s.device, s.weight_decay) == ("sgd", 0.0, None, "cpu", 5e-4)
    assert s.arms == [("bn", 0.0), ("bn", 0.3), ("paper", 0.0), ("paper", 0.3)]
    mixed = A.Setup(variants=("bn",), aux_weights=(0.0, (0.0, 0.3), (0.3, 0.3)))
    assert mixed.arms == [("bn", 0.0), ("bn", (0.0, 0.3)), ("bn", 0.3)]
    assert mixed.aux_weight_pairs == [(0.0, 0.0), (0.0, 0.3), (0.3, 0.3)]
    for kw, name in ((dict(aux_weights=(0.3, (0.3, 0.3))), "aux_weights"), (dict(aux_weights=((0.3, -1),)), "aux_weights"),
                     (dict(optimizer="adam"), "optimizer"), (dict(warmup=1), "warmup"), (dict(init="he"), "init"),
                     (dict(device="tpu"), "device"), (dict(variants=("torchvision",)), "lr")):
        with pytest.raises((ValueError, TypeError), match=name):
            A.Setup(**kw)


def test_run_arm_passes_the_recipe(tiny):
    setup = replace(A.PRESETS["smoke"], variants=("paper",), n_train=64, n_val=32, batch_size=32, threads=1,
                    optimizer="adamw", warmup=0.1, init="kaiming", weight_decay=1e-4, lr={"paper": 3e-3})
    h = A.run_arm(setup, "paper", (0.0, 0.3), 0, tiny)
    c = h.config
    assert (c["optimizer_name"], c["warmup"], c["init"], c["device"], c["lr"], c["weight_decay"]) == (
        "adamw", 0.1, "kaiming", "cpu", 3e-3, 1e-4)
    assert c["aux_weight"] == [0.0, 0.3] and c["dataset"] == "synthetic"


def test_cli_device_cuda_fails_clearly_before_training(tmp_path, capsys):
    from inception.experiments import aux_ablation

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    out = tmp_path / "r.json"
    with pytest.raises(SystemExit) as exc:
        aux_ablation.main(["--preset", "smoke", "--device", "cuda", "--out", str(out)])
    assert exc.value.code == 2
    assert "device='cuda' was asked for" in capsys.readouterr().err
    assert not out.exists()
