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
# # 01 - Why 1x1 convolutions?
#
# GoogLeNet's Inception block puts a 1x1 convolution in front of every 3x3 and 5x5 convolution and
# after the pooling (Szegedy et al. 2014, *Going deeper with convolutions*, Figure 2b). This
# notebook shows, with exact numbers, why the block would not work without them.
#
# **You will learn**
# - why the paper wanted parallel 1x1, 3x3 and 5x5 branches at all (section 3's argument from
#   sparse networks);
# - what the *naive* Inception module (Figure 2a) costs on a real GoogLeNet input, and why stacking
#   it makes the channel count grow block after block;
# - that a 1x1 convolution is a fully connected layer applied at every pixel (checked numerically);
# - the cost formulas of a convolution, and how much a 1x1 reduction saves on the 5x5 branch of
#   block 3a;
# - where a reduction stops paying off (the break-even width), with a slider widget;
# - what a reduction can cost in representation: the best linear reconstruction of a block's input
#   from r channels, measured on a trained network, and Inception-v3's "avoid representational
#   bottlenecks".
#
# **You need** PyTorch basics (`nn.Conv2d`, `nn.Linear`, tensor shapes) and convolution arithmetic
# (kernel, stride, padding). Runs in seconds on a laptop CPU; nothing is downloaded (section 5 uses
# the small trained network that ships with the package).
#
# All costs below come from `inception.cost`, an exact analytic cost model (tested against
# `torchinfo` and PyTorch's `FlopCounterMode`). We count as Table 1 of the paper does: **weights**
# without biases, and **MACs** (multiply-accumulates) per image.

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


# %%
import torch
from torch import nn

import inception
from inception import blockviz as bv, cost, widgets
from inception.display import Table

# %% [markdown]
# ## 1. The naive Inception module and the one with reductions (Figure 2)
#
# **Where the idea comes from** (section 3, "Motivation and High Level Considerations"). The
# simplest way to get a better network is to make it bigger, deeper and wider. That costs
# parameters, so the network overfits more easily, and compute: widen two chained convolutions
# together and their cost grows quadratically, much of it wasted if many weights end up near zero.
# The paper's answer in principle is to move from fully connected to *sparsely* connected
# architectures, even inside the convolutions. Its theoretical anchor is Arora et al. (2013): if a
# data set's probability distribution can be represented by a large, very sparse deep network, then
# the optimal network can be built layer by layer, by analysing the correlation statistics of the
# activations of the last layer built so far and clustering units whose outputs are highly
# correlated; each cluster becomes a unit of the next layer. The proof needs strong assumptions, but
# the authors note that it matches the Hebbian principle, "neurons that fire together, wire
# together", and take that as a sign that the idea also holds, loosely, in practice.
#
# The catch is hardware. Arithmetic on irregular sparse structures is slow: the paper reckons that
# even a 100x cut in operations would not pay for the extra lookups and cache misses, while dense
# matrix products run on highly tuned libraries. So the Inception block *approximates* the optimal
# local sparse structure with dense, readily available components (section 4). In the lower layers,
# correlated units sit close together in the image: many clusters are concentrated in a single
# region, and a 1x1 convolution can cover them; fewer clusters are spread over larger regions, and
# 3x3 and 5x5 convolutions cover those (sizes kept to 1, 3 and 5 "based more on convenience rather
# than necessity"); and because pooling had been essential in successful ConvNets, a parallel pooling
# path is added. The authors add a caution of their own (section 3): the architecture's success
# does not prove that these guiding principles are the reason for it.
#
# Section 4 turns this into a concrete module: at each stage, apply 1x1, 3x3 and 5x5
# convolutions and a 3x3 max pooling *in parallel* to the same input, pad so that all four outputs
# keep the input's height and width, and concatenate them along the channel axis (Figure 2a,
# "Inception module, naive version"). The version GoogLeNet uses (Figure 2b, "Inception module with
# dimension reductions") puts a 1x1 convolution in front of the 3x3 and 5x5 convolutions and after
# the pooling. Both, drawn by the package from the filter counts of block **3a** in Table 1 and the
# input that block receives inside GoogLeNet (a 28x28 map with 192 channels); every box is as wide
# as its channel count, on one scale for both panels:

# %%
bv.figure2("3a")

