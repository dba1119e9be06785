"""Numeric forward-pass references: logits and auxiliary logits of every variant at fixed weights.

``tests/data/reference_outputs.json`` is written by ``tools/make_reference_outputs.py``: every
parameter and buffer is a formula of its state-dict name (no RNG), so is the input, and the
outputs were computed in float64. Here they are recomputed in float32 and compared with a
tolerance far above float32 rounding on any CPU (observed: ~1e-6 of the logits' scale) and far
below what a wrong layer, constant or connection does (percent of the scale).

The ``torchvision`` cases also store the outputs of ``torchvision.models.googlenet`` loaded
with the same weights (computed once, in a separate environment: torchvision is not a
dependency), so the torchvision variant is checked against the real thing even where
torchvision is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "reference_outputs.json"
RTOL = 1e-4  # relative to each value
ATOL = 1e-5  # relative to the scale of the output (largest stored |logit| of the row)


def _generator():
    spec = importlib.util.spec_from_file_location("make_reference_outputs", ROOT / "tools" / "make_reference_outputs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _generator()
REF = json.loads(DATA.read_text())
CASES = list(GEN.CASES)
TV_CASES = [name for name, case in GEN.CASES.items() if case.get("torchvision")]


#: one torch thread for this module (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("one_thread")

_cache: dict[str, dict] = {}


def _ours(name: str) -> dict:
    """Summary of our float32 outputs for one case, computed once."""
    if name not in _cache:
        case = GEN.CASES[name]
        x = GEN.deterministic_input(case["input"], case["amplitude"])
        _cache[name] = GEN.summarize(GEN.run_heads(GEN.build_ours(case), x))
    return _cache[name]


def assert_matches(got: dict, want: dict, name: str, what: str) -> None:
    """Each head: the stored classes value by value; the whole vector through its sum, norm and
    projections (a change in an unstored class shows there)."""
    for head in GEN.HEADS:
        g, w = got[head], want[head]
        values_g, values_w = np.asarray(g["values"]), np.asarray(w["values"])
        assert values_g.shape == values_w.shape == (len(values_w), len(REF["cases"][name]["classes"])), (what, head)
        scale = np.abs(values_w).max(axis=1, keepdims=True)  # per image
        assert np.all(scale > 0)
        num_classes = GEN.CASES[name]["options"].get("num_classes", 1000)
        checks = [
            ("values", values_g, values_w, ATOL * scale),
            ("proj", np.asarray(g["proj"]), np.asarray(w["proj"]), ATOL * scale),
            ("sum", np.asarray(g["sum"]), np.asarray(w["sum"]), ATOL * scale[:, 0] * math.sqrt(num_classes)),
            ("norm", np.asarray(g["norm"]), np.asarray(w["norm"]), ATOL * scale[:, 0] * math.sqrt(num_classes)),
        ]
        for key, a, b, atol in checks:
            err = np.abs(a - b)
            tol = RTOL * np.abs(b) + atol
            bad = err > tol
            assert not bad.any(), (
                f"{what} {head}.{key}: {int(bad.sum())} of {bad.size} values off; worst |got - want| = "
                f"{err.max():.4g} (tolerance there {tol.flat[int(np.argmax(err - tol))]:.3g}, "
                f"output scale {scale.max():.4g})"
            )


def test_reference_file_is_complete_and_small():
    assert DATA.stat().st_size < 200_000
    assert REF["format"] == GEN.FORMAT
    assert list(REF["cases"]) == CASES
    variants = {REF["cases"][n]["variant"] for n in CASES}
    assert variants == {"bn", "paper", "torchvision"}
    assert any(c["input"][2] != c["input"][3] for c in REF["cases"].values())  # a non-square input
    for name in TV_CASES:
        tv = REF["cases"][name]["torchvision"]
        assert tv["versions"]["torchvision"], name
        assert tv["dtype"] == "float64"


@pytest.mark.parametrize("name", CASES)
def test_fixed_weights_are_reproduced(name):
    """The formula still gives the weights the references were computed from (exactly)."""
    checksum = GEN.state_checksum(GEN.build_ours(GEN.CASES[name]).state_dict())
    want = REF["cases"][name]["weights"]
    assert checksum["tensors"] == want["tensors"] and checksum["elements"] == want["elements"]
    assert checksum["sum"] == pytest.approx(want["sum"], rel=1e-9, abs=1e-9)
    assert checksum["abs_sum"] == pytest.approx(want["abs_sum"], rel=1e-9)


def test_fixed_weights_are_distinct_and_scaled():
    """Every tensor gets its own values; conv weights have the He scale sqrt(2 / fan_in)."""
    a = GEN.deterministic_tensor("inception3a.branch1.conv.weight", (64, 192, 1, 1), torch.float32)
    b = GEN.deterministic_tensor("inception3b.branch1.conv.weight", (64, 192, 1, 1), torch.float32)
    assert not torch.equal(a, b)
    assert torch.equal(a, GEN.deterministic_tensor("inception3a.branch1.conv.weight", (64, 192, 1, 1), torch.float32))
    assert a.std().item() == pytest.approx(math.sqrt(2 / 192), rel=0.05)
    assert abs(a.mean().item()) < 0.01
    var = GEN.deterministic_tensor("conv1.bn.running_var", (64,), torch.float32)
    assert var.min() >= 0.5 and var.max() < 1.5
    x = GEN.deterministic_input([2, 3, 8, 8], amplitude=64.0)
    assert x.std().item() == pytest.approx(64.0, rel=0.15) and not torch.equal(x[0], x[1])


@pytest.mark.parametrize("name", CASES)
def test_outputs_match_reference(name):
    got = _ours(name)
    ref = REF["cases"][name]
    assert_matches(got, ref["ours"], name, f"{name}: ours")


@pytest.mark.parametrize("name", TV_CASES)
def test_torchvision_variant_matches_real_torchvision(name):
    """Our torchvision variant against torchvision's GoogLeNet run on the same weights and input."""
    got = _ours(name)
    ref = REF["cases"][name]
    assert_matches(got, ref["torchvision"], name, f"{name}: torchvision {ref['torchvision']['versions']}")


def test_outputs_are_not_degenerate():
    """The references discriminate: classes differ, images differ, heads differ."""
    for name in CASES:
        heads = REF["cases"][name]["ours"]
        for head in GEN.HEADS:
            v = np.asarray(heads[head]["values"])
            assert v.std(axis=1).min() > 0.05 * np.abs(v).max(), (name, head)
            assert not np.allclose(v[0], v[1], rtol=1e-2), (name, head)
        assert not np.allclose(heads["aux1"]["values"], heads["aux2"]["values"], rtol=1e-2), name
