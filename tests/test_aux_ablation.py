"""The ablation command: runs a tiny setup end to end and writes complete, reloadable JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, replace

from pathlib import Path

import pytest

from inception import aux_ablation as A
from inception.experiments import aux_ablation as cli

TINY = replace(A.PRESETS["smoke"], variants=("bn",), n_train=32, n_val=16, batch_size=16, seeds=(0, 1))


def test_command_writes_complete_json(tmp_path):
    out = tmp_path / "r.json"
    results = cli.main(["--preset", "smoke", "--seeds", "3", "--epochs", "1", "--out", str(out)])
    d = json.loads(out.read_text())
    assert d["meta"]["command"].startswith("python -m inception.experiments.aux_ablation --preset smoke")
    assert d["meta"]["seeds"] == [3]
    assert set(d["meta"]["versions"]) >= {"python", "torch", "inception"}
    assert d["meta"]["hardware"]["cores"] >= 1 and d["meta"]["hardware"]["cpu"]
    assert d["meta"]["hardware"]["torch_threads_per_run"] == 1
    assert len(d["runs"]) == 4  # 2 variants x 2 aux weights x 1 seed
    back = A.load(out)
    assert back.arms == [("bn", 0.0), ("bn", 0.3), ("paper", 0.0), ("paper", 0.3)]
    assert [h.config["seed"] for h in back.runs] == [3] * 4
    h = back.arm("paper", 0.3)[0]
    assert h.steps["main"] == pytest.approx(results.arm("paper", 0.3)[0].steps["main"], rel=1e-5)
    assert h.config["dataset"] == "synthetic" and h.config["threads"] == 1


def test_runs_are_reproducible_and_parallel_jobs_agree():
    a = A.run(TINY)
    b = A.run(replace(TINY, jobs=2))
    key = lambda h: (h.config["variant"], h.config["aux_weight"], h.config["seed"])  # noqa: E731
    assert sorted(map(key, a.runs)) == [("bn", 0.0, 0), ("bn", 0.0, 1), ("bn", 0.3, 0), ("bn", 0.3, 1)]
    assert len(b.runs) == len(a.runs) == 4  # 1 variant x 2 aux weights x 2 seeds, in both
    for x, y in zip(a.runs, b.runs, strict=True):
        assert key(x) == key(y)  # the same run, whichever worker trained it
        assert x.num_steps > 0 and x.epochs["val_main"]
        assert x.steps == y.steps and x.epochs == y.epochs and x.grad_norm == y.grad_norm
    assert len(a.arm("bn", 0.3)) == 2


@pytest.mark.parametrize("kw, name", [
    (dict(variants=("resnet",)), "variants"), (dict(aux_weights=(-1,)), "aux_weights"),
    (dict(seeds=()), "seeds"), (dict(dataset="mnist"), "dataset"), (dict(epochs=0), "epochs"),
])
def test_bad_setup(kw, name):
    with pytest.raises(ValueError, match=name):
        A.Setup(**kw)


def test_presets_keep_the_design():
    """What issue 9 asks of the committed run: both variants, five aux arms (each head alone too),
    >= 5 seeds, a sweep of >= 3 LRs with the common LR among them, the (0, 0) and (0.3, 0.3) controls."""
    full, live = A.PRESETS["full"], A.PRESETS["live"]
    assert set(full.aux_weight_pairs) == {(0.0, 0.0), (0.3, 0.3), (1.0, 1.0), (0.3, 0.0), (0.0, 0.3)}
    assert set(full.variants) == {"bn", "paper"} and len(full.seeds) >= 5
    assert len(full.lr_grid) >= 3 and all(full.lr[v] in full.lr_grid for v in full.variants)
    assert set(full.controls) == {(0.0, 0.0), (0.3, 0.3)}
    assert full.init_for("paper") == "kaiming" and full.init_for("bn") is None
    assert A.PRESETS["caffe"].init_for("paper") == "caffe"
    assert live.variants == ("bn",) and {0.0, 0.3} <= set(live.aux_weights)


def _fake_history(v, w, seed, lr, acc):
    from inception.train import History

    a1, a2 = A._weight_pair(w)
    return History({"variant": v, "aux_weight": w, "aux1_weight": a1, "aux2_weight": a2, "seed": seed, "lr": lr,
                    "num_classes": 10}, {}, {}, {"val_main": [acc]})


def test_plan_grows_as_sweeps_finish():
    """The sweep (first seed at every grid LR) and the controls (common LR) are planned at once; an
    arm's other seeds only when its sweep is done, at the LR with the best final accuracy."""
    s = A.Setup(variants=("bn",), aux_weights=(0.0, 0.3), seeds=(0, 1, 2), lr={"bn": 2e-3}, lr_grid=(1e-3, 2e-3, 4e-3),
                controls=(0.0,))
    first = A.plan(s, {})
    assert first[:6] == [("bn", w, 0, lr) for w in (0.0, 0.3) for lr in (1e-3, 2e-3, 4e-3)]
    assert first[6:] == [("bn", 0.0, 1, 2e-3), ("bn", 0.0, 2, 2e-3)]  # (seed 0 at 2e-3 is in the sweep)
    accs = {(0.0, 1e-3): 0.5, (0.0, 2e-3): 0.6, (0.0, 4e-3): 0.6, (0.3, 1e-3): 0.4, (0.3, 2e-3): 0.5, (0.3, 4e-3): 0.7}
    done = {A._task_key(("bn", w, 0, lr)): _fake_history("bn", w, 0, lr, a) for (w, lr), a in accs.items()}
    assert A.chosen_lrs(s, done) == {("bn", 0.0): 2e-3, ("bn", 0.3): 4e-3}  # a tie goes to the smaller LR
    full = A.plan(s, done)
    assert full[8:] == [("bn", 0.3, 1, 4e-3), ("bn", 0.3, 2, 4e-3)]  # aux 0's seeds are the controls already
    assert len(full) == 10 <= s.num_runs
    with pytest.raises(ValueError, match="controls must be among"):
        A.Setup(aux_weights=(0.0, 0.3), lr_grid=(1e-3, 2e-3), controls=(1.0,))
    with pytest.raises(ValueError, match="need an lr_grid"):
        A.Setup(aux_weights=(0.0, 0.3), controls=(0.0,))


