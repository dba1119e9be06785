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
# # 05 · Feature maps, branch by branch, with trained weights
#
# Section 4 of Szegedy et al. (2014) motivates the Inception module with a sentence this notebook
# puts to the test: *"visual information should be processed at various scales and then aggregated
# so that the next stage can abstract features from different scales simultaneously."* The four
# parallel branches of Figure 2b (1x1, 3x3, 5x5 and a 3x3 max pool followed by a 1x1 projection)
# are the mechanism. Do the branches of a **trained** network actually divide the work by scale?
#
# **What you will learn**
# - how to read any layer of GoogLeNet with forward hooks (`inception.features`), including each
#   branch of each Inception block;
# - what first-layer filters and feature maps of a trained network look like next to a random one;
# - how much of each block's output each branch carries across depth (share of activation energy),
#   and why that is not the same as how much the network *relies* on it (branch ablation);
# - a scale experiment (`inception.scale`): each branch's tuning curve to patterns of growing
#   period, its peak and its bandwidth, set against the training data's own scales, and what
#   section 4 does and does not predict about them;
# - how to browse every channel of every branch on your own image.
#
# **What you need**: notebook 02 (the Inception block) or the paper's Figure 2; PyTorch forward
# passes. The whole notebook runs on a CPU in about a minute; nothing is downloaded unless you set
# `USE_IMAGENET`.

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
USE_IMAGENET = False  # True: also load torchvision's ImageNet weights (download ~50 MB once, or a cached copy)

# %%
import numpy as np
import torch
from IPython.display import display
import inception
from inception import data, features, featviz, images, scale, train, weights, widgets
from inception.display import Table

torch.manual_seed(0)
torch.set_num_threads(1)  # these networks are tiny: one thread is as fast, and steady on a busy machine
model = weights.load_mini_googlenet()  # the project's trained network: SHA-256 checked, torch.load(weights_only=True)
info = weights.mini_info()
print(info["command"])
print({k: info["config"][k] for k in ("variant", "stem", "width", "num_classes", "image_size")})
print(f"{sum(p.numel() for p in model.parameters()):,} parameters; classes: {', '.join(info['class_names'])}")

# %% [markdown]
# ## The networks
#
# **Trained**: a mini-GoogLeNet shipped with the package: the `bn` variant (BatchNorm after every
# convolution: the network of the blog post this collection grew from, "[Paper Review &
# Implementation] Going deeper with convolutions (GoogleNet/Inception Net v1, 2014)") with the
# small stem for 32 px images (3x3 conv, 1x1, 3x3, one 3x3/2 pool), all nine Inception blocks at
# 1/8 of the paper's width, trained by the command printed above on the project's synthetic
# *shapes x textures* data (`inception.data.synthetic`): ten classes, each a shape (coarse
# structure) with a solid or striped texture (fine structure); `inception.data.synthetic_scales(32)`
# gives the ranges the generator draws at 32 px, printed below the accuracy. Telling the classes
# apart needs both scales, which is exactly the situation the Inception module was designed for.
# It was trained with both auxiliary heads (weight 0.3, section 5) and saved without them.
#
# We re-measure its accuracy here on the 1000 validation images (the checkpoint's JSON stores the
# value measured when it was trained; rerunning the command reproduces it within the stated tolerance):

# %%
val = weights.mini_validation_set(info)
acc = train.evaluate(model, val)["main"]
print(f"trained: validation accuracy {acc:.3f} on {len(val)} images "
      f"(checkpoint JSON: {info['accuracy']['val_main']:.3f}; a re-run of the command agrees within "
      f"±{info['tolerance']:.2f}; chance is {1 / len(val.class_names):.2f})")
assert abs(acc - info["accuracy"]["val_main"]) < 0.005
print("the data at 32 px: " + ", ".join(f"{k} {lo:g} to {hi:g} px" for k, (lo, hi) in data.synthetic_scales(32).items()))

# %% jupyter={"source_hidden": true}
# check: the description above, from the checkpoint's JSON
assert info["config"]["width"] == 1 / 8 and info["config"]["aux_logits"] is False      # saved without the heads
assert info["training"]["trained_with_aux_heads"] and info["training"]["aux_weight"] == 0.3
assert len(val) == 1000 and len(val.class_names) == 10

# %% [markdown]
# **Random**: the same architecture with the variant's random initialisation, as a control. One
# detail matters: a fresh network's BatchNorm layers hold their initial statistics (mean 0,
# variance 1), so in eval mode the signal shrinks block after block and every deep map looks blank.
# For a fair control we re-estimate the BatchNorm statistics on 256 training-like images
# (`weights.calibrate_batchnorm`): random filters, but activations on the same scale as in the
# trained network.

