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
# # 02 - Building the Inception block
#
# Notebook 01 showed *why* GoogLeNet puts 1x1 convolutions in front of its 3x3 and 5x5
# convolutions. Here we build the block (Szegedy et al. 2014, Figure 2b) piece by piece, check every
# shape, assemble the whole network from Table 1, and reproduce the `torchinfo` summary of the blog
# post this project grew from, *[Paper Review & Implementation] Going deeper with convolutions
# (GoogleNet/Inception Net v1, 2014)* (the "seed" below). This collection reproduces the seed's
# PyTorch network (the package's `bn` variant) and its torchinfo summary exactly, and corrects what
# that summary and code get wrong: the 3.17 G mult-adds leave out the auxiliary classifiers, the
# weight initialisation skips every `nn.Linear`, and the filter counts and input channels typed by
# hand are derived here from Table 1.
#
# **You will learn**
# - the four branches of an Inception block, the padding that keeps height and width equal, and how
#   `torch.cat` on the channel axis joins them (output channels = the sum of the four branch widths);
# - how GoogLeNet is assembled from Table 1's filter counts (with a map of the whole network,
#   Figure 3), and what its forward pass returns;
# - what `torchinfo` reports for the seed's network, why its 3.17 G mult-adds leave out the
#   auxiliary classifiers, and a weight-initialisation bug in the seed;
# - what the three variants in this package (`bn`, `paper`, `torchvision`) change, including
#   torchvision's 3x3 kernel in the "5x5" branch and the paper's local response normalization;
# - how the filter counts shape a block's cost, with a block-builder widget.
#
# **You need** notebook 01 (or: a k x k convolution has k*k*C_in*C_out weights), PyTorch basics
# (`nn.Module`, `nn.Sequential`, a forward pass). Runs on a laptop CPU; the cells that run the
# full network on a 224x224 batch take a few seconds each.

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
import torchinfo
from IPython.display import display
from torch import nn

import inception
from inception import blockviz as bv, cost, widgets
from inception.display import Table

# %% [markdown]
# ## 1. The block, branch by branch
#
# Block **3a** receives a 28x28 map with 192 channels (the stem's output at 224 px). Its six filter
# counts from Table 1, in the paper's column order:

# %%
spec = inception.INCEPTION_BLOCKS["3a"]
spec

# %% [markdown]
# The package's `Inception` module builds Figure 2b from these counts. Every convolution is a
# `BasicConv2d` (conv, optional BatchNorm, ReLU). The four branches:
#
# | branch | layers | output channels |
# |---|---|---|
# | `1x1` | 1x1 conv | `ch1x1` |
# | `3x3` | 1x1 reduction to `ch3x3red`, then 3x3 conv | `ch3x3` |
# | `5x5` | 1x1 reduction to `ch5x5red`, then 5x5 conv | `ch5x5` |
# | `pool` | 3x3 max pool (stride 1), then 1x1 projection | `pool_proj` |
#
# We use the `paper` variant here (no BatchNorm, as published; section 4 below compares the
# variants). Each branch on its own, on a random input:

# %%
torch.manual_seed(0)
x = torch.randn(1, 192, 28, 28)                      # N, C, H, W: the input of block 3a
block = inception.Inception(192, *spec.as_tuple(), variant="paper")
for name, branch in block.branches.items():
    print(f"{name:>4} branch: {tuple(branch(x).shape)}")

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: every branch keeps the 28x28 size
with torch.no_grad():
    assert all(branch(x).shape[-2:] == (28, 28) for branch in block.branches.values())

# %% [markdown]
# **Why the padding.** All four outputs keep the 28x28 size, which is what allows concatenating
# them. A stride-1 k x k convolution with padding p gives H + 2p - k + 1 rows, which equals H only
# for p = (k - 1) / 2: padding 1 for the 3x3 convolution, 2 for the 5x5 one, and 1 for the 3x3 max
# pool (whose stride is 1 inside the block, unlike the stride-2 pools between stages). Without it:

