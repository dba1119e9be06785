"""inception.stats (t quantiles, paired differences, plateaus) and the ablation's resumable results file."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from inception import ablation
from inception import aux_ablation as A
from inception.experiments import aux_ablation as cli
from inception.stats import PairedDifference, Plateau, betainc, paired_difference, plateau, t_cdf, t_quantile

COMMITTED = Path(__file__).resolve().parents[1] / "results" / "aux_ablation_full.json"


# ----------------------------------------------------------------------------- t quantiles
@pytest.mark.parametrize("df, expected", [
    (1, 12.7062047), (2, 4.30265273), (3, 3.18244631), (4, 2.77644511), (9, 2.26215716), (30, 2.04227246),
    (120, 1.97993041), (math.inf, 1.95996398),
])
def test_t_quantile_975_matches_tables(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("p, df, expected", [
    (0.95, 1, 6.31375151), (0.995, 4, 4.60409487), (0.9, 10, 1.37218364), (0.999, 2, 22.3271248),
    (0.6, 5, 0.267180866),
])
def test_t_quantile_other_levels(p, df, expected):
    assert t_quantile(p, df) == pytest.approx(expected, rel=1e-7)


@pytest.mark.parametrize("p", [0.51, 0.7, 0.9, 0.975, 0.999, 1 - 1e-9, 0.3, 0.025, 1e-7])
def test_t_quantile_closed_forms_df_1_and_2(p):
    q = min(p, 1 - p)  # tan(pi (p - 1/2)) = cot(pi q) in the upper half, written to keep its digits near 0 and 1
    assert t_quantile(p, 1) == pytest.approx(math.copysign(1 / math.tan(math.pi * q), p - 0.5), rel=1e-9)  # Cauchy
    assert t_quantile(p, 2) == pytest.approx((2 * p - 1) / math.sqrt(2 * p * (1 - p)), rel=1e-9)


def test_t_quantile_symmetry_inverse_and_large_df():
    assert t_quantile(0.5, 7) == 0.0
    for df in (1.5, 3, 17, 250, 5e4):
        for p in (0.6, 0.95, 0.9999):
            t = t_quantile(p, df)
            assert t_quantile(1 - p, df) == pytest.approx(-t, rel=1e-12)
            assert t_cdf(t, df) == pytest.approx(p, abs=1e-12)
    # large df: towards the normal quantile, and continuous where the method switches (df 1e5)
    assert t_quantile(0.975, 1e9) == pytest.approx(1.95996398, abs=1e-6)
    assert t_quantile(0.975, 1e5 - 1) == pytest.approx(t_quantile(0.975, 1e5 + 1), abs=1e-9)
    assert t_quantile(0.975, 1e5) > t_quantile(0.975, 1e6) > t_quantile(0.975, math.inf)


def test_betainc_known_values():
    assert betainc(2, 3, 0.4) == pytest.approx(0.5248, rel=1e-12)  # 1 - sum_{k<2} C(4,k) .4^k .6^(4-k)
    assert betainc(1, 1, 0.3) == pytest.approx(0.3, rel=1e-12)  # uniform
    assert betainc(0.5, 0.5, 0.5) == pytest.approx(0.5, rel=1e-12)  # symmetric
    assert betainc(3, 2, 0.0) == 0.0 and betainc(3, 2, 1.0) == 1.0
    assert betainc(2.5, 4, 0.3) == pytest.approx(1 - betainc(4, 2.5, 0.7), rel=1e-12)


@pytest.mark.parametrize("call", [
    lambda: t_quantile(0, 3), lambda: t_quantile(1, 3), lambda: t_quantile(1.5, 3), lambda: t_quantile(0.9, 0),
    lambda: t_quantile(0.9, -1), lambda: t_quantile(0.9, math.nan), lambda: t_quantile(True, 3),
    lambda: t_quantile(0.9, "3"), lambda: betainc(0, 1, 0.5), lambda: betainc(1, 1, 1.5), lambda: t_cdf(0.0, 0),
])
def test_bad_quantile_arguments(call):
    with pytest.raises(ValueError):
        call()


def test_quantile_messages_and_infinite_df():
    with pytest.raises(ValueError, match=r"p \(a probability\) must be a number strictly between 0 and 1, got 1.5"):
        t_quantile(1.5, 3)
    with pytest.raises(ValueError, match=r"df \(degrees of freedom\) must be a positive number \(> 0\), got -1"):
        t_quantile(0.9, -1)
    with pytest.raises(ValueError, match="df"):
        t_quantile(0.9, -math.inf)
    assert t_quantile(0.975, math.inf) == pytest.approx(1.959964, abs=1e-6)  # inf: the normal distribution
    assert t_quantile(np.float64(0.975), np.int64(2)) == pytest.approx(4.302653, abs=1e-6)  # numpy scalars


# ----------------------------------------------------------------------------- paired difference
def test_paired_difference_by_hand():
    # differences 0.1, 0.15, 0.2: mean 0.15, sd 0.05, sem 0.05 / sqrt(3), t(0.975, 2) = 4.30265
    d = paired_difference([0.5, 0.6, 0.7], [0.4, 0.45, 0.5])
    assert isinstance(d, PairedDifference)
    assert d.n == 3 and d.confidence == 0.95
    assert d.mean == pytest.approx(0.15) and d.sd == pytest.approx(0.05) and d.sem == pytest.approx(0.0288675, abs=1e-7)
    assert (d.low, d.high) == (pytest.approx(0.02579, abs=1e-5), pytest.approx(0.27421, abs=1e-5))
    assert d.verdict == "higher"
    assert "higher" in str(d) and "95% CI" in str(d)
    with pytest.raises(AttributeError):  # frozen
        d.mean = 0.0


def test_paired_difference_verdicts_and_confidence():
    assert paired_difference([0.4, 0.45, 0.5], [0.5, 0.6, 0.7]).verdict == "lower"
    noisy = paired_difference([0.5, 0.6, 0.4], [0.45, 0.5, 0.5])  # differences 0.05, 0.1, -0.1
    assert noisy.low < 0 < noisy.high and noisy.verdict == "no detectable difference"
    # a wider interval at a higher confidence; two seeds use t(0.975, 1) = 12.706
    a, b = [0.5, 0.6, 0.7], [0.4, 0.45, 0.5]
    assert paired_difference(a, b, 0.99).high - paired_difference(a, b, 0.99).low > paired_difference(a, b).high - \
        paired_difference(a, b).low
    two = paired_difference([0.6, 0.7], [0.5, 0.5])  # differences 0.1, 0.2: sd 0.0707, sem 0.05
    assert two.high == pytest.approx(0.15 + 12.7062047 * 0.05, abs=1e-7)
    same = paired_difference([0.6, 0.7], [0.5, 0.6])  # identical differences: sd 0, a point interval
    assert same.sd == 0 and same.low == same.high == pytest.approx(0.1) and same.verdict == "higher"
    assert paired_difference([0.5, 0.6], [0.5, 0.6]).verdict == "no detectable difference"


@pytest.mark.parametrize("a, b, kw, err, match", [
    ([0.1, 0.2], [0.1], {}, ValueError, "paired"),
    ([0.1], [0.2], {}, ValueError, "at least 2"),
    ([], [], {}, ValueError, "at least 2"),
    ([0.1, math.nan], [0.1, 0.2], {}, ValueError, r"a\[1\] must be a finite number, got nan"),
    ([0.1, 0.2], [0.1, math.inf], {}, ValueError, r"b\[1\] must be a finite number, got inf"),
    ([0.1, "x"], [0.1, 0.2], {}, TypeError, r"a\[1\] must be a finite number, got 'x' \(str\)"),
    ([True, False], [0.1, 0.2], {}, TypeError, r"a\[0\] must be a finite number, got True \(bool\)"),
    ("0.1 0.2", [0.1, 0.2], {}, TypeError, "a must be a sequence of numbers"),
    (5, [0.1, 0.2], {}, TypeError, "a must be a sequence of numbers"),
    ([0.1, 0.2], [0.1, 0.2], {"confidence": 95},
     ValueError, r"confidence \(e.g. 0.95\) must be a number strictly between 0 and 1, got 95"),
    ([0.1, 0.2], [0.1, 0.2], {"confidence": 1.0}, ValueError, "confidence"),
    ([0.1, 0.2], [0.1, 0.2], {"confidence": True}, TypeError, "confidence"),
])
def test_paired_difference_errors(a, b, kw, err, match):
    with pytest.raises(err, match=match):
        paired_difference(a, b, **kw)


# ----------------------------------------------------------------------------- plateau
def test_plateau_reached_and_not():
    flat = plateau([[0.2, 0.5, 0.60, 0.61, 0.61], [0.2, 0.4, 0.50, 0.51, 0.52]])
    assert isinstance(flat, Plateau)
    # last 2 changes: 0.01, 0.00 and 0.01, 0.01 -> mean 0.0075; finals 0.61, 0.52 -> sd 0.0636
    assert flat.change == pytest.approx(0.0075) and flat.spread == pytest.approx(0.09 / math.sqrt(2))
    assert (flat.n, flat.epochs, flat.last) == (2, 5, 2) and flat.reached
    rising = plateau([[0.1, 0.3, 0.5], [0.1, 0.32, 0.52]])  # still ~0.2 per epoch; seeds 0.014 apart
    assert rising.change == pytest.approx(0.205) and not rising.reached  # changes 0.2, 0.2, 0.22, 0.2
    last1 = plateau([[0.1, 0.3, 0.5, 0.5], [0.1, 0.32, 0.52, 0.5]], last=1)  # only the final change counts
    assert last1.change == pytest.approx(0.01) and last1.spread == 0.0 and not last1.reached


def test_plateau_when_seeds_agree_exactly():
    # spread 0: reached only if the curves no longer move (change < tol, default 1e-6)
    assert plateau([[0.1, 0.5, 0.5, 0.5]] * 3).reached
    assert not plateau([[0.1, 0.4, 0.5]] * 3).reached  # changes 0.3, 0.1: mean 0.2
    assert plateau([[0.1, 0.4, 0.5]] * 3, tol=0.25).reached


@pytest.mark.parametrize("curves, kw, err, match", [
    ([[0.1, 0.2]] * 2, {}, ValueError, "too short"),
    ([[0.1, 0.2, 0.3]] * 2, {"last": 3}, ValueError, "too short"),
    ([[0.1, 0.2, 0.3]], {}, ValueError, "at least 2 seeds"),
    ([[0.1, 0.2, 0.3], [0.1, 0.2, 0.3, 0.4]], {}, ValueError, "same number of epochs"),
    ([[0.1, 0.2, 0.3]] * 2, {"last": 0}, ValueError, r"last \(epochs\) must be a positive integer, got 0"),
    ([[0.1, 0.2, 0.3]] * 2, {"last": 1.0}, TypeError, "last"),
    ([[0.1, 0.2, 0.3]] * 2, {"tol": -1}, ValueError, "tol must be a number >= 0, got -1"),
    ([[0.1, 0.2, 0.3]] * 2, {"tol": math.inf}, ValueError, "tol"),
    ([[0.1, math.nan, 0.3]] * 2, {}, ValueError, r"curve_per_seed\[0\]\[1\] must be a finite number, got nan"),
    ("abc", {}, TypeError, "sequence of curves"),
])
def test_plateau_errors(curves, kw, err, match):
    with pytest.raises(err, match=match):
        plateau(curves, **kw)


# ----------------------------------------------------------------------------- results file
def test_committed_results_round_trip_and_old_schema_loads(tmp_path):
    """The committed full run: its flat keys agree with each History; saved again it is the same;
    and the same runs in the schema before the flat keys (bare Histories) load identically."""
    raw = json.loads(COMMITTED.read_text())
    full = A.load(COMMITTED)
    assert len(full.runs) == len(raw["runs"]) == 74 and full.setup == raw["setup"] and full.meta == raw["meta"]
    histories = [{k: r[k] for k in ("config", "steps", "grad_norm", "epochs", "seconds")} for r in raw["runs"]]
    assert [h.to_dict() for h in full.runs] == histories
    for r, h in zip(raw["runs"], full.runs, strict=True):
        assert {k: r[k] for k in ("variant", "aux1_weight", "aux2_weight", "seed", "lr", "n_epochs", "val_acc")} == \
            A.run_record(h)
    old = tmp_path / "old.json"
    old.write_text(json.dumps({**raw, "runs": histories}))
    before = A.load(old)
    assert [h.to_dict() for h in before.runs] == histories and before.arms == full.arms
    again = A.load(full.to_json(tmp_path / "again.json"))
    assert [h.to_dict() for h in again.runs] == histories
    for table in (ablation.summary_table, ablation.comparisons_table, ablation.sweep_table):
        assert table(again).rows == table(full).rows == table(before).rows
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic write left no temporary file


SMALL = replace(A.PRESETS["smoke"], n_train=32, n_val=16, seeds=(0, 1))  # 2 variants x 2 weights x 2 seeds


def _runs(path):
    return [{k: v for k, v in r.items() if k != "seconds"} for r in json.loads(Path(path).read_text())["runs"]]


def test_interrupted_run_resumes_only_missing_runs(tmp_path, monkeypatch):
    out = tmp_path / "r.json"
    calls, real = [], A.run_arm
    stop_at = [3]

    def counting(setup, variant, w, seed, data, **kw):
        calls.append((variant, w, seed))
        if len(calls) == stop_at[0]:
            raise KeyboardInterrupt  # the user stops the ablation during the third run
        return real(setup, variant, w, seed, data, **kw)

    monkeypatch.setattr(A, "run_arm", counting)
    with pytest.raises(KeyboardInterrupt):
        A.run(SMALL, out=out)
    partial = json.loads(out.read_text())
    assert len(partial["runs"]) == 2 and partial["meta"]["complete"] is False  # saved after each finished run

    calls.clear()
    stop_at[0] = 0
    full = A.run(SMALL, out=out)  # resumes: the 2 saved runs are kept, the other 6 trained
    assert len(calls) == 6 and ("bn", 0.0, 0) not in calls and ("bn", 0.0, 1) not in calls
    done = json.loads(out.read_text())
    assert done["meta"]["complete"] is True and len(done["runs"]) == SMALL.num_runs == len(full.runs)
    order = [(r["variant"], r["aux1_weight"], r["seed"]) for r in done["runs"]]
    assert order == [(v, w, s) for v, w in SMALL.arms for s in SMALL.seeds]  # task order
    reference = _runs(out)

    removed = done["runs"].pop(5)  # a run lost: only it is retrained, identically
    out.write_text(json.dumps(done))
    calls.clear()
    again = A.run(SMALL, out=out)
    assert calls == [(removed["variant"], removed["aux1_weight"], removed["seed"])]
    assert _runs(out) == reference and len(again.runs) == SMALL.num_runs

    calls.clear()
    A.run(SMALL, out=out)  # nothing missing: nothing trained, the file still complete
    assert calls == [] and _runs(out) == reference


def test_resume_through_the_process_pool(tmp_path):
    tiny = replace(SMALL, variants=("bn",), seeds=(0,))  # 2 runs
    out = tmp_path / "r.json"
    A.run(tiny, out=out)
    reference = _runs(out)
    d = json.loads(out.read_text())
    d["runs"] = d["runs"][1:]
    out.write_text(json.dumps(d))
    resumed = A.run(replace(tiny, jobs=2), out=out)  # retrained in a worker process; jobs may differ on resume
    assert _runs(out) == reference and resumed.meta["complete"]


def test_other_setup_is_refused_unless_forced(tmp_path, capsys):
    out = tmp_path / "r.json"
    A.Results(A.asdict(SMALL), [], {}).to_json(out)
    other = replace(SMALL, epochs=2)
    with pytest.raises(ValueError, match=r"different setup \(epochs: file 1, now 2\).*--force"):
        A.run(other, out=out)
    assert A.previous_results(other, out, overwrite=True) is None  # forced: it would be overwritten
    assert A.previous_results(SMALL, out).runs == []  # same setup: resumable
    with pytest.raises(ValueError, match="already exists.*--resume"):
        A.run(SMALL, out=out, resume=False)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match="not a results file"):
        A.previous_results(SMALL, tmp_path / "bad.json")

    # the command line: an existing file needs --resume or --force, checked before any training
    with pytest.raises(SystemExit):
        cli.main(["--preset", "smoke", "--out", str(out)])
    assert "--resume" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["--preset", "smoke", "--out", str(out), "--resume"])  # the file is for SMALL, not smoke
    assert "different setup" in capsys.readouterr().err
