"""inception.train: a tiny run records what it promises, deterministically; History round-trips JSON."""

from __future__ import annotations

import math

import pytest
import torch

from inception import data, train as T
from inception.train import History


@pytest.fixture(scope="module")
def tiny():
    return data.synthetic_splits(48, 20, seed=0)


def _run(tiny, **kw):
    tr, va = tiny
    model = T.make_model(kw.pop("variant", "bn"), width=0.0625, seed=kw.get("seed", 0))
    with T.deterministic(threads=1):
        h = T.train(model, tr, va, epochs=2, batch_size=16, **kw)
    return model, h


@pytest.fixture(scope="module")
def run(tiny):
    return _run(tiny, aux_weight=0.3, seed=0)


def test_history_contents(run):
    model, h = run
    assert not model.training
    assert h.num_steps == 6  # 2 epochs x ceil(48 / 16)
    for key in ("loss", "main", "aux1", "aux2"):
        assert len(h.steps[key]) == 6 and all(math.isfinite(v) for v in h.steps[key])
    assert list(h.grad_norm) == list(T.GRAD_LAYERS)
    assert all(len(v) == 6 and all(x > 0 for x in v) for v in h.grad_norm.values())
    for key in ("train_main", "val_main", "train_aux1", "val_aux1", "train_aux2", "val_aux2"):
        assert len(h.epochs[key]) == 2 and all(0 <= a <= 1 for a in h.epochs[key])
    # total = main + 0.3 (aux1 + aux2), step by step
    for tot, m, a1, a2 in zip(h.steps["loss"], h.steps["main"], h.steps["aux1"], h.steps["aux2"], strict=True):
        assert tot == pytest.approx(m + 0.3 * (a1 + a2), rel=1e-5)
    assert h.config["aux_weight"] == 0.3 and h.config["variant"] == "bn"


def test_training_is_deterministic(tiny, run):
    _, again = _run(tiny, aux_weight=0.3, seed=0)
    assert again.steps == run[1].steps and again.grad_norm == run[1].grad_norm and again.epochs == run[1].epochs
    _, other = _run(tiny, aux_weight=0.3, seed=1)
    assert other.steps["loss"] != run[1].steps["loss"]


def test_aux_weight_zero_probes_do_not_touch_the_trunk(tiny):
    """With aux_weight=0 the heads train on detached features: trunk gradients equal a run without heads' loss."""
    _, probe = _run(tiny, aux_weight=0.0, probe_aux=True)
    _, plain = _run(tiny, aux_weight=0.0, probe_aux=False)
    assert probe.grad_norm == plain.grad_norm
    assert probe.steps["main"] == plain.steps["main"]
    assert probe.steps["loss"] == probe.steps["main"]


def test_aux_loss_adds_gradient_below_the_heads(tiny):
    """The first step starts from identical weights: the auxiliary losses add gradient at 4a and below only."""
    _, h0 = _run(tiny, aux_weight=0.0)
    _, h1 = _run(tiny, aux_weight=1.0)
    for s in ("4e", "5a", "5b"):  # above both heads: same first-step gradient
        assert h1.grad_norm[s][0] == pytest.approx(h0.grad_norm[s][0], rel=1e-4)
    assert h1.grad_norm["4a"][0] != pytest.approx(h0.grad_norm["4a"][0], rel=1e-4)


def test_evaluate_reports_every_head(tiny, run):
    model, _ = run
    acc = T.evaluate(model, tiny[1])
    assert set(acc) == {"main", "aux1", "aux2"} and all(0 <= v <= 1 for v in acc.values())
    assert acc["main"] == run[1].epochs["val_main"][-1]


def test_history_json_roundtrip_and_plot(run, tmp_path):
    h = run[1]
    path = h.to_json(tmp_path / "h.json")
    back = History.from_json(path)
    assert back.steps == h.steps and back.epochs == h.epochs and back.config == h.config
    fig = back.plot()
    assert len(fig.axes) == 3
    assert back.final("val_main") == h.epochs["val_main"][-1]
    with pytest.raises(KeyError, match="key"):
        back.final("nope")
    with pytest.raises(ValueError, match="missing"):
        History.from_dict({"config": {}})


def test_progress_and_callback(tiny, capsys):
    class Bar:  # a widget of one's own (value, max), driven by the callback
        value, max = 0, 0

    seen = []
    bar = Bar()

    def callback(step, total, history):
        seen.append((step, total, history.num_steps))
        bar.max, bar.value = total, step

    _run(tiny, aux_weight=0.3, callback=callback)
    assert bar.max == 6 and bar.value == 6
    assert seen[0] == (1, 6, 1) and seen[-1] == (6, 6, 6)
    assert capsys.readouterr().err == ""  # progress=False (the default) prints nothing
    _run(tiny, aux_weight=0.3, progress=True)
    err = capsys.readouterr().err  # outside Jupyter tqdm.auto writes a text bar to stderr
    assert "training" in err and "6/6" in err
    with pytest.raises(TypeError, match="progress must be True or False.*callback"):
        _run(tiny, aux_weight=0.3, progress=bar)