def test_notebook_parameters_cell_is_the_live_preset():
    """The notebook's parameters cell is the one place that picks the live run, and the command line's
    ``--preset live`` builds the very same Setup (so it trains the same runs)."""
    root = Path(__file__).resolve().parents[1]
    src = (root / "notebooks" / "04_auxiliary_classifiers.py").read_text()
    cell = src.split('# %% tags=["parameters"]')[1].split("# %%")[0]
    ns: dict = {}
    exec(cell, ns)
    assert ns["PRESET"] == "live" and ns["OVERRIDES"] == {}
    assert "setup = replace(aux_ablation.PRESETS[PRESET], **OVERRIDES)" in src
    assert "live = aux_ablation.run(setup)" in src
    args = cli._parser().parse_args(["--preset", "live", "--out", "x.json"])
    assert cli.setup_from_args(args) == A.PRESETS["live"]


def test_sweep_resumes_to_the_same_results(tmp_path):
    """An interrupted sweep (here: a file with only its first runs) resumes to exactly the runs of an
    uninterrupted one; the chosen LRs and ``complete`` are recorded."""
    s = A.Setup(variants=("bn",), aux_weights=(0.0, 0.3), seeds=(0, 1), n_train=32, n_val=16, epochs=1, width=0.0625,
                batch_size=16, threads=1, lr={"bn": 2e-3}, lr_grid=(1e-3, 2e-3), controls=(0.0,), optimizer="adamw")
    whole = A.run(s, out=tmp_path / "whole.json")
    # 4 sweep runs, aux 0 seed 1 at the common 2e-3, seed 1 of each arm at its chosen LR (aux 0's may be the control)
    assert whole.meta["complete"] and len(whole.runs) in (6, 7)
    assert {(c["aux1_weight"], c["lr"]) for c in whole.meta["chosen_lr"]} <= {(w, lr) for w in (0.0, 0.3) for lr in (1e-3, 2e-3)}
    part = A.Results(whole.setup, whole.runs[:3], {**whole.meta, "complete": False})
    part.to_json(tmp_path / "part.json")
    resumed = A.run(s, out=tmp_path / "part.json")
    key = lambda r: [(h.config["aux_weight"], h.config["seed"], h.config["lr"], h.epochs["val_main"]) for h in r.runs]  # noqa: E731
    assert key(resumed) == key(whole) and resumed.meta["complete"]
    assert A.load(tmp_path / "part.json").meta["chosen_lr"] == whole.meta["chosen_lr"]


@pytest.mark.parametrize("kwargs, match", [
    (dict(lr_grid=(0.0, 1e-3)), "lr_grid"),
    (dict(lr_grid=(1e-3, 1e-3)), "each learning rate once"),
    (dict(noise=-0.1), "noise"),
    (dict(clutter=-1), "clutter"),
    (dict(image_size=8), "image_size"),
    (dict(dataset="cifar10", image_size=24), "image_size must be 32 for cifar10"),
    (dict(init={"paper": "glorot"}), "init must be"),
])
def test_setup_rejects_bad_fields(kwargs, match):
    with pytest.raises(ValueError, match=match):
        A.Setup(**kwargs)


def test_describe_names_the_protocol():
    text = A.describe(A.PRESETS["full"])
    assert "LR swept over 0.001, 0.002, 0.004" in text and "paper kaiming" in text and "86 runs" in text
    assert A.Setup.from_dict(json.loads(json.dumps(asdict(A.PRESETS["full"])))) == A.PRESETS["full"]


def test_library_does_not_import_the_command_line():
    """The experiment lives in inception.aux_ablation; inception.experiments only wraps it (argparse,
    the recorded command), and no library module imports from there."""
    import ast
    from pathlib import Path

    import inception

    root = Path(inception.__file__).parent
    offenders = []
    for path in sorted(root.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                mod = ("." * node.level) + (node.module or "")
                names = [a.name for a in node.names]
                if "experiments" in mod.split(".") or (mod == "." and "experiments" in names):
                    offenders.append(f"{path.name}: from {mod} import {', '.join(names)}")
            elif isinstance(node, ast.Import):
                offenders += [f"{path.name}: import {a.name}" for a in node.names if "experiments" in a.name.split(".")]
    assert offenders == []
    assert {"Setup", "PRESETS", "Results", "run_arm", "run", "load", "plan", "chosen_lrs", "describe", "RECIPE",
            "AUX_ARMS"} <= set(A.__all__)
    assert set(cli.__all__) == {"main", "setup_from_args"}
    assert cli.run is A.run and cli.PRESETS is A.PRESETS  # the command runs the library's experiment


def test_committed_results_still_load():
    from pathlib import Path

    for path in sorted((Path(__file__).resolve().parents[1] / "results").glob("aux_ablation_*.json")):
        r = A.load(path)
        assert r.runs and isinstance(r, A.Results), path.name
        A.Setup.from_dict(r.setup)  # the saved setup is still a valid Setup