# %%
Table(["layer", "padding", "output H (no padding)", "output H (with padding)"],
      [[f"{k}x{k}, stride 1", k // 2, cost.conv_out_size(28, k), cost.conv_out_size(28, k, 1, k // 2)]
       for k in (1, 3, 5)])

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: a stride-1 k x k layer keeps H only for p = (k - 1) / 2, the in-block 3x3 max pool (padding 1) included
for k in (1, 3, 5, 7):
    assert [p for p in range(k) if cost.conv_out_size(28, k, 1, p) == 28] == [(k - 1) // 2]
    assert cost.conv_out_size(28, k) == 28 - k + 1
assert cost.pool_out_size(28, 3, 1, 1) == 28

# %% [markdown]
# **Concatenation.** The block's forward pass is one line: `torch.cat` of the four branch outputs
# on dimension 1, the channel axis (dimension 0 is the batch). Doing it by hand gives exactly the
# module's output, with 64 + 128 + 32 + 32 = 256 channels:

# %%
with torch.no_grad():
    parts = [branch(x) for branch in block.branches.values()]
    by_hand = torch.cat(parts, dim=1)
    print(tuple(by_hand.shape), torch.equal(by_hand, block(x)))
print(" + ".join(str(p.shape[1]) for p in parts), "=", spec.out_channels)

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: the concatenation by hand is the block's output, with 64 + 128 + 32 + 32 = 256 channels
with torch.no_grad():
    assert torch.equal(by_hand, block(x))
assert [p.shape[1] for p in parts] == [64, 128, 32, 32] and spec.out_channels == 256

# %% [markdown]
# `torchinfo` walks the module while running a forward pass and lists each layer's output shape,
# parameters and mult-adds. Its totals agree exactly with the package's analytic cost model
# (`inception.cost`, which also counts biases the way torchinfo does):

# %%
block_summary = torchinfo.summary(block, input_size=(1, 192, 28, 28), depth=2, verbose=0,
                                  col_names=("output_size", "num_params", "mult_adds"))
print(block_summary)

# %%
analytic = cost.totals(cost.block_costs((192, 28, 28), spec, variant="paper"))
assert block_summary.total_params == analytic.params
assert block_summary.total_mult_adds == analytic.torchinfo_macs
table1_3a = next(row for row in inception.TABLE1 if row.name == "3a")
assert abs(analytic.weights / 1024 - float(table1_3a.params.rstrip("K"))) < 1   # Table 1 prints 159K
print(f"params: torchinfo {block_summary.total_params:,}, cost model {analytic.params:,} "
      f"(of which {analytic.weights:,} weights = {analytic.weights / 1024:.1f} K; Table 1 prints {table1_3a.params})")

# %% [markdown]
# (This torchinfo version prints the unit of "Total mult-adds" as `Units.MEGABYTES` /
# `Units.GIGABYTES`; it means millions / billions of mult-adds, what older versions print as
# `(M)` / `(G)`.)
#
# ## 2. The whole network from Table 1
#
# GoogLeNet is a stem (7x7/2 conv, max pool, 1x1 conv, 3x3 conv, max pool; the paper's version adds
# two local response normalization layers, section 4 below), nine Inception blocks
# in three stages with stride-2 max pools between them, two auxiliary classifiers on 4a and 4d
# (section 5), global average pooling, dropout and one fully connected layer (Table 1, Figure 3).
# The map below is drawn by `inception.netmap` from the package's config and cost model (nothing
# in it is typed): the stem and stage 3 run down the first column, stages 4 and 5 and the
# classifier down the second, and the two auxiliary heads, attached to the outputs of 4a and 4d
# and used only in training, in the third. Each Inception block is split into its four branch
# outputs, as wide as their channel counts; the labels on the right are output sizes H x W x C, as
# in Table 1:

# %%
from inception import netmap

network_figure = netmap.network_map("paper")
display(network_figure)

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: the map's boxes carry the cost model's shapes: 1024 channels at the top, 14x14 inputs to both heads
layout = netmap.network_layout("paper")
assert next(b for b in layout if b.name == "inception5b").shape_label == "7x7x1024"
assert [b.label for b in layout if b.name in ("aux1.pool", "aux2.pool")] == ["avg pool 5x5/3"] * 2
assert sum(b.kind == "inception" for b in layout) == 9

# %% [markdown]
# Read it from the top left: before the first Inception block the stem cuts 224x224 down to 28x28
# with a stride-2 convolution and two stride-2 max pools; the max pools between stages halve the
# map again (to 14x14, then 7x7) while the blocks widen it (256 channels after 3a, 1024 after 5b);
# and a 7x7 average pool replaces the large fully connected layers of AlexNet-style networks
# (notebook 03 counts what that saves).
#
# The package reads every block's filter counts from Table 1; each block's input channels are the
# previous block's output channels:

# %%
config = inception.GoogLeNetConfig(variant="bn")
in_channels = config.block_in_channels()
Table(["block", "in channels", "#1x1", "#3x3 red", "#3x3", "#5x5 red", "#5x5", "pool proj", "out channels"],
      [[name, in_channels[name], *s.as_tuple(), s.out_channels] for name, s in config.blocks.items()])

# %% [markdown]
# The seed blog typed these numbers into its model by hand, including the input channels of every
# block; here they are derived, and the built model's feature maps match Table 1's "output size"
# column:

# %%
torch.manual_seed(0)
model = inception.googlenet("bn")               # the seed's network: conv + BatchNorm + ReLU everywhere
table1_channels = [row.output_size[2] for row in inception.TABLE1 if row.type == "inception"]
block_channels = [f.num_chs for f in model.feature_info if f.module.startswith("inception")]
assert block_channels == table1_channels
print(block_channels)

# %% [markdown]
# The seed's forward pass: a batch of two 224x224 RGB images. In training mode the network returns
# three outputs, the two auxiliary classifiers' logits and the main logits (in the seed's order);
# in eval mode the auxiliary heads are skipped and return `None` (shown on a small 64x64 batch, which
# the network also accepts, to keep this cell quick):

# %%
x = torch.randn(2, 3, 224, 224)
model.train()
with torch.no_grad():
    aux1, aux2, out = model(x)
print("train:", tuple(aux1.shape), tuple(aux2.shape), tuple(out.shape))
model.eval()
with torch.no_grad():
    outputs = model(torch.randn(2, 3, 64, 64))     # eval mode skips the heads at any input size
print("eval: ", outputs.aux1, outputs.aux2, tuple(outputs.logits.shape))

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: three outputs in training mode, the auxiliary ones None in eval mode
assert aux1.shape == aux2.shape == out.shape == (2, 1000)
assert outputs.aux1 is None and outputs.aux2 is None and outputs.logits.shape == (2, 1000)

# %% [markdown]
# ## 3. The seed's torchinfo summary, reproduced, and what it hides
#
# The seed ran `summary(model, input_size=(2, 3, 224, 224), device='cpu')` and reported
# 13,393,352 parameters and 3.17 G mult-adds. The package's `bn` variant reproduces both (depth 1
# here, to keep the table short):

# %%
seed_summary = torchinfo.summary(model, input_size=(2, 3, 224, 224), device="cpu", depth=1)
seed_summary

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: the seed's figures (13,393,352 parameters, 3.17 G mult-adds), and no rows for the auxiliary heads
assert seed_summary.total_params == 13_393_352 and round(seed_summary.total_mult_adds / 1e9, 2) == 3.17
assert not any(layer.var_name.startswith("aux") for layer in seed_summary.summary_list)

# %% [markdown]
# Look at the top row: 6,380,240 parameters attributed to `GoogLeNet` itself, and no rows for
# `aux1` and `aux2`. `torchinfo.summary` runs the model in **eval mode** by default, where the
# auxiliary heads are not executed, so torchinfo never visits them; their parameters are still in
# `model.parameters()`, and torchinfo lists such leftovers on the top row. So the 13.39 M parameters
# include the auxiliary heads, but the 3.17 G mult-adds do **not** include their compute. Running the
# same summary in training mode (`mode="train"`) visits them:

# %%
train_summary = torchinfo.summary(model, input_size=(2, 3, 224, 224), device="cpu", mode="train", verbose=0)
layers = cost.layer_costs(config, 224)
with_aux, without_aux = cost.totals(layers), cost.totals(layers, include_aux=False)
Table(["torchinfo mode", "params", "mult-adds (G, batch of 2)", "cost model (G)"],
      [["eval (the default, the seed's)", seed_summary.total_params, seed_summary.total_mult_adds / 1e9,
        2 * without_aux.torchinfo_macs / 1e9],
       ["train", train_summary.total_params, train_summary.total_mult_adds / 1e9,
        2 * with_aux.torchinfo_macs / 1e9]], digits=4)

# %%
aux_params = with_aux.params - without_aux.params
assert aux_params == 6_380_240                                   # the top row of the seed's table
assert 0.45 < aux_params / with_aux.params < 0.5                  # "almost half", below
assert seed_summary.total_mult_adds == 2 * without_aux.torchinfo_macs
assert train_summary.total_mult_adds == 2 * with_aux.torchinfo_macs
assert round(train_summary.total_mult_adds / 1e9, 2) == 3.19                      # the summary's "3.19 G"
assert any(layer.var_name.startswith("aux") for layer in train_summary.summary_list)  # training mode visits the heads
print(f"auxiliary heads: {aux_params:,} parameters, "
      f"{(with_aux.torchinfo_macs - without_aux.torchinfo_macs) / 1e6:.1f} M mult-adds per image")

# %% [markdown]
# Two more things to read correctly in such a summary:
# - torchinfo's mult-adds are for the **whole batch** (here 2 images) and include one add per bias
#   *per output position* and one per BatchNorm parameter (notebook 03 takes this apart); per image
#   and counting convolution/linear MACs only, the `bn`
#   network needs the number below, close to the paper's "1.5 billion multiply-adds" (section 1).
# - Almost half of the 13.39 M parameters sit in the two auxiliary heads, which are thrown away at
#   inference; the network used for prediction has the number printed below (notebook 03 compares
#   it with the paper's figures layer by layer).

# %%
print(f"bn variant, per image, without aux heads: {without_aux.macs / 1e9:.3f} G MACs, "
      f"{without_aux.params:,} parameters")

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: close to the paper's 1.5 billion multiply-adds (within 10 %)
assert abs(without_aux.macs / 1.5e9 - 1) < 0.1

# %% [markdown]
# **The seed's initialisation bug.** The seed initialised its weights with
#
# ```python
# for m in self.modules():
#     if isinstance(m, nn.Conv2d) or isinstance(m, nn.Conv2d):   # Conv2d twice
#         nn.init.trunc_normal_(m.weight, 0, 1e-2, a=-2, b=2)
#         ...
# ```
#
# The second test was meant to be `nn.Linear`; as written, every `nn.Linear` (the classifier and
# the auxiliary heads' two FC layers) kept PyTorch's default initialisation, uniform in
# +-1/sqrt(fan_in), whose standard deviation is 1/sqrt(3 fan_in). The package applies the intended
# truncated normal (std 0.01) to both. Running the seed's loop on freshly built layers of the same
# shapes as GoogLeNet's classifier and auxiliary head shows the difference:

# %%
torch.manual_seed(0)
seed_layers = nn.ModuleDict({"fc": nn.Linear(1024, 1000),        # PyTorch's default initialisation
                             "aux1": inception.InceptionAux(512, 1000, variant="bn")})
for m in seed_layers.modules():                                  # the seed's loop, as written
    if isinstance(m, nn.Conv2d) or isinstance(m, nn.Conv2d):
        nn.init.trunc_normal_(m.weight, 0, 1e-2, a=-2, b=2)
        if m.bias is not None:
            nn.init.constant_(m.bias, 0)

Table(["layer", "fan_in", "seed: weight std", "1/sqrt(3 fan_in)", "package: weight std", "seed: max |bias|"],
      [[name, lin.in_features, lin.weight.std().item(), (3 * lin.in_features) ** -0.5,
        model.get_submodule(name).weight.std().item(), lin.bias.abs().max().item()]
       for name, lin in ((n, seed_layers.get_submodule(n)) for n in ("fc", "aux1.fc1", "aux1.fc2"))],
      digits=4)

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: the seed's Linear layers keep PyTorch's default (std 1/sqrt(3 fan_in), uniform in +-1/sqrt(fan_in),
# biases not zero); the package's have std 0.01; for the classifier that is about 1.8 times wider
for name in ("fc", "aux1.fc1", "aux1.fc2"):
    lin = seed_layers.get_submodule(name)
    assert abs(lin.weight.std().item() * (3 * lin.in_features) ** 0.5 - 1) < 0.02, name
    assert lin.weight.abs().max().item() <= lin.in_features ** -0.5 and lin.bias.abs().max().item() > 0, name
    assert abs(model.get_submodule(name).weight.std().item() / 0.01 - 1) < 0.02, name
assert abs(seed_layers["fc"].weight.std().item() / model.fc.weight.std().item() - 1.8) < 0.05

# %% [markdown]
# The seed's classifier weights come out about 1.8 times wider than the std 0.01 its code asks
# for (the factor is 1/sqrt(3 * 1024) / 0.01), and its biases are not zero: not what the code
# intends.
#
# ## 4. Three variants: what changes and why
#
# "GoogLeNet" in code means different things. The package builds three variants from the same
# Table 1 data:

# %%
for name, variant in inception.VARIANTS.items():
    print(f"{name}: {variant.summary}\n")

# %%
variants = inception.netviz.variants_table()
variants

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: bn keeps Table 1's weights (the same as paper); torchvision has fewer weights and MACs
v_weights, v_gmacs = (dict(zip(variants.column("variant"), variants.column(c))) for c in ("weights (no aux)", "GMACs (no aux)"))
assert v_weights["bn"] == v_weights["paper"] > v_weights["torchvision"] and v_gmacs["torchvision"] < v_gmacs["paper"]

# %% [markdown]
# - `paper` is the 2014 network: no BatchNorm (Ioffe and Szegedy published it in 2015), local response
#   normalization in the stem, dropout 0.4.
# - `bn` is the seed's network: BatchNorm after every convolution, as most re-implementations
#   trained from scratch use; the filter counts and the true 5x5 kernels stay as in Table 1.
# - `torchvision` matches torchvision's pretrained `googlenet`, which was ported from TF-slim's
#   Inception v1. TF-slim uses a **3x3** kernel in the branch the paper calls "5x5";
#   torchvision kept it so the ported weights load (torchvision issue #906). It is cheaper than
#   the paper's block:

# %%
rows = []
for variant in ("paper", "torchvision"):
    layers_3a = cost.block_costs((192, 28, 28), spec, variant=variant)
    conv = next(l for l in layers_3a if l.name.endswith("branch3.1"))
    five = cost.by_branch(layers_3a)["5x5"]
    rows.append([variant, f"{conv.kernel}x{conv.kernel}", five.weights, five.macs])
Table(["variant", "kernel of the '5x5' branch", "weights of the branch (3a)", "MACs of the branch (3a)"], rows)

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: torchvision's "5x5" branch has a 3x3 kernel and is cheaper than the paper's
(_, paper_kernel, paper_weights, paper_macs), (_, tv_kernel, tv_weights, tv_macs) = rows
assert (paper_kernel, tv_kernel) == ("5x5", "3x3") and tv_weights < paper_weights and tv_macs < paper_macs

# %%
inception.Inception(192, *spec.as_tuple(), variant="torchvision").branch("5x5")

# %% [markdown]
# **Local response normalization (LRN).** The `paper` variant keeps the two LRN layers of
# Figure 3, one after the first max pool and one after the stem's 3x3 convolution. LRN comes from
# AlexNet (Krizhevsky et al. 2012, section 3.3): at every position, each activation is divided by a
# power of the sum of squares of the activations in a few neighbouring channels at the same
# position, so a strong response damps the channels next to it (AlexNet calls it a form of
# "lateral inhibition"). PyTorch's `nn.LocalResponseNorm` computes, for channel c,
#
# $$b_c = a_c \Big/ \Big(k + \frac{\alpha}{n} \sum_{c'=c-\lfloor n/2 \rfloor}^{c+\lfloor n/2 \rfloor} a_{c'}^2\Big)^{\beta}$$
#
# with the window cut off at the first and last channel. The package uses Caffe's settings for
# GoogLeNet, printed below (like Caffe, PyTorch divides alpha by the window size n; AlexNet's own
# formula does not). On one pixel with seven channels, one of them strong:

# %%
lrn = inception.googlenet("paper").lrn1                # the first LRN layer of the paper variant
print(lrn)
acts = torch.tensor([1.0, 1.0, 200.0, 1.0, 1.0, 1.0, 1.0]).view(1, 7, 1, 1)   # N, C, H, W: one pixel
with torch.no_grad():
    normed = lrn(acts)
acts, normed = acts.flatten(), normed.flatten()
Table(["channel", "input", "output", "output / input", "channel 2 in its window"],
      [[c, int(acts[c]), normed[c].item(), (normed[c] / acts[c]).item(), abs(c - 2) <= lrn.size // 2]
       for c in range(7)], digits=3)

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: the formula above by hand; channel 2's neighbours (and channel 2 itself) are damped, channels 5 and 6,
# whose windows do not reach channel 2, pass almost unchanged
half = lrn.size // 2
window_sq = [(acts[max(0, c - half):c + half + 1] ** 2).sum() for c in range(7)]
by_hand = torch.stack([acts[c] / (lrn.k + lrn.alpha / lrn.size * window_sq[c]) ** lrn.beta for c in range(7)])
assert torch.allclose(normed, by_hand, rtol=1e-5)
ratio = normed / acts
assert all(abs(ratio[c] - 0.64) < 0.01 for c in (0, 1, 2, 3, 4)) and all(ratio[c] > 0.9999 for c in (5, 6))
assert normed.argmax() == 2 and normed[2] < acts[2]
with torch.no_grad():                                  # a strong channel of 20 instead of 200: under 1 %
    weak = lrn(torch.tensor([1.0, 1.0, 20.0, 1.0, 1.0, 1.0, 1.0]).view(1, 7, 1, 1)).flatten()
assert 0.99 < weak[1] < 1

# %% [markdown]
# The same input value 1 comes out as about 0.64 in channels 0 to 4, whose windows include the
# strong channel, and as 1.000 in channels 5 and 6, whose windows do not: what an activation becomes
# depends on its neighbours' activity. The strong channel is divided by the same factor, so LRN also
# compresses large responses. With alpha = 1e-4 the effect needs large activations: a strong
# channel of 20 instead of 200 changes its neighbours by less than 1 % (checked above).
#
# Later work dropped LRN. When Ioffe and Szegedy (2015) added Batch Normalization to Inception
# (BN-Inception, often called Inception-v2), they removed LRN, finding it unnecessary with
# BatchNorm (section 4.2.1). The evidence for it had been mixed anyway: AlexNet reported that LRN
# lowered its top-1 and top-5 error rates by 1.4 and 1.2 points (section 3.3), but Simonyan and
# Zisserman (2014, VGG, section 4.1) found that LRN did not improve their 11-layer network and
# left it out of the deeper ones. LRN has no parameters and no MACs, but it reads and
# writes whole feature maps (notebook 03, section 7, measures what that costs in time). The `bn`
# and `torchvision` variants have no LRN layers.

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: only the paper variant has LRN layers (the bn network built above has none)
assert [name for name, variant in inception.VARIANTS.items() if variant.lrn] == ["paper"]
assert not any(isinstance(m, nn.LocalResponseNorm) for m in model.modules())

# %% [markdown]
# ## 5. Explore: the block builder
#
# Six sliders for the filter counts, the input channels and the spatial size, a preset menu with
# the nine blocks of Table 1 (each with the input it receives inside GoogLeNet at 224 px), and a
# naive / reduced toggle (Figure 2a vs 2b). The output shape, a per-branch table of weights and
# MACs, and a diagram whose box widths are proportional to the channel counts update from the
# analytic cost model (no torch module is built, so updates take about a millisecond). Things to
# try: the 3x3 branch takes more than half of the MACs in every block of Table 1 (checked below);
# 4e and 5a have the same filter counts, but 5a runs on 7x7 instead of 14x14; switch 3a to naive
# and watch the pool branch.

# %%
builder = widgets.block_builder("3a")
builder

# %% [markdown]
# The builder's default state (block 3a, reduced), static, for readers without a live kernel:

# %%
bv.block_diagram("3a")

# %%
report = bv.block_report((192, 28, 28), spec)
bv.branch_table(report)

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: the claims in "Things to try"
presets = bv.block_presets()
for name, preset in presets.items():                             # the 3x3 branch: more than half of the MACs
    r = bv.block_report(preset.in_shape, preset.spec)
    assert r.branches["3x3"].macs > 0.5 * r.macs, name
assert presets["4e"].spec == presets["5a"].spec                  # same filter counts, 14x14 vs 7x7
assert presets["4e"].in_shape[1:] == (14, 14) and presets["5a"].in_shape[1:] == (7, 7)

# %% [markdown]
# ## Summary
#
# - An Inception block runs four branches on the same input (1x1; 1x1 then 3x3; 1x1 then 5x5;
#   3x3 max pool then 1x1) and concatenates them on the channel axis; "same" padding
#   (p = (k - 1) / 2, stride 1) keeps H and W equal so the concatenation is possible. Output
#   channels = ch1x1 + ch3x3 + ch5x5 + pool_proj.
# - GoogLeNet is nine such blocks built from Table 1, a stem, two auxiliary heads (training only),
#   global average pooling and one classifier (the map, Figure 3, is `inception.netmap.network_map()`).
#   The forward pass returns `(aux1, aux2, logits)`.
# - The seed's (*[Paper Review & Implementation] Going deeper with convolutions (GoogleNet/Inception
#   Net v1, 2014)*) torchinfo summary (13,393,352 parameters, 3.17 G mult-adds for a batch of two) is
#   reproduced exactly. It ran in eval mode: the parameters include the auxiliary heads
#   (6,380,240, the top row), the mult-adds do not; in training mode torchinfo reports 3.19 G.
# - The seed's init skipped `nn.Linear` (`nn.Conv2d` tested twice); the package fixes it.
# - Variants: `paper` (2014, LRN, no BatchNorm), `bn` (the seed), `torchvision` (TF-slim port:
#   BatchNorm, no conv bias, 3x3 kernel in the "5x5" branch).
# - LRN (AlexNet's, in the `paper` stem) divides each activation by a power of the summed squares
#   of its neighbouring channels at the same position, damping the neighbours of a strong response.
#   BatchNorm replaced it in BN-Inception; VGG found that it did not help.
#
# ## Exercises
#
# Replace `None` by your answer and run the cell; the check function gives a verdict. Worked
# solutions follow in collapsed cells.
#
# **1.** What padding keeps H and W unchanged for a 7x7 stride-1 convolution (e.g. a branch you add
# to the block)?

# %%
answer = None
bv.check_same_padding(answer, kernel=7)

# %% jupyter={"source_hidden": true}
bv.check_same_padding((7 - 1) // 2, kernel=7)

# %% [markdown]
# **2.** How many weights (no biases, Table 1's convention) does block **4c** have? Table 1 lists
# 463 K (K = 1024); does your number agree? (Notebook 03 discusses this row.)

# %%
answer = None
bv.check_block_weights(answer, block="4c")

# %% jupyter={"source_hidden": true}
s = inception.INCEPTION_BLOCKS["4c"]
c_in = 512                                            # 4b's output channels
weights = (c_in * s.ch1x1 + c_in * s.ch3x3red + 9 * s.ch3x3red * s.ch3x3
           + c_in * s.ch5x5red + 25 * s.ch5x5red * s.ch5x5 + c_in * s.pool_proj)
print(f"{weights / 1024:.1f} K")
bv.check_block_weights(weights, block="4c")

# %% [markdown]
# **3.** How many parameters do the two auxiliary heads of the `bn` network have together (the
# leftover on the top row of the seed's summary)? Compute it from the model, e.g. with
# `sum(p.numel() for p in model.aux1.parameters())`.

# %%
answer = None
bv.check_aux_params(answer, variant="bn")

# %% jupyter={"source_hidden": true}
bv.check_aux_params(sum(p.numel() for head in (model.aux1, model.aux2) for p in head.parameters()), variant="bn")

# %% [markdown]
# **4.** How many weights does torchvision's 3x3 kernel save in the "5x5" branch of block 3a,
# compared with the paper's 5x5 kernel?

# %%
answer = None
bv.check_branch3_kernel_saving(answer, block="3a")

# %% jupyter={"source_hidden": true}
bv.check_branch3_kernel_saving((5 * 5 - 3 * 3) * spec.ch5x5red * spec.ch5x5, block="3a")
