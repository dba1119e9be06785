"""Execution time of every notebook, top to bottom in a fresh kernel (outputs are not saved).

    python benchmarks/bench_notebooks.py [notebooks/NN_name.ipynb ...] [--repeat N] [--json PATH] [--note TEXT]

With --json (default results/notebook_times.json; "" to skip) the times are also written there,
merged into the file's existing entries, so notebook 00's instructor notes can read them.

Targets (issues 3-5): notebooks 01-03 <= 20 s each, 04 <= 120 s, 05 <= 30 s on a 2-core CPU.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
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
    parser.add_argument("--json", default=str(ROOT / "results" / "notebook_times.json"),
                        help="results file to update ('' to skip)")
    parser.add_argument("--note", default="", help="a remark stored with the results (e.g. 'machine busy')")
    args = parser.parse_args()
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    print(f"{os.cpu_count()} CPUs; {args.repeat} run(s) each; time includes kernel start-up")
    print(f"{'notebook':42} {'median s':>9} {'worst s':>8} {'target s':>9}")
    results = {}
    for path in paths:
        times = [run_once(path) for _ in range(args.repeat)]
        target = TARGETS_S.get(path.name[:2])
        print(f"{path.name:42} {statistics.median(times):9.1f} {max(times):8.1f} {target if target else '-':>9}")
        results[path.name] = {"median_s": round(statistics.median(times), 1), "worst_s": round(max(times), 1),
                              "runs": args.repeat, "target_s": target}
        if args.json:  # after every notebook, so a later notebook (00 reads this file) sees the earlier ones
            write_results(Path(args.json), results, args.note)


def write_results(path: Path, results: dict, note: str) -> None:
    """Merge ``results`` into the JSON file at ``path`` (created if missing), with the machine's description."""
    data = json.loads(path.read_text()) if path.is_file() else {}
    data.setdefault("notebooks", {}).update(results)
    data["machine"] = {"cpus": os.cpu_count(), "threads": os.environ.get("OMP_NUM_THREADS", "default"),
                       "python": platform.python_version(), "platform": platform.machine()}
    data["measured"] = datetime.date.today().isoformat()
    data["note"] = note
    data["how"] = "python benchmarks/bench_notebooks.py: each notebook top to bottom in a fresh kernel, kernel start-up included"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name}")


if __name__ == "__main__":
    main()
