"""Training throughput of the default mini GoogLeNet, against this machine's float32 matmul rate.

    python benchmarks/bench_training.py [--threads 2] [--repeats 5]

How FLOPs are counted: ``inception.cost`` gives the forward multiply-accumulates (MACs) per image
of the training-mode network (trunk + both auxiliary heads); 1 MAC = 2 FLOPs; a training step
costs ~3x the forward pass (forward, gradient w.r.t. activations, gradient w.r.t. weights).
Pooling, BatchNorm, ReLU, LRN and the optimizer are not counted (they are memory-bound), so
the achieved rate is a lower bound on the work done. Peak: the median GFLOP/s of
``torch.mm`` on 2048x2048 float32 matrices with the same thread count.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

import inception
from inception import cost, data as D
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


def train_rates(variant: str, width: float, batch: int, channels_last: bool, steps: int, repeats: int) -> list[float]:
    model = make_model(variant, width=width)
    model.train()
    x = D.normalize(D.synthetic(batch, seed=0).images)
    y = torch.arange(batch) % 10
    if channels_last:
        model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step() -> None:
        loss = googlenet_loss(model(x), y, aux_weight=0.3).total
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    step()
    rates = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(steps):
            step()
        rates.append(batch * steps / (time.perf_counter() - t))
    return rates


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--width", type=float, default=0.125)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    peak = matmul_gflops(repeats=args.repeats)
    print(f"torch {torch.__version__}, {args.threads} threads")
    print(f"float32 matmul (2048^2): median {statistics.median(peak):.1f} GFLOP/s, worst {min(peak):.1f}")
    cfg = inception.GoogLeNetConfig(variant="bn", stem="small", width=args.width, num_classes=10)
    macs = cost.totals(cost.layer_costs(cfg, 32)).macs  # training mode: aux heads included
    flops_per_image = 3 * 2 * macs
    print(f"mini GoogLeNet width {args.width}: {macs / 1e6:.2f} M MACs/image forward -> "
          f"{flops_per_image / 1e6:.1f} MFLOP/image per training step (3 x forward)")
    print(f"{'variant':8s} {'batch':>5s} {'layout':>13s} {'img/s med':>9s} {'worst':>7s} {'GFLOP/s':>8s} {'% of mm':>7s}")
    for variant in ("bn", "paper"):
        for batch in (64, 128):
            for cl in (False, True):
                r = train_rates(variant, args.width, batch, cl, args.steps, args.repeats)
                med = statistics.median(r)
                g = med * flops_per_image / 1e9
                print(f"{variant:8s} {batch:5d} {'channels_last' if cl else 'NCHW':>13s} {med:9.0f} {min(r):7.0f} "
                      f"{g:8.2f} {100 * g / statistics.median(peak):6.1f}%", flush=True)


if __name__ == "__main__":
    main()