# %% [markdown]
# Two differences are visible before any arithmetic: in (a) the 3x3 and 5x5 convolutions read all
# 192 input channels, in (b) they read 96 and 16; and in (a) the pooling branch hands all 192
# channels to the concatenation, which makes the output (416 channels) wider than the input. Now
# the numbers. In the naive version each convolution sees all 192 input channels, and the pooling
# branch passes all 192 channels through unchanged:

# %%
bv.naive_vs_reduced_table("3a")

# %%
naive = cost.block_costs((192, 28, 28), inception.INCEPTION_BLOCKS["3a"], naive=True)
reduced = cost.block_costs((192, 28, 28), inception.INCEPTION_BLOCKS["3a"], naive=False)
naive_macs, reduced_macs = cost.totals(naive).macs, cost.totals(reduced).macs
print(f"naive 3a:   {naive_macs / 1e6:6.1f} M MACs per image")
print(f"reduced 3a: {reduced_macs / 1e6:6.1f} M MACs per image  ({naive_macs / reduced_macs:.2f}x less)")

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: the claims below (the naive 5x5 branch alone vs the whole reduced block; the pool keeps 192 channels)
assert 0.9 * reduced_macs < cost.by_branch(naive)["5x5"].macs < reduced_macs
pool_out = [l for l in naive if l.branch == "pool"][-1].out_shape[0]
naive_out = sum(l.out_shape[0] for l in naive)  # one layer per branch in the naive block
assert pool_out == 192 and naive_out == 416 > 192

# %% [markdown]
# Two things go wrong in the naive block:
#
# 1. **Compute.** The 3x3 and 5x5 convolutions run on all 192 input channels. The naive 5x5 branch
#    alone costs almost as much as the whole block with reductions (compare the `5x5` row of the
#    naive columns with the `total` row of the reduced ones).
# 2. **Channels.** The pool branch cannot change the channel count: a max pool keeps its 192 input
#    channels. So the naive block outputs *more* channels than it receives (416 > 192), and the next
#    block starts wider. The paper (section 4): "the merging of the output of the pooling layer with
#    the outputs of convolutional layers would lead to an inevitable increase in the number of
#    outputs from stage to stage", "leading to a computational blow up within a few stages".
#
# Stack all nine blocks of Table 1 in their naive form (the package builds this network with
# `GoogLeNetConfig(naive=True)`) and watch the channels grow block after block, and the compute with
# them (the compute drops only at the stride-2 max pools between stages, which leave a quarter of
# the positions):

# %%
growth = bv.naive_growth_table()
growth

# %%
bv.plot_naive_growth()

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: every naive block widens its input; within a stage (same map size) the compute grows block after block
names, ch_in, ch_out, naive_block_macs = (growth.column(c)[:-1] for c in ("block", "naive in ch", "naive out ch", "naive MACs"))
assert all(o > i for i, o in zip(ch_in, ch_out)) and ch_out == sorted(set(ch_out))
for stage in "345":
    stage_macs = [m for n, m in zip(names, naive_block_macs) if n.startswith(stage)]
    assert all(a < b for a, b in zip(stage_macs, stage_macs[1:])), stage


# %%
def network_macs(naive: bool) -> int:
    config = inception.GoogLeNetConfig(variant="paper", aux_logits=False, naive=naive)
    return cost.totals(cost.layer_costs(config, 224)).macs

naive_net, googlenet_net = network_macs(True), network_macs(False)
print(f"whole network, naive blocks:  {naive_net / 1e9:5.2f} G MACs per image")
print(f"whole network, GoogLeNet:     {googlenet_net / 1e9:5.2f} G MACs per image")
print(f"ratio: {naive_net / googlenet_net:.1f}x")

# %% [markdown]
# The naive network ends with 4,944 channels instead of 1,024 and needs about eight times the
# compute of GoogLeNet (nearly eleven times in the nine blocks alone), whose whole budget the paper keeps at "1.5 billion multiply-adds at
# inference time" (section 1). The cure is a cheap layer that can *change the number of channels*:
# the 1x1 convolution.

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: the claims above
assert inception.GoogLeNetConfig(naive=True).out_channels == 4944 and inception.GoogLeNetConfig().out_channels == 1024
assert 7.5 < naive_net / googlenet_net < 8.5                                    # "about eight times"
assert 10.5 < growth.column("naive MACs")[-1] / growth.column("GoogLeNet MACs")[-1] < 11  # the nine blocks alone

