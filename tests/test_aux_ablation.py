"""The ablation command: runs a tiny setup end to end and writes complete, reloadable JSON."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from inception.experiments import aux_ablation as A

TINY = replace(A.PRESETS["smoke"], variants=("bn",), n_train=32, n_val=16, batch_size=16, seeds=(0, 1))


def test_command_writes_complete_json(tmp_path):
    out = tmp_path / "r.json"
    results = A.main(["--preset", "smoke", "--seeds", "3", "--epochs", "1", "--out", str(out)])
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
    full, live = A.PRESETS["full"], A.PRESETS["live"]
    assert {0.0, 0.3, 1.0} <= set(full.aux_weights) and set(full.variants) == {"bn", "paper"}
    assert len(full.seeds) >= 2 and len(live.seeds) >= 2
