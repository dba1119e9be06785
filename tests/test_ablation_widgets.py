"""inception.ablation: tables, verdicts, plots and the explorer's update logic, on tiny runs (no browser)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from inception import ablation
from inception.experiments import aux_ablation as A
from inception.train import STAGES, History

SETUP = replace(A.PRESETS["smoke"], variants=("bn",), aux_weights=(0.0, 0.3), seeds=(0, 1), n_train=32,
                n_val=16, batch_size=16)


@pytest.fixture(scope="module")
def results():
    return A.run(SETUP)


# ----------------------------------------------------------------------------- hand-built results
def _hist(variant, aux_weight, seed, *, conv1, val_main, val_aux1=(0.2, 0.3)):
    """A two-step, two-epoch History with chosen numbers; every stage but conv1 has gradient norm 1."""
    grad = {s: [1.0, 1.0] for s in STAGES}
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
    assert r.column("stage") == list(STAGES)
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


def test_exercise_checks_by_hand(hand):
    assert "fill in" in ablation.check_ratio(hand, "bn", "conv1", None)
    assert ablation.check_ratio(hand, "bn", "conv1", 2.5) == "correct: 2.50"
    assert ablation.check_ratio(hand, "bn", "conv1", 2.505).startswith("correct")
    assert ablation.check_ratio(hand, "bn", "conv1", 2.52).startswith("not quite")
    assert ablation.check_ratio(hand, "bn", "3a", 1.0).startswith("correct")
    assert ablation.check_first_stage_reached("4e") == "correct"
    assert ablation.check_first_stage_reached("4a").startswith("not quite")
    assert ablation.check_first_stage_reached("4d").startswith("not quite")


def test_conclusions_by_hand(hand):
    """Epoch 1: 0.32 - 0.30 and 0.36 - 0.35, mean 0.015, sem 0.005, interval 0.015 +- 0.0635."""
    lines = ablation.conclusions(hand).splitlines()
    assert lines[0] == ("[bn] final validation accuracy of every run at its arm's LR: 0.400 to 0.620 (chance 0.10): "
                        "every run learned")
    assert lines[1] == (
        "  aux 0.3 vs 0: final val acc 0.610 vs 0.450, difference +0.160 [-0.348, +0.668] over 2 seeds: "
        "no detectable difference; after epoch 1 +0.015 [-0.049, +0.079]: not detectably faster; "
        "gradient norm ratio conv1 2.50x, 3a 1.00x, 4a 1.00x")
    assert len(lines) == 2


def test_tables_on_a_real_run(results):
    """The tiny real run: the tables have the right shape and verdicts are among the known ones."""
    assert ablation.summary_table(results).column("seeds") == [2, 2]
    assert len(ablation.grad_ratio_table(results, "bn").rows) == len(STAGES)
    c = ablation.compare(results, "bn", 0.0, 0.3)
    assert c.paired.low <= c.difference <= c.paired.high
    assert c.verdict in ("higher with aux", "lower with aux", "no detectable difference")
    assert ablation.conclusions(results).startswith("[bn] final validation accuracy")


def test_plots(results):
    assert len(ablation.plot_curves(results, metrics=("main", "val_main")).axes) == 2
    assert len(ablation.plot_grad_by_depth(results).axes) == 1
    assert len(ablation.plot_heads(results).axes) == 1
    with pytest.raises(ValueError, match="metric"):
        ablation.plot_curves(results, metrics=("nope",))
    with pytest.raises(ValueError, match="arms"):
        ablation.plot_curves(results, arms=[("paper", 0.3)])


def test_explorer_select_and_train(results):
    ex = ablation.AblationExplorer(A.Results(results.setup, list(results.runs), {}), SETUP,
                                   A.load_data(SETUP), seed=2)
    ex.select(arms=[("bn", 0.3)], metric="val_aux1")
    assert ex.arms == [("bn", 0.3)] and ex.metric == "val_aux1"
    with pytest.raises(ValueError, match="metric"):
        ex.select(metric="bogus")

    class Bar:
        value, max = 0, 0

    bar = Bar()
    h = ex.train_one("bn", 1.0, bar)
    assert h.config["seed"] == 2 and bar.value == bar.max == 2
    assert ("bn", 1.0) in ex.arms and len(ex.results.arm("bn", 1.0)) == 1
    assert ex.message.startswith("trained bn, aux 1 seed 2")
    with pytest.raises(ValueError, match="aux_weight"):
        ex.train_one("bn", 0.5)
    w = ex.widget()  # builds without a browser
    assert type(w).__name__ == "VBox"
    ex._refresh()
    assert "aux 1" in " ".join(ex._widgets["arms"].options)


# ----------------------------------------------------------------------------- explorer callbacks (no browser)
@pytest.fixture
def explorer(hand, monkeypatch):
    """An explorer over the hand-built runs whose training is instant: ``run_arm`` is a fake that
    reports 40 steps to the callback, records every call in ``explorer.calls`` and, if
    ``explorer.during_run`` is set, calls it in the middle of the run (a click while training)."""
    ex = ablation.AblationExplorer(hand, SETUP, data=None, seed=2)
    ex.calls, ex.during_run, ex.progress_seen = [], None, []

    def fake_run_arm(setup, variant, aux_weight, seed, data, *, callback=None, progress=False):
        ex.calls.append((variant, aux_weight, seed))
        bar = ex._widgets.get("bar")
        if bar is not None:
            ex.progress_seen.append((bar.value, bar.description))  # before the first step
        for step in range(1, 41):
            callback(step, 40, None)
            if bar is not None:
                ex.progress_seen.append((bar.value, bar.description))
            if step == 20 and ex.during_run is not None:
                ex.during_run()
        return _hist(variant, aux_weight, seed, conv1=(1, 1), val_main=(0.3, 0.45))

    monkeypatch.setattr(ablation, "run_arm", fake_run_arm)
    ex.widget()
    return ex


def _selected(ex):
    return ex._widgets["arms"].value


def test_explorer_train_keeps_selection(explorer):
    """Bug 1: a run used to empty the arms selection (replacing the options fired on_select)."""
    w = explorer._widgets
    w["arms"].value = ("bn, aux 0",)  # only one arm selected, then train a new arm
    w["weight"].value = 1.0
    explorer.on_click()
    assert explorer.calls == [("bn", 1.0, 2)]
    assert w["arms"].options == ("bn, aux 0", "bn, aux 0.3", "bn, aux 1")
    assert _selected(explorer) == ("bn, aux 0", "bn, aux 1")  # kept, plus the new run's arm
    assert explorer.arms == [("bn", 0.0), ("bn", 1.0)]
    assert w["status"].value.startswith("trained bn, aux 1 seed 2")
    # a run of an arm that is not selected and already exists: the arm is added to the selection
    explorer.QUEUED_CLICK_S = 0
    w["weight"].value = 0.3
    explorer.on_click()
    assert explorer.calls[-1] == ("bn", 0.3, 2)
    assert _selected(explorer) == ("bn, aux 0", "bn, aux 1", "bn, aux 0.3")
    assert len(explorer.results.arm("bn", 0.3)) == 3


def test_explorer_new_run_changes_plot(explorer):
    before = explorer._widgets["image"].value
    explorer.on_click()
    assert explorer._widgets["image"].value != before and explorer.arms  # the new run is drawn


def test_explorer_ignores_clicks_during_a_run(explorer):
    """Bug 2: a double-click trained two runs. A click while a run is in progress is ignored and
    the button is disabled while it runs."""
    w = explorer._widgets
    seen = []

    def click_again():
        seen.append((explorer.busy, w["button"].disabled))
        explorer.on_click()

    explorer.during_run = click_again
    explorer.on_click()
    assert seen == [(True, True)]
    assert len(explorer.calls) == 1  # the second click did not train
    assert not explorer.busy and not w["button"].disabled


def test_explorer_ignores_a_click_queued_behind_a_run(explorer):
    """The kernel handles widget messages one at a time: a double-click's second click arrives
    right after the first run ends. It is ignored; a later click trains again."""
    explorer.on_click()
    explorer.on_click()  # at once: queued behind the first
    assert len(explorer.calls) == 1
    explorer._run_ended -= explorer.QUEUED_CLICK_S  # as if the user clicked again later
    explorer.on_click()
    assert [c[2] for c in explorer.calls] == [2, 3]  # next unused seed


def test_explorer_progress_resets_and_describes(explorer):
    """Bug 3: the bar showed the previous run's 100% at the start, with no text; the previous
    message stayed during a new run."""
    w = explorer._widgets
    bar = w["bar"]
    explorer.on_click()
    assert (bar.value, bar.max, bar.description) == (40, 40, "seed 2: step 40/40")
    assert w["status"].value.startswith("trained")
    statuses = []
    explorer.during_run = lambda: statuses.append(w["status"].value)
    explorer._run_ended -= explorer.QUEUED_CLICK_S
    explorer.on_click()
    second = explorer.progress_seen[41:]
    assert second[0] == (0, "seed 3: starting")  # reset before the first step
    assert second[1] == (1, "seed 3: step 1/40")
    descriptions = [d for _, d in second]
    # updated every 5% of the steps (every 2nd of 40), not more often
    assert sorted(set(descriptions) - {"seed 3: starting"}, key=lambda d: int(d.split()[3].split("/")[0])) == \
        ["seed 3: step 1/40"] + [f"seed 3: step {k}/40" for k in range(2, 41, 2)]
    assert statuses == ["training bn, aux 0.3 seed 3..."]  # the old "trained ..." is gone
    assert w["status"].value.startswith("trained bn, aux 0.3 seed 3")


def test_explorer_rows_follow_the_arms(explorer, hand):
    """Bug 5: the arms list was stuck at 2 rows."""
    w = explorer._widgets
    assert w["arms"].rows == 2
    w["weight"].value = 1.0
    explorer.on_click()
    assert w["arms"].rows == 3
    many = A.Results({}, [_hist(v, a, 0, conv1=(1, 1), val_main=(0.3, 0.4)) for v in ("bn", "paper")
                          for a in (0.0, 0.1, 0.3, 1.0, 2.0)])
    assert ablation.AblationExplorer(many, SETUP, None).widget().children[0].children[0].rows == 8


def test_explorer_plot_is_sharp(explorer):
    """Bug 4: the PNG is rendered at twice the displayed width, and the displayed width is fixed."""
    import struct

    w = explorer._widgets
    png = w["image"].value
    width = struct.unpack(">I", png[16:20])[0]  # IHDR
    assert width == explorer.PLOT_SCALE * explorer.PLOT_PX
    assert w["image"].layout.width == f"{explorer.PLOT_PX}px"


def test_explorer_select_callback(explorer):
    w = explorer._widgets
    w["arms"].value = ()
    assert explorer.arms == []
    w["metric"].value = "val_aux1"
    assert explorer.metric == "val_aux1"
    w["arms"].value = ("bn, aux 0.3",)
    assert explorer.arms == [("bn", 0.3)]


def test_aux_share_and_its_check():
    """GoogLeNet at 224 px: the heads hold 6,379,728 of 13,378,280 training parameters (47.7%)."""
    import inception

    cfg = inception.GoogLeNetConfig(variant="paper")
    p, m = ablation.aux_share(cfg, 224)
    assert p == pytest.approx(0.4769, abs=1e-4) and 0 < m < 0.01
    assert ablation.check_aux_share(None, cfg, 224).startswith("fill in")
    assert ablation.check_aux_share(0.477, cfg, 224).startswith("correct")
    assert ablation.check_aux_share(0.45, cfg, 224).startswith("not quite")


def test_check_interval_by_hand(hand):
    assert ablation.check_interval(hand, "bn", 0.3, None).startswith("fill in")
    assert ablation.check_interval(hand, "bn", 0.3, (-0.348, 0.668)).startswith("correct")
    assert ablation.check_interval(hand, "bn", 0.3, (-0.30, 0.668)).startswith("not quite")
    assert ablation.check_interval(hand, "bn", 0.3, 0.5).startswith("answer must be a pair")


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
