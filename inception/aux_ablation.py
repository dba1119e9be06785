"""The auxiliary-classifier ablation (paper, section 5): train arms that differ only in the aux weights.

The experiment as a library: its :class:`Setup` and :data:`PRESETS`, :func:`plan`, :func:`run_arm`,
:func:`run` and the saved :class:`Results` (:func:`load`). Notebook 04 uses it directly; the command
line ``python -m inception.experiments.aux_ablation`` (see its ``--help``) wraps :func:`run` with
argparse and records the command it was given.

An *arm* is (variant, aux1 weight, aux2 weight); each arm is trained from several seeds (the seed
fixes the initial weights, batch order and dropout; the data set is the same for every run).
With an ``lr_grid`` (the ``full`` preset) the protocol controls for the learning rate: each arm is
first trained at every grid LR with the first seed, its other seeds then run at the LR that
reached the best final validation accuracy, and the ``controls`` arms also run every seed at the
common LR ``setup.lr[variant]`` (:func:`plan`). Each run uses a fixed number of threads, so a rerun
on the same machine reproduces it exactly. :func:`run` with ``out`` rewrites that results file after
every finished run, and with ``resume`` (the command's ``--resume``) continues an interrupted ablation,
training only the runs the file does not hold yet.

The results file (JSON)::

    {"setup": {...},          # asdict(Setup): variants, aux_weights, seeds, data, epochs, lr, lr_grid, ...
     "meta":  {"command", "seeds", "versions", "hardware", "seconds", "utc", "complete",
               "chosen_lr": [{"variant", "aux1_weight", "aux2_weight", "lr"}, ...]},   # with an lr_grid
     "runs":  [{"variant", "aux1_weight", "aux2_weight", "seed", "lr", "n_epochs", "val_acc",
                "config", "steps", "grad_norm", "epochs", "seconds"}, ...]}

Each run is a ``History.to_dict()`` (``config``, per-step ``steps`` and ``grad_norm``, per-epoch
``epochs``: the curves ``train_main``, ``val_main``, ``val_aux1``, ...; ``seconds``) preceded by flat
keys for a quick look (``jq``, pandas): the variant, the weight of each auxiliary head, seed,
learning rate, ``n_epochs`` (named so because ``"epochs"`` holds the per-epoch curves) and
``val_acc``, the final main-head validation accuracy. Runs are in :func:`plan` order.
``meta["seconds"]`` adds up the time of every session that wrote the file; ``meta["complete"]``
is false while runs are missing. :func:`load` reads any such file (also ones from before the flat
keys): it uses only the History part of each run.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Callable

import torch

from . import __version__
from ._checks import check_int, check_number
from .config import INIT_SCHEMES
from .data import ImageData, cifar10, synthetic_splits
from .model import aux_weight_pair
from .train import DEVICES, OPTIMIZERS, History, deterministic, make_model, resolve_device, train

__all__ = ["Setup", "PRESETS", "RECIPE", "AUX_ARMS", "describe", "plan", "chosen_lrs", "LR", "Results", "run_arm",
           "run", "load", "load_data", "previous_results", "run_record", "hardware", "versions"]

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
    image_size: int = 32
    noise: float = 0.04
    clutter: int = 2
    epochs: int = 3
    width: float = 0.125
    batch_size: int = 64
    threads: int = 2
    jobs: int = 1
    lr: dict[str, float] = field(default_factory=lambda: dict(LR))
    optimizer: str = "sgd"
    warmup: float = 0.0
    weight_decay: float = 5e-4  # train()'s default
    init: str | dict[str, str] | None = None
    device: str = "cpu"
    lr_grid: tuple[float, ...] = ()
    controls: tuple[float | tuple[float, float], ...] = ()

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
        check_number("noise", self.noise, 0)
        check_int("clutter", self.clutter, 0)
        check_int("image_size", self.image_size, 16)
        if self.dataset == "cifar10" and self.image_size != 32:
            raise ValueError(f"image_size must be 32 for cifar10 (its images are 32x32), got {self.image_size}")
        missing = [v for v in self.variants if v not in self.lr]
        if missing:  # found now, not after the other variants' runs have trained
            raise ValueError(f"lr must give a learning rate for every variant; missing {missing}")
        for v in self.variants:
            check_number(f"lr[{v!r}]", self.lr[v], 0, min_open=True)
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {list(OPTIMIZERS)}, got {self.optimizer!r}")
        check_number("warmup", self.warmup, 0, 1, max_open=True)
        check_number("weight_decay", self.weight_decay, 0)
        inits = self.init.values() if isinstance(self.init, dict) else [self.init]
        if any(i is not None and i not in INIT_SCHEMES for i in inits):
            raise ValueError(f"init must be None (each variant's own scheme), one of {list(INIT_SCHEMES)}, "
                             f"or a dict variant -> scheme, got {self.init!r}")
        for r in self.lr_grid:
            check_number("lr_grid", r, 0, min_open=True)
        if len(set(self.lr_grid)) != len(self.lr_grid):
            raise ValueError(f"lr_grid must list each learning rate once, got {self.lr_grid!r}")
        arm_weights = {_arm_weight(p) for p in pairs}
        for w in self.controls:
            if _arm_weight(aux_weight_pair(w, "controls")) not in arm_weights:
                raise ValueError(f"controls must be among aux_weights {self.aux_weights!r}, got {w!r}")
        if self.controls and not self.lr_grid:
            raise ValueError("controls (arms also run at the common lr) need an lr_grid to sweep")
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

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Setup":
        """The Setup a results file's ``setup`` describes (lists back to tuples; fields it predates: defaults)."""
        def tup(x: Any) -> Any:
            return tuple(tup(v) for v in x) if isinstance(x, list) else x

        names = {f.name for f in fields(cls)}
        return cls(**{k: tup(v) for k, v in d.items() if k in names})

    def init_for(self, variant: str) -> str | None:
        """The initialisation scheme of ``variant``'s runs (None: the variant's own)."""
        return self.init.get(variant) if isinstance(self.init, dict) else self.init

    @property
    def num_runs(self) -> int:
        """Runs of a complete ablation. With an ``lr_grid``: the sweep, then the other seeds at each
        arm's chosen LR, then the controls at the common LR; an upper bound, since a chosen LR equal
        to the common one shares runs."""
        if not self.lr_grid:
            return len(self.arms) * len(self.seeds)
        sweep = len(self.arms) * len(self.lr_grid)
        seeds = len(self.arms) * (len(self.seeds) - 1)
        controls = len(self.variants) * len(self.controls) * (len(self.seeds) - (self._common_in_grid()))
        return sweep + seeds + controls

    def _common_in_grid(self) -> int:
        return int(all(self.lr[v] in self.lr_grid for v in self.variants))


