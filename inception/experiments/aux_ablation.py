"""The auxiliary-classifier ablation (paper, section 5) from the command line.

    python -m inception.experiments.aux_ablation --preset full --out results/aux_ablation_full.json
    python -m inception.experiments.aux_ablation --preset full --out results/aux_ablation_full.json --resume
    python -m inception.experiments.aux_ablation --preset live --out live.json   # notebook 04's live run
    python -m inception.experiments.aux_ablation --help     # the presets, and what each one runs

The experiment itself (setups, presets, runs, the results file and its schema) is the library
module :mod:`inception.aux_ablation`; this command adds argparse, checks ``--out`` before any
training, and records the command line in the results' ``meta["command"]``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from ..aux_ablation import PRESETS, Results, Setup, describe, previous_results, run
from ..train import DEVICES
from ._cli import HelpFormatter, check_output_file, nonnegative_int, paragraphs, positive_float, positive_int

__all__ = ["main", "setup_from_args"]


def _describe(name: str, setup: Setup) -> str:
    """One preset in words, for --help."""
    return f"  {name}:\n" + "\n".join("    " + line for line in describe(setup).splitlines())


def _parser() -> argparse.ArgumentParser:
    presets = "\n".join(_describe(name, PRESETS[name]) for name in PRESETS)
    p = argparse.ArgumentParser(
        prog="python -m inception.experiments.aux_ablation",
        description="The auxiliary-classifier ablation (paper, section 5): train arms that differ only in the aux weights.",
        formatter_class=HelpFormatter,
        epilog=(
            "presets (an arm is a (variant, aux weight) pair; each arm is trained once per seed):\n"
            f"{presets}\n\n"
            + paragraphs(
                "The output JSON holds the command, seeds, versions, hardware and every run's full history "
                "(schema: see the docstring of the module inception.aux_ablation); --out is checked before training, so a bad one fails at once.",
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


def setup_from_args(args: argparse.Namespace) -> Setup:
    """The preset with the command line's overrides (none given: exactly ``PRESETS[args.preset]``)."""
    overrides = {k: v for k, v in (("seeds", tuple(args.seeds) if args.seeds else None), ("epochs", args.epochs),
                                   ("width", args.width), ("dataset", args.dataset), ("threads", args.threads),
                                   ("jobs", args.jobs), ("device", args.device)) if v is not None}
    return replace(PRESETS[args.preset], **overrides)


def main(argv: list[str] | None = None) -> Results:
    p = _parser()
    args = p.parse_args(argv)
    out = args.out or Path("results") / f"aux_ablation_{args.preset}.json"
    try:  # everything is checked before the first run trains
        setup = setup_from_args(args)
        previous_results(setup, out, resume=args.resume, overwrite=args.force)  # refuses a file it must not touch
        check_output_file(out, overwrite=True)  # writable (an existing file is allowed by now)
    except ValueError as exc:
        p.error(str(exc))
    command = "python -m inception.experiments.aux_ablation " + " ".join(sys.argv[1:] if argv is None else argv)
    results = run(setup, progress=True, command=command.strip(), out=out, resume=args.resume, overwrite=args.force)
    print(f"{len(results.runs)} runs in {results.meta['seconds']} s -> {out}")
    return results


if __name__ == "__main__":
    main()
