# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 · Do the auxiliary classifiers help? An ablation you run yourself
#
# GoogLeNet attaches two small classifiers to the middle of the network, after blocks 4a and 4d.
# Section 5 of Szegedy et al. (2014) gives the reason: with 22 layers, "the ability to propagate
# gradients back through all the layers in an effective manner was a concern"; the side heads
# should "encourage discrimination in the lower stages", "increase the gradient signal that gets
# propagated back, and provide additional regularization". Their losses are added with weight
# **0.3**, and they are **discarded at inference**. A year later the Inception-v3 paper (Szegedy et
# al. 2015, section 4) reported that they did *not* speed up early training and acted mainly as
# regularizers.
#
# **You will learn** how to set up a fair ablation (arms that differ in one thing, several seeds,
# a difference compared with the seed spread), how to measure the gradient each stage receives,
# and what a laptop-sized experiment can and cannot say about the paper's claim.
#
# **You need** notebook 02 or 03 (the network and its variants), basic PyTorch training loops.
# The live run below takes under a minute on a laptop CPU; no downloads.

# %% [markdown]
# ## Parameters
#
# Change these (or pass them with papermill) to scale the live run up. `DATASET = "cifar10"`
# downloads CIFAR-10 (170 MB) once.

# %% tags=["parameters"]
DATASET = "synthetic"      # or "cifar10"
N_TRAIN, N_VAL = 1000, 400
EPOCHS = 2
WIDTH = 0.125              # multiplies every filter count of GoogLeNet
VARIANTS = ("bn",)         # add "paper" for the network without BatchNorm
AUX_WEIGHTS = (0.0, 0.3)
SEEDS = (0, 1)
THREADS = 1                # fixed, so reruns give identical numbers (1 is also the fastest
                           # per core for these small convolutions)

# %%
import torch
import inception
from inception import ablation, cost
from inception.display import Table
from inception.experiments import aux_ablation

torch.set_num_threads(THREADS)
setup = aux_ablation.Setup(variants=tuple(VARIANTS), aux_weights=tuple(AUX_WEIGHTS), seeds=tuple(SEEDS),
                           dataset=DATASET, n_train=N_TRAIN, n_val=N_VAL, epochs=EPOCHS, width=WIDTH,
                           threads=THREADS)
data = aux_ablation.load_data(setup)
print(f"{len(data[0])} training and {len(data[1])} validation images of {data[0].image_size} px, "
      f"{data[0].num_classes} classes")

# %% [markdown]
# ## The data: shapes and textures, drawn from a seed
#
# Each class is a *(shape, texture)* pair: the outline (disk, square, ring, cross, triangle) is
# coarse structure several pixels across, the texture (solid or striped, 4-6 px period) is fine
# structure. Colors, position, size, rotation, noise and clutter blobs are random per image, so
# neither color nor location gives the class away: the network has to combine small and large
# receptive fields, which is what an Inception block's parallel 1x1/3x3/5x5 branches offer.

# %%
data[0].plot_samples(per_class=8)

# %% [markdown]
# ## The network: a narrow GoogLeNet with all nine blocks and both heads
#
# `width` scales every filter count; the small-input stem (3x3 convolutions, one pooling) keeps the
# 32 px images at 16x16 in stage 3, 8x8 in stage 4 and 4x4 in stage 5. The auxiliary heads sit
# after 4a and 4d as in Figure 3. Costs from the analytic model (`inception.cost`):

# %%
cfg = inception.GoogLeNetConfig(variant="bn", stem="small", width=WIDTH, num_classes=data[0].num_classes)
layers = cost.layer_costs(cfg, data[0].image_size)
trunk, with_aux = cost.totals(layers, include_aux=False), cost.totals(layers)
Table(["", "parameters", "MACs per image"],
      [["trunk (used at inference)", trunk.params, trunk.macs],
       ["with both auxiliary heads (training)", with_aux.params, with_aux.macs]])

# %% [markdown]
# ## The live run
#
# Every arm trains the same network from the same initial weights for a given seed, on the same
# data, with SGD (momentum 0.9, cosine learning-rate decay); only the auxiliary weight differs.
# With weight 0 the auxiliary heads are still trained, but on *detached* features (a probe): their
# loss never reaches the trunk, so we can still ask how well the features at 4a and 4d classify.
# Per step `inception.train` records the losses and the gradient norm of every stage; per epoch,
# the accuracy of all three heads.

# %% [markdown]
# Training numbers depend on the CPU: PyTorch picks different SIMD kernels (AVX-512, AVX2, SSE) on
# different processors, and their floating-point sums round differently, so from the second step on
# the same seeded run gives slightly different losses on another machine. The tables of the live run
# are therefore not compared by `pytest --nbval`; the cell after each one checks, with a tolerance,
# what the prose says about it.

# %% tags=["nbval-ignore-output"]
live = aux_ablation.run(setup)
ablation.summary_table(live)

# %%
# check: every arm and seed ran, the losses are finite, and arms with the same seed start from the
# same weights on the same batch (their first-step main loss is identical: only the aux weight differs)
import math
assert len(live.runs) == len(VARIANTS) * len(AUX_WEIGHTS) * len(SEEDS)
assert all(math.isfinite(x) for h in live.runs for x in h.steps["loss"])
for v in VARIANTS:
    for seed in SEEDS:
        first = {w: h.steps["main"][0] for w in AUX_WEIGHTS for h in live.arm(v, w) if h.config["seed"] == seed}
        assert len(set(first.values())) == 1, first

