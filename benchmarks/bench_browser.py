"""Latency of the notebooks' sliders in a real browser: keyboard move -> driven output changed.

    python benchmarks/bench_browser.py [--moves 30] [--notebooks 01 03] [--alone]

Starts JupyterLab on a temporary copy of notebooks/ and results/ and a headless Chromium (the
same harness as tests/browser: tests/browser/harness.py), runs every notebook that has sliders,
then presses the arrow keys on one slider per notebook and times each move in the page, from the
keydown event to the DOM mutation after which every output the slider drives has changed (kernel
round trip + Python update + rendering to DOM, before paint). Prints median, max and min in ms.

Two floors, both a trivial IntSlider -> HTML widget:
* in the notebook's own page and kernel (its cell appended to a copy of the notebook), timed in
  rounds alternating with the explorer: explorer / this floor is what the explorer itself costs;
* in a one-cell notebook: this floor / the one-cell floor is what the long page costs any
  slider (JupyterLab laying out and painting a page of 50-80 cells), whatever the widget.
With ``--alone``, the explorers of 01-03 are also timed alone, each in a one-cell notebook.
``--windowing`` picks JupyterLab's notebook windowing mode (default: JupyterLab's default).

Where a long page's time goes (Chromium CPU profile, JupyterLab 4.6): once a notebook has run for a
second or more, the kernel status indicator in the notebook toolbar re-renders its tooltip on every
busy/idle, and the toolbar then re-checks every button's focusability (getClientRects), a forced
layout of the whole page, on every move of any slider. ``--status-bar-indicator`` shows the
indicator on the status bar instead, which takes most of the page's cost away.

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

_TRACKER = "@jupyterlab/notebook-extension/tracker.jupyterlab-settings"
Row = tuple[str, str, list[float]]  # label, slider, move times (ms)


def _rounds(page, cases, moves: int, rounds: int, warmup: int) -> list[list[float]]:
    """Time ``cases`` (sliders in one page) in ``rounds`` alternating rounds, so that drift of the
    machine over time falls on all of them alike; ``moves`` measured moves per case in all."""
    for case in cases:
        h.measure_moves(page, case, n=0, warmup=warmup)
    times: list[list[float]] = [[] for _ in cases]
    per_round = [moves // rounds + (i < moves % rounds) for i in range(rounds)]
    for n in per_round:
        for t, case in zip(times, cases):
            t += h.measure_moves(page, case, n=n, warmup=0)
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--moves", type=int, default=30, help="measured moves per slider (default 30)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="alternating rounds of explorer and in-page floor moves (default 3)")
    ap.add_argument("--warmup", type=int, default=3, help="unmeasured moves first (default 3)")
    ap.add_argument("--notebooks", nargs="*", default=None,
                    help="notebook prefixes to measure (default: every notebook with sliders)")
    ap.add_argument("--alone", action="store_true",
                    help="also time the explorers of 01-03 alone, each in a one-cell notebook")
    ap.add_argument("--windowing", default="default",
                    choices=["default", "contentVisibility", "defer", "none"],
                    help="JupyterLab's notebook windowing mode; 'default' is JupyterLab's own default, what "
                         "a user sees (the browser tests use 'none': every cell attached)")
    ap.add_argument("--status-bar-indicator", action="store_true",
                    help="show the kernel status on the status bar, not the notebook toolbar (JupyterLab's "
                         "kernelStatus.showOnStatusBar): there, its re-render on every busy/idle does not make the "
                         "toolbar re-check its buttons' focusability, a forced layout of the whole page")
    args = ap.parse_args()
    if args.moves < 1 or not 1 <= args.rounds <= args.moves:
        ap.error("--moves must be at least 1 and --rounds between 1 and --moves")

    problem = h.browser_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    wanted = lambda nb: not args.notebooks or any(nb.startswith(p) for p in args.notebooks)  # noqa: E731
    rows: list[Row] = []
    summary: list[tuple[str, float, float, float]] = []  # notebook, explorer, in-page floor, one-cell floor
    with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp:
        work = Path(tmp) / "work"
        h.prepare_workdir(work)
        nbdir = work / "notebooks"
        h.write_floor_notebook(nbdir)
        pages = [h.write_in_page_floor(nbdir, c) for c in h.SLIDER_CASES if wanted(c.notebook)]
        alone = []
        if args.alone:
            h.write_alone_notebooks(nbdir)
            alone = [c for c in h.ALONE_CASES if wanted(c.notebook.removeprefix("zz_alone_"))]
        server = h.LabServer(root=work, state=Path(tmp) / "state",
                             windowing_mode=None if args.windowing == "default" else args.windowing,
                             lab_settings={_TRACKER: {"kernelStatus": {"showOnStatusBar": True}}}
                             if args.status_bar_indicator else {}).start()
        try:
            with sync_playwright() as pw:
                browser = h.launch_browser(pw)
                context = h.new_context(browser)
                # one page each: the floor alone, each notebook with its floor, each explorer alone
                for cases in [[h.FLOOR_CASE], *[[c, f] for c, f in pages], *[[c] for c in alone]]:
                    notebook = cases[0].notebook
                    page = h.open_notebook(context, server, notebook, timeout_ms=180_000)
                    try:
                        result = h.run_notebook(page, notebook, timeout_s=1800)
                        if result.problems():
                            print(f"{notebook} did not run cleanly:\n" + "\n".join(result.problems()),
                                  file=sys.stderr)
                            return 1
                        print(f"{notebook}: ran in {result.seconds:.1f} s; timing "
                              + ", ".join(repr(c.slider) for c in cases), file=sys.stderr)
                        times = _rounds(page, cases, args.moves, args.rounds, args.warmup)
                    finally:
                        h.close_notebook(page, server, notebook)
                    short = notebook.removeprefix("zz_in_page_")[:2]
                    if notebook == h.FLOOR_NOTEBOOK:
                        rows.append(("floor, one-cell notebook", "x", times[0]))
                    elif notebook.startswith("zz_alone_"):
                        rows.append((f"{notebook[9:11]} explorer alone", cases[0].slider, times[0]))
                    else:
                        rows.append((f"{short} explorer", cases[0].slider, times[0]))
                        rows.append((f"{short} floor in its page", "x", times[1]))
                        summary.append((short, statistics.median(times[0]), statistics.median(times[1]),
                                        statistics.median(rows[0][2])))
                browser.close()
        finally:
            server.stop()

    print(f"\nKeyboard slider move -> every driven output changed in the DOM (ms, in-page timing), "
          f"{time.strftime('%Y-%m-%d %H:%M')}, windowing {args.windowing}, kernel status on the "
          f"{'status bar' if args.status_bar_indicator else 'notebook toolbar'}")
    w = max(len(r[0]) for r in rows)
    header = f"{'slider in':<{w}}  {'slider':<18} {'moves':>5} {'median':>8} {'max':>8} {'min':>8}"
    print(header)
    print("-" * len(header))
    for label, slider, ms in rows:
        print(f"{label:<{w}}  {slider:<18} {len(ms):>5} {statistics.median(ms):>8.1f} {max(ms):>8.1f} {min(ms):>8.1f}")
    floor = statistics.median(rows[0][2])
    print("\nRatios of medians (target: explorer <= 1.5x the floor in its page):")
    print(f"{'notebook':<8} {'explorer / floor in page':>25} {'page: floor in page / one-cell':>32} "
          f"{'explorer / one-cell floor':>26}")
    for nb, ex, fp, f1 in summary:
        print(f"{nb:<8} {ex / fp:>25.2f} {fp / f1:>32.2f} {ex / f1:>26.2f}")
    for label, _, ms in rows:
        if "alone" in label:
            print(f"{label}: {statistics.median(ms) / floor:.2f}x the one-cell floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
