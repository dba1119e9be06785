"""Time the network explorer of notebook 03: 100 updates, each one slider change -> new numbers
and a new SVG plot in the widget's one HTML view. Prints the median and the worst update in milliseconds.

    python benchmarks/bench_widgets_network.py

The target is <= 50 ms Python time per update. Updates cycle through every control (width,
the four stage widths, input resolution, variant, naive blocks), including resolutions too
small for the network, which show a message instead of numbers.
"""

from __future__ import annotations

import itertools
import statistics
import time

from inception import widgets


def main(n: int = 100) -> None:
    t0 = time.perf_counter()
    explorer = widgets.network_widget()
    build = (time.perf_counter() - t0) * 1e3
    multipliers = [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]
    schedule = itertools.cycle([
        (explorer.width, itertools.cycle(multipliers)),
        *[(s, itertools.cycle(multipliers[i:] + multipliers[:i])) for i, s in enumerate(explorer.stage_width)],
        (explorer.resolution, itertools.cycle([160, 299, 20, 448, 96, 64, 128, 224])),
        (explorer.variant, itertools.cycle(["bn", "torchvision", "paper"])),
        (explorer.naive, itertools.cycle([True, False])),
    ])
    times, slowest, messages = [], ("", 0.0), 0
    for _ in range(n):
        control, values = next(schedule)
        value = next(values)
        if value == control.value:  # every timed step must be a real change
            value = next(values)
        start = time.perf_counter()
        control.value = value
        ms = (time.perf_counter() - start) * 1e3
        times.append(ms)
        messages += bool(explorer.message)
        if ms > slowest[1]:
            slowest = (f"{control.description} = {value!r}", ms)
    print(f"network explorer (notebook 03): build {build:.0f} ms")
    print(f"{len(times)} updates: median {statistics.median(times):.1f} ms, worst {max(times):.1f} ms "
          f"(worst step: {slowest[0]}; {messages} updates showed the too-small-input message)")


if __name__ == "__main__":
    main()
