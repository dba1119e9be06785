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
# GoogLeNet attaches two small classifiers to the middle of the network, after blocks 4a and 4d
# (Figure 3). Section 5 of Szegedy et al. (2014) gives three reasons: with 22 layers, "the ability
# to propagate gradients back through all the layers in an effective manner was a concern"; the
# side heads should "encourage discrimination in the lower stages in the classifier, increase the
# gradient signal that gets propagated back, and provide additional regularization". Their losses
# are added to the main loss with weight **0.3**, and the heads are **discarded at inference**.
# A year later, section 4 of the Inception-v3 paper (Szegedy et al. 2015, "Rethinking the Inception
# architecture") reported that they did *not* speed up early training, gave a small gain only near
# the end, acted mainly as regularizers, and that the lower head could be removed without harm.
#
# **You will learn**
# - what the auxiliary heads cost (parameters, MACs) and that inference never runs them;
# - how to set up a fair ablation: arms that differ in one thing, several seeds, each arm at its own
#   best learning rate, and a seed-paired difference with a 95% confidence interval;
# - why a training recipe must make *every* arm learn before any comparison means something, and why
#   the BatchNorm-free network needs a different initialisation than the one the Caffe replication used;
# - how to measure the gradient each stage receives, and why adding a loss can make it *smaller*;
# - what this experiment says about each of the paper's three reasons, and about Inception-v3's.
#
# **You need** notebook 02 or 03 (the network and its variants) and a PyTorch training loop. The live
# run takes about a minute on a 2-core laptop CPU; the full run's results are committed. No downloads.

# %% [markdown]
# ## Parameters
#
# The live run is the preset `live` of `inception.aux_ablation`: this cell is the only
# place the notebook chooses it, and the command
#
#     python -m inception.experiments.aux_ablation --preset live --out live.json
#
# trains exactly the same runs (same setup, seeds and threads, so the same numbers on one machine).
# Pass any `Setup` field in `OVERRIDES` (or with papermill) to change it.

# %% tags=["colab-setup"]
# Setup for Google Colab: there, clone the collection, install it and enable ipywidgets 8 widgets.
# Anywhere else this cell does nothing when `inception` imports (source: tools/colab_setup.py).
import importlib.util, os, subprocess, sys