#: The recipe every arm learns under (notebook 04 shows why): AdamW with a 5% linear warm-up and
#: cosine decay, weight decay 1e-4; He/Kaiming init for the BatchNorm-free ``paper`` network, whose
#: Caffe "xavier" fill keeps it at chance (the ``caffe`` preset measures that).
RECIPE: dict[str, Any] = dict(optimizer="adamw", warmup=0.05, weight_decay=1e-4, init={"paper": "kaiming"},
                              width=0.125, batch_size=128)

#: The five aux-weight arms (aux1 at 4a, aux2 at 4d): none, the paper's 0.3, a heavy 1.0, and each head alone.
AUX_ARMS: tuple[tuple[float, float], ...] = ((0.0, 0.0), (0.3, 0.3), (1.0, 1.0), (0.3, 0.0), (0.0, 0.3))

PRESETS: dict[str, Setup] = {
    # seconds: a check that the pipeline works
    "smoke": Setup(variants=("bn", "paper"), aux_weights=(0.0, 0.3), seeds=(0,), n_train=64, n_val=32,
                   epochs=1, width=0.0625, batch_size=32, threads=1),
    # under a minute on a quiet 2-core CPU: the notebook's live run (two runs side by side). Smaller
    # images without clutter blobs (still shapes and stripes) and a longer warm-up learn faster per second.
    "live": Setup(variants=("bn",), aux_weights=(0.0, 0.3), seeds=(0,), n_train=6000, n_val=500, epochs=6,
                  image_size=24, clutter=0, threads=1, jobs=2, lr={"bn": 3e-3}, **{**RECIPE, "warmup": 0.15}),
    # about 1.5 h on 2 cores: the committed results. Each arm's LR is swept (seed 0), its other seeds
    # run at the best one, and the (0, 0) and (0.3, 0.3) arms also at the common LR 2e-3.
    "full": Setup(variants=("bn", "paper"), aux_weights=AUX_ARMS, seeds=(0, 1, 2, 3, 4), n_train=6000, n_val=1000,
                  epochs=8, threads=1, jobs=2, lr={"bn": 2e-3, "paper": 2e-3}, lr_grid=(1e-3, 2e-3, 4e-3),
                  controls=((0.0, 0.0), (0.3, 0.3)), **RECIPE),
    # minutes: the paper network with the Caffe reference fill, under the full run's recipe at its common LR
    "caffe": Setup(variants=("paper",), aux_weights=(0.0, 0.3), seeds=(0,), n_train=6000, n_val=1000,
                   epochs=8, threads=1, jobs=2, lr={"paper": 2e-3}, **{**RECIPE, "init": "caffe"}),
}