# %%
calib = data.normalize(data.synthetic(256, seed=7).images)  # not validation images
random_net = weights.random_googlenet(seed=0, calibrate_on=calib)
nets = {"trained": model, "random": random_net}
random_acc = train.evaluate(random_net, val.subset(slice(0, 500)))["main"]
print(f"random: validation accuracy {random_acc:.3f} on the first 500 validation images")

# %% jupyter={"source_hidden": true}
# check: the random control is at chance level (0.10), the trained network far above it
assert abs(random_acc - 0.1) < 0.05 and acc > 5 * 0.1

# %% [markdown]
# ## Inputs
#
# Validation images of four classes, and the photograph that ships with matplotlib's sample data
# (prepared by `inception.images.prepare_image`, which also takes files, bytes from an upload
# widget, PIL images and arrays, and explains every conversion it makes):

# %%
picks = {name: int((val.labels == val.class_names.index(name)).nonzero()[0]) for name in
         ("disk striped", "cross solid", "ring striped", "triangle striped")}
samples = {name: val.images[i] for name, i in picks.items()}
photo = images.sample_photo(64)
print(photo.message())
samples["photo"] = images.sample_photo(32).tensor
featviz.plot_inputs(samples)

# %% [markdown]
# ## First-layer filters
#
# The small stem's first layer is a 3x3 convolution (the paper's 7x7/2 is made for 224 px images),
# drawn as RGB tiles: grey is zero, each filter scaled to its own range. With only eight 3x3
# filters there is little room for the oriented edge detectors of an ImageNet network (see the
# optional ImageNet section): the trained filters are smooth color and brightness ramps, the
# random ones pixel noise.

# %%
featviz.plot_first_layer_filters(nets)


# %% jupyter={"source_hidden": true}
# check: the trained filters are smooth (neighbouring taps correlated), the random ones pixel noise (uncorrelated)
def neighbour_correlation(w):  # correlation of horizontally and vertically adjacent filter taps
    a = torch.cat([w[..., 1:, :].flatten(), w[..., :, 1:].flatten()])
    b = torch.cat([w[..., :-1, :].flatten(), w[..., :, :-1].flatten()])
    return torch.corrcoef(torch.stack([a, b]))[0, 1].item()

corr = {k: neighbour_correlation(m.conv1.conv.weight.detach()) for k, m in nets.items()}
assert corr["trained"] > 0.5 and abs(corr["random"]) < 0.2, corr

# %% [markdown]
# ## Feature maps of the stem and of every block
#
# Each row is one stage of the trained network on a striped disk: the input, then the eight
# channels with the most spatial contrast on this image (largest standard deviation over positions;
# each colored on its own scale, yellow = high). A **grey** tile is a flat map: the channel has the
# same value everywhere. Resolution halves at 3a, 4a and 5a.

# %%
featviz.plot_stage_grids(model, samples["disk striped"], preprocess=data.normalize,
                         title="trained network, 'disk striped'")

# %% [markdown]
# Why are three of conv1's tiles grey? conv1 has only eight channels, so its row shows all of them,
# and three are **dead units**: their BatchNorm shift is so negative that the ReLU outputs 0 on every
# image (the cell below finds them on all 1000 validation images). Two more are zero on most of
# this image (nearly all dark tiles), though not on other images. Ranking by mean activation instead (`rank="mean"`) would pick
# channels with a large but almost uniform response; ranking by contrast picks those that show a
# pattern.

# %%
conv1 = features.activations(model, data.normalize(val.images), "conv1")["conv1"]
dead = [c for c in range(conv1.shape[1]) if (conv1[:, c] == 0).all()]
print(f"conv1: {conv1.shape[1]} channels; zero on all {len(val)} validation images: {dead}; "
      f"share of zeros per channel: {[round(v, 2) for v in (conv1 == 0).float().mean((0, 2, 3)).tolist()]}")