@pytest.mark.parametrize("kw, name", [
    (dict(epochs=0), "epochs"), (dict(epochs=1, aux_weight=-1), "aux_weight"),
    (dict(epochs=1, batch_size=0), "batch_size"), (dict(epochs=1, lr=0), "lr"),
    (dict(epochs=1, progress="yes"), "progress"),
])
def test_bad_arguments(tiny, kw, name):
    model = T.make_model("bn", width=0.0625)
    with pytest.raises((ValueError, TypeError), match=name):
        T.train(model, *tiny, **kw)


def test_wrong_inputs(tiny):
    model = T.make_model("bn", width=0.0625, num_classes=3)
    with pytest.raises(ValueError, match="classes"):
        T.train(model, *tiny, epochs=1)
    with pytest.raises(TypeError, match="train_data"):
        T.train(T.make_model(width=0.0625), torch.zeros(3), tiny[1], epochs=1)
    with pytest.raises(TypeError, match="model"):
        T.train(torch.nn.Linear(2, 2), *tiny, epochs=1)


# ----------------------------------------------------------------------------- what the optimiser does
def _one_step(data_, *, weight_decay, lr):
    """Parameters before and after one SGD step (16 images, one batch)."""
    model = T.make_model("bn", width=0.0625, seed=0)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    with T.deterministic(threads=1):
        T.train(model, data_, data_, epochs=1, batch_size=16, lr=lr, weight_decay=weight_decay, seed=0)
    return before, {n: p.detach().clone() for n, p in model.named_parameters()}


@pytest.fixture(scope="module")
def batch16(tiny):
    return tiny[0].subset(slice(0, 16))


def test_weight_decay_shrinks_every_parameter_by_lr_times_wd(batch16):
    """First SGD step: p1 = p0 - lr (grad + wd p0), also with momentum (its buffer starts at the
    gradient). Same start, same gradient: the runs with and without decay differ by lr * wd * p0."""
    p0, plain = _one_step(batch16, weight_decay=0.0, lr=0.1)
    _, decayed = _one_step(batch16, weight_decay=0.1, lr=0.1)
    moved = 0
    for name, before in p0.items():
        assert torch.allclose(decayed[name] - plain[name], -0.1 * 0.1 * before, rtol=1e-3, atol=1e-7), name
        moved += int((plain[name] != before).any())
    assert moved == len(p0)  # every parameter received a gradient (so the comparison covers it)


def test_default_weight_decay_is_applied(batch16):
    """train()'s default weight_decay=5e-4 with lr 0.05: the shrink lr * wd * p0, fitted over all weights."""
    p0, plain = _one_step(batch16, weight_decay=0.0, lr=0.05)
    model = T.make_model("bn", width=0.0625, seed=0)
    with T.deterministic(threads=1):
        h = T.train(model, batch16, batch16, epochs=1, batch_size=16, lr=0.05, seed=0)
    assert h.config["weight_decay"] == 5e-4
    decayed = dict(model.named_parameters())
    num = sum(((decayed[n].detach() - plain[n]) * p).sum() for n, p in p0.items())
    den = sum((p * p).sum() for p in p0.values())
    assert (-num / den).item() == pytest.approx(0.05 * 5e-4, rel=0.02)


def test_optimised_loss_uses_the_aux_weight(tiny):
    _, h = _run(tiny, aux_weight=1.0, seed=0)
    for tot, m, a1, a2 in zip(h.steps["loss"], h.steps["main"], h.steps["aux1"], h.steps["aux2"], strict=True):
        assert tot == pytest.approx(m + a1 + a2, rel=1e-5)
    assert h.config["aux_weight"] == 1.0


def test_tiny_training_run_lowers_the_loss():
    """16 images, one batch, no dropout, 30 full-batch SGD steps: the main loss falls from ln(10) ~ 2.3
    to 0.23-0.47 of that for 8 (model seed, data seed) pairs tried; asserted: below 0.75 of it."""
    images = data.synthetic(16, seed=0)
    model = T.make_model("bn", width=0.125, seed=0, dropout=0.0, aux_dropout=0.0)
    with T.deterministic(threads=1):
        h = T.train(model, images, images, epochs=30, batch_size=16, lr=0.05, weight_decay=0.0, seed=0)
    main = h.steps["main"]
    assert len(main) == 30 and main[0] == pytest.approx(math.log(10), abs=0.3)
    assert sum(main[-2:]) / 2 < 0.75 * main[0]
    assert h.epochs["train_main"][-1] > h.epochs["train_main"][0]