def load_data(setup: Setup) -> tuple[ImageData, ImageData]:
    if setup.dataset == "synthetic":
        return synthetic_splits(setup.n_train, setup.n_val, image_size=setup.image_size, seed=setup.data_seed, noise=setup.noise,
                                clutter=setup.clutter)
    train_all = cifar10(split="train")
    g = torch.Generator().manual_seed(setup.data_seed)
    idx = torch.randperm(len(train_all), generator=g)[: setup.n_train]
    val = cifar10(split="test")
    return train_all.subset(idx), val.subset(slice(0, setup.n_val))


def run_arm(setup: Setup, variant: str, aux_weight: float | tuple[float, float], seed: int,
            data: tuple[ImageData, ImageData], *, lr: float | None = None, progress: bool = False,
            callback: Callable | None = None) -> History:
    """Train one run: a fresh model from ``seed``, deterministic algorithms, ``setup.threads`` threads,
    learning rate ``lr`` (default: ``setup.lr[variant]``).

    ``aux_weight``: a number (both heads) or an ``(aux1, aux2)`` pair. On an accelerator some
    backward kernels (adaptive average pooling on CUDA) have no deterministic version: there
    deterministic algorithms only warn, and a rerun may differ in the last bits.
    """
    tr, va = data
    device = resolve_device(setup.device)
    if device.type == "cuda":  # cuBLAS needs this to be deterministic; harmless if already set
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    model = make_model(variant, width=setup.width, num_classes=tr.num_classes, seed=seed,
                       init=setup.init_for(variant), device=device)
    with deterministic(threads=setup.threads, warn_only=device.type != "cpu"):
        h = train(model, tr, va, epochs=setup.epochs, aux_weight=aux_weight, batch_size=setup.batch_size,
                  lr=setup.lr[variant] if lr is None else lr, weight_decay=setup.weight_decay, seed=seed, progress=progress,
                  callback=callback, optimizer=setup.optimizer, warmup=setup.warmup, device=device)
    h.config.update(dataset=setup.dataset, data_seed=setup.data_seed, threads=setup.threads)
    return h


def _worker(args: tuple) -> dict:
    setup, variant, w, seed, lr = args
    return run_arm(setup, variant, w, seed, load_data(setup), lr=lr).to_dict()


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


def _saved(x: Any) -> float | None:
    """A float as the results file saves it (6 significant digits), so saved and asked values compare equal."""
    return None if x is None else float(f"{float(x):.6g}")


def _key(variant: Any, aux1: Any, aux2: Any, seed: Any, lr: Any) -> tuple:
    """What identifies a run within one setup; floats as they are saved."""
    return (variant, _saved(aux1), _saved(aux2), seed, _saved(lr))


