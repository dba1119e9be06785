"""The auxiliary-classifier ablation (paper, section 5): train arms that differ only in the aux weight.

    python -m inception.experiments.aux_ablation --preset full --out results/aux_ablation_full.json
    python -m inception.experiments.aux_ablation --help     # the presets, and what each one runs

An *arm* is (variant, aux weight); each arm is trained from several seeds (the seed fixes the
initial weights, batch order and dropout; the data set is the same for every run). The JSON
records the command, seeds, versions, hardware and every run's full :class:`~inception.train.History`.
Each run uses a fixed number of threads, so a rerun on the same machine reproduces it exactly.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import torch

from .. import __version__
from .._checks import check_int, check_number
from ..data import ImageData, cifar10, synthetic_splits
from ..train import History, deterministic, make_model, train
from ._cli import HelpFormatter, check_output_file, nonnegative_int, paragraphs, positive_float, positive_int

__all__ = ["Setup", "PRESETS", "LR", "Results", "run_arm", "run", "load", "hardware", "versions", "main"]

#: Learning rate per variant: BatchNorm tolerates a large one; the plain "paper" network diverges there.
LR: dict[str, float] = {"bn": 0.1, "paper": 0.02}


@dataclass(frozen=True)
class Setup:
    """One ablation: which arms, how many seeds, how much data and training."""

    variants: tuple[str, ...] = ("bn", "paper")
    aux_weights: tuple[float, ...] = (0.0, 0.3)
    seeds: tuple[int, ...] = (0, 1)
    dataset: str = "synthetic"
    n_train: int = 1500
    n_val: int = 500
    data_seed: int = 0
    epochs: int = 3
    width: float = 0.125
    batch_size: int = 64
    threads: int = 2
    jobs: int = 1
    lr: dict[str, float] = field(default_factory=lambda: dict(LR))

    def __post_init__(self) -> None:
        for v in self.variants:
            if v not in ("bn", "paper", "torchvision"):
                raise ValueError(f"variants must be among 'bn', 'paper', 'torchvision', got {v!r}")
        if not self.variants or not self.aux_weights or not self.seeds:
            raise ValueError("variants, aux_weights and seeds must each be non-empty")
        for w in self.aux_weights:
            check_number("aux_weights", w, 0)
        for s in self.seeds:
            check_int("seeds", s, 0)
        if self.dataset not in ("synthetic", "cifar10"):
            raise ValueError(f"dataset must be 'synthetic' or 'cifar10', got {self.dataset!r}")
        for name in ("n_train", "n_val", "data_seed", "epochs", "batch_size", "threads", "jobs"):
            check_int(name, getattr(self, name), 0 if name == "data_seed" else 1)
        check_number("width", self.width, 0, min_open=True)

    @property
    def arms(self) -> list[tuple[str, float]]:
        return [(v, float(w)) for v in self.variants for w in self.aux_weights]

    @property
    def num_runs(self) -> int:
        return len(self.arms) * len(self.seeds)


PRESETS: dict[str, Setup] = {
    # seconds: a check that the pipeline works
    "smoke": Setup(variants=("bn", "paper"), aux_weights=(0.0, 0.3), seeds=(0,), n_train=64, n_val=32,
                   epochs=1, width=0.0625, batch_size=32, threads=1),
    # about a minute on a quiet 2-core CPU: the notebook's live run
    "live": Setup(variants=("bn",), aux_weights=(0.0, 0.3), seeds=(0, 1), n_train=1500, n_val=500,
                  epochs=3, width=0.125, batch_size=64, threads=2),
    # tens of minutes: the committed results (two single-threaded runs at a time)
    "full": Setup(variants=("bn", "paper"), aux_weights=(0.0, 0.3, 1.0), seeds=(0, 1), n_train=4000,
                  n_val=1000, epochs=5, width=0.125, batch_size=64, threads=1, jobs=2),
}


def load_data(setup: Setup) -> tuple[ImageData, ImageData]:
    if setup.dataset == "synthetic":
        return synthetic_splits(setup.n_train, setup.n_val, seed=setup.data_seed)
    train_all = cifar10(split="train")
    g = torch.Generator().manual_seed(setup.data_seed)
    idx = torch.randperm(len(train_all), generator=g)[: setup.n_train]
    val = cifar10(split="test")
    return train_all.subset(idx), val.subset(slice(0, setup.n_val))


def run_arm(setup: Setup, variant: str, aux_weight: float, seed: int, data: tuple[ImageData, ImageData], *,
            progress: Any = False, callback: Callable | None = None) -> History:
    """Train one run: a fresh model from ``seed``, deterministic algorithms, ``setup.threads`` threads."""
    tr, va = data
    model = make_model(variant, width=setup.width, num_classes=tr.num_classes, seed=seed)
    with deterministic(threads=setup.threads):
        h = train(model, tr, va, epochs=setup.epochs, aux_weight=aux_weight, batch_size=setup.batch_size,
                  lr=setup.lr[variant], seed=seed, progress=progress, callback=callback)
    h.config.update(dataset=setup.dataset, data_seed=setup.data_seed, threads=setup.threads)
    return h


def _worker(args: tuple) -> dict:
    setup, variant, w, seed = args
    return run_arm(setup, variant, w, seed, load_data(setup)).to_dict()


@dataclass
class Results:
    """All runs of one ablation, with where and how they were made."""

    setup: dict[str, Any]
    runs: list[History]
    meta: dict[str, Any] = field(default_factory=dict)

    def arm(self, variant: str, aux_weight: float) -> list[History]:
        """The runs (one per seed) of one arm."""
        return [h for h in self.runs if h.config["variant"] == variant and h.config["aux_weight"] == float(aux_weight)]

    @property
    def arms(self) -> list[tuple[str, float]]:
        seen: list[tuple[str, float]] = []
        for h in self.runs:
            key = (h.config["variant"], h.config["aux_weight"])
            if key not in seen:
                seen.append(key)
        return seen

    def to_dict(self) -> dict[str, Any]:
        return {"setup": self.setup, "meta": self.meta, "runs": [h.to_dict() for h in self.runs]}

    def to_json(self, path: str | Path, *, digits: int = 6) -> Path:
        """Save; per-step floats are kept to ``digits`` significant digits (a smaller file)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        d = self.to_dict()
        d["runs"] = [_round_floats(r, digits) for r in d["runs"]]
        head = json.dumps({k: d[k] for k in ("setup", "meta")}, indent=1)[:-2]
        runs = ",\n".join(json.dumps(r, separators=(",", ":")) for r in d["runs"])
        path.write_text(head + ',\n "runs": [\n' + runs + "\n ]\n}\n")
        return path

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Results":
        return cls(d["setup"], [History.from_dict(r) for r in d["runs"]], d.get("meta", {}))