# %% [markdown]
# ## 2. A 1x1 convolution is a fully connected layer at every pixel
#
# A 1x1 convolution with `C_in` inputs and `C_out` outputs looks at one pixel at a time: it
# multiplies the pixel's `C_in`-vector by a `C_out x C_in` matrix and adds a bias. That is exactly
# an `nn.Linear(C_in, C_out)`, applied independently at each of the H x W positions with shared
# weights. Checked numerically, on block 3a's input and its 16-channel 5x5 reduction:

# %%
torch.manual_seed(0)
x = torch.randn(2, 192, 28, 28)                     # N, C, H, W: the input of block 3a
conv = nn.Conv2d(192, 16, kernel_size=1)            # weight shape (16, 192, 1, 1)
fc = nn.Linear(192, 16)                             # weight shape (16, 192)
with torch.no_grad():
    fc.weight.copy_(conv.weight.view(16, 192))      # the same numbers, without the 1x1 window
    fc.bias.copy_(conv.bias)
    y_conv = conv(x)
    y_fc = fc(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)  # channels last: one FC per pixel
print(tuple(y_conv.shape), tuple(y_fc.shape), torch.allclose(y_conv, y_fc, atol=1e-5))

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: the 1x1 convolution and the per-pixel linear layer agree
assert y_conv.shape == y_fc.shape and torch.allclose(y_conv, y_fc, atol=1e-5)

# %% [markdown]
# So a 1x1 convolution mixes channels but never looks at neighbouring pixels, and it can make the
# channel count anything we like, smaller ("reduction", "projection") or larger.
#
# **Where it comes from.** The idea is from *Network in Network* (Lin, Chen, Yan 2013), which
# replaced a convolution's linear filter by a small multilayer perceptron sliding over the image;
# in a ConvNet that is "additional 1x1 convolutional layers followed typically by the rectified
# linear activation" (Szegedy et al., section 2). GoogLeNet uses the same layer, but mainly for a
# different purpose: in the paper's words, 1x1 convolutions are used "as dimension reduction
# modules to remove computational bottlenecks, that otherwise would limit the size of our
# networks" (section 2).
#
# **What the paper says about why it works** (section 4): dimension reductions are applied
# "wherever the computational requirements would increase too much otherwise", justified by "the
# success of embeddings: even low dimensional embeddings might contain a lot of information about a
# relatively large image patch". The 1x1 reductions are computed "before the expensive 3x3 and 5x5
# convolutions", and "besides being used as reductions, they also include the use of rectified
# linear activation which makes them dual-purpose": each reduction is a full conv + ReLU layer, so
# the block gains non-linearity, not only savings. In the package every 1x1 reduction is a
# `BasicConv2d` (conv, optional BatchNorm, ReLU):

# %%
block = inception.Inception(192, *inception.INCEPTION_BLOCKS["3a"].as_tuple(), variant="paper")
block.branch("5x5")

# %% [markdown]
# ## 3. What a convolution costs
#
# A k x k convolution from `C_in` to `C_out` channels has one k x k x `C_in` filter per output
# channel, and evaluates every filter at each of the H x W output positions:
#
# $$\text{weights} = k \cdot k \cdot C_\text{in} \cdot C_\text{out}, \qquad
# \text{MACs} = H \cdot W \cdot k \cdot k \cdot C_\text{in} \cdot C_\text{out}$$
#
# (plus `C_out` biases, which Table 1 leaves out). A reduction replaces one k x k convolution by a
# 1x1 convolution to `r` channels followed by a k x k convolution from `r` channels:
#
# $$\text{reduced weights} = r \cdot C_\text{in} + k \cdot k \cdot r \cdot C_\text{out}$$
#
# Block 3a's 5x5 branch: 192 input channels, 32 output channels, a 16-channel reduction, on 28x28:

# %%
rc = bv.reduction_cost(c_in=192, c_out=32, kernel=5, reduction=16, size=28)
assert rc.direct_weights == 5 * 5 * 192 * 32                       # the formulas above
assert rc.direct_macs == 28 * 28 * 5 * 5 * 192 * 32
assert rc.reduced_weights == 16 * 192 + 5 * 5 * 16 * 32
bv.reduction_table(rc)

