"""Train the mini-GoogLeNet shipped in ``inception/resources`` (used by notebook 05).

    python -m inception.experiments.train_checkpoint            # writes ./mini_googlenet_out/mini_googlenet.{pt,json}
    python -m inception.experiments.train_checkpoint --out DIR  # somewhere else
    python -m inception.experiments.train_checkpoint --check    # retrain in a temporary folder and
                                                                # compare with the shipped accuracy
    python -m inception.experiments.train_checkpoint --out inception/resources --update-package
                                                                # replace the shipped checkpoint

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
from ..weights import MINI_CHECKPOINT, MINI_SIDECAR, CheckpointError, mini_info, sha256_file
from ._cli import HelpFormatter, check_output_dir, paragraphs as _paragraphs
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
#: Where the command writes by default: a new folder, never the package's own checkpoint.
DEFAULT_OUT = Path("mini_googlenet_out")
_FILES = (MINI_CHECKPOINT.name, MINI_SIDECAR.name)


def validation_set():
    """The checkpoint's validation images (independent of the training set; depends only on N_VAL, SEED)."""
    return synthetic_splits(1, N_VAL, image_size=IMAGE_SIZE, seed=SEED)[1]


def build(out_dir: Path, *, progress: bool = True) -> dict:
    """Train, evaluate and save ``mini_googlenet.pt`` + ``.json`` into ``out_dir``; return the sidecar.

    Existing files there are replaced (the command line asks for ``--force`` first); a folder
    that cannot be written fails here, before training.
    """
    out_dir = check_output_dir(Path(out_dir), _FILES, overwrite=True)
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


def _is_package_folder(path: Path) -> bool:
    return path.resolve() == MINI_CHECKPOINT.parent.resolve()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=COMMAND,
        description="\n\n".join(__doc__.split("\n\n")[:2]),  # the title and the example commands
        formatter_class=HelpFormatter,
        epilog=_paragraphs(
            f"What is trained: the 'bn' variant, small stem, width {WIDTH}, both auxiliary heads (weight "
            f"{AUX_WEIGHT}), on synthetic_splits({N_TRAIN}, {N_VAL}, image_size={IMAGE_SIZE}, seed={SEED}); "
            f"{EPOCHS} epochs, batch {BATCH_SIZE}, lr {LR} (SGD, cosine decay), {THREADS} thread, deterministic "
            f"algorithms. Writes {_FILES[0]} (the weights, without the auxiliary heads) and {_FILES[1]} (how they "
            f"were made, and their validation accuracy).",
            f"--check compares the main head's validation accuracy on the {N_VAL} validation images of a fresh "
            f"run with 'accuracy.val_main' in the shipped {_FILES[1]}; it passes (exit 0) if they differ by at "
            f"most {TOLERANCE}, else exits 1. It writes nothing.",
        ),
    )
    parser.add_argument("--out", type=Path, default=None,
                        help=f"output folder (default: ./{DEFAULT_OUT}); the package's own inception/resources "
                             f"folder only with --update-package")
    parser.add_argument("--force", action="store_true",
                        help=f"overwrite {_FILES[0]} / {_FILES[1]} if --out already holds them")
    parser.add_argument("--update-package", action="store_true",
                        help="allow --out to be the package's inception/resources folder, replacing the shipped "
                             "checkpoint that notebook 05 and the tests use (implies --force there)")
    parser.add_argument("--check", action="store_true",
                        help="retrain in a temporary folder and compare with the shipped accuracy (see below)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.check:
        if args.out is not None or args.force or args.update_package:
            parser.error("--check writes nothing: it cannot be combined with --out, --force or --update-package")
        try:
            shipped = mini_info()["accuracy"]["val_main"]
        except (CheckpointError, KeyError, TypeError) as exc:
            parser.error(f"cannot read the shipped accuracy from {MINI_SIDECAR}: {exc}")
        with tempfile.TemporaryDirectory() as tmp:
            info = build(Path(tmp))
        new = info["accuracy"]["val_main"]
        ok = abs(new - shipped) <= TOLERANCE
        print(f"shipped val accuracy {shipped:.4f}, re-run {new:.4f}, difference {new - shipped:+.4f} "
              f"({'within' if ok else 'OUTSIDE'} the tolerance {TOLERANCE}); took {info['seconds']:.0f} s")
        return 0 if ok else 1
    out = args.out if args.out is not None else DEFAULT_OUT
    package = _is_package_folder(out)
    if package and not args.update_package:
        parser.error(
            f"{out} is the package's own resources folder: writing there replaces the shipped checkpoint; "
            f"pass --update-package if that is what you want, or choose another --out"
        )
    try:  # before training: a bad --out must not cost a whole run
        check_output_dir(out, _FILES, overwrite=args.force or package)
    except ValueError as exc:
        parser.error(str(exc))
    info = build(out)
    print(f"val accuracy {info['accuracy']['val_main']:.4f} on {N_VAL} images; "
          f"{info['file_bytes'] / 1e6:.2f} MB; {info['seconds']:.0f} s; written to {out}")
    if package:  # the package loads its checkpoint only if the file's hash is the one its spec names
        print(f"SHA-256 of {_FILES[0]}: {sha256_file(out / _FILES[0])}; put it into "
              f"inception.weights.MINI_GOOGLENET (sha256=...) so that load_mini_googlenet() accepts the new file")
    return 0


if __name__ == "__main__":
    sys.exit(main())
