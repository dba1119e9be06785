"""Train the mini-GoogLeNet shipped in ``inception/resources`` (used by notebook 05).

    python -m inception.experiments.train_checkpoint            # writes inception/resources/mini_googlenet.{pt,json}
    python -m inception.experiments.train_checkpoint --out DIR  # somewhere else (e.g. to compare)
    python -m inception.experiments.train_checkpoint --check    # retrain in a temporary folder and
                                                                # compare with the shipped accuracy

The network: the ``bn`` variant with the small stem (32 px inputs), width 0.125, ten classes,
trained *with* both auxiliary heads (loss weight 0.3, section 5 of the paper) on the project's
synthetic shapes-and-textures data (:func:`inception.data.synthetic_splits`), with the project's
training loop (:func:`inception.train.train`), deterministic algorithms and one thread. The
auxiliary heads are dropped when saving (the paper discards them at inference), which keeps the
file under 0.5 MB. Same command, same library versions and same thread count give the same
weights; across machines and versions the validation accuracy agrees within ``TOLERANCE``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from .. import __version__
from ..checkpoints import MINI_CHECKPOINT
from ..data import synthetic_splits
from ..train import deterministic, evaluate, make_model, train

COMMAND = "python -m inception.experiments.train_checkpoint"
SEED = 0
N_TRAIN = 6000
N_VAL = 1000
IMAGE_SIZE = 32
WIDTH = 0.125
EPOCHS = 10
BATCH_SIZE = 64
LR = 0.1
AUX_WEIGHT = 0.3
THREADS = 1  # one thread: deterministic, and on a busy machine 2 threads wait on each other
#: Validation accuracy of a re-run may differ from the shipped one by at most this much
#: (other CPUs, thread counts or library versions change the floating-point rounding).
TOLERANCE = 0.03


def validation_set():
    """The checkpoint's validation images (independent of the training set; depends only on N_VAL, SEED)."""
    return synthetic_splits(1, N_VAL, image_size=IMAGE_SIZE, seed=SEED)[1]


def build(out_dir: Path, *, progress: bool = True) -> dict:
    """Train, evaluate and save ``mini_googlenet.pt`` + ``.json`` into ``out_dir``; return the sidecar."""
    train_data, val_data = synthetic_splits(N_TRAIN, N_VAL, image_size=IMAGE_SIZE, seed=SEED)
    model = make_model("bn", width=WIDTH, num_classes=train_data.num_classes, seed=SEED)
    start = time.perf_counter()
    with deterministic(threads=THREADS):
        hist = train(model, train_data, val_data, epochs=EPOCHS, aux_weight=AUX_WEIGHT, batch_size=BATCH_SIZE,
                     lr=LR, seed=SEED, progress=progress)
    seconds = time.perf_counter() - start
    acc = evaluate(model, val_data)
    # The auxiliary heads are training-time only (section 5): the shipped network has none.
    state = {k: v for k, v in model.state_dict().items() if not k.startswith(("aux1.", "aux2."))}
    out_dir.mkdir(parents=True, exist_ok=True)
    pt = out_dir / MINI_CHECKPOINT.name
    torch.save(state, pt)
    info = {
        "config": {"variant": "bn", "stem": "small", "width": WIDTH, "num_classes": train_data.num_classes,
                   "aux_logits": False, "image_size": IMAGE_SIZE},
        "class_names": list(train_data.class_names),
        "input": "inception.data.normalize(images), images in [0, 1]",
        "training": {**hist.config, "trained_with_aux_heads": True, "threads": THREADS, "deterministic": True,
                     "data": f"inception.data.synthetic_splits({N_TRAIN}, {N_VAL}, image_size={IMAGE_SIZE}, seed={SEED})"},
        "accuracy": {"val_main": acc["main"], "val_aux1": acc.get("aux1"), "val_aux2": acc.get("aux2"),
                     "n_val": N_VAL, "per_epoch_val_main": hist.epochs["val_main"],
                     "final_train_main": hist.final("train_main")},
        "tolerance": TOLERANCE,
        "command": COMMAND,
        "seed": SEED,
        "seconds": round(seconds, 1),
        "file_bytes": pt.stat().st_size,
        "versions": {"inception": __version__, "torch": torch.__version__, "numpy": np.__version__,
                     "python": platform.python_version()},
    }
    (out_dir / MINI_CHECKPOINT.with_suffix(".json").name).write_text(json.dumps(info, indent=1) + "\n")
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=MINI_CHECKPOINT.parent, help="output folder")
    parser.add_argument("--check", action="store_true", help="retrain in a temporary folder and compare")
    args = parser.parse_args(argv)
    if args.check:
        shipped = json.loads(MINI_CHECKPOINT.with_suffix(".json").read_text())["accuracy"]["val_main"]
        with tempfile.TemporaryDirectory() as tmp:
            info = build(Path(tmp))
        new = info["accuracy"]["val_main"]
        ok = abs(new - shipped) <= TOLERANCE
        print(f"shipped val accuracy {shipped:.4f}, re-run {new:.4f}, difference {new - shipped:+.4f} "
              f"({'within' if ok else 'OUTSIDE'} the tolerance {TOLERANCE}); took {info['seconds']:.0f} s")
        return 0 if ok else 1
    info = build(args.out)
    print(f"val accuracy {info['accuracy']['val_main']:.4f} on {N_VAL} images; "
          f"{info['file_bytes'] / 1e6:.2f} MB; {info['seconds']:.0f} s; written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
