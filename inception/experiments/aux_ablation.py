"""The auxiliary-classifier ablation (paper, section 5): train arms that differ only in the aux weight.

    python -m inception.experiments.aux_ablation --preset full --out results/aux_ablation_full.json
    python -m inception.experiments.aux_ablation --preset full --out results/aux_ablation_full.json --resume
    python -m inception.experiments.aux_ablation --help     # the presets, and what each one runs

An *arm* is (variant, aux weight); each arm is trained from several seeds (the seed fixes the
initial weights, batch order and dropout; the data set is the same for every run). The JSON
records the command, seeds, versions, hardware and every run's full :class:`~inception.train.History`.
Each run uses a fixed number of threads, so a rerun on the same machine reproduces it exactly.
The file is rewritten after every finished run; ``--resume`` continues an interrupted ablation,
training only the runs the file does not hold yet.

The results file (JSON)::

    {"setup": {...},          # asdict(Setup): variants, aux_weights, seeds, data, epochs, lr, ...
     "meta":  {"command", "seeds", "versions", "hardware", "seconds", "utc", "complete"},
     "runs":  [{"variant", "aux1_weight", "aux2_weight", "seed", "lr", "n_epochs", "val_acc",
                "config", "steps", "grad_norm", "epochs", "seconds"}, ...]}

Each run is a ``History.to_dict()`` (``config``, per-step ``steps`` and ``grad_norm``, per-epoch
``epochs``, ``seconds``) preceded by flat keys for a quick look (``jq``, pandas): the variant, the
weight of each auxiliary head, seed, learning rate, ``n_epochs`` (named so because ``"epochs"``
is the History's per-epoch curves) and ``val_acc``, the final main-head validation accuracy.
Runs are in task order (variant, then aux weight, then seed). ``meta["seconds"]`` adds up the
time of every session that wrote the file; ``meta["complete"]`` is false while runs are missing.
Files from before the flat keys and ``complete`` (e.g. ``results/aux_ablation_full.json``) load
the same way: :func:`load` reads only the History part of each run.
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
from ..config import INIT_SCHEMES
from ..data import ImageData, cifar10, synthetic_splits
from ..model import aux_weight_pair
from ..train import DEVICES, OPTIMIZERS, History, deterministic, make_model, resolve_device, train
from ._cli import HelpFormatter, check_output_file, nonnegative_int, paragraphs, positive_float, positive_int

__all__ = ["Setup", "PRESETS", "LR", "Results", "run_arm", "run", "load", "hardware", "versions", "main"]

#: SGD learning rate per variant: BatchNorm tolerates a large one; the plain "paper" network diverges there.
#: (For ``optimizer="adamw"`` pass ``lr`` explicitly: AdamW's steps are per-parameter normalised, and
#: about 3e-3 suits the bn variant at width 0.125.)
LR: dict[str, float] = {"bn": 0.1, "paper": 0.02}


def _arm_weight(pair: tuple[float, float]) -> float | tuple[float, float]:
    """An arm's aux weight as runs record it (History.config["aux_weight"]): one number when both
    heads share it, else the pair."""
    w1, w2 = float(pair[0]), float(pair[1])
    return w1 if w1 == w2 else (w1, w2)


@dataclass(frozen=True)
class Setup:
    """One ablation: which arms, how many seeds, how much data and training.

    ``aux_weights`` holds numbers (both heads) and/or pairs ``(aux1_weight, aux2_weight)``.
    ``lr`` is the learning rate per variant; ``optimizer`` (``"sgd"``/``"adamw"``), ``warmup``
    (fraction of steps), ``weight_decay``, ``init`` (``None``: the variant's scheme) and ``device``
    go to :func:`~inception.train.train` / :func:`~inception.train.make_model` for every run.
    """

    variants: tuple[str, ...] = ("bn", "paper")
    aux_weights: tuple[float | tuple[float, float], ...] = (0.0, 0.3)
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
    optimizer: str = "sgd"
    warmup: float = 0.0
    weight_decay: float = 5e-4  # train()'s default
    init: str | None = None
    device: str = "cpu"

    def __post_init__(self) -> None:
        for v in self.variants:
            if v not in ("bn", "paper", "torchvision"):
                raise ValueError(f"variants must be among 'bn', 'paper', 'torchvision', got {v!r}")
        if not self.variants or not self.aux_weights or not self.seeds:
            raise ValueError("variants, aux_weights and seeds must each be non-empty")
        pairs = [aux_weight_pair(w, "aux_weights") for w in self.aux_weights]
        weights = [_arm_weight(p) for p in pairs]
        if len(set(weights)) != len(weights):
            raise ValueError(f"aux_weights must name each arm once, got {self.aux_weights!r}")
        for s in self.seeds:
            check_int("seeds", s, 0)
        if self.dataset not in ("synthetic", "cifar10"):
            raise ValueError(f"dataset must be 'synthetic' or 'cifar10', got {self.dataset!r}")
        for name in ("n_train", "n_val", "data_seed", "epochs", "batch_size", "threads", "jobs"):
            check_int(name, getattr(self, name), 0 if name == "data_seed" else 1)
        check_number("width", self.width, 0, min_open=True)
        missing = [v for v in self.variants if v not in self.lr]
        if missing:  # found now, not after the other variants' runs have trained
            raise ValueError(f"lr must give a learning rate for every variant; missing {missing}")
        for v in self.variants:
            check_number(f"lr[{v!r}]", self.lr[v], 0, min_open=True)
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {list(OPTIMIZERS)}, got {self.optimizer!r}")
        check_number("warmup", self.warmup, 0, 1, max_open=True)
        check_number("weight_decay", self.weight_decay, 0)
        if self.init is not None and self.init not in INIT_SCHEMES:
            raise ValueError(f"init must be None (the variant's scheme) or one of {list(INIT_SCHEMES)}, "
                             f"got {self.init!r}")
        if not isinstance(self.device, str) or self.device not in DEVICES:  # a string: the Setup is saved as JSON
            raise ValueError(f"device must be one of {list(DEVICES)}, got {self.device!r}")
        resolve_device(self.device)  # an unavailable accelerator fails here, before any run

    @property
    def aux_weight_pairs(self) -> list[tuple[float, float]]:
        """``aux_weights`` as ``(aux1_weight, aux2_weight)`` floats."""
        return [_weight_pair(w) for w in self.aux_weights]

    @property
    def arms(self) -> list[tuple[str, float | tuple[float, float]]]:
        """``(variant, aux weight)`` per arm; the weight as runs record it: a float when both heads
        share it (as before pairs existed), else an ``(aux1, aux2)`` tuple."""
        return [(v, _arm_weight(p)) for v in self.variants for p in self.aux_weight_pairs]

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


def run_arm(setup: Setup, variant: str, aux_weight: float | tuple[float, float], seed: int,
            data: tuple[ImageData, ImageData], *, progress: Any = False, callback: Callable | None = None) -> History:
    """Train one run: a fresh model from ``seed``, deterministic algorithms, ``setup.threads`` threads.

    ``aux_weight``: a number (both heads) or an ``(aux1, aux2)`` pair. On an accelerator some
    backward kernels (adaptive average pooling on CUDA) have no deterministic version: there
    deterministic algorithms only warn, and a rerun may differ in the last bits.
    """
    tr, va = data
    device = resolve_device(setup.device)
    if device.type == "cuda":  # cuBLAS needs this to be deterministic; harmless if already set
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    model = make_model(variant, width=setup.width, num_classes=tr.num_classes, seed=seed, init=setup.init,
                       device=device)
    with deterministic(threads=setup.threads, warn_only=device.type != "cpu"):
        h = train(model, tr, va, epochs=setup.epochs, aux_weight=aux_weight, batch_size=setup.batch_size,
                  lr=setup.lr[variant], weight_decay=setup.weight_decay, seed=seed, progress=progress,
                  callback=callback, optimizer=setup.optimizer, warmup=setup.warmup, device=device)
    h.config.update(dataset=setup.dataset, data_seed=setup.data_seed, threads=setup.threads)
    return h


def _worker(args: tuple) -> dict:
    setup, variant, w, seed = args
    return run_arm(setup, variant, w, seed, load_data(setup)).to_dict()


# ----------------------------------------------------------------------------- saved runs
def _weight_pair(w: Any) -> tuple[float, float] | tuple[None, None]:
    """``(aux1, aux2)`` from one number (both heads) or a pair; ``(None, None)`` if absent."""
    if w is None:
        return None, None
    w1, w2 = aux_weight_pair(w)
    return float(w1), float(w2)


def _config_weights(config: dict[str, Any]) -> tuple[float, float] | tuple[None, None]:
    """A run's aux weights: ``aux1_weight``/``aux2_weight`` if recorded, else both ``aux_weight``."""
    if config.get("aux1_weight") is not None and config.get("aux2_weight") is not None:
        return float(config["aux1_weight"]), float(config["aux2_weight"])
    return _weight_pair(config.get("aux_weight"))


def run_record(h: History) -> dict[str, Any]:
    """The flat keys saved with each run (see the module docstring), computed from its History."""
    c = h.config
    a1, a2 = _config_weights(c)
    val = h.epochs.get("val_main") or []
    return {"variant": c.get("variant"), "aux1_weight": a1, "aux2_weight": a2, "seed": c.get("seed"),
            "lr": c.get("lr"), "n_epochs": c.get("epochs", len(val)), "val_acc": val[-1] if val else None}


def _key(variant: Any, aux1: Any, aux2: Any, seed: Any, lr: Any) -> tuple:
    """What identifies a run within one setup; floats to 6 significant digits, as they are saved."""
    r = lambda x: None if x is None else float(f"{float(x):.6g}")  # noqa: E731
    return (variant, r(aux1), r(aux2), seed, r(lr))


def _run_key(h: History) -> tuple:
    c = h.config
    return _key(c.get("variant"), *_config_weights(c), c.get("seed"), c.get("lr"))


def _task_key(setup: Setup, variant: str, aux_weight: Any, seed: int) -> tuple:
    """The key of the run a task will train (the learning rate as :func:`run_arm` picks it)."""
    return _key(variant, *_weight_pair(aux_weight), seed, setup.lr[variant])


@dataclass
class Results:
    """All runs of one ablation, with where and how they were made."""

    setup: dict[str, Any]
    runs: list[History]
    meta: dict[str, Any] = field(default_factory=dict)

    def arm(self, variant: str, aux_weight: float | tuple[float, float]) -> list[History]:
        """The runs (one per seed) of one arm; ``aux_weight`` a number (both heads) or an (aux1, aux2) pair."""
        want = _weight_pair(aux_weight)
        return [h for h in self.runs if h.config["variant"] == variant and _config_weights(h.config) == want]

    @property
    def arms(self) -> list[tuple[str, float | tuple[float, float]]]:
        """(variant, aux weight) of every arm, in order of appearance; the weight a pair only if the heads differ."""
        seen: list[tuple[str, Any]] = []
        for h in self.runs:
            key = (h.config["variant"], _arm_weight(_config_weights(h.config)))
            if key not in seen:
                seen.append(key)
        return seen

    def to_dict(self) -> dict[str, Any]:
        """``setup``, ``meta`` and ``runs``: each run's flat keys (:func:`run_record`) and then its History."""
        return {"setup": self.setup, "meta": self.meta, "runs": [{**run_record(h), **h.to_dict()} for h in self.runs]}

    def to_json(self, path: str | Path, *, digits: int = 6) -> Path:
        """Save; per-step floats are kept to ``digits`` significant digits (a smaller file).

        Atomic: written to a temporary file next to ``path``, then renamed over it, so an
        interrupted save leaves the previous file intact.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        d = self.to_dict()
        d["runs"] = [_round_floats(r, digits) for r in d["runs"]]
        head = json.dumps({k: d[k] for k in ("setup", "meta")}, indent=1)[:-2]
        runs = ",\n".join(json.dumps(r, separators=(",", ":")) for r in d["runs"])
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "w") as f:
                f.write(head + ',\n "runs": [\n' + runs + "\n ]\n}\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
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
    """Results saved by :func:`run` / the command line (either schema of the module docstring)."""
    return Results.from_dict(json.loads(Path(path).read_text()))


#: Setup fields that change how runs are scheduled, not what they compute: a file may be resumed with others.
_SCHEDULING = ("jobs",)


def _comparable(setup: dict[str, Any]) -> dict[str, Any]:
    d = json.loads(json.dumps(setup))  # tuples -> lists, as in a saved file
    return {k: v for k, v in d.items() if k not in _SCHEDULING}


def previous_results(setup: Setup, out: str | Path, *, resume: bool = True,
                     overwrite: bool = False) -> Results | None:
    """The runs in ``out`` that :func:`run` may keep, or None if it starts afresh; ValueError if it must not.

    No file: None. ``resume`` and a results file of the same setup (every field but ``jobs``):
    its Results. A file of another setup, an unreadable one, or any file without ``resume``:
    None with ``overwrite`` (it will be replaced), else a ValueError that says why. Nothing is trained
    or written, so the command line calls this before the first run.
    """
    out = Path(out)
    if out.is_dir():
        raise ValueError(f"{out} is a folder: give a file name, e.g. {out / 'results.json'}")
    if not out.exists():
        return None
    if not resume:
        if overwrite:
            return None
        raise ValueError(f"{out} already exists: pass --force to overwrite it, --resume to continue it, "
                         f"or choose another --out")
    try:
        d = json.loads(out.read_text())
        old = Results.from_dict(d)
        saved = _comparable(d["setup"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        if overwrite:
            return None
        raise ValueError(f"cannot resume from {out}: it is not a results file of this experiment "
                         f"({type(exc).__name__}: {exc}); pass --force to overwrite it, "
                         f"or choose another --out") from None
    now = _comparable(asdict(setup))
    if saved != now:
        if overwrite:
            return None
        diff = "; ".join(f"{k}: file {saved.get(k, '(absent)')!r}, now {now.get(k, '(absent)')!r}"
                         for k in sorted(set(saved) | set(now)) if saved.get(k) != now.get(k))
        raise ValueError(f"cannot resume from {out}: it was written for a different setup ({diff}); "
                         f"pass --force to overwrite it, or choose another --out")
    return old


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


def run(setup: Setup, *, progress: bool = False, command: str | None = None, out: str | Path | None = None,
        resume: bool = True, overwrite: bool = False) -> Results:
    """Train every (arm, seed) of ``setup``; ``setup.jobs`` runs in parallel processes.

    With ``out``, the results file is saved (atomically) after every finished run, runs in task
    order, so an interrupted ablation loses at most the runs in progress. If ``out`` already holds
    runs of this setup and ``resume`` is true, those runs (keyed by variant, aux weights, seed and
    learning rate) are kept and only the others are trained. A file of another setup is an error
    unless ``overwrite`` (see :func:`previous_results`).
    """
    start = time.perf_counter()
    tasks = [(setup, v, w, s) for v, w in setup.arms for s in setup.seeds]
    keys = [_task_key(setup, v, w, s) for _, v, w, s in tasks]
    done: dict[int, History] = {}  # task index -> its run
    seconds_before = 0.0
    old = previous_results(setup, out, resume=resume, overwrite=overwrite) if out is not None else None
    if old is not None:
        index = {k: i for i, k in enumerate(keys)}
        for h in old.runs:
            i = index.get(_run_key(h))
            if i is not None and i not in done:
                done[i] = h
        seconds_before = float(old.meta.get("seconds") or 0.0)
    todo = [i for i in range(len(tasks)) if i not in done]
    if progress and out is not None and done:
        print(f"{out}: {len(done)} of {len(tasks)} runs already done; training the other {len(todo)}",
              file=sys.stderr, flush=True)
    hw = hardware()
    hw["torch_threads_per_run"] = setup.threads
    vers = versions()

    def results() -> Results:
        meta = {"command": command, "seeds": list(setup.seeds), "versions": vers, "hardware": hw,
                "seconds": round(seconds_before + time.perf_counter() - start, 1),
                "utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "complete": len(done) == len(tasks)}
        return Results(asdict(setup), [done[i] for i in sorted(done)], meta)

    def finished(i: int, h: History) -> None:
        if _run_key(h) != keys[i]:  # the resume key must describe what run_arm trained
            raise RuntimeError(f"run {i} was expected to be {keys[i]} but recorded {_run_key(h)}")
        done[i] = h
        if out is not None:
            results().to_json(out)

    if todo and setup.jobs > 1:
        from concurrent.futures import as_completed

        # "spawn": a forked child would inherit torch's OpenMP thread pool and can deadlock
        with ProcessPoolExecutor(setup.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(_worker, tasks[i]): i for i in todo}
            error: BaseException | None = None
            try:
                for fut in as_completed(futures):
                    if fut.cancelled():
                        continue
                    exc = fut.exception()
                    if exc is not None:  # keep what the running workers finish, start nothing new
                        error = error or exc
                        for f in futures:
                            f.cancel()
                        continue
                    finished(futures[fut], History.from_dict(fut.result()))
                    if progress:
                        _, v, w, s = tasks[futures[fut]]
                        print(f"done {len(done)}/{len(tasks)}: {v} aux {w} seed {s}", file=sys.stderr, flush=True)
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
            if error is not None:
                raise error
    elif todo:
        data = load_data(setup)
        for i in todo:
            _, v, w, s = tasks[i]
            if progress:
                print(f"run {i + 1}/{len(tasks)}: {v} aux {w} seed {s}", file=sys.stderr, flush=True)
            finished(i, run_arm(setup, v, w, s, data))
    final = results()
    if out is not None:
        final.to_json(out)
    return final


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
                f"training, so a bad one fails at once.",
                "The JSON is saved after every finished run. After an interruption, rerun the same command with "
                "--resume: the runs already in --out are kept and only the missing ones are trained. A file "
                "written for a different setup is refused (--force replaces it).",
            )
        ),
    )
    p.add_argument("--preset", choices=sorted(PRESETS), default="smoke", help="which setup to run (default: smoke)")
    p.add_argument("--out", type=Path, default=None,
                   help="JSON file to write (default: results/aux_ablation_<preset>.json); must not exist unless "
                        "--resume or --force")
    p.add_argument("--force", action="store_true",
                   help="overwrite --out if it already exists (with --resume: only if it is for another setup)")
    p.add_argument("--resume", action="store_true",
                   help="continue --out if it exists: keep its runs (same setup only) and train the missing ones")
    p.add_argument("--seeds", type=nonnegative_int, nargs="+", default=None, help="override the preset's seeds")
    p.add_argument("--epochs", type=positive_int, default=None, help="override the preset's epochs")
    p.add_argument("--width", type=positive_float, default=None, help="override the preset's width multiplier")
    p.add_argument("--dataset", choices=("synthetic", "cifar10"), default=None,
                   help="override the preset's data set (default: synthetic; cifar10 is downloaded once)")
    p.add_argument("--threads", type=positive_int, default=None, help="torch threads per run (default: the preset's)")
    p.add_argument("--jobs", type=positive_int, default=None,
                   help="runs in parallel processes (default: the preset's; may differ when resuming)")
    p.add_argument("--device", choices=DEVICES, default=None,
                   help="where to train: auto picks cuda, then mps, then cpu (default: the preset's, cpu); "
                        "asking for a device this machine lacks fails before any training")
    return p


def main(argv: list[str] | None = None) -> Results:
    p = _parser()
    args = p.parse_args(argv)
    setup = PRESETS[args.preset]
    overrides = {k: v for k, v in (("seeds", tuple(args.seeds) if args.seeds else None), ("epochs", args.epochs),
                                   ("width", args.width), ("dataset", args.dataset), ("threads", args.threads),
                                   ("jobs", args.jobs), ("device", args.device)) if v is not None}
    out = args.out or Path("results") / f"aux_ablation_{args.preset}.json"
    try:  # everything is checked before the first run trains
        setup = replace(setup, **overrides)
        previous_results(setup, out, resume=args.resume, overwrite=args.force)  # refuses a file it must not touch
        check_output_file(out, overwrite=True)  # writable (an existing file is allowed by now)
    except ValueError as exc:
        p.error(str(exc))
    command = "python -m inception.experiments.aux_ablation " + " ".join(sys.argv[1:] if argv is None else argv)
    results = run(setup, progress=True, command=command.strip(), out=out, resume=args.resume, overwrite=args.force)
    print(f"{setup.num_runs} runs in {results.meta['seconds']} s -> {out}")
    return results


if __name__ == "__main__":
    main()
