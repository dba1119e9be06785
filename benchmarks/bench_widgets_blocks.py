"""Time one widget update of notebooks 01 and 02 (slider value change -> new numbers and diagram).

    python benchmarks/bench_widgets_blocks.py

Prints the median and the worst of 100 updates per widget, in milliseconds of Python time
(the browser's rendering is not included). Target: <= 50 ms per update.
"""

from __future__ import annotations

import statistics
import time
from typing import Callable

from inception import blockviz as bv, widgets


def _time(updates: list[Callable[[], None]]) -> tuple[float, float]:
    times = []
    for update in updates:
        start = time.perf_counter()
        update()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), max(times)


def reduction_updates(w: widgets.ReductionWidget, n: int = 100) -> list[Callable[[], None]]:
    """Cycle through every slider, so each update changes the numbers and the plot."""
    setters = []
    for i in range(n):
        slider, value = [
            (w.reduction, 1 + (7 * i) % 300),
            (w.c_in, 16 + (13 * i) % 900),
            (w.c_out, 1 + (11 * i) % 400),
            (w.kernel, bv.KERNEL_SIZES[i % 4]),
            (w.size, 1 + (5 * i) % 112),
        ][i % 5]
        setters.append(lambda s=slider, v=value: setattr(s, "value", v))
    return setters


def builder_updates(b: widgets.BlockBuilder, n: int = 100) -> list[Callable[[], None]]:
    """Filter sliders, input size, the naive toggle and presets (a preset sets eight sliders, one update)."""
    names = list(bv.block_presets())
    setters = []
    for i in range(n):
        kind = i % 5
        if kind == 0:
            setters.append(lambda v=names[(i // 5) % 9]: setattr(b.preset, "value", v))
        elif kind == 1:
            setters.append(lambda v=("naive", "reduced")[(i // 5) % 2]: setattr(b.mode, "value", v))
        elif kind == 2:
            setters.append(lambda v=1 + (17 * i) % 56: setattr(b.size, "value", v))
        else:
            field = list(b.filters)[i % 6]
            setters.append(lambda f=field, v=1 + (37 * i) % 512: setattr(b.filters[f], "value", v))
    return setters


def main() -> None:
    w = widgets.reduction_widget()
    b = widgets.block_builder("3a")
    for name, updates in (("reduction widget (notebook 01)", reduction_updates(w)),
                          ("block builder (notebook 02)", builder_updates(b))):
        median, worst = _time(updates)
        print(f"{name}: median {median:.2f} ms, worst {worst:.2f} ms over {len(updates)} updates (target <= 50 ms)")


if __name__ == "__main__":
    main()
