"""inception.ablation: tables, verdicts, plots and the explorer's update logic, on tiny runs (no browser)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from inception import ablation
from inception.experiments import aux_ablation as A

SETUP = replace(A.PRESETS["smoke"], variants=("bn",), aux_weights=(0.0, 0.3), seeds=(0, 1), n_train=32,
                n_val=16, batch_size=16)


@pytest.fixture(scope="module")
def results():
    return A.run(SETUP)


def test_summary_and_ratio_tables(results):
    t = ablation.summary_table(results)
    assert t.column("aux weight") == [0.0, 0.3] and t.column("seeds") == [2, 2]
    assert "+-" in t.column("val acc (main)")[0]
    r = ablation.grad_ratio_table(results, "bn")
    assert r.column("stage")[0] == "conv1" and len(r.rows) == 12
    # the ratio column is computed from the histories
    from statistics import fmean

    want = fmean(h.mean_grad_norm("conv1") for h in results.arm("bn", 0.3)) / fmean(
        h.mean_grad_norm("conv1") for h in results.arm("bn", 0.0))
    assert r.rows[0][2] == round(want, 2)
    with pytest.raises(ValueError, match="variant"):
        ablation.grad_ratio_table(results, "paper")


def test_compare_verdict_logic(results):
    c = ablation.compare(results, "bn", 0.0, 0.3)
    assert c.difference == pytest.approx(c.mean_b - c.mean_a)
    assert c.exceeds_spread == (abs(c.difference) > c.spread)
    fake = ablation.Comparison("bn", 0.0, 0.3, "val_main", 0.5, 0.6, 0.02)
    assert fake.verdict == "higher with aux"
    assert ablation.Comparison("bn", 0.0, 0.3, "val_main", 0.5, 0.51, 0.02).verdict.startswith("within")
    assert len(ablation.comparisons_table(results).rows) == 1


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


def test_exercise_checks(results):
    assert "fill in" in ablation.check_ratio(results, "bn", "conv1", None)
    assert ablation.check_first_stage_reached("4e") == "correct"
    assert ablation.check_first_stage_reached("4a").startswith("not quite")
    r = ablation.grad_ratio_table(results, "bn").rows[0][2]
    assert ablation.check_ratio(results, "bn", "conv1", r).startswith("correct")
    assert ablation.check_ratio(results, "bn", "conv1", r + 1).startswith("not quite")


def test_conclusions_are_computed(results):
    text = ablation.conclusions(results)
    c = ablation.compare(results, "bn", 0.0, 0.3)
    assert f"difference {c.difference:+.3f}" in text and c.verdict in text
    assert text.startswith("[bn] best final validation accuracy")