def _round_floats(obj: Any, digits: int) -> Any:
    if isinstance(obj, float):
        return float(f"{obj:.{digits}g}")
    if isinstance(obj, dict):
        return {k: _round_floats(v, digits) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_round_floats(v, digits) for v in obj]
    return obj


def load(path: str | Path) -> Results:
    """Results saved by :func:`run` / the command line."""
    return Results.from_dict(json.loads(Path(path).read_text()))


def hardware() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "machine": platform.machine(), "cores": os.cpu_count(),
            "torch_threads_per_run": None, "system": platform.system()}


def versions() -> dict[str, str]:
    import numpy

    return {"python": platform.python_version(), "torch": torch.__version__, "numpy": numpy.__version__,
            "inception": __version__}


def run(setup: Setup, *, progress: bool = False, command: str | None = None) -> Results:
    """Train every (arm, seed) of ``setup``; ``setup.jobs`` runs in parallel processes."""
    start = time.perf_counter()
    tasks = [(setup, v, w, s) for v, w in setup.arms for s in setup.seeds]
    if setup.jobs > 1:
        # "spawn": a forked child would inherit torch's OpenMP thread pool and can deadlock
        with ProcessPoolExecutor(setup.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            dicts = list(pool.map(_worker, tasks))
        runs = [History.from_dict(d) for d in dicts]
    else:
        data = load_data(setup)
        runs = []
        for i, (_, v, w, s) in enumerate(tasks):
            if progress:
                print(f"run {i + 1}/{len(tasks)}: {v} aux {w} seed {s}", file=sys.stderr, flush=True)
            runs.append(run_arm(setup, v, w, s, data))
    hw = hardware()
    hw["torch_threads_per_run"] = setup.threads
    meta = {"command": command, "seeds": list(setup.seeds), "versions": versions(), "hardware": hw,
            "seconds": round(time.perf_counter() - start, 1),
            "utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    return Results(asdict(setup), runs, meta)


def _describe(name: str, setup: Setup) -> str:
    """One preset in words, for --help."""
    fmt = lambda xs: ", ".join(f"{x:g}" if isinstance(x, float) else str(x) for x in xs)  # noqa: E731
    runs = f"{len(setup.arms)} arms x {len(setup.seeds)} seed{'s' if len(setup.seeds) > 1 else ''} = {setup.num_runs} runs"
    return (
        f"  {name:6} variants {fmt(setup.variants)} x aux weights {fmt(setup.aux_weights)} = {runs} (seeds {fmt(setup.seeds)});\n"
        f"         {setup.dataset} data, {setup.n_train} train / {setup.n_val} val images; {setup.epochs} "
        f"epoch{'s' if setup.epochs > 1 else ''}, batch {setup.batch_size}, width {setup.width:g}; "
        f"{setup.threads} thread{'s' if setup.threads > 1 else ''} per run, {setup.jobs} run{'s' if setup.jobs > 1 else ''} at a time"
    )


def _parser() -> argparse.ArgumentParser:
    presets = "\n".join(_describe(name, PRESETS[name]) for name in ("smoke", "live", "full"))
    lr = ", ".join(f"{v} {r:g}" for v, r in LR.items())
    p = argparse.ArgumentParser(
        prog="python -m inception.experiments.aux_ablation",
        description=__doc__.split("\n")[0],
        formatter_class=HelpFormatter,
        epilog=(
            "presets (an arm is a (variant, aux weight) pair; each arm is trained once per seed):\n"
            f"{presets}\n\n"
            + paragraphs(
                f"Learning rate per variant: {lr}; SGD with momentum 0.9 and cosine decay. The output JSON holds "
                f"the command, seeds, versions, hardware and every run's full history; --out is checked before "
                f"training, so a bad one fails at once."
            )
        ),
    )
    p.add_argument("--preset", choices=sorted(PRESETS), default="smoke", help="which setup to run (default: smoke)")
    p.add_argument("--out", type=Path, default=None,
                   help="JSON file to write (default: results/aux_ablation_<preset>.json); must not exist unless --force")
    p.add_argument("--force", action="store_true", help="overwrite --out if it already exists")
    p.add_argument("--seeds", type=nonnegative_int, nargs="+", default=None, help="override the preset's seeds")
    p.add_argument("--epochs", type=positive_int, default=None, help="override the preset's epochs")
    p.add_argument("--width", type=positive_float, default=None, help="override the preset's width multiplier")
    p.add_argument("--dataset", choices=("synthetic", "cifar10"), default=None,
                   help="override the preset's data set (default: synthetic; cifar10 is downloaded once)")
    p.add_argument("--threads", type=positive_int, default=None, help="torch threads per run (default: the preset's)")
    p.add_argument("--jobs", type=positive_int, default=None,
                   help="runs in parallel processes (default: the preset's)")
    return p


def main(argv: list[str] | None = None) -> Results:
    p = _parser()
    args = p.parse_args(argv)
    setup = PRESETS[args.preset]
    overrides = {k: v for k, v in (("seeds", tuple(args.seeds) if args.seeds else None), ("epochs", args.epochs),
                                   ("width", args.width), ("dataset", args.dataset), ("threads", args.threads),
                                   ("jobs", args.jobs)) if v is not None}
    out = args.out or Path("results") / f"aux_ablation_{args.preset}.json"
    try:  # everything is checked before the first run trains
        setup = replace(setup, **overrides)
        check_output_file(out, overwrite=args.force)
    except ValueError as exc:
        p.error(str(exc))
    command = "python -m inception.experiments.aux_ablation " + " ".join(sys.argv[1:] if argv is None else argv)
    results = run(setup, progress=True, command=command.strip())
    results.to_json(out)
    print(f"{setup.num_runs} runs in {results.meta['seconds']} s -> {out}")
    return results


if __name__ == "__main__":
    main()
