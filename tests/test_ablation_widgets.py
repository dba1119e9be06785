"""inception.ablation: tables, verdicts, plots and the explorer's update logic, on tiny runs (no browser)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from inception import ablation
from inception import aux_ablation as A
from inception.display import Verdict
from inception.train import GRAD_LAYERS, History

SETUP = replace(A.PRESETS["smoke"], variants=("bn",), aux_weights=(0.0, 0.3), seeds=(0, 1), n_train=32,
                n_val=16, batch_size=16)


@pytest.fixture(scope="module")
def results():
    return A.run(SETUP)


# ----------------------------------------------------------------------------- hand-built results
def _hist(variant, aux_weight, seed, *, conv1, val_main, val_aux1=(0.2, 0.3)):
    """A two-step, two-epoch History with chosen numbers; every stage but conv1 has gradient norm 1."""
    grad = {s: [1.0, 1.0] for s in GRAD_LAYERS}
    grad["conv1"] = list(conv1)
    epochs = {"train_main": [0.5, 0.7], "val_main": list(val_main), "val_aux1": list(val_aux1),
              "val_aux2": [0.2, 0.3], "train_aux1": [0.2, 0.3], "train_aux2": [0.2, 0.3]}
    steps = {"loss": [2.3, 2.0], "main": [2.3, 2.0], "aux1": [2.3, 2.2], "aux2": [2.3, 2.1]}
    return History({"variant": variant, "aux_weight": aux_weight, "seed": seed, "num_classes": 10}, steps, grad, epochs)


@pytest.fixture
def hand():
    """bn, aux 0:   conv1 norms (1, 3) and (2, 2): means 2 and 2 -> 2;  val_main final 0.40, 0.50.
    bn, aux 0.3: conv1 norms (3, 5) and (5, 7): means 4 and 6 -> 5;  val_main final 0.60, 0.62.
    val_aux1 final: 0.30, 0.34 (aux 0) and 0.31, 0.33 (aux 0.3)."""
    return A.Results({}, [
        _hist("bn", 0.0, 0, conv1=(1, 3), val_main=(0.30, 0.40), val_aux1=(0.2, 0.30)),
        _hist("bn", 0.0, 1, conv1=(2, 2), val_main=(0.35, 0.50), val_aux1=(0.2, 0.34)),
        _hist("bn", 0.3, 0, conv1=(3, 5), val_main=(0.32, 0.60), val_aux1=(0.2, 0.31)),
        _hist("bn", 0.3, 1, conv1=(5, 7), val_main=(0.36, 0.62), val_aux1=(0.2, 0.33)),
    ])


def test_grad_ratio_table_by_hand(hand):
    r = ablation.grad_ratio_table(hand, "bn")
    assert r.column("stage") == list(GRAD_LAYERS)
    assert r.rows[0] == ["conv1", "2", 2.5]  # aux-0 mean norm 2; ratio 5 / 2
    assert all(row[1:] == ["1", 1.0] for row in r.rows[1:])
    with pytest.raises(ValueError, match="variant"):
        ablation.grad_ratio_table(hand, "paper")


def test_summary_table_by_hand(hand):
    t = ablation.summary_table(hand)
    assert t.column("aux weight") == ["0", "0.3"] and t.column("seeds") == [2, 2]
    # mean +- sample standard deviation: (0.40, 0.50) -> 0.450 +- 0.071; (0.60, 0.62) -> 0.610 +- 0.014
    assert t.column("val acc (main)") == ["0.450 +- 0.071", "0.610 +- 0.014"]
    assert t.column("train acc") == ["0.700 +- 0.000", "0.700 +- 0.000"]
    # gradient norm over the five early stages (conv1 .. 3b), an L2 per step, averaged over steps and seeds:
    # aux 0: seed 0 steps sqrt(1 + 4), sqrt(9 + 4); seed 1 sqrt(4 + 4) twice
    aux0 = ((math.sqrt(5) + math.sqrt(13)) / 2 + math.sqrt(8)) / 2
    aux3 = ((math.sqrt(13) + math.sqrt(29)) / 2 + (math.sqrt(29) + math.sqrt(53)) / 2) / 2
    assert t.column("grad norm stem..3b") == [f"{aux0:.3g}", f"{aux3:.3g}"] == ["2.87", "5.41"]


def test_compare_by_hand(hand):
    """Paired by seed: differences 0.60 - 0.40 = 0.20 and 0.62 - 0.50 = 0.12, mean 0.16, sd 0.0566,
    standard error 0.04; t(0.975, 1 df) = 12.706, so the 95% interval is 0.16 +- 0.508."""
    c = ablation.compare(hand, "bn", 0.0, 0.3)
    assert (c.mean_a, c.mean_b) == (pytest.approx(0.45), pytest.approx(0.61))
    assert c.difference == pytest.approx(0.16) and c.paired.n == 2 and c.paired.sem == pytest.approx(0.04)
    assert (c.paired.low, c.paired.high) == (pytest.approx(0.16 - 0.50825, abs=1e-4), pytest.approx(0.16 + 0.50825, abs=1e-4))
    assert c.verdict == "no detectable difference"  # two seeds: the interval is wide
    t = ablation.comparisons_table(hand)
    assert t.rows == [["bn", "0.3 vs 0", "", 2, 0.61, 0.45, 0.16, "[-0.348, +0.668]", "no detectable difference"]]


def test_compare_three_seeds_by_hand():
    """Three seeds, differences 0.10, 0.12, 0.14: mean 0.12, sd 0.02, sem 0.011547; t(0.975, 2) = 4.3027,
    so the interval [0.0703, 0.1697] excludes 0: higher. Reversed: lower."""
    runs = []
    for seed, (a, b) in enumerate([(0.40, 0.50), (0.50, 0.62), (0.45, 0.59)]):
        runs += [_hist("bn", 0.0, seed, conv1=(1, 1), val_main=(0.3, a)),
                 _hist("bn", (0.3, 0.0), seed, conv1=(1, 1), val_main=(0.3, b))]
    r = A.Results({}, runs)
    c = ablation.compare(r, "bn", 0.0, (0.3, 0.0))
    assert c.difference == pytest.approx(0.12) and c.verdict == "higher with aux"
    assert (c.paired.low, c.paired.high) == (pytest.approx(0.0703, abs=1e-4), pytest.approx(0.1697, abs=1e-4))
    assert ablation.compare(r, "bn", (0.3, 0.0), 0.0).verdict == "lower with aux"
    assert ablation.comparisons_table(r).column("aux weights") == ["(0.3, 0) vs 0"]
    with pytest.raises(ValueError, match="at least 2 common seeds"):
        ablation.compare(A.Results({}, runs[:2]), "bn", 0.0, (0.3, 0.0))


def test_lr_selection_by_hand():
    """With a sweep, each arm's runs are those at its chosen LR; "common" picks the setup's LR."""
    def h(w, seed, lr, acc):
        x = _hist("bn", w, seed, conv1=(1, 1), val_main=(0.3, acc))
        x.config["lr"] = lr
        return x

    runs = [h(0.0, 0, 1e-3, 0.5), h(0.0, 0, 2e-3, 0.6), h(0.0, 1, 2e-3, 0.62),
            h(0.3, 0, 1e-3, 0.7), h(0.3, 0, 2e-3, 0.65), h(0.3, 1, 1e-3, 0.71), h(0.3, 1, 2e-3, 0.66)]
    meta = {"chosen_lr": [{"variant": "bn", "aux1_weight": 0.0, "aux2_weight": 0.0, "lr": 2e-3},
                          {"variant": "bn", "aux1_weight": 0.3, "aux2_weight": 0.3, "lr": 1e-3}]}
    r = A.Results({"lr": {"bn": 2e-3}, "lr_grid": [1e-3, 2e-3], "seeds": [0, 1]}, runs, meta)
    assert [x.final("val_main") for x in r.arm("bn", 0.3)] == [0.7, 0.71]
    assert [x.final("val_main") for x in r.arm("bn", 0.3, lr="common")] == [0.65, 0.66]
    assert len(r.arm("bn", 0.3, lr=None)) == 4
    with pytest.raises(ValueError, match="lr must be"):
        r.arm("bn", 0.3, lr="best")
    assert ablation.compare(r, "bn", 0.0, 0.3).difference == pytest.approx(0.095)
    assert ablation.compare(r, "bn", 0.0, 0.3, lr="common").difference == pytest.approx(0.045)
    t = ablation.sweep_table(r)
    assert t.rows == [["bn", "0", 0.5, 0.6, "0.002"], ["bn", "0.3", 0.7, 0.65, "0.001"]]
    assert ablation.comparisons_table(r).column("lr") == ["0.001 vs 0.002"]


def _verdict(v, ok, start):
    """An exercise check's answer: the package's one Verdict, its ``ok`` and the start of its message."""
    assert isinstance(v, Verdict), type(v).__name__
    assert v.ok is ok and bool(v) is bool(ok), (v.ok, v.message)
    assert repr(v) == str(v) == v.message and v.message.startswith(start), v.message
    return v


def test_exercise_checks_by_hand(hand):
    _verdict(ablation.check_ratio(hand, "bn", "conv1", None), None, "Fill in")
    assert _verdict(ablation.check_ratio(hand, "bn", "conv1", 2.5), True, "Correct").message == "Correct: 2.50."
    _verdict(ablation.check_ratio(hand, "bn", "conv1", 2.505), True, "Correct")
    _verdict(ablation.check_ratio(hand, "bn", "conv1", 2.52), False, "Not yet")
    _verdict(ablation.check_ratio(hand, "bn", "3a", 1.0), True, "Correct")
    _verdict(ablation.check_first_stage_reached(None), None, "Fill in")
    _verdict(ablation.check_first_stage_reached("4e"), True, "Correct: 4e")
    _verdict(ablation.check_first_stage_reached("4a"), False, "Not yet")
    _verdict(ablation.check_first_stage_reached("4d"), False, "Not yet")
    assert "'6z'" in _verdict(ablation.check_first_stage_reached("6z"), False, "Not yet: answer must be one of").message


def test_aux_share_and_its_check():
    """GoogLeNet at 224 px: the heads hold 6,379,728 of 13,378,280 training parameters (47.7%)."""
    import inception

    cfg = inception.GoogLeNetConfig(variant="paper")
    p, m = ablation.aux_share(cfg, 224)
    assert p == pytest.approx(0.4769, abs=1e-4) and 0 < m < 0.01
    _verdict(ablation.check_aux_share(None, cfg, 224), None, "Fill in")
    _verdict(ablation.check_aux_share(0.477, cfg, 224), True, "Correct: 0.477")
    _verdict(ablation.check_aux_share(0.45, cfg, 224), False, "Not yet")


def test_check_interval_by_hand(hand):
    _verdict(ablation.check_interval(hand, "bn", 0.3, None), None, "Fill in")
    _verdict(ablation.check_interval(hand, "bn", 0.3, (-0.348, 0.668)), True, "Correct")
    _verdict(ablation.check_interval(hand, "bn", 0.3, (-0.30, 0.668)), False, "Not yet")
    _verdict(ablation.check_interval(hand, "bn", 0.3, 0.5), False, "Not yet: answer must be a pair")


def test_claims_table_by_hand():
    """Three seeds. conv1 gradient twice as large with aux (every seed): ratio 2.00x, a point interval,
    "more". Main head +0.10 on every seed: "higher". aux2-only minus (0.3, 0.3): -0.05, -0.03, -0.04:
    mean -0.04, sd 0.01, interval -0.04 +- 4.303 * 0.01 / sqrt(3) = [-0.065, -0.015]: "lower"."""
    runs = []
    for seed, base in enumerate((0.50, 0.60, 0.55)):
        runs += [_hist("bn", 0.0, seed, conv1=(1, 1), val_main=(0.3, base)),
                 _hist("bn", 0.3, seed, conv1=(2, 2), val_main=(0.3, base + 0.10)),
                 _hist("bn", (0.0, 0.3), seed, conv1=(1, 1), val_main=(0.3, base + 0.10 - (0.05, 0.03, 0.04)[seed]))]
    t = ablation.claims_table(A.Results({}, runs), "bn")
    assert len(t.rows) == len(ablation.CLAIMS)
    assert t.rows[0][3:] == ["2.00x", "[2.00x, 2.00x]", "more"]
    assert t.rows[2][3:] == ["+0.100", "[+0.100, +0.100]", "higher"]
    assert t.rows[3][5] == "no detectable difference"  # first-half accuracy: 0.3 in every run
    assert t.rows[4][3:] == ["-0.040", "[-0.065, -0.015]", "lower"]