def _run_key(h: History) -> tuple:
    c = h.config
    return _key(c.get("variant"), *_config_weights(c), c.get("seed"), c.get("lr"))


#: One run to train: (variant, aux weight as the arm records it, seed, learning rate).
Task = tuple[str, Any, int, float]


def _task_key(task: Task) -> tuple:
    v, w, seed, lr = task
    return _key(v, *_weight_pair(w), seed, lr)


def chosen_lrs(setup: Setup, runs: dict[tuple, History]) -> dict[tuple[str, Any], float]:
    """Each arm's learning rate from the sweep: the grid LR whose seed-``seeds[0]`` run reached the
    highest final validation accuracy (ties: the smaller LR). Arms whose sweep is not finished are
    absent. Without an ``lr_grid``, every arm's LR is ``setup.lr[variant]``."""
    if not setup.lr_grid:
        return {(v, w): setup.lr[v] for v, w in setup.arms}
    out: dict[tuple[str, Any], float] = {}
    for v, w in setup.arms:
        found = [(runs[k].final("val_main"), -lr, lr) for lr in setup.lr_grid
                 if (k := _task_key((v, w, setup.seeds[0], lr))) in runs]
        if len(found) == len(setup.lr_grid):
            out[(v, w)] = max(found)[2]
    return out


def plan(setup: Setup, runs: dict[tuple, History]) -> list[Task]:
    """Every run the ablation needs that can be named given the finished ``runs`` (keyed by
    :func:`_task_key`), in the order they are saved.

    Without an ``lr_grid``: every arm x seed at ``setup.lr[variant]``. With one: (1) the sweep,
    every arm at every grid LR with the first seed; (2) the controls, every ``controls`` arm with
    every seed at the common LR ``setup.lr[variant]``; (3) once an arm's sweep is done, its other
    seeds at its chosen LR (:func:`chosen_lrs`). A run named twice is trained once.
    """
    if not setup.lr_grid:
        tasks: list[Task] = [(v, w, s, setup.lr[v]) for v, w in setup.arms for s in setup.seeds]
    else:
        control_weights = {_arm_weight(aux_weight_pair(w)) for w in setup.controls}
        chosen = chosen_lrs(setup, runs)
        tasks = [(v, w, setup.seeds[0], lr) for v, w in setup.arms for lr in setup.lr_grid]
        tasks += [(v, w, s, setup.lr[v]) for v, w in setup.arms if w in control_weights for s in setup.seeds]
        tasks += [(v, w, s, chosen[(v, w)]) for v, w in setup.arms if (v, w) in chosen for s in setup.seeds]
    seen: set[tuple] = set()
    unique = []
    for t in tasks:
        k = _task_key(t)
        if k not in seen:
            seen.add(k)
            unique.append(t)
    return unique


