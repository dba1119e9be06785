"""Write ``tests/data/reference_outputs.json``: the outputs of fixed networks on a fixed input.

    python tools/make_reference_outputs.py            # our model; torchvision's too if importable
    python tools/make_reference_outputs.py --check    # recompute, compare with the file, write nothing

Every parameter and buffer is filled by a formula of its state-dict name and its element
index (:func:`deterministic_state`), the input too (:func:`deterministic_input`): nothing
depends on torch's random number generator, its version or the CPU. The formula is exact
integer arithmetic (the splitmix64 mixer) turned into float64 values by exact operations, so
the weights are bit-identical everywhere. Outputs are computed in float64; the test
(``tests/test_reference_outputs.py``) recomputes them in float32 and compares.

Where torchvision is importable (it is not a dependency: use a separate environment, e.g.
``pip install torch==2.14.1 torchvision==0.29.1`` and ``pip install -e . --no-deps``), the
``"torchvision"`` cases are also run through ``torchvision.models.googlenet`` loaded with the
same weights, and its outputs are stored beside ours with its version. Without torchvision
the torchvision section of an existing file is kept as it is.

Stored per output head (logits in eval mode; aux1/aux2 with the model in training mode and
every submodule in eval mode, i.e. dropout off and BatchNorm on its running statistics):
a fixed subset of the classes (all of them up to 64 classes, else every 16th), and for the
whole vector its sum, its L2 norm and four projections on fixed vectors with
``sum(|p|) = 1`` (so a change in any class shows up).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "reference_outputs.json"
FORMAT = 1
HEADS = ("logits", "aux1", "aux2")
N_PROJ = 4

#: name -> how to build the network and its input. ``amplitude`` scales the input: the paper
#: variant gets pixel-like values (Caffe fed mean-subtracted 0-255 pixels), so that its local
#: response normalization is far from the identity and its constants matter.
CASES: dict[str, dict[str, Any]] = {
    "bn-224": dict(variant="bn", options={}, input=[2, 3, 224, 224], amplitude=1.0),
    "paper-224": dict(variant="paper", options={}, input=[2, 3, 224, 224], amplitude=64.0),
    "torchvision-224": dict(variant="torchvision", options={}, input=[2, 3, 224, 224], amplitude=1.0,
                            torchvision=True),
    "torchvision-transform-176x208": dict(variant="torchvision", options={"transform_input": True},
                                          input=[2, 3, 176, 208], amplitude=1.0, torchvision=True),
    "paper-w0.5-160x192": dict(variant="paper", options={"width": 0.5}, input=[2, 3, 160, 192], amplitude=64.0),
    "bn-small-w0.25-48x32": dict(variant="bn", options={"stem": "small", "width": 0.25, "num_classes": 10},
                                 input=[2, 3, 48, 32], amplitude=1.0),
    "paper-small-w0.25-40x56": dict(variant="paper", options={"stem": "small", "width": 0.25, "num_classes": 10},
                                    input=[2, 3, 40, 56], amplitude=64.0),
    "bn-naive-small-w0.125-40x40": dict(variant="bn", options={"stem": "small", "width": 0.125, "naive": True,
                                                               "num_classes": 10},
                                        input=[2, 3, 40, 40], amplitude=1.0),
}

_M64 = (1 << 64) - 1


# ----------------------------------------------------------------------------- formulas
def hash_uniform(n: int, key: str) -> np.ndarray:
    """``n`` numbers in [0, 1), element ``i`` a function of (``key``, ``i``) only.

    splitmix64 of ``crc32(key) * 0xBF58476D1CE4E5B9 + (i + 1) * 0x9E3779B97F4A7C15`` (mod 2**64),
    top 53 bits / 2**53: integer arithmetic, then one exact conversion.
    """
    seed = np.uint64((zlib.crc32(key.encode()) * 0xBF58476D1CE4E5B9) & _M64)
    z = np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15) + seed
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def deterministic_tensor(name: str, shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
    """The value of state-dict entry ``name`` (see the module docstring), by the entry's role:

    - conv / linear weights (2-D or more): uniform, zero mean, std sqrt(2 / fan_in) (He);
    - BatchNorm ``running_var`` in [0.5, 1.5), ``weight`` (scale) in [0.5, 1.5),
      ``running_mean`` in [-0.1, 0.1); every ``bias`` in [-0.1, 0.1); counters 0.
    """
    n = math.prod(shape)
    if name.endswith("num_batches_tracked"):
        return torch.zeros(shape, dtype=dtype)
    u = hash_uniform(n, name)
    if len(shape) >= 2:
        fan_in = n // shape[0]
        values = (2.0 * u - 1.0) * math.sqrt(3.0) * math.sqrt(2.0 / fan_in)
    elif name.endswith("running_var") or name.endswith(".weight"):
        values = 0.5 + u
    else:  # running_mean, every bias
        values = 0.2 * u - 0.1
    return torch.from_numpy(values.reshape(shape)).to(dtype)


def deterministic_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """A full state dict for ``model`` from :func:`deterministic_tensor` (float32 values)."""
    out = {}
    for name, t in model.state_dict().items():
        dtype = t.dtype if not t.is_floating_point() else torch.float32
        out[name] = deterministic_tensor(name, tuple(t.shape), dtype)
    return out


def deterministic_input(shape: list[int] | tuple[int, ...], amplitude: float = 1.0) -> torch.Tensor:
    """The fixed input: uniform noise with zero mean and standard deviation ``amplitude`` (float32)."""
    u = hash_uniform(math.prod(shape), "input")
    return torch.from_numpy(((2.0 * u - 1.0) * math.sqrt(3.0) * amplitude).reshape(shape)).float()


def projections(num_classes: int) -> torch.Tensor:
    """(num_classes, N_PROJ) float64, each column of absolute sum 1."""
    p = 2.0 * hash_uniform(num_classes * N_PROJ, "projection").reshape(num_classes, N_PROJ) - 1.0
    return torch.from_numpy(p / np.abs(p).sum(0, keepdims=True))


def class_subset(num_classes: int) -> list[int]:
    return list(range(num_classes)) if num_classes <= 64 else list(range(0, num_classes, 16))


def state_checksum(state: dict[str, torch.Tensor]) -> dict[str, float]:
    floats = [t.double() for t in state.values() if t.is_floating_point()]
    return {"tensors": len(state), "elements": int(sum(t.numel() for t in floats)),
            "sum": float(sum(t.sum() for t in floats)), "abs_sum": float(sum(t.abs().sum() for t in floats))}


# ----------------------------------------------------------------------------- running a model
def build_ours(case: dict[str, Any]) -> nn.Module:
    from inception import googlenet

    model = googlenet(case["variant"], aux_logits=True, init_weights=False, **case["options"])
    model.load_state_dict(deterministic_state(model), strict=True)
    return model


def build_torchvision(case: dict[str, Any]) -> nn.Module:
    import torchvision

    assert case["variant"] == "torchvision" and set(case["options"]) <= {"transform_input"}, case
    model = torchvision.models.googlenet(weights=None, aux_logits=True, init_weights=False,
                                         transform_input=case["options"].get("transform_input", False))
    model.load_state_dict(deterministic_state(model), strict=True)
    return model


def run_heads(model: nn.Module, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Logits in eval mode; aux1, aux2 with only the top module in training mode (so the
    auxiliary heads run) and every submodule in eval mode (dropout off, BatchNorm running stats).
    Works for our GoogLeNet (outputs aux1, aux2, logits) and torchvision's (logits, aux2, aux1)."""
    model.eval()
    with torch.no_grad():
        out = model(x)
        logits = out.logits if hasattr(out, "logits") else out
        model.training = True  # top module only: the children stay in eval mode
        try:
            out = model(x)
        finally:
            model.eval()
    if hasattr(out, "aux_logits1"):  # torchvision
        aux1, aux2, logits_aux_mode = out.aux_logits1, out.aux_logits2, out.logits
    else:
        aux1, aux2, logits_aux_mode = out.aux1, out.aux2, out.logits
    assert aux1 is not None and aux2 is not None, "the auxiliary heads did not run"
    assert torch.equal(logits_aux_mode, logits), "main logits must not depend on the top module's mode"
    return {"logits": logits, "aux1": aux1, "aux2": aux2}