# %% jupyter={"source_hidden": true}
# check: three dead units, and their BatchNorm shift (beta) is negative; the resolution halves at 3a, 4a and 5a
assert len(dead) == 3 and (model.conv1.bn.bias[dead] < 0).all()
disk = features.activations(model, data.normalize(samples["disk striped"][None]), "conv1")["conv1"][0]
quiet = [c for c in range(8) if c not in dead and (disk[c] == 0).float().mean() > 0.9]
assert len(quiet) == 2 and all((conv1[:, c] == 0).float().mean() < 0.7 for c in quiet)
# check: the resolution halves at 3a, 4a and 5a, and nowhere else
stage_acts = features.activations(model, data.normalize(samples["disk striped"][None]), features.stage_names(model))
size = {name.replace("inception", ""): a.shape[-1] for name, a in stage_acts.items()}
steps = list(zip(size, list(size)[1:]))
assert [b for a, b in steps if size[b] == size[a] // 2] == ["3a", "4a", "5a"]
assert all(size[b] in (size[a], size[a] // 2) for a, b in steps)

# %% [markdown]
# Trained versus random, on the same image, for a few layers. In the stem both look like filtered
# copies of the input (the random ones already noisier at conv3); from block 3b on, the random
# network's maps break up into noise while the trained network's maps stay smooth, and at 4c they
# concentrate on the middle of the image, where the object is. (The cell after the figure measures
# this on the maps shown: how rough they are, and how much of their energy lies in the middle.)

# %%
featviz.plot_trained_vs_random(nets, samples["disk striped"], ["conv1", "conv3", "inception3b", "inception4c"],
                               preprocess=data.normalize)


# %% jupyter={"source_hidden": true}
# check: conv1 maps about equally smooth; in 3b and 4c the random maps are rougher; in 4c the trained maps
# put more of their energy in the middle of the image
def shown_maps(net, layer):  # the six most active maps, as in the figure
    a = features.activations(net, data.normalize(samples["disk striped"][None]), layer).popitem()[1][0].double()
    return a[a.flatten(1).mean(1).argsort(descending=True)[:6]]

def roughness(a):  # mean squared difference of neighbouring pixels / (2 variance): about 1 for noise, 0 if flat
    a = a - a.mean(dim=(1, 2), keepdim=True)
    diff = ((a[:, 1:] - a[:, :-1]) ** 2).mean() + ((a[:, :, 1:] - a[:, :, :-1]) ** 2).mean()
    return (diff / (4 * a.pow(2).mean())).item()

def centre_share(a):  # share of the maps' energy in the central half (rows and columns) of the image
    q = a.shape[-1] // 4
    return (a[:, q:-q, q:-q].pow(2).sum() / a.pow(2).sum()).item()

maps = {(k, layer): shown_maps(m, layer) for k, m in nets.items() for layer in ("conv1", "inception3b", "inception4c")}
rough = {key: roughness(a) for key, a in maps.items()}
assert abs(rough["trained", "conv1"] / rough["random", "conv1"] - 1) < 0.25, rough
assert rough["random", "inception3b"] > 1.2 * rough["trained", "inception3b"], rough
assert rough["random", "inception4c"] > 2 * rough["trained", "inception4c"], rough
assert centre_share(maps["trained", "inception4c"]) > centre_share(maps["random", "inception4c"]) + 0.1

# %% [markdown]
# ## One block, four branches
#
# Block 3b on the photograph at 64 px (the network is fully convolutional, so it accepts larger
# inputs than the 32 px it was trained on). Rows are the branches of Figure 2b; the label gives the
# branch's channels and its share of the block's activation energy on this image.

# %%
featviz.plot_branches(model, photo.tensor, "3b", preprocess=data.normalize, title="trained, block 3b, photograph")

# %%
featviz.plot_branches(random_net, photo.tensor, "3b", preprocess=data.normalize, title="random, block 3b, photograph")

# %% [markdown]
# ## How much does each branch contribute, across depth?
#
# A block's output is the concatenation of its branches, so its *activation energy* (sum of
# squared activations) splits exactly into four shares. Dashed lines give each branch's share of
# the block's **channels** (fixed by Table 1): a branch above its dashed line is louder per
# channel than the block's average. Measured on 128 validation images:

# %%
energy = {k: features.branch_energy(m, data.normalize(val.images[:128])) for k, m in nets.items()}
featviz.plot_branch_energy(energy)

# %%
energy["trained"].table(title="trained: share of each block's output energy and of its channels")


# %%
def loudest(e):
    return [e.branches[j] for j in e.share.argmax(1)]

louder = {k: (e.share > e.channel_share).sum(0) for k, e in energy.items()}
for k, e in energy.items():
    print(f"{k:8s} loudest branch per block: {' '.join(loudest(e))}")
    print(f"{'':8s} blocks where the branch is louder than its channel share: "
          + ", ".join(f"{b} {n}/9" for b, n in zip(e.branches, louder[k])))
    print(f"{'':8s} mean |energy share - channel share|: {abs(e.share - e.channel_share).mean():.3f}")

# %% [markdown]
# Read the table against the dashed lines rather than in absolute terms: Table 1 gives the 3x3
# branch the most channels in most blocks, so it carries much of the energy even if every channel
# were equally loud. What the numbers say here: the random control's energy follows its
# channel counts almost exactly (calibrated BatchNorm gives every channel a similar scale), so any
# departure in the trained network is learned. The trained network departs several times more:
# its 1x1 and pool-projection branches are louder per channel than the block average in most
# blocks, and its 3x3 branch, the widest in Table 1, is quieter in almost all of them. Training
# moved activation energy toward the cheap branches. (The hidden cell below checks these statements.)
# What energy does *not* tell is whether the network needs that signal: the next section asks.

# %% jupyter={"source_hidden": true}
# check: the claims above
dev = {k: abs(e.share - e.channel_share).mean() for k, e in energy.items()}
cheap = {k: (e.share - e.channel_share)[:, [0, 3]].sum(1).mean() for k, e in energy.items()}  # 1x1 + pool
assert (energy["trained"].channel_share.argmax(1) == 1).sum() > len(energy["trained"].blocks) / 2  # 3x3 widest
assert dev["random"] < 0.02 and dev["trained"] > 3 * dev["random"]                  # "several times more"
assert louder["trained"][0] >= 6 and louder["trained"][3] >= 6 and louder["trained"][1] <= 2  # 1x1, pool, 3x3
assert cheap["trained"] > 0.05 and cheap["trained"] > 3 * cheap["random"]           # toward the cheap branches

# %% [markdown]
# ## Energy is not reliance: branch ablation
#
# A loud branch need not be an important one. In a BatchNorm network a channel's loudness is
# largely a learned scale: BN's gain (gamma) and shift (beta) set each channel's output range, and
# the next layer's weights can compensate any scale. To ask what the network *uses*, remove a branch
# and measure what is lost: `features.branch_ablation` zeroes one branch of one block (its output
# set to 0, everything else unchanged) and measures validation accuracy; 36 ablations for 9 blocks.
#
# Zeroing is a harsh intervention: a channel that is never 0 in training becomes 0, and the layers
# above see inputs they never saw. So the right comparison is a **random control**: zero the same
# *number* of channels of the same block, chosen at random (4 draws, fixed seed), and report the
# mean and range of that drop. A branch whose drop exceeds the random range carries more than its
# channel count predicts; below the range, less. Eval mode and fixed seeds make the numbers exact;
# on the first 300 validation images (the slowest cell of this notebook: each block's output is
# computed once, then only the layers above it are rerun, 20 times per block):

# %%
ablation = features.branch_ablation(model, val.images[:300], val.labels[:300], preprocess=data.normalize,
                                    draws=4, seed=0)
featviz.plot_branch_ablation(ablation, energy["trained"])

# %%
print(f"baseline on these {ablation.images} images: {ablation.baseline:.3f}")
ablation.table(energy["trained"], blocks=["3a", "4a", "4e", "5b"],
               title="trained: accuracy drop when one branch is zeroed, random control, energy share")

# %%
cd = ablation.control_drop
above = ablation.drop > cd.max(axis=2)   # hurts more than any random draw of the same size
below = ablation.drop < cd.min(axis=2)   # hurts less than every random draw
rank = lambda v: np.argsort(np.argsort(v.ravel()))
rho = np.corrcoef(rank(ablation.drop), rank(energy["trained"].share))[0, 1]
print(f"branches that matter more than their channel count (drop above the random range): {above.sum()} of 36; "
      f"less (below it): {below.sum()}")
print(f"rank correlation of accuracy drop with energy share over the 36 branches: {rho:.2f}")

# %% [markdown]
# What the numbers say, for this network: energy share and reliance are related, but far from one
# to one (a rank correlation of about one half, printed above), and about half of the branches fall
# outside the random control's range, more of them above it than below. Some quiet branches matter
# far beyond their size: in block 4a the pool branch (8 of 64 channels) costs over three times more
# accuracy than 8 random channels. Some loud ones matter less: 4a's 3x3 branch carries over a fifth
# of the block's energy, yet zeroing it costs less than zeroing as many random channels. In the last
# block, 5b, no single branch costs more than a tenth of the accuracy. One network, one task, one
# intervention (zeroing; replacing a channel by its mean would be gentler): read it as what this
# network needs, not as what Inception blocks do in general.

# %% jupyter={"source_hidden": true}
# check: the claims above
i4a = ablation.blocks.index("inception4a")
e4a = energy["trained"].share[i4a]
assert 0 < below.sum() < above.sum() and 0.3 < (above | below).mean() < 0.7 and 0.3 < rho < 0.65
assert ablation.drop[i4a, 3] > 3 * cd[i4a, 3].mean() and above[i4a, 3]                # 4a pool: far above random
assert e4a[1] > 0.2 and ablation.drop[i4a, 1] < cd[i4a, 1].mean() and below[i4a, 1]   # 4a 3x3: loud, needed less
assert (ablation.drop[-1] < 0.1).all()                                                 # 5b: no branch costs 0.1

# %% [markdown]
# ## The scale experiment
#
# **What section 4 does and does not predict.** The paper wants the block to process "visual
# information at various scales" in parallel. What kernel size buys one layer is specific: a k x k
# kernel sees a k x k window of the layer below, so it bounds how coarse a pattern *that layer* can
# relate in one step, and, with k^2 weights per input channel, it *can* be tuned more sharply in
# spatial frequency than a 1x1 (which has no spatial extent of its own; whatever spatial tuning a 1x1
# branch shows comes from the layers below it). Neither fact predicts that a 5x5 branch *prefers* a
# coarser period: a 5x5 filter can equally well be a sharp detector of fine stripes. So the result to
# look at is the **tuning curve** of each branch: its response against the period of the pattern,
# with its peak and its width.
#
# **Probes.** Patterns of one spatial period at a time, from 2 px (the finest a 32 px image can
# hold) to 32 px: sinusoidal gratings, checkerboards and lattices of blobs, each at 4 orientations
# and 4 phases (`inception.scale.scale_probes`). Hard-edged patterns near the pixel size alias when
# sampled at pixel centres (the last row below: mazes and spirals at 2-6 px); the probes are
# therefore drawn 8x finer and averaged over each pixel's area, as a camera pixel integrates light
# (tests/test_scale.py checks that this matches a 32x reference and keeps each probe's grey level).

# %%
periods = scale.default_periods(32)
featviz.plot_probes(32, periods, aliased="checkerboard")

# %% [markdown]
# For each branch we measure the *driven response*: the mean squared change of its activations
# relative to a uniform grey image of the same brightness. Branches differ in width and gain, so each
# curve is divided by its own mean (`tuning`, mean 1). Shaded: the training data's own scales, from
# the generator (`data.synthetic_scales(32)`): the stripe period and the shapes' diameter.

# %%
train_scales = data.synthetic_scales(32)
marks = {"training stripe period": train_scales["stripe period"],
         "training shape diameter": tuple(2 * r for r in train_scales["shape radius"])}
print(", ".join(f"{k}: {lo:g} to {hi:g} px" for k, (lo, hi) in marks.items()))
tuning = {k: scale.scale_response(m, 32, kind="grating", preprocess=data.normalize) for k, m in nets.items()}
featviz.plot_scale_response(tuning, ["3a", "3b", "4a", "5b"], marks=marks)

# %% [markdown]
# Each curve summarised (`scale.tuning_table`): the period of its **peak**; **peak / mean**, a
# selectivity index (1 for a flat curve, 9 if a single one of the nine periods drove it); the
# **half-maximum width** in octaves of period (`>=` when the curve stays above half its peak to the
# end of the probed range); and the older summary, the tuning-weighted **centroid**, which a broad
# shoulder can pull far from a sharp peak.

# %%
display(scale.tuning_table(tuning["trained"], ["3a", "3b"], title="trained: tuning to grating period"))
scale.tuning_table(tuning["random"], ["3a", "3b"], title="random: tuning to grating period")

# %%
t3a = {br: j for j, br in enumerate(tuning["trained"].branches)}
width, _ = tuning["trained"].bandwidth
print(f"trained 3a, 5x5 branch: peak at {tuning['trained'].peak_period[0, t3a['5x5']]} px, "
      f"peak/mean {tuning['trained'].peak_to_mean[0, t3a['5x5']]:.2f}, half-max width {width[0, t3a['5x5']]:.1f} octaves; "
      f"centroid {tuning['trained'].preferred_period[0, t3a['5x5']]:.1f} px")
print(f"random 3a, most selective branch: peak/mean {tuning['random'].peak_to_mean[0].max():.2f}")

# %% [markdown]
# **What the tuning curves say.** The clearest result is in block 3a of the trained network: its
# 5x5 branch is sharply tuned, peaking at 4 px, inside the training stripe band printed above, with
# the largest peak/mean and the narrowest half-maximum width of the block, more selective than any
# branch of the random control's 3a. Its centroid (about 6 px) hides the sharp peak. Two cautions
# before reading this as "the 5x5 branch learned the stripes": 4 px is also the finest period block
# 3a's 16x16 grid can represent (stride 2: two grid cells per cycle), and the random control's
# stage-3 branches peak at 3-4 px as well. So *where* the peak sits comes largely with the
# architecture; its *sharpness* is what training added. In the trained 3b the curves are broad (each
# stays above half its peak to an end of the probed range) and three of the four branches peak at
# coarse periods, within the shapes' diameter band; deeper blocks mix fine and coarse peaks.

# %% jupyter={"source_hidden": true}
# check: the claims above
tr, rd = tuning["trained"], tuning["random"]
lo, hi = train_scales["stripe period"]
assert tr.peak_period[0, t3a["5x5"]] == 4 and lo <= 4 <= hi                                  # peak in the stripe band
assert tr.peak_to_mean[0].argmax() == t3a["5x5"] and width[0].argmin() == t3a["5x5"]      # sharpest in 3a
assert tr.peak_to_mean[0, t3a["5x5"]] > 1.2 * rd.peak_to_mean[0].max()                   # beyond the random 3a
assert 5 < tr.preferred_period[0, t3a["5x5"]] < 7                                         # the centroid hides it
assert set(rd.peak_period[:2, :3].ravel()) <= {3, 4}                                      # random: peaks at 3-4 px
assert rd.bandwidth[0][0, :3].min() > width[0, t3a["5x5"]]
assert stage_acts["inception3a"].shape[-1] == 16                                          # 3a's grid
d_lo, d_hi = marks["training shape diameter"]
assert tr.bandwidth[1][1].all() and sum(d_lo <= p <= d_hi for p in tr.peak_period[1]) == 3   # 3b: broad, coarse

# %% [markdown]
# **The naive reading, tested anyway.** If "various scales" meant that the 5x5 branch prefers coarser
# patterns than the 1x1 branch of the same block, the centroids would order 1x1 < 3x3 < 5x5. Across
# the three probe kinds (checkerboards and blobs with 2 orientations x 2 phases to save time):

# %%
runs = list(tuning.items()) + [(k, scale.scale_response(m, 32, kind=kind, preprocess=data.normalize,
                                                        orientations=2, phases=2))
                               for kind in ("checkerboard", "blobs") for k, m in nets.items()]
summary = scale.scale_summary(runs)
display(summary)
print(scale.scale_verdict(tuning["trained"], tuning["random"]))

# %% [markdown]
# A 5x5/1x1 ratio above 1 means the 5x5 branch's centroid is the coarser. In neither network does the
# order hold in more than one block, and the stage-3 ratios sit near 1 (the random control's scatter
# to either side of 1 with the probe kind): kernel size does not set a preferred scale here, which
# section 4's argument never promised. What does grow with kernel size and depth is the receptive
# field (next cell), so fine and coarse evidence can be combined *across* blocks.

# %% jupyter={"source_hidden": true}
# check: the claims above
net, order, stage3 = (summary.column(c) for c in ("network", "1x1 < 3x3 < 5x5 in", "5x5/1x1 stage 3"))
assert all(int(o.split()[0]) <= 1 for o in order)                                   # the order: at most one block
assert all(r < 1.1 for n, r in zip(net, stage3) if n == "trained")                  # 5x5 not coarser than 1x1
random_stage3 = [r for n, r in zip(net, stage3) if n == "random"]
assert min(random_stage3) < 1 < max(random_stage3)                                  # random: on both sides of 1

# %% [markdown]
# What kernel size does fix is the receptive field: in the small-stem network one unit of 3a's
# 1x1, 3x3, 5x5 and pool branches sees this many input pixels (measured by back-propagating from
# one unit, `features.receptive_field`):

# %%
Table(["branch", "receptive field (px)"],
      [[b, features.receptive_field(model, f"3a.{b}")] for b in inception.BRANCH_NAMES],
      title="block 3a, small stem")

# %% jupyter={"source_hidden": true}
# check: receptive fields grow with the kernel in 3a and from block to block; from 4a on even the 1x1
# branch sees most of the 32 px image (the caveats below); the probes span four octaves
rf = {name: features.receptive_field(model, name, image_size=96)
      for name in ("3a.1x1", "3a.3x3", "3a.5x5", "inception3a", "inception3b", "inception4a", "4a.1x1")}
assert rf["3a.1x1"] < rf["3a.3x3"] < rf["3a.5x5"] and rf["inception3a"] < rf["inception3b"] < rf["inception4a"]
assert rf["4a.1x1"] > 32 / 2 and periods[-1] / periods[0] == 2**4

# %% [markdown]
# **Caveats.** The periods a 32 px image can hold span only four octaves, and above stage 3 every
# branch already sees most of the image through the layers below it, so the branch's own kernel
# adds little: the story can only be tested meaningfully in the early blocks. A random network
# with the same kernels has the same receptive fields; only a difference between the trained and
# the random rows says something about what *training* did with the multi-scale architecture.
#
# **On the real network.** Whether the branches of a trained Inception block specialise has been
# studied on the ImageNet-trained InceptionV1 itself: Voss et al., "Branch Specialization" (Distill,
# 2021, part of the Circuits thread; https://distill.pub/2020/circuits/branch-specialization/) find
# that units of related function tend to gather in the same branch, which then acts as a functional
# unit: a division by *what* is detected, which this notebook's scale probes and energy shares do not
# measure. OpenAI Microscope
# (https://microscope.openai.com, announced April 2020) shows feature visualizations of every unit of
# that network, branch by branch, for comparison with what you see here on a 32 px toy task.

# %% [markdown]
# ## Browse every channel
#
# Choose the network, stage, branch, channel and image; upload a picture of your own (it is
# converted and resized to 32x32; unusable files get a message in the widget). Activations are
# computed once per image and network and cached, so moving the channel slider only redraws
# (`python benchmarks/bench_features.py` measures the update time).

# %%
browser = widgets.feature_browser(nets, samples, preprocess=data.normalize)
browser

# %% [markdown]
# The browser's default view, as a static figure (for readers without a live kernel):

# %%
browser.figure()


# %% [markdown]
# ## What does a channel want to see? Feature visualization by optimization
#
# Instead of asking how a channel responds to given images, ask which image excites it most:
# start from faint noise and follow the gradient of the channel's mean activation with respect to
# the pixels (Olah, Mordvintsev and Schubert, *Feature Visualization*, Distill 2017). Unregularised,
# this produces high-frequency noise; two simple regularisers from that article keep it readable:
# random jitter of a couple of pixels at every step and a total-variation penalty. Below: the four
# most active channels of block 4a's 3x3 and 5x5 branches (averaged over 64 validation images),
# 40 Adam steps each, a few seconds on a CPU.

# %%
def top_channels(net, layer, k=6):
    a = features.activations(net, data.normalize(val.images[:64]), layer)[features.resolve(net, layer).popitem()[0]]
    return a.mean(dim=(0, 2, 3)).argsort(descending=True)[:k].tolist()

vis = {}
for layer in ("4a.3x3", "4a.5x5"):
    chans = top_channels(model, layer, k=4)
    vis[layer] = features.visualize_channels(model, layer, chans, steps=40, preprocess=data.normalize)
    display(featviz.plot_visualized(vis[layer], [f"ch {c}" for c in chans], title=f"trained, {layer}"))

# %% [markdown]
# The trained channels ask for fine, maze-like stripes a few pixels apart: the striped texture
# that half of the classes are defined by. The same procedure on the random control, for comparison:

# %%
chans = top_channels(random_net, "4a.3x3", k=4)
vis["random 4a.3x3"] = features.visualize_channels(random_net, "4a.3x3", chans, steps=40, preprocess=data.normalize)
featviz.plot_visualized(vis["random 4a.3x3"], [f"ch {c}" for c in chans], title="random, 4a.3x3")


# %% jupyter={"source_hidden": true}
# check: the trained channels' images have most of their power at periods of 3-8 px, like the striped
# classes (half of the ten) and unlike the solid ones; the random control's are white noise (about 0.3)
def band_power(images, lo=3, hi=8):  # share of the images' spectral power (mean removed) at periods lo..hi px
    power = torch.fft.fft2(images - images.mean(dim=(-2, -1), keepdim=True)).abs().pow(2).mean(dim=(0, 1))
    f = torch.fft.fftfreq(images.shape[-1])
    period = 1 / (f[:, None] ** 2 + f[None, :] ** 2).sqrt()  # inf for the (removed) mean
    return (power[(period >= lo) & (period <= hi)].sum() / power.sum()).item()

striped = torch.tensor(["striped" in val.class_names[label] for label in val.labels.tolist()])
assert striped.sum() == len(val) // 2 and sum("striped" in c for c in val.class_names) == 5
assert band_power(val.images[striped]) > 3 * band_power(val.images[~striped])
assert band_power(vis["4a.3x3"]) > 0.5 and band_power(vis["4a.5x5"]) > 0.5 and band_power(vis["random 4a.3x3"]) < 0.4

# %% [markdown]
# ## With ImageNet weights (optional)
#
# Set `USE_IMAGENET = True` in the first code cell (or run the notebook with that parameter) to
# load torchvision's ImageNet GoogLeNet into the `"torchvision"` variant (`inception.weights`;
# downloaded once into torch's cache, then offline). What changes: the 7x7 first-layer filters
# become the familiar oriented edges and color blobs, the feature maps of the 224 px photograph
# resolve faces and textures, and the network names what it sees (top-5 classes below; names come
# from torchvision when it is installed, otherwise indices are shown). The scale experiment and the
# energy shares can be rerun on it with the same functions.

# %%
if USE_IMAGENET:
    imagenet = inception.weights.googlenet_imagenet(download=True)
    photo224 = images.sample_photo(224).tensor
    names = weights.imagenet_class_names()
    print("class names from torchvision" if names else "torchvision not installed: classes shown by index")
    display(weights.top_k(imagenet, photo224, k=5, class_names=names))
    display(featviz.plot_first_layer_filters({"ImageNet": imagenet}))
    display(featviz.plot_branches(imagenet, photo224, "3b", preprocess=weights.imagenet_normalize,
                                  title="ImageNet weights, block 3b"))
    imagenet_energy = features.branch_energy(imagenet, weights.imagenet_normalize(photo224[None]))
    display(featviz.plot_branch_energy({"ImageNet (photograph)": imagenet_energy, **energy}))
else:
    print("USE_IMAGENET is False: skipped (no download). Set it to True in the first code cell to compare.")

# %% [markdown]
# ## Summary
# - Hooks (`features.capture`, `features.activations`) read any stage or branch by name and are
#   always removed; the same names work for every variant.
# - A trained mini-GoogLeNet and a random control with calibrated BatchNorm side by side: the
#   trained first-layer filters are smooth and the trained maps stay smooth with depth; the random
#   filters are pixel noise, and the random maps, filtered copies of the input in the stem, turn
#   into noise from block 3b on.
# - The share of activation energy per branch, against the share of channels, shows where a trained
#   network puts its signal; it is not reliance. Branch ablation against a random control of the
#   same size measures reliance, and in this network the two agree only in part.
# - Section 4's multi-scale argument says what a kernel size allows (how coarse one layer can see,
#   how sharp it can tune), not which period a branch will prefer. The tuning curves show one sharply
#   tuned branch (3a's 5x5, peaking in the training stripes' band, more selective than the random
#   control) and no ordering of preferred period by kernel size. A design motivation is a hypothesis
#   about what training will do, not a guarantee; on ImageNet's InceptionV1, branches specialise by
#   function (Voss et al. 2021).
#
# ## Exercises
# 1. **Receptive field.** How wide (in input pixels) is the region one unit of block 3b's 5x5
#    branch sees? Work it out layer by layer (3a's output has stride 2), then check.

# %%
answer = None  # your number of pixels
features.check_receptive_field(answer, model, "3b.5x5")

# %% jupyter={"source_hidden": true}
# solution: block 3a's output sees 15 px (its widest branch, the 5x5, in the table above); 3b's 5x5
# branch adds a 1x1 (nothing) and a 5x5 on a grid of stride 2: (5 - 1) x 2 = 8 more pixels
rf_3a = features.receptive_field(model, "inception3a")
features.check_receptive_field(rf_3a + (5 - 1) * 2, model, "3b.5x5")

# %% [markdown]
# 2. **Energy share by hand.** Using `features.activations(model, x, ["4a.pool", "inception4a"])`
#    on the photograph (`x = data.normalize(photo.tensor[None])`), compute the share of block 4a's
#    output energy carried by its pool branch, then check it.

# %%
answer = None  # a number between 0 and 1
features.check_energy_share(answer, model, data.normalize(photo.tensor[None]), "4a", "pool")

# %% jupyter={"source_hidden": true}
x = data.normalize(photo.tensor[None])
acts = features.activations(model, x, ["4a.pool", "inception4a"])
share = float(acts["inception4a.pool"].pow(2).sum() / acts["inception4a"].pow(2).sum())
features.check_energy_share(share, model, x, "4a", "pool")

# %% [markdown]
# 3. **Pixels or image fractions?** The network was trained on 32 px images. Show it 64 px probes
#    (`scale.scale_response(model, 64, blocks=["3a"], preprocess=data.normalize)`): at which period
#    does block 3a's 5x5 branch now peak? Predict first: a convolution measures period in pixels,
#    not as a fraction of the image. Then check your number.

# %%
answer = None  # a period in px, one of scale.default_periods(64)
scale.check_peak_period(answer, model, "3a.5x5", 64, preprocess=data.normalize)

# %% jupyter={"source_hidden": true}
r64 = scale.scale_response(model, 64, blocks=["3a"], preprocess=data.normalize)
print(scale.tuning_table(r64))  # the 5x5 branch still peaks at 4 px: its filters work in pixels
scale.check_peak_period(int(r64.peak_period[0, 2]), model, "3a.5x5", 64, preprocess=data.normalize)

# %% [markdown]
# 4. **Your own image.** Upload a photo in the browser above (it appears in `browser.images` under
#    its file name; the photograph is there as `"photo"`). Which branch of block 3a carries the most
#    energy on it? Is it the loudest branch on the synthetic images too (the energy table above)?

# %%
image_name = "photo"  # or the name of your upload
answer = None  # "1x1", "3x3", "5x5" or "pool"
features.check_loudest_branch(answer, model, data.normalize(browser.images[image_name][None]), "3a")

# %% jupyter={"source_hidden": true}
e = features.branch_energy(model, data.normalize(browser.images[image_name][None]))
print("your image:", ", ".join(f"{b} {v:.2f}" for b, v in zip(e.branches, e.share[0])),
      "| synthetic:", ", ".join(f"{b} {v:.2f}" for b, v in zip(e.branches, energy["trained"].share[0])))
features.check_loudest_branch(e.branches[int(e.share[0].argmax())], model,
                              data.normalize(browser.images[image_name][None]), "3a")