@dataclass
class Results:
    """All runs of one ablation, with where and how they were made."""

    setup: dict[str, Any]
    runs: list[History]
    meta: dict[str, Any] = field(default_factory=dict)

    def arm(self, variant: str, aux_weight: float | tuple[float, float], lr: float | str | None = "chosen") -> list[History]:
        """The runs of one arm, sorted by seed; ``aux_weight`` a number (both heads) or an (aux1, aux2) pair.

        ``lr``: ``"chosen"`` (default) the runs at the arm's chosen learning rate (:meth:`lr_of`),
        ``"common"`` those at the common one (``setup["lr"][variant]``), a number those at that
        rate, None every run of the arm (a sweep's included).
        """
        want = _weight_pair(aux_weight)
        runs = [h for h in self.runs if h.config["variant"] == variant and _config_weights(h.config) == want]
        if lr is not None:
            if lr == "chosen":
                lr = self.lr_of(variant, aux_weight)
            elif lr == "common":
                lr = self.common_lr(variant)
            elif isinstance(lr, str) or isinstance(lr, bool) or not isinstance(lr, (int, float)):
                raise ValueError(f"lr must be 'chosen', 'common', a number or None, got {lr!r}")
        if lr is not None:  # (still None for results without a setup, e.g. built by hand)
            runs = [h for h in runs if _saved(h.config.get("lr")) == _saved(lr)]
        return sorted(runs, key=lambda h: h.config["seed"])

    def common_lr(self, variant: str) -> float | None:
        """The learning rate of ``variant`` in the setup: every run's without a sweep, the controls'
        with one (None if the setup does not say)."""
        lr = (self.setup.get("lr") or {}).get(variant)
        return None if lr is None else float(lr)

    def lr_of(self, variant: str, aux_weight: float | tuple[float, float]) -> float | None:
        """The arm's learning rate: chosen by the sweep (``meta["chosen_lr"]``), else the common one."""
        want = _weight_pair(aux_weight)
        for c in self.meta.get("chosen_lr") or []:
            if c["variant"] == variant and (c["aux1_weight"], c["aux2_weight"]) == want:
                return float(c["lr"])
        return self.common_lr(variant)

    @property
    def lr_grid(self) -> list[float]:
        """The swept learning rates (empty without a sweep)."""
        return [float(x) for x in self.setup.get("lr_grid") or []]

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


_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Setup) if f.default is not MISSING}

#: Setup fields that change how runs are scheduled, not what they compute: a file may be resumed with others.
_SCHEDULING = ("jobs",)