# %%
print(f"with the 16-channel reduction the 5x5 branch costs {rc.ratio:.1%} of the direct 5x5 convolution "
      f"({rc.direct_macs / rc.reduced_macs:.1f}x fewer MACs, {rc.direct_weights - rc.reduced_weights:,} fewer weights)")

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: the reduction cuts weights and MACs alike, to about a tenth (the summary's claim)
assert 0.09 < rc.ratio < 0.11 and rc.reduced_weights * rc.direct_macs == rc.reduced_macs * rc.direct_weights

# %% [markdown]
# **When does a reduction pay off?** The reduced cost grows linearly with `r`; the direct cost does
# not depend on it. They are equal at
#
# $$r^* = \frac{k^2\, C_\text{in}\, C_\text{out}}{C_\text{in} + k^2 C_\text{out}}$$
#
# and any narrower reduction saves compute. Since both costs carry the same factor H x W, the
# break-even width is the same for weights and MACs and does not depend on the image size. For
# the 5x5 branch of 3a, r* is far above the 16 channels the paper uses; for the 3x3 branch (192 to
# 128 channels, reduced to 96) the margin is much smaller:

# %%
Table(["branch of 3a", "C_in", "C_out", "k", "paper's r", "break-even r*", "reduced / direct"],
      [[name, 192, c_out, k, r, round(bv.break_even_width(192, c_out, k), 1),
        f"{bv.reduction_cost(192, c_out, k, r, 28).ratio:.1%}"]
       for name, c_out, k, r in (("3x3", 128, 3, 96), ("5x5", 32, 5, 16))], digits=1)

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: r* far above 16 for the 5x5 branch, much closer to 96 for the 3x3 one; narrower than r* saves, wider costs
r5, r3 = bv.break_even_width(192, 32, 5), bv.break_even_width(192, 128, 3)
assert r5 > 5 * 16 and 96 < r3 < 2 * 96
assert bv.reduction_cost(192, 32, 5, int(r5), 28).pays_off and not bv.reduction_cost(192, 32, 5, int(r5) + 1, 28).pays_off

# %% [markdown]
# ## 4. Explore: the reduction widget
#
# Move the sliders: input and output channels, kernel size (odd, so that "same" padding k // 2 keeps
# H and W), reduction width and the spatial size. The table and the plot update from the cost
# model. The plot shows the reduced cost against the reduction width, the direct convolution's cost
# (flat line) and the break-even width where the two meet. Things to try: for k = 1 the break-even
# width C_in C_out / (C_in + C_out) is below both channel counts, so "reducing" a 1x1 layer only
# pays off as an aggressive low-rank factorisation; the larger k, the larger r* (it approaches
# C_in), so the more room a reduction has; the image size H x W scales both costs but never moves
# the break-even point. (Checked below.)

# %%
widget = widgets.reduction_widget(c_in=192, c_out=32, kernel=5, reduction=16, size=28)
widget

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: the claims above
for c_in, c_out in ((192, 32), (64, 64), (832, 384)):
    assert abs(bv.break_even_width(c_in, c_out, 1) - c_in * c_out / (c_in + c_out)) < 1e-9
    assert bv.break_even_width(c_in, c_out, 1) < min(c_in, c_out)
    assert bv.break_even_width(c_in, c_out, 3) < bv.break_even_width(c_in, c_out, 5) < bv.break_even_width(c_in, c_out, 7) < c_in
    assert bv.break_even_width(c_in, c_out, 15) > 0.9 * c_in           # r* approaches C_in
assert {bv.reduction_cost(192, 32, 5, 16, size).break_even for size in (7, 28, 112)} == {rc.break_even}

# %% [markdown]
# The widget's default state (block 3a's 5x5 branch), as a static figure for readers without a
# live kernel:

# %%
bv.plot_reduction_cost(c_in=192, c_out=32, kernel=5, reduction=16, size=28)

# %% [markdown]
# ## 5. The price of a bottleneck
#
# So far a reduction has looked like pure savings. It is not free: a 1x1 convolution from C to
# r < C channels maps every pixel's C-vector into an r-dimensional space, and whatever lies outside
# that space never reaches the branch's 3x3 or 5x5 convolution. How much can r channels keep?
#
# For a *linear* 1x1 layer (with bias) the best possible answer is known. Collect the C-vectors of
# all pixels of many images; the r directions of largest variance (principal component analysis)
# are the best r-channel reduction for rebuilding the input linearly (Eckart-Young), and the share
# of the variance in the other C - r directions is the smallest relative reconstruction error any
# such layer can reach: 1 at r = 0 (only the mean is left, which a bias supplies) and 0 at r = C.
# `inception.bottleneck.reconstruction_curve` computes this curve from the eigenvalues of the
# channel covariance (its tests check it against a direct least-squares fit).
#
# We need real activations, so we use the trained network this collection ships: a mini-GoogLeNet
# at 1/8 of Table 1's width on 32 px images of the project's synthetic shapes-and-textures data
# (notebook 05 introduces it), and as a control the same architecture with random weights
# (BatchNorm statistics re-estimated on training-like images, as in notebook 05). Its block 3a
# receives 24 channels, and its reductions are Table 1's divided by 8: 12 before the 3x3 (96 / 8)
# and 2 before the 5x5 (16 / 8). The input of 3a on 256 validation images:

# %%
from inception import bottleneck, data, weights

torch.set_num_threads(1)                                # a tiny network: one thread is as fast, and steady
mini = weights.load_mini_googlenet()                    # trained; eval mode
val_images = data.normalize(weights.mini_validation_set().images[:256])
random_mini = weights.random_googlenet(seed=0, calibrate_on=data.normalize(data.synthetic(256, seed=7).images))
curves = {name: {b: bottleneck.reconstruction_curve(acts)      # one forward pass per network, all nine block inputs
                 for b, acts in bottleneck.block_inputs(net, val_images, inception.BLOCK_NAMES).items()}
          for name, net in (("trained", mini), ("random", random_mini))}
widths = {b: bottleneck.reduction_widths(mini, b) for b in inception.BLOCK_NAMES}
print("3a:", widths["3a"])
bottleneck.plot_bottleneck({"trained mini-GoogLeNet": curves["trained"]["3a"], "random control": curves["random"]["3a"]},
                           {k: widths["3a"][k] for k in ("3x3 reduce", "5x5 reduce")},
                           title="input of block 3a: best linear reconstruction from r channels")

# %% [markdown]
# The same at every block: the error the network's own reduction widths must accept at best, for
# the trained network and the random control (rounded to whole percent):

# %%
def pct(x: float) -> str:
    return f"{x:.0%}"

rows = []
for b in inception.BLOCK_NAMES:
    w, tr, rnd = widths[b], curves["trained"][b], curves["random"][b]
    rows.append([b, w["input channels"], w["3x3 reduce"], pct(tr.at(w["3x3 reduce"])), pct(rnd.at(w["3x3 reduce"])),
                 w["5x5 reduce"], pct(tr.at(w["5x5 reduce"])), pct(rnd.at(w["5x5 reduce"]))])
bottleneck_table = Table(["block", "C in", "3x3 reduce r", "3x3: trained", "3x3: random", "5x5 reduce r",
                          "5x5: trained", "5x5: random"], rows,
                         title="best reconstruction error of the block's input at the reduction widths")
bottleneck_table

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: the claims below. The trained inputs are low-dimensional: the 3x3 reductions lose at most an eighth of
# the variance (under 5% in most blocks) and always less than in the random control, which needs wider
# reductions to keep 90%; the 2- to 6-channel 5x5 reductions lose a large share (over 15% in every block, about
# a third in 3a) even in the trained network
for b in inception.BLOCK_NAMES:
    w, tr, rnd = widths[b], curves["trained"][b], curves["random"][b]
    assert tr.at(w["3x3 reduce"]) < min(0.125, rnd.at(w["3x3 reduce"])), b
    assert tr.at(w["5x5 reduce"]) > 0.15 and tr.at(w["5x5 reduce"]) < rnd.at(w["5x5 reduce"]) + 0.05, b
    assert tr.width_for(0.1) < rnd.width_for(0.1), b
assert sum(curves["trained"][b].at(widths[b]["3x3 reduce"]) < 0.05 for b in inception.BLOCK_NAMES) >= 5
assert 0.25 < curves["trained"]["3a"].at(2) < 0.4
assert curves["trained"]["3a"].error[0] == 1 and curves["trained"]["3a"].error[-1] == 0

# %% [markdown]
# What the curves say:
#
# - **Learned features are low-dimensional, and that is what makes reductions cheap.** In the
#   trained network a few directions carry most of the variance of a block's input, so the 3x3
#   reductions (half of the input channels in 3a, a fifth in 4a) keep most of it: they lose at most
#   about an eighth, and under 5 % in most blocks. The random
#   control, fed the same images, spreads its variance over more directions, and the same widths
#   lose more. This is section 4's justification in numbers: "even low dimensional embeddings might
#   contain a lot of information".
# - **The narrow reductions are real bottlenecks.** The 5x5 branch's reduction (Table 1: 16 of 192
#   channels in 3a; here 2 of 24) cannot pass more than its r directions: in the trained network it
#   loses about a third of 3a's input variance, at best. The 5x5 branch sees a coarse, compressed
#   summary of its input, not the input.
#
# Two cautions. A reduction is followed by a ReLU and a 3x3 or 5x5 convolution that need not rebuild
# the input, only what is useful downstream, so these errors bound what a width *can* keep, not what
# a trained branch *needs*; and the mini network is trained on synthetic data at 1/8 width, so the
# numbers are an illustration, not ImageNet measurements.
#
# **Inception-v3 made this a design rule.** A year later the same group (Szegedy et al., *Rethinking
# the Inception Architecture for Computer Vision*, 2016; arXiv 2015) listed design principles
# (section 2). The first is to "avoid representational bottlenecks, especially early in the
# network": the representation's size should decrease gently from input to output, with no cut
# that compresses it drastically (they add that dimensionality is only a rough estimate of
# information content, which is what the curves above illustrate). A third principle backs the 1x1
# reductions: spatial aggregation, such as a 3x3 convolution, can run on a lower-dimensional
# embedding without much loss, which they attribute to the strong correlation between adjacent
# units. Section 3.1 then removes the most expensive kernel: a 5x5 convolution is replaced by two
# stacked 3x3 convolutions, which see the same 5x5 window at a fraction of the cost, with a ReLU
# between them. Counted for the same channels in and out:

# %%
c = 64                                                       # any channel count: the ratio does not depend on it
five_by_five, two_three_by_three = 5 * 5 * c * c, 2 * (3 * 3 * c * c)
print(f"two 3x3 instead of one 5x5: {two_three_by_three / five_by_five:.0%} of the weights and MACs "
      f"({1 - two_three_by_three / five_by_five:.0%} less); receptive field of two stacked 3x3: {3 + 3 - 1}x{3 + 3 - 1}")
assert two_three_by_three / five_by_five == 18 / 25 and 3 + 3 - 1 == 5  # v3's "relative gain of 28%"

# %% [markdown]
# This also puts torchvision's GoogLeNet in context (notebook 02): its "5x5" branch has a *single*
# 3x3 convolution, inherited from TF-slim's Inception v1. That is not v3's factorisation: one 3x3
# kernel sees a 3x3 window, not 5x5, so it is cheaper than both the paper's branch and v3's pair,
# and it changes what the branch can see.

# %% [markdown]
# ## Summary
#
# - Section 3's motivation: a sparsely connected network would be the principled way to grow
#   (Arora et al.: build it layer by layer by clustering correlated units), but sparse arithmetic
#   is slow on real hardware, so the block covers the expected clusters with dense 1x1, 3x3 and
#   5x5 convolutions and a pooling path, in parallel.
# - The naive Inception module (Figure 2a) runs every convolution on all input channels and
#   concatenates the pooled input itself, so its output is always wider than its input. Nine
#   stacked naive blocks end at 4,944 channels and the network costs about eight times
#   GoogLeNet's compute.
# - A 1x1 convolution is a per-pixel fully connected layer (Network in Network). GoogLeNet uses it
#   as a cheap *reduction* before the 3x3 and 5x5 convolutions and as a *projection* after the
#   pooling, each followed by a ReLU (section 4: "dual-purpose").
# - Costs: weights = k*k*C_in*C_out, MACs = H*W*k*k*C_in*C_out. On 3a's 5x5 branch the 16-channel
#   reduction cuts weights and MACs to about a tenth.
# - A reduction pays off below the break-even width r* = k^2 C_in C_out / (C_in + k^2 C_out),
#   independent of the image size.
# - A reduction is also a bottleneck: r channels keep at most the r largest principal directions of
#   the input. A trained network's block inputs are low-dimensional, so the 3x3 reductions lose
#   little; the narrow 5x5 reductions lose a large share even there. Inception-v3 (2016) turned this
#   into the rule "avoid representational bottlenecks" and replaced the 5x5 kernel by two 3x3s
#   (72 % of the cost, the same 5x5 window); torchvision's single 3x3 in the "5x5" branch is a
#   different, narrower choice.
#
# ## Exercises
#
# Each exercise has a check function: replace `None` by your answer and run the cell. Worked
# solutions follow in collapsed cells (click to expand).
#
# **1.** How many MACs (per image) does block 3a's 3x3 branch need *without* its reduction, i.e. a
# 3x3 convolution from 192 to 128 channels on a 28x28 map with "same" padding?

# %%
answer = None  # your number
bv.check_direct_macs(answer, c_in=192, c_out=128, kernel=3, size=28)

# %% jupyter={"source_hidden": true}
bv.check_direct_macs(28 * 28 * 3 * 3 * 192 * 128, c_in=192, c_out=128, kernel=3, size=28)

# %% [markdown]
# **2.** Block 4a's 5x5 branch goes from 480 input channels to 48 output channels. What is the
# break-even reduction width r* (within half a channel)? Is the paper's choice of 16 far below it?

# %%
answer = None  # r*, a float
bv.check_break_even(answer, c_in=480, c_out=48, kernel=5)

# %% jupyter={"source_hidden": true}
bv.check_break_even(5 * 5 * 480 * 48 / (480 + 5 * 5 * 48), c_in=480, c_out=48, kernel=5)

# %% [markdown]
# **3.** In the all-naive network, block 3a outputs 416 channels, which become 3b's input. How many
# channels does naive block **4a** output? (Work it out from Table 1's filter counts; the max pool
# between 3b and 4a does not change the channel count.)

# %%
answer = None  # an integer
bv.check_naive_channels(answer, block="4a")

# %% jupyter={"source_hidden": true}
specs = inception.INCEPTION_BLOCKS
channels = 192                              # the stem's output
for name in ("3a", "3b", "4a"):
    s = specs[name]
    channels = s.ch1x1 + s.ch3x3 + s.ch5x5 + channels   # the pool branch passes its input through
bv.check_naive_channels(channels, block="4a")

# %% [markdown]
# **4.** Write the 1x1 convolution that computes the same as the fully connected layer `fc2` below
# at every pixel (copy its weights; mind the shapes). The check function tests your layer.

# %%
torch.manual_seed(1)
fc2 = nn.Linear(64, 8)
x2 = torch.randn(1, 64, 5, 5)
conv2 = None  # your nn.Conv2d with fc2's weights
bv.check_conv_as_linear(conv2, fc2, x2)

# %% jupyter={"source_hidden": true}
conv2 = nn.Conv2d(64, 8, kernel_size=1)
with torch.no_grad():
    conv2.weight.copy_(fc2.weight.view(8, 64, 1, 1))   # (out, in) -> (out, in, 1, 1)
    conv2.bias.copy_(fc2.bias)
bv.check_conv_as_linear(conv2, fc2, x2)

# %% [markdown]
# **5.** In the trained mini network, what is the narrowest 1x1 reduction of block **5a**'s input
# that keeps at least 80 % of its variance, i.e. whose best reconstruction error is at most 20 %?
# Read it from `curves["trained"]["5a"].error` (a NumPy array indexed by r). How does it compare
# with the 104 channels 5a receives?

# %%
answer = None  # an integer r
bottleneck.check_width_for(answer, curves["trained"]["5a"], max_error=0.2)

# %% jupyter={"source_hidden": true}
error_5a = curves["trained"]["5a"].error
r_80 = next(r for r, e in enumerate(error_5a) if e <= 0.2)   # the first width at or under 20 %
print(f"r = {r_80} of {len(error_5a) - 1} channels (error {error_5a[r_80]:.1%})")
bottleneck.check_width_for(r_80, curves["trained"]["5a"], max_error=0.2)
