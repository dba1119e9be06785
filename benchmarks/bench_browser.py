"""Latency of the notebooks' sliders in a real browser: keyboard move -> driven output changed.

    python benchmarks/bench_browser.py [--moves 10] [--notebooks 01 03]

Starts JupyterLab on a temporary copy of notebooks/ and results/ and a headless Chromium (the
same harness as tests/browser: tests/browser/harness.py), runs every notebook that has sliders,
then presses ArrowRight on one slider per notebook ``--moves`` times and times each move in the
page, from the keydown event to the DOM mutation after which every output the slider drives has
changed (kernel round trip + Python update + rendering to DOM, before paint). The floor is a
trivial IntSlider -> HTML widget in a one-cell notebook in the same JupyterLab: the cost of the
round trip alone. Prints median and max in milliseconds. With ``--alone``, the explorers of 01-03
are also measured alone, each in a one-cell notebook, which separates what an explorer costs from
what its notebook costs (a long page, a kernel with torch loaded).

Needs playwright and a Chromium binary (`apt-get install -y chromium`, `pip install playwright`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))
import harness as h  # noqa: E402


def _label(notebook: str) -> str:
    """'01' for notebook 01, 'alone 01' for its explorer alone in a one-cell notebook."""
    return f"alone {notebook[-2:]}" if notebook.startswith("zz_alone_") else notebook[:2]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--moves", type=int, default=10, help="measured moves per slider (default 10)")
    ap.add_argument("--warmup", type=int, default=3, help="unmeasured moves first (default 3)")
    ap.add_argument("--notebooks", nargs="*", default=None,
                    help="notebook prefixes to measure (default: every notebook with sliders)")
    ap.add_argument("--alone", action="store_true",
                    help="also measure the explorers of 01-03 alone, each in a one-cell notebook: what the "
                         "explorer costs itself, apart from its notebook's kernel and page")
    args = ap.parse_args()

    problem = h.browser_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    cases = [c for c in h.SLIDER_CASES
             if not args.notebooks or any(c.notebook.startswith(p) for p in args.notebooks)]
    rows: list[tuple[str, str, int, float, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp:
        work = Path(tmp) / "work"
        h.prepare_workdir(work)
        h.write_floor_notebook(work / "notebooks")
        if args.alone:
            h.write_alone_notebooks(work / "notebooks")
            cases += [c for c in h.ALONE_CASES
                      if not args.notebooks or any(c.notebook[9:].startswith(p) for p in args.notebooks)]
        server = h.LabServer(root=work, state=Path(tmp) / "state").start()
        try:
            with sync_playwright() as pw:
                browser = h.launch_browser(pw)
                context = h.new_context(browser)
                for case in [h.FLOOR_CASE, *cases]:
                    page = h.open_notebook(context, server, case.notebook, timeout_ms=180_000)
                    try:
                        result = h.run_notebook(page, case.notebook, timeout_s=1800)
                        if result.problems():
                            print(f"{case.notebook} did not run cleanly:\n" + "\n".join(result.problems()),
                                  file=sys.stderr)
                            return 1
                        print(f"{case.notebook}: ran in {result.seconds:.1f} s; moving {case.slider!r} "
                              f"{args.moves} times", file=sys.stderr)
                        ms = h.measure_moves(page, case, n=args.moves, warmup=args.warmup)
                        rows.append((case.notebook.removesuffix(".ipynb"), case.slider, len(ms),
                                     statistics.median(ms), max(ms), min(ms)))
                    finally:
                        h.close_notebook(page, server, case.notebook)
                browser.close()
        finally:
            server.stop()

    print(f"\nKeyboard slider move -> every driven output changed in the DOM (ms, in-page timing), "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    w = max(len(r[0]) for r in rows)
    header = f"{'notebook':<{w}}  {'slider':<18} {'moves':>5} {'median':>8} {'max':>8} {'min':>8}"
    print(header)
    print("-" * len(header))
    for name, slider, n, med, mx, mn in rows:
        print(f"{name:<{w}}  {slider:<18} {n:>5} {med:>8.1f} {mx:>8.1f} {mn:>8.1f}")
    floor = rows[0][3]
    print(f"\nfloor (first row): trivial IntSlider -> HTML in the same JupyterLab; above the floor, "
          f"median: " + ", ".join(f"{_label(r[0])} {r[3] - floor:+.1f} (x{r[3] / floor:.2f})" for r in rows[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
