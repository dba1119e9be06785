"""Execution time of every notebook, top to bottom in a fresh kernel (outputs are not saved).

    python benchmarks/bench_notebooks.py [notebooks/NN_name.ipynb ...] [--repeat N]

Targets (issues 3-5): notebooks 01-03 <= 20 s each, 04 <= 120 s, 05 <= 30 s on a 2-core CPU.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
TARGETS_S = {"01": 20, "02": 20, "03": 20, "04": 120, "05": 30}


def run_once(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    print(f"{os.cpu_count()} CPUs; {args.repeat} run(s) each; time includes kernel start-up")
    print(f"{'notebook':42} {'median s':>9} {'worst s':>8} {'target s':>9}")
    for path in paths:
        times = [run_once(path) for _ in range(args.repeat)]
        target = TARGETS_S.get(path.name[:2])
        print(f"{path.name:42} {statistics.median(times):9.1f} {max(times):8.1f} {target if target else '-':>9}")


if __name__ == "__main__":
    main()