def _round(values: Any) -> Any:
    """Ten significant digits: far below the test's tolerance, and a small file."""
    if isinstance(values, list):
        return [_round(v) for v in values]
    return float(f"{values:.10g}")


def summarize(outputs: dict[str, torch.Tensor]) -> dict[str, Any]:
    result = {}
    for head in HEADS:
        y = outputs[head].double()
        c = y.shape[1]
        result[head] = {
            "values": _round(y[:, class_subset(c)].tolist()),
            "sum": _round(y.sum(1).tolist()),
            "norm": _round(torch.linalg.vector_norm(y, dim=1).tolist()),
            "proj": _round((y @ projections(c)).tolist()),
        }
    return result


def compute_case(name: str, *, dtype: torch.dtype = torch.float64, which: str = "ours") -> dict[str, Any]:
    case = CASES[name]
    model = (build_ours if which == "ours" else build_torchvision)(case).to(dtype)
    x = deterministic_input(case["input"], case["amplitude"]).to(dtype)
    return summarize(run_heads(model, x))


def _versions() -> dict[str, str]:
    v = {"torch": torch.__version__, "numpy": np.__version__}
    try:
        import torchvision

        v["torchvision"] = torchvision.__version__
    except ImportError:
        pass
    return v


def generate(old: dict[str, Any] | None) -> dict[str, Any]:
    try:
        import torchvision  # noqa: F401

        have_tv = True
    except ImportError:
        have_tv = False
        print("torchvision is not importable: keeping the stored torchvision outputs", file=sys.stderr)
    cases = {}
    for name, case in CASES.items():
        probe = build_ours(case)
        entry: dict[str, Any] = {
            "variant": case["variant"], "options": case["options"], "input": case["input"],
            "amplitude": case["amplitude"], "classes": class_subset(probe.fc.out_features),
            "weights": state_checksum(deterministic_state(probe)),
            "ours": {"dtype": "float64", "versions": _versions(), **compute_case(name)},
        }
        if case.get("torchvision"):
            if have_tv:
                entry["torchvision"] = {"dtype": "float64", "versions": _versions(),
                                        **compute_case(name, which="torchvision")}
            elif old and "torchvision" in old.get("cases", {}).get(name, {}):
                entry["torchvision"] = old["cases"][name]["torchvision"]
        cases[name] = entry
        print(f"{name}: done", file=sys.stderr)
    return {
        "format": FORMAT,
        "generator": "tools/make_reference_outputs.py",
        "about": __doc__.strip().splitlines()[0],
        "heads": {"logits": "eval mode", "aux1": "top module in training mode, submodules in eval mode",
                  "aux2": "as aux1"},
        "cases": cases,
    }


def max_abs_diff(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Largest absolute difference between two summaries (``values``, ``sum``, ``norm``, ``proj``)."""
    worst = 0.0
    for head in HEADS:
        for key in ("values", "sum", "norm", "proj"):
            x, y = np.asarray(a[head][key], dtype=np.float64), np.asarray(b[head][key], dtype=np.float64)
            worst = max(worst, float(np.abs(x - y).max()))
    return worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="compare with the file, write nothing")
    args = parser.parse_args(argv)
    old = json.loads(args.out.read_text()) if args.out.exists() else None
    new = generate(old)
    if old is not None:
        for name, entry in new["cases"].items():
            if name in old["cases"]:
                d = max_abs_diff(entry["ours"], old["cases"][name]["ours"])
                print(f"{name}: max |new - stored| (ours) = {d:.3g}", file=sys.stderr)
    for name, entry in new["cases"].items():
        if "torchvision" in entry:
            d = max_abs_diff(entry["ours"], entry["torchvision"])
            print(f"{name}: max |ours - torchvision| = {d:.3g}", file=sys.stderr)
    if args.check:
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(new, indent=1) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