REPO_URL = "https://github.com/OWNER/inception-notebooks"  # README, "Launch paths": set OWNER once
if "google.colab" in sys.modules:
    from google.colab import output

    output.enable_custom_widget_manager()  # ipywidgets 8 widgets in Colab
    _repo = "/content/inception-notebooks"
    if importlib.util.find_spec("inception") is None:
        if "/OWNER/" in REPO_URL:
            raise RuntimeError("REPO_URL in this cell still holds the placeholder OWNER: see the README")
        if not os.path.isdir(_repo):
            subprocess.run(["git", "clone", "--depth", "1", REPO_URL, _repo], check=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", _repo], check=True)
        importlib.invalidate_caches()
    if os.path.isdir(_repo):
        os.chdir(_repo + "/notebooks")  # notebook 04 reads ../results/
elif importlib.util.find_spec("inception") is None:
    raise ModuleNotFoundError("the inception package is not installed: `pip install -e .` in the repository "
                              "(README, Quick start)")


# %% tags=["parameters"]
PRESET = "live"   # "smoke": seconds, nothing learned; "full": the committed run (about 1.5 h)
OVERRIDES = {}    # any Setup field, e.g. {"seeds": (0, 1)} or {"variants": ("bn", "paper")}

# %%
import math
from dataclasses import replace

import inception
from inception import ablation, widgets
from inception.display import Table
from inception import aux_ablation

setup = replace(aux_ablation.PRESETS[PRESET], **OVERRIDES)
data = aux_ablation.load_data(setup)
print(aux_ablation.describe(setup))

# %% [markdown]
# ## The data: shapes and textures, drawn from a seed
#
# Each class is a *(shape, texture)* pair: the outline (disk, square, ring, cross, triangle) is
# coarse structure, the texture (solid or striped) fine structure. Colors, position, size,
# rotation, noise and clutter blobs are random per image, so neither color nor location gives the
# class away: the network has to combine small and large receptive fields, which is what an
# Inception block's parallel 1x1/3x3/5x5 branches offer. The live run draws them at 24 px without
# clutter blobs, so that a minute of training gets far; the full run uses 32 px images with two
# clutter blobs each. Both scales shrink with the image (from the generator's own constants):

# %%
Table(["image size", "shape radius (px)", "stripe period (px)"],
      [[f"{size} px"] + [f"{lo:g} to {hi:g}" for lo, hi in inception.data.synthetic_scales(size).values()]
       for size in (setup.image_size, 32)])

# %%
data[0].plot_samples(per_class=8)

# %% [markdown]
# ## What the auxiliary heads cost, and that inference drops them
#
# Each head is an average pool (5x5, stride 3), a 1x1 convolution to 128 channels, a fully
# connected layer of 1024 units, dropout 0.7 and a classifier (section 5). Computed by the analytic
# cost model for the paper's network at 224 px and for this notebook's narrow network:

# %%
rows = []
for label, cfg, size in [
    ("GoogLeNet, 224 px, 1000 classes", inception.GoogLeNetConfig(variant="paper"), 224),
    (f"this notebook: width {setup.width:g}, {setup.image_size} px, 10 classes",
     inception.GoogLeNetConfig(variant="bn", stem="small", width=setup.width, num_classes=data[0].num_classes),
     setup.image_size),
]:
    layers = inception.cost.layer_costs(cfg, size)
    trunk, train_net = inception.cost.totals(layers, include_aux=False), inception.cost.totals(layers)
    share_p, share_m = ablation.aux_share(cfg, size)
    rows.append([label, trunk.params, train_net.params - trunk.params, f"{share_p:.1%}",
                 trunk.macs, train_net.macs - trunk.macs, f"{share_m:.2%}"])
Table(["network", "trunk params", "aux heads params", "aux share", "trunk MACs", "aux heads MACs", "aux share"], rows)

# %% [markdown]
# The heads hold almost half of the training network's parameters (their 1024-unit layers), but
# only about 0.5% of GoogLeNet's compute, because they read small maps (a few percent in the
# narrow network here, whose trunk is much cheaper). In evaluation mode the model does not run
# them: the output has no auxiliary logits, and the trunk alone is what you deploy.

# %% jupyter={"source_hidden": true} tags=["assert"]
# check: in both networks the heads hold over 40% of the parameters; in GoogLeNet under 1% of the MACs
assert all(float(row[3].rstrip("%")) > 40 for row in rows) and float(rows[0][6].rstrip("%")) < 1

# %%
model = inception.train.make_model("bn", width=setup.width, num_classes=data[0].num_classes, seed=0).eval()
out = model(inception.data.normalize(data[1].images[:4]))
print("eval mode: aux1", out.aux1, "| aux2", out.aux2, "| logits", tuple(out.logits.shape))
assert out.aux1 is None and out.aux2 is None

# %% [markdown]
# ## A recipe under which every arm learns
#
# An ablation compares arms that *learned*; an arm stuck at chance is a bug in the recipe, not a
# finding. Two things matter here:
#
# - **Initialisation of the BatchNorm-free `paper` network.** The Caffe replication of GoogLeNet
#   fills weights uniformly with variance 1/fan_in ("xavier") and sets conv biases to 0.2. Each ReLU
#   halves a signal's second moment, so with variance 1/fan_in the input-dependent part of the signal
#   shrinks layer after layer and the constant biases take over; He et al. (2015) showed that
#   variance 2/fan_in ("Kaiming") keeps it constant. The full run uses Kaiming for `paper`; the
#   `caffe` preset trains the same network with the Caffe fill (below).
# - **Optimizer and schedule.** AdamW (weight decay 1e-4) with a 5% linear warm-up and cosine decay
#   trains both variants from the same settings; each arm's learning rate comes from a sweep.
#   The paper itself used asynchronous SGD with momentum 0.9 and a step schedule for weeks of GPU
#   time; at this scale the exact optimizer matters less than that every arm converges.
#
# `inception.train.train` documents these options (`optimizer`, `warmup`, `aux_weight`, `device`).
#
# The initialisation effect is visible before any training. For each stage of the untrained `paper`
# network, `inception.features.signal_share` measures how much of the output varies from image to
# image (between-image standard deviation over RMS; near 0 means every image gives nearly the same
# output):

# %%
x = inception.data.normalize(data[1].images[:128])
share = {init: inception.features.signal_share(
             inception.train.make_model("paper", width=setup.width, num_classes=data[1].num_classes, seed=0, init=init), x)
         for init in ("caffe", "kaiming")}
Table(["init"] + list(share["caffe"]), [[init] + list(s.values()) for init, s in share.items()],
      title="untrained paper network: input-dependent share of each stage's output", digits=2)

# %% jupyter={"source_hidden": true} tags=["assert"]
# check: with the Caffe fill the logits barely depend on the input; with Kaiming a good part does
assert share["caffe"]["logits"] < 0.05 < 0.2 < share["kaiming"]["logits"], share
assert all(share["caffe"][k] < share["kaiming"][k] for k in share["caffe"] if k not in ("conv1", "conv2"))

# %% [markdown]
# Does it matter once training starts? The committed `caffe` run (`--preset caffe`) trained the
# `paper` network with the Caffe fill under exactly the full run's recipe, at its common learning
# rate; the full run (below) trained the same network, seeds and data with Kaiming's:

# %%
full = aux_ablation.load("../results/aux_ablation_full.json")
caffe = aux_ablation.load("../results/aux_ablation_caffe.json")
init_rows = []
for label, res in (("caffe (xavier, bias 0.2)", caffe), ("kaiming", full)):
    for w in (0.0, 0.3):
        for h in res.arm("paper", w, lr=caffe.common_lr("paper")):
            if h.config["seed"] in caffe.setup["seeds"]:
                init_rows.append([label, ablation.weight_label(w), h.config["seed"]] + h.epochs["val_main"])
Table(["init", "aux", "seed"] + [f"epoch {e + 1}" for e in range(len(init_rows[0]) - 3)], init_rows,
      title="paper network: validation accuracy per epoch, lr 0.002", digits=3)

# %% [markdown]
# With the Caffe fill the network never leaves chance (0.10) in this budget, with or without the
# auxiliary losses: heads attached at 4a and 4d cannot rescue a signal that is mostly gone by then.
# The same network, seed, data and optimizer with Kaiming's initialisation learns. (The BVLC Caffe
# replication did train the full-size network from this fill, with SGD over about 60 ImageNet
# epochs, and reports about 69% top-1; what stalls here is a narrow network on a short budget.
# BatchNorm, or a variance-preserving initialisation, removes the problem altogether.)

# %% jupyter={"source_hidden": true} tags=["assert"]
# check: every Caffe-fill run stays within 0.05 of chance; the Kaiming runs of the same seeds pass 0.35
assert all(abs(row[-1] - 0.1) < 0.05 for row in init_rows if row[0].startswith("caffe")), init_rows
assert all(row[-1] > 0.35 for row in init_rows if row[0] == "kaiming"), init_rows

# %% [markdown]
# ## The live run
#
# Every arm trains the same network from the same initial weights for a given seed, on the same
# data in the same order; only the auxiliary weight differs. With weight 0 the auxiliary heads are
# still trained, but on *detached* features (a probe): their loss never reaches the trunk, so we can
# still ask how well the features at 4a and 4d classify.
#
# Training numbers depend on the CPU: PyTorch picks different SIMD kernels (AVX-512, AVX2, SSE) on
# different processors, and their floating-point sums round differently, so from the second step on
# the same seeded run gives slightly different losses on another machine. The tables of the live run
# are therefore not compared by `pytest --nbval`; the cell after each one checks, with a tolerance,
# what the prose says about it.

# %% tags=["nbval-ignore-output"]
live = aux_ablation.run(setup)
print(f"{len(live.runs)} runs in {live.meta['seconds']:.0f} s")
ablation.summary_table(live)

# %% jupyter={"source_hidden": true} tags=["assert"]
# check: every run is there with finite losses; arms with the same seed start from the same weights
# on the same batch (identical first-step main loss); and every run learned far above chance (0.1)
assert len(live.runs) == setup.num_runs
assert all(math.isfinite(x) for h in live.runs for x in h.steps["loss"])
for v in setup.variants:
    for seed in setup.seeds:
        first = {h.steps["main"][0] for h in live.runs if h.config["variant"] == v and h.config["seed"] == seed}
        assert len(first) == 1, first
if PRESET == "live":
    assert min(h.final("val_main") for h in live.runs) >= 0.6, ablation.summary_table(live)

# %% [markdown]
# Learning curves: the main head's loss per step and its validation accuracy per epoch. The dotted
# line is chance (1/10).

# %%
ablation.plot_curves(live, metrics=("main", "val_main"), title="live run")

# %% [markdown]
# ### Does the lower network get more gradient with the auxiliary losses?
#
# Each stage's gradient norm, averaged over all steps. Below a head (4a, 4d: dashed) an auxiliary
# loss adds a second gradient *vector* to the main one. The norm of a sum is not the sum of the
# norms: where the two vectors point in different directions they partly cancel, so the norm can be
# larger *or smaller* than the main gradient's alone. Above the heads the auxiliary losses add
# nothing directly; any difference there comes from the weights having moved differently.

# %%
ablation.plot_grad_by_depth(live)

# %% tags=["nbval-ignore-output"]
ablation.grad_ratio_table(live, "bn")

# %% jupyter={"source_hidden": true} tags=["assert"]
# check: the ratios are positive, finite numbers for every stage
ratios = [row[2] for row in ablation.grad_ratio_table(live, "bn").rows]
assert len(ratios) == len(live.runs[0].grad_norm) and all(0 < r < math.inf for r in ratios), ratios

# %% [markdown]
# ### What one live run can and cannot show
#
# The live run has one seed per arm. It shows that the network learns and lets you watch the
# gradients, but a single pair of runs cannot separate the arms: the difference between them has
# to be compared with how much runs differ from seed to seed, and that needs several seeds. The
# full run below has five per arm; its section 3 compares the live difference with that spread.

# %% [markdown]
# ## The full run: both variants, five weightings, five seeds, each at its best learning rate
#
# Arms (aux1 after 4a, aux2 after 4d): (0, 0) no auxiliary loss, (0.3, 0.3) the paper's, (1, 1)
# heavy, (0.3, 0) and (0, 0.3) one head each (Inception-v3 reports that the lower head can go).
# Both variants: `bn` (BatchNorm after every convolution, as in torchvision) and `paper` (no
# BatchNorm: where the 2014 concern about gradients through 22 layers is real).
#
# Adding auxiliary losses at a fixed learning rate also changes the size of the steps the lower
# layers take, so an effect could be a learning-rate effect in disguise. The protocol controls for
# this: each arm's learning rate is swept (3 values, seed 0), its other seeds run at the best one,
# and the (0, 0) and (0.3, 0.3) arms also run at one common rate. Regenerate (about 1.5 h on a
# 2-core CPU; minutes with `--device cuda`; `--resume` continues an interrupted run):
#
#     python -m inception.experiments.aux_ablation --preset full --out results/aux_ablation_full.json --force

# %%
print(full.meta["command"])
print(aux_ablation.describe(aux_ablation.Setup.from_dict(full.setup)))
print(f"{len(full.runs)} runs, {full.meta['seconds'] / 3600:.1f} h; complete: {full.meta['complete']}")
print("versions:", full.meta["versions"])
print("hardware:", {k: full.meta["hardware"][k] for k in ("cpu", "cores", "torch_threads_per_run")})

# %% [markdown]
# ### 1. The learning-rate sweep

# %%
ablation.sweep_table(full)

# %% [markdown]
# For `paper`, 0.002 wins for every arm. For `bn` the winners scatter over all three rates, and the
# differences within a row are about as large as the seed spread measured below (section 2): with
# one seed per rate, the choice is partly noise. The common-LR control in section 3 is the check on it.

# %% jupyter={"source_hidden": true} tags=["assert"]
# check: paper's chosen LR is 0.002 for every arm; bn's choices use more than one rate
chosen = {(row[0], row[1]): row[-1] for row in ablation.sweep_table(full).rows}
assert {lr for (v, _), lr in chosen.items() if v == "paper"} == {"0.002"}
assert len({lr for (v, _), lr in chosen.items() if v == "bn"}) > 1

# %% [markdown]
# ### 2. Did every arm learn, and stop improving?
#
# A comparison of unfinished runs measures speed, not where training ends. For each arm at its
# chosen learning rate: how much the validation accuracy still moved in the last epoch (and, a
# stricter test, per epoch over the last two), against the spread (standard deviation) of the final
# accuracy across seeds.

# %%
ablation.plateau_table(full, last=1)

# %%
ablation.plateau_table(full, last=2)

# %%
ablation.summary_table(full)

# %%
ablation.plot_curves(full, metrics=("main", "val_main"), arms=[a for a in full.arms if a[0] == "bn"],
                     title="full run, bn (each arm at its chosen LR)")

# %%
ablation.plot_curves(full, metrics=("main", "val_main"), arms=[a for a in full.arms if a[0] == "paper"],
                     title="full run, paper (each arm at its chosen LR)")

# %% [markdown]
# ### 3. The verdicts: seed-paired differences with 95% confidence intervals
#
# For each seed, the arm's final validation accuracy minus the (0, 0) arm's with the same seed
# (same initial weights, same batch order): pairing removes what a seed does to both arms alike.
# The interval is mean ± t(0.975, n−1) · sd/√n over the n = 5 seeds; the verdict says "higher" or
# "lower" only when the interval excludes 0.

# %%
ablation.comparisons_table(full)

# %% [markdown]
# The sweep chose each arm's learning rate by seed 0's result, so seed 0's runs are the best of
# three and flatter their arm a little (a winner's curse, largest where the sweep's differences are
# mostly seed noise). Leaving seed 0 out (4 seeds, wider intervals) checks that no verdict rests on it:

# %%
held_out = [s for s in full.setup["seeds"] if s != full.setup["seeds"][0]]
ablation.comparisons_table(full, seeds=held_out)

# %% [markdown]
# And the control for the learning rate itself: the (0, 0) and (0.3, 0.3) arms with every seed at
# one common rate, as most published ablations would run them.

# %%
ablation.comparisons_table(full, lr="common")

# %% [markdown]
# **What the live run could show.** A single pair of runs has no interval at all. How far apart two
# runs of the *same* arm land is measured here: the seed-to-seed standard deviation of the paired
# difference "(0.3, 0.3) minus (0, 0)" for `bn`. A live difference smaller than about twice that
# says nothing about the auxiliary losses.

# %%
c = ablation.compare(full, "bn", 0.0, 0.3)
print(f"full run, bn: sd of the paired difference over {c.paired.n} seeds = {c.paired.sd:.3f}")

# %% tags=["nbval-ignore-output"]
if {0.0, 0.3} <= {w for v, w in live.arms if v == "bn"}:
    d_live = live.arm("bn", 0.3)[0].final("val_main") - live.arm("bn", 0.0)[0].final("val_main")
    print(f"live run, bn, seed {setup.seeds[0]}: (0.3, 0.3) minus (0, 0) = {d_live:+.3f}")

# %% [markdown]
# ### 4. Gradient by depth, at the common learning rate
#
# Only runs at the same learning rate are compared here (at different rates the weights, and with
# them the gradients, would differ for that reason alone). One caution in reading the ratios:
# AdamW divides each parameter's step by the running RMS of its gradient, so a gradient 1.5 times
# larger does not make the step 1.5 times larger, as it would with plain SGD. What the auxiliary
# losses change under AdamW is mainly the *direction* of the lower layers' steps. The paper trained
# with SGD, where the size changes too; the LR sweep above is the control for that.

# %%
ablation.plot_grad_by_depth(full, lr="common")

# %%
Table(["variant", "stage", "ratio aux 0.3 / aux 0"],
      [[v, row[0], row[2]] for v in ("bn", "paper")
       for row in ablation.grad_ratio_table(full, v, lr="common").rows if row[0] in ("conv1", "3a", "4a", "4d", "5b")])

# %% [markdown]
# ### 5. How discriminative are the lower stages?

# %%
ablation.plot_heads(full, title="full run: final validation accuracy per head")

# %% [markdown]
# ### 6. The papers' claims, one by one

# %%
ablation.claims_table(full, "bn")

# %%
ablation.claims_table(full, "paper")

# %% [markdown]
# ### What the full run shows, against the paper
#
# - **Every arm learned.** All runs ended far above chance (table 2): the `bn` network near 0.8,
#   the network without BatchNorm near 0.5 on the same budget, the gap BatchNorm was invented to
#   close (Ioffe & Szegedy 2015). In the last epoch, with the learning rate annealed to almost zero,
#   every arm moved by less than its seed spread. Over the last *two* epochs every `paper` arm passes
#   too, but three of the five `bn` arms were still climbing faster than their seeds differ: these
#   are comparisons at the end of equal budgets, not of fully converged networks.
# - **Gradient signal (section 5).** At the common learning rate the paper's weighting raises the
#   gradient that reaches `conv1` of the `paper` network by about half, an effect the interval
#   confirms; in `bn` the point estimate is similar but the seeds disagree too much to be sure.
#   This is the mechanism section 5 names, and it is largest where there is no BatchNorm.
# - **Discrimination in the lower stages (section 5).** The head at 4a classifies better when its
#   loss shapes the features it reads: detectably in `paper`, not detectably in `bn`.
# - **A better final network (section 5's regularisation; Inception-v3's "slightly higher
#   plateau").** No weighting changed the main head's final accuracy detectably, in either
#   variant, at each arm's best learning rate or at the common one. The intervals reach ±0.05 to
#   ±0.09, so effects of that size are not excluded; for `paper` every point estimate is positive.
#   Consistent with a small late gain, but this run does not show one.
# - **No faster early training (Inception-v3).** The first half of training is indistinguishable
#   with and without the auxiliary losses in both variants, as Inception-v3 reported.
# - **The lower head is removable (Inception-v3).** Training with the 4d head alone is not
#   detectably worse than with both heads, in either variant.
#
# Read these with three caveats. Eight comparisons per table at 95% each will show a false
# "higher" or "lower" now and then (the held-out table above has one; it disappears with all five
# seeds). The single-seed LR sweep is itself noisy: for `bn` its differences are about the size of
# the seed spread. And the scale is tiny: width 0.125, 32 px, 6,000 images and 8 epochs, where the
# paper trained the full network on 1.2 million images with SGD for many epochs; the 2014 concern
# about gradients through 22 layers is strongest in exactly the setting this laptop cannot reach.

# %% jupyter={"source_hidden": true} tags=["assert"]
# check: the prose above, against the numbers
bn_claims, paper_claims = ({row[1]: row[-1] for row in ablation.claims_table(full, v).rows} for v in ("bn", "paper"))
gradient, lower, final, early, removable = (c[1] for c in ablation.CLAIMS)
finals = {v: [h.final("val_main") for w in (a for vv, a in full.arms if vv == v) for h in full.arm(v, w)]
          for v in ("bn", "paper")}
assert min(finals["bn"]) > 0.6 and min(finals["paper"]) > 0.3          # every run far above chance (0.1)
assert 0.7 < sum(finals["bn"]) / len(finals["bn"]) < 0.9 and 0.4 < sum(finals["paper"]) / len(finals["paper"]) < 0.6
last_epoch, last_two = ablation.plateau_table(full, last=1), ablation.plateau_table(full, last=2)
assert all(row[-1] == "yes" for row in last_epoch.rows), last_epoch
assert [(row[0], row[1]) for row in last_two.rows if row[-1] == "no"] == [("bn", "1"), ("bn", "(0.3, 0)"), ("bn", "(0, 0.3)")]
assert all(row[-1] == "yes" for row in last_two.rows if row[0] == "paper")
assert len(ablation.comparisons_table(full).rows) == 8
assert paper_claims[gradient] == "more" and bn_claims[gradient] == "no detectable difference"
assert paper_claims[lower] == "higher" and bn_claims[lower] == "no detectable difference"
for lr in ("chosen", "common"):
    assert {row[-1] for row in ablation.comparisons_table(full, lr=lr).rows} == {"no detectable difference"}
assert all(row[6] > 0 for row in ablation.comparisons_table(full).rows if row[0] == "paper")
assert bn_claims[early] == paper_claims[early] == "no detectable difference"
assert bn_claims[removable] == paper_claims[removable] == "no detectable difference"

# %% [markdown]
# ## Interactive: choose arms and metrics, train one more run
#
# Pick arms and a metric; the button trains one more seed of the chosen arm (variant and
# auxiliary weight) with the live run's settings and adds it to the plot, with a progress bar. Below
# the widget, the same plot in its default state.

# %%
explorer = widgets.AblationExplorer(live, setup, data, seed=max(setup.seeds) + 1)
explorer.widget()

# %%
explorer.figure()

# %% [markdown]
# ## Summary
#
# - The auxiliary heads sit after 4a and 4d; their losses (weight 0.3) add gradient to the lower
#   network during training. They hold almost half of the training network's parameters and about
#   0.5% of GoogLeNet's compute, and inference never runs them.
# - A fair ablation changes one thing, gives every arm its own best learning rate (and checks a
#   common one), repeats over seeds and reads a seed-paired difference with a confidence interval.
#   An arm that stays at chance is a broken recipe: the `paper` network needs a variance-preserving
#   initialisation, because the Caffe fill lets the biases swamp the input.
# - Adding a loss adds a gradient vector; the norm below a head can rise or fall.
# - At laptop scale, the auxiliary losses visibly strengthen the lower layers' gradient and the
#   4a features of the network without BatchNorm (section 5's mechanism), but no weighting changes
#   the final accuracy detectably, early training is not faster and the lower head can go: the
#   picture Inception-v3 (section 4) drew, where they matter mostly as a mild regulariser.
#
# ## Exercises
#
# Each exercise has a check: replace `None` by your answer and run the cell. Worked solutions follow
# in collapsed cells (click to expand).
#
# **1.** Which is the lowest stage whose gradient gets *no direct* contribution from the auxiliary
# losses?

# %%
answer = None  # a stage name such as "4b"
ablation.check_first_stage_reached(answer)

# %% jupyter={"source_hidden": true}
# aux2 reads the output of 4d, so 4d and everything below it receive its gradient; 4e is the first that does not
ablation.check_first_stage_reached("4e")

# %% [markdown]
# **2.** In the full run at the common learning rate, by what factor does the (0.3, 0.3) arm's mean
# gradient norm at `conv1` exceed the (0, 0) arm's in the `paper` network? Use `h.mean_grad_norm("conv1")`
# of the runs `full.arm("paper", w, lr="common")`.

# %%
answer = None  # a number, e.g. 1.5
ablation.check_ratio(full, "paper", "conv1", answer, lr="common")

# %% jupyter={"source_hidden": true}
import statistics
g = {w: statistics.fmean(h.mean_grad_norm("conv1") for h in full.arm("paper", w, lr="common")) for w in (0.0, 0.3)}
ablation.check_ratio(full, "paper", "conv1", g[0.3] / g[0.0], lr="common")

# %% [markdown]
# **3.** Compute, by hand, the 95% confidence interval of the paired difference "(0.3, 0.3) minus
# (0, 0)" in final validation accuracy for the `paper` network, each arm at its chosen learning rate
# (`full.arm("paper", w)`, runs sorted by seed; `inception.stats.t_quantile(0.975, n - 1)`).

# %%
answer = None  # (low, high)
ablation.check_interval(full, "paper", 0.3, answer)

# %% jupyter={"source_hidden": true}
from inception.stats import t_quantile
d = [b.final("val_main") - a.final("val_main") for a, b in zip(full.arm("paper", 0.0), full.arm("paper", 0.3))]
half = t_quantile(0.975, len(d) - 1) * statistics.stdev(d) / math.sqrt(len(d))
ablation.check_interval(full, "paper", 0.3, (statistics.fmean(d) - half, statistics.fmean(d) + half))

# %% [markdown]
# **4.** What fraction of the *training* network's parameters sits in the two auxiliary heads of the
# paper's GoogLeNet (224 px, 1000 classes)? Use `inception.cost.layer_costs` and `inception.cost.totals`.

# %%
answer = None  # a fraction, e.g. 0.25
cfg224 = inception.GoogLeNetConfig(variant="paper")
ablation.check_aux_share(answer, cfg224, 224)

# %% jupyter={"source_hidden": true}
layers = inception.cost.layer_costs(cfg224, 224)
with_heads, trunk = inception.cost.totals(layers), inception.cost.totals(layers, include_aux=False)
ablation.check_aux_share((with_heads.params - trunk.params) / with_heads.params, cfg224, 224)