# %% [markdown]
# Learning curves: the line is the mean over seeds, the band spans the seeds (min to max). The dotted
# line is chance (1/10).

# %%
ablation.plot_curves(live, metrics=("main", "val_main"), title="live run")

# %% [markdown]
# ### Does the lower network get more gradient with the auxiliary losses?
#
# Each stage's gradient norm, averaged over all steps and seeds. Below the heads (4a, 4d, dashed) an
# auxiliary loss adds a second gradient *vector* to the main one. The norm of the sum can be larger
# or smaller than the main gradient's alone: where the two point in different directions they
# partly cancel, so a ratio below 1 is possible. Above the heads the auxiliary losses add nothing
# directly; any difference there comes from the weights having moved differently.

# %%
ablation.plot_grad_by_depth(live)

# %% tags=["nbval-ignore-output"]
ablation.grad_ratio_table(live, "bn")

# %%
# check: the ratios in the table are positive, finite numbers for every stage
ratios = [row[2] for row in ablation.grad_ratio_table(live, "bn").rows]
assert len(ratios) == len(live.runs[0].grad_norm) and all(0 < r < math.inf for r in ratios), ratios

# %% [markdown]
# ### How discriminative are the lower stages?
#
# Validation accuracy of the three heads at the end of training. With weight 0 the auxiliary heads
# are probes on frozen features, with weight > 0 they also shape the features they read.

# %%
ablation.plot_heads(live, title="live run: final validation accuracy per head")

# %% tags=["nbval-ignore-output"]
ablation.comparisons_table(live)

# %% [markdown]
# Two seeds are the minimum to see noise at all: read the verdicts above as "detectable at this
# scale or not", never as a proof either way.

# %% [markdown]
# ## The full run: more data, more epochs, both variants, weights 0, 0.3 and 1.0
#
# The live run is small enough to watch; the committed results come from the same code at a larger
# scale, on the `bn` variant and on the `paper` variant (no BatchNorm: where vanishing gradients
# are a real threat). Regenerate them with (about 15-25 minutes on a 2-core CPU):
#
#     python -m inception.experiments.aux_ablation --preset full --out results/aux_ablation_full.json --force
#
# The file records the command, seeds, versions and hardware:

# %%
full = aux_ablation.load("../results/aux_ablation_full.json")
s = full.setup
print(full.meta["command"])
print(f"{len(full.runs)} runs; {s['n_train']} training images, {s['epochs']} epochs, width {s['width']}, "
      f"seeds {full.meta['seeds']}")
print("versions:", full.meta["versions"])
print("hardware:", {k: full.meta["hardware"][k] for k in ("cpu", "cores", "torch_threads_per_run")})

# %%
ablation.summary_table(full)

# %%
ablation.plot_curves(full, metrics=("main", "val_main"), title="full run")

# %%
ablation.plot_grad_by_depth(full)

# %%
Table(["variant", "stage", "ratio aux 0.3 / aux 0", "ratio aux 1 / aux 0"],
      [[v, row[0], row[2], row[3]] for v in ("bn", "paper")
       for row in ablation.grad_ratio_table(full, v).rows if row[0] in ("conv1", "3a", "4a", "4d", "5b")])

# %%
ablation.plot_heads(full, title="full run: final validation accuracy per head")

# %%
ablation.comparisons_table(full)

# %% [markdown]
# ### What the numbers say, against the paper
#
# Read the verdict table above: a difference counts only if it is larger than the spread between
# seeds. The printout below states, from the numbers, the claims this run can test:

# %%
print(ablation.conclusions(full))

# %% [markdown]
# What this scale cannot show: the paper trained the full-width network on 1.2 M ImageNet images
# (section 6 estimates "within a week" on a few high-end GPUs); here a narrow network sees a few thousand 32 px images for a few epochs, with two
# seeds. A "no detectable effect" means "smaller than the seed spread at this scale", not "no
# effect". Inception-v3's finding (no faster early training; a small gain near the end, as a
# regularizer) is about the end of long training, which this budget does not reach.

# %% [markdown]
# ## Interactive: choose arms and metrics, train one more run
#
# Pick arms and a metric; the button trains one more seed of the chosen arm (variant and
# auxiliary weight) with the live run's settings and adds it to the plot, with a progress bar. Below
# the widget, the same plot in its default state.

# %%
explorer = ablation.AblationExplorer(live, setup, data, seed=max(SEEDS) + 1)
explorer.widget()

# %%
explorer.figure()

# %% [markdown]
# ## Summary
# - The auxiliary classifiers are cheap side heads after 4a and 4d; their losses (weight 0.3) add
#   gradient to the lower half of the network, and they are dropped at inference.
# - A fair ablation changes one thing, repeats over seeds and compares a difference with the
#   seed spread; the tables above compute that verdict instead of asserting it.
#
# ## Exercises
# 1. Which is the lowest stage whose gradient gets *no direct* contribution from the auxiliary
#    losses? `ablation.check_first_stage_reached("...")`.
# 2. From `ablation.grad_ratio_table(live, "bn")`, read the ratio at `conv1` and check it:
#    `ablation.check_ratio(live, "bn", "conv1", answer)`.
# 3. Set `VARIANTS = ("bn", "paper")` in the parameters cell and rerun: does the network without
#    BatchNorm train at all in this budget? Compare `summary_table` rows.

# %%
answer = None  # e.g. "4b"
print(ablation.check_first_stage_reached(answer))
answer = None  # a number, e.g. 1.5
print(ablation.check_ratio(live, "bn", "conv1", answer))
