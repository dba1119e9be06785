"""Notebook 04's live run: time to accuracy, and training throughput against this CPU's matmul rate.

    python benchmarks/bench_training.py                  # the live run, then the throughput table
    python benchmarks/bench_training.py --skip-live      # the throughput table only
    python benchmarks/bench_training.py --preset smoke   # another aux_ablation preset

1. **Time to accuracy.** Trains ``aux_ablation.PRESETS[preset]`` exactly as notebook 04 does
   (``aux_ablation.run``: its runs side by side, one thread each) and prints the wall time, each
   run's validation accuracy per epoch, and the time at which it first reached ``--target``.
   That time is estimated as the run's time x (epochs done / epochs), since every epoch does the
   same work.
2. **Throughput.** Steady-state training steps of the preset's network (its width, image size and
   batch) on a fixed batch, one thread, in both memory layouts and at a few batch sizes.

How FLOPs are counted: ``inception.cost`` gives the forward multiply-accumulates (MACs) per image
of the training-mode network (trunk + both auxiliary heads); 1 MAC = 2 FLOPs; a training step
costs ~3x the forward pass (forward, gradient w.r.t. activations, gradient w.r.t. weights).
Pooling, BatchNorm, ReLU and the optimizer are not counted (they are memory-bound), so the
achieved rate is a lower bound on the work done. Peak: the median GFLOP/s of ``torch.mm`` on
2048x2048 float32 matrices with the same thread count.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

import inception
from inception import cost, data as D
from inception import aux_ablation
from inception.train import googlenet_loss, make_model


def matmul_gflops(n: int = 2048, repeats: int = 5) -> list[float]:
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        torch.mm(a, b)
        out.append(2 * n**3 / (time.perf_counter() - t) / 1e9)
    return out


def flops_per_image(variant: str, width: float, image_size: int) -> float:
    cfg = inception.GoogLeNetConfig(variant=variant, stem="small", width=width, num_classes=10)
    return 3 * 2 * cost.totals(cost.layer_costs(cfg, image_size)).macs  # training mode: aux heads included


def train_rates(variant: str, width: float, image_size: int, batch: int, channels_last: bool, seconds: float,
                repeats: int) -> list[float]:
    """Images per second of AdamW training steps on one fixed batch, ``repeats`` timings of ``seconds`` each."""
    model = make_model(variant, width=width, init="kaiming" if variant == "paper" else None)
    model.train()
    x = D.normalize(D.synthetic(batch, image_size=image_size, seed=0).images)
    y = torch.arange(batch) % 10
    if channels_last:
        model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)

    def step() -> None:
        loss = googlenet_loss(model(x), y, aux_weight=0.3).total
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    step()
    rates = []
    for _ in range(repeats):
        n, t = 0, time.perf_counter()
        while time.perf_counter() - t < seconds:
            step()
            n += batch
        rates.append(n / (time.perf_counter() - t))
    return rates


def time_to_accuracy(setup: aux_ablation.Setup, target: float, peak_1thread: float) -> None:
    print(f"live run: {aux_ablation.describe(setup)}")
    t = time.perf_counter()
    results = aux_ablation.run(setup)
    wall = time.perf_counter() - t
    f = flops_per_image(setup.variants[0], setup.width, setup.image_size)
    print(f"wall time {wall:.1f} s for {len(results.runs)} runs ({setup.jobs} at a time, {setup.threads} thread each; "
          f"includes starting the worker processes and making the data)")
    for h in results.runs:
        val = h.epochs["val_main"]
        first = next((e for e, v in enumerate(val, 1) if v >= target), None)
        reach = f"after {h.seconds * first / len(val):.1f} s (epoch {first})" if first else "not reached"
        rate = setup.n_train * setup.epochs / h.seconds  # training images; the validation passes are in the time
        print(f"  {h.label}: {h.seconds:.1f} s, val acc per epoch {[round(v, 3) for v in val]}; "
              f">= {target} {reach}; {rate:.0f} img/s = {rate * f / 1e9:.2f} GFLOP/s "
              f"= {100 * rate * f / 1e9 / peak_1thread:.1f}% of 1-thread matmul")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--preset", choices=sorted(aux_ablation.PRESETS), default="live")
    p.add_argument("--target", type=float, default=0.6, help="validation accuracy to reach (default 0.6)")
    p.add_argument("--skip-live", action="store_true", help="only the throughput table")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--seconds", type=float, default=3.0, help="length of each throughput timing")
    args = p.parse_args()
    setup = aux_ablation.PRESETS[args.preset]
    torch.set_num_threads(1)
    peak1 = statistics.median(matmul_gflops(repeats=args.repeats))
    torch.set_num_threads(2)
    peak2 = statistics.median(matmul_gflops(repeats=args.repeats))
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}; float32 matmul (2048^2): {peak1:.1f} GFLOP/s on 1 thread, {peak2:.1f} on 2")
    if not args.skip_live:
        time_to_accuracy(setup, args.target, peak1)
    print(f"\nsteady-state training steps, 1 thread, width {setup.width:g}, {setup.image_size} px, AdamW, aux 0.3:")
    print(f"{'variant':8s} {'batch':>5s} {'layout':>13s} {'img/s med':>9s} {'worst':>7s} {'GFLOP/s':>8s} {'% of mm':>7s}")
    for variant in setup.variants:
        f = flops_per_image(variant, setup.width, setup.image_size)
        for batch in sorted({64, setup.batch_size, 2 * setup.batch_size}):
            for cl in (False, True):
                r = train_rates(variant, setup.width, setup.image_size, batch, cl, args.seconds, args.repeats)
                g = statistics.median(r) * f / 1e9
                print(f"{variant:8s} {batch:5d} {'channels_last' if cl else 'NCHW':>13s} {statistics.median(r):9.0f} "
                      f"{min(r):7.0f} {g:8.2f} {100 * g / peak1:6.1f}%", flush=True)


if __name__ == "__main__":
    main()