def _comparable(setup: dict[str, Any]) -> dict[str, Any]:
    """A setup as saved (tuples as lists), without scheduling fields; a field a file predates counts
    as its default, so files from before that field resume."""
    d = json.loads(json.dumps({**_DEFAULTS, **setup}))
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
    """Train every run of :func:`plan`; ``setup.jobs`` runs in parallel processes.

    With an ``lr_grid`` the plan grows as sweeps finish: an arm's other seeds start as soon as its
    sweep has chosen its LR, so the workers never wait for the whole sweep. With ``out``, the
    results file is saved (atomically) after every finished run, so an interrupted ablation loses
    at most the runs in progress. If ``out`` already holds runs of this setup and ``resume`` is
    true, those runs (keyed by variant, aux weights, seed and learning rate) are kept and only the
    others are trained. A file of another setup is an error unless ``overwrite`` (see
    :func:`previous_results`).
    """
    start = time.perf_counter()
    done: dict[tuple, History] = {}
    seconds_before = 0.0
    old = previous_results(setup, out, resume=resume, overwrite=overwrite) if out is not None else None
    if old is not None:
        for h in old.runs:
            done.setdefault(_run_key(h), h)
        seconds_before = float(old.meta.get("seconds") or 0.0)
    hw = hardware()
    hw["torch_threads_per_run"] = setup.threads
    vers = versions()

    def results() -> Results:
        tasks = plan(setup, done)
        keys = [_task_key(t) for t in tasks]
        complete = all(k in done for k in keys) and (not setup.lr_grid or len(chosen_lrs(setup, done)) == len(setup.arms))
        meta = {"command": command, "seeds": list(setup.seeds), "versions": vers, "hardware": hw,
                "seconds": round(seconds_before + time.perf_counter() - start, 1),
                "utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "complete": complete}
        if setup.lr_grid:
            meta["chosen_lr"] = [{"variant": v, "aux1_weight": _weight_pair(w)[0], "aux2_weight": _weight_pair(w)[1],
                                  "lr": lr} for (v, w), lr in chosen_lrs(setup, done).items()]
        return Results(asdict(setup), [done[k] for k in keys if k in done], meta)

    def finished(task: Task, h: History) -> None:
        if _run_key(h) != _task_key(task):  # the resume key must describe what run_arm trained
            raise RuntimeError(f"run {task} was expected to be {_task_key(task)} but recorded {_run_key(h)}")
        done[_task_key(task)] = h
        if out is not None:
            results().to_json(out)
        if progress:
            v, w, s, lr = task
            total = len(plan(setup, done))
            print(f"done {len(done)}/{total}{'+' if setup.lr_grid and len(chosen_lrs(setup, done)) < len(setup.arms) else ''}: "
                  f"{v} aux {w} seed {s} lr {lr:g} -> val {h.final('val_main'):.3f}", file=sys.stderr, flush=True)

    def todo(started: set[tuple]) -> list[Task]:
        return [t for t in plan(setup, done) if _task_key(t) not in done and _task_key(t) not in started]

    first = todo(set())
    if progress and out is not None and done and first:
        print(f"{out}: {len(done)} runs already done; training the others", file=sys.stderr, flush=True)
    if first and setup.jobs > 1:
        from concurrent.futures import FIRST_COMPLETED, wait

        # "spawn": a forked child would inherit torch's OpenMP thread pool and can deadlock
        with ProcessPoolExecutor(setup.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            running: dict[Any, Task] = {}
            error: BaseException | None = None
            try:
                while True:
                    if error is None:  # keep the workers busy; after an error start nothing new
                        started = {_task_key(t) for t in running.values()}
                        for t in todo(started)[: setup.jobs + 1 - len(running)]:
                            running[pool.submit(_worker, (setup, *t))] = t
                    if not running:
                        break
                    finished_now, _ = wait(running, return_when=FIRST_COMPLETED)
                    for fut in finished_now:
                        task = running.pop(fut)
                        exc = fut.exception()
                        if exc is not None:  # keep what the running workers finish
                            error = error or exc
                            continue
                        finished(task, History.from_dict(fut.result()))
            except BaseException:
                for f in running:
                    f.cancel()
                raise
            if error is not None:
                raise error
    elif first:
        data = load_data(setup)
        while todo_now := todo(set()):
            v, w, s, lr = task = todo_now[0]
            if progress:
                print(f"run: {v} aux {w} seed {s} lr {lr:g}", file=sys.stderr, flush=True)
            finished(task, run_arm(setup, v, w, s, data, lr=lr))
    final = results()
    if out is not None:
        final.to_json(out)
    return final


def describe(setup: Setup) -> str:
    """A setup in words: arms, seeds, data, training recipe, learning rates, scheduling."""
    fmt = lambda xs: ", ".join(f"{x:g}" if isinstance(x, float) else str(x) for x in xs)  # noqa: E731
    pl = lambda n, word: f"{n} {word}{'s' if n != 1 else ''}"  # noqa: E731
    weights = ", ".join(f"({a:g}, {b:g})" for a, b in setup.aux_weight_pairs)
    if setup.lr_grid:
        lrs = (f"LR swept over {fmt(setup.lr_grid)} (seed {setup.seeds[0]}), the other seeds at each arm's best; "
               f"aux {', '.join(f'({a:g}, {b:g})' for a, b in (aux_weight_pair(w) for w in setup.controls))} "
               f"also at the common LR " + ", ".join(f"{v} {setup.lr[v]:g}" for v in setup.variants))
    else:
        lrs = "LR " + ", ".join(f"{v} {setup.lr[v]:g}" for v in setup.variants)
    inits = ", ".join(f"{v} {setup.init_for(v) or 'own'}" for v in setup.variants)
    return (f"variants {fmt(setup.variants)} x aux weights (aux1, aux2) {weights} = {pl(len(setup.arms), 'arm')}; "
            f"seeds {fmt(setup.seeds)}; {setup.num_runs} runs\n"
            f"{setup.dataset} data, {setup.n_train} train / {setup.n_val} val images of {setup.image_size} px"
            + (f" (noise {setup.noise:g}, {pl(setup.clutter, 'clutter blob')})" if setup.dataset == "synthetic" else "")
            + "; "
            f"{pl(setup.epochs, 'epoch')}, "
            f"batch {setup.batch_size}, width {setup.width:g}\n"
            f"{setup.optimizer}, warm-up {setup.warmup:g} then cosine decay, weight decay {setup.weight_decay:g}, "
            f"init: {inits}; {lrs}\n"
            f"{pl(setup.threads, 'thread')} per run, {pl(setup.jobs, 'run')} at a time, device {setup.device}")
