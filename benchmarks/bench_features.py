"""Feature-map browser (notebook 05): time of one widget update, median and worst of 100, in ms.

    python benchmarks/bench_features.py

Measures what a student waits for after moving a control: the widget callback, including the
PNG encoding (of the chosen channel; a layer's canvas is encoded once, on its first view). "first view" is the uncached case (one forward pass of the network on a new image);
every later view of that image is served from the cache.
"""

from __future__ import annotations

import statistics
import time

import torch

from inception import data, weights
from inception.widgets import feature_browser


def _time(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def main() -> None:
    torch.set_num_threads(1)  # as notebook 05 does
    model = weights.load_mini_googlenet()
    val = weights.mini_validation_set()
    control = weights.random_googlenet(seed=0, calibrate_on=data.normalize(val.images[:256]))
    imgs = {f"val {i}": val.images[i] for i in range(4)}
    b = feature_browser({"trained": model, "random": control}, imgs, preprocess=data.normalize)
    first = [_time(lambda n=n: setattr(b.w_image, "value", n)) for n in list(imgs)[1:]]
    stages = b.stages
    ms = {"channel": [], "stage": [], "branch": [], "network/image (cached)": []}
    for i in range(100):
        ms["channel"].append(_time(lambda: setattr(b.w_channel, "value", (b.w_channel.value + 1) % (b.w_channel.max + 1))))
    for i in range(100):
        ms["stage"].append(_time(lambda i=i: setattr(b.w_stage, "value", stages[i % len(stages)])))
    b.w_stage.value = "inception4a"
    for i in range(100):
        opts = list(b.w_branch.options)
        ms["branch"].append(_time(lambda i=i: setattr(b.w_branch, "value", opts[i % len(opts)])))
    nets, names = list(b.models), list(imgs)
    for n in nets:  # warm the cache for every (network, image) pair first
        for im in names:
            b.show(network=n, image=im)
    for i in range(100):
        ms["network/image (cached)"].append(_time(lambda i=i: (setattr(b.w_network, "value", nets[i % 2]),
                                                               setattr(b.w_image, "value", names[i % len(names)]))))
    print(f"torch threads: {torch.get_num_threads()}")
    print(f"{'update':26s} {'median ms':>10s} {'worst ms':>10s}")
    for k, v in ms.items():
        print(f"{k:26s} {statistics.median(v):10.1f} {max(v):10.1f}")
    print(f"{'first view of an image':26s} {statistics.median(first):10.1f} {max(first):10.1f}")


if __name__ == "__main__":
    main()
