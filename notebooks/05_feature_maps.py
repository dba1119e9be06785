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
# - how much of each block's output each branch carries across depth (share of activation energy);
# - a scale experiment on gratings of growing period: which branch responds to which scale, and
#   whether the multi-scale story shows up in the numbers;
# - how to browse every channel of every branch on your own image.
#
# **What you need**: notebook 02 (the Inception block) or the paper's Figure 2; PyTorch forward
# passes. Everything runs on a CPU in seconds; nothing is downloaded unless you set `USE_IMAGENET`.

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
import torch
from IPython.display import display
import inception
from inception import data, features, featviz, images, train, weights
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
# **Trained**: a mini-GoogLeNet shipped with the package: the `bn` variant with the small stem for
# 32 px images (3x3 conv, 1x1, 3x3, one 3x3/2 pool), all nine Inception blocks at 1/8 of the paper's
# width, trained by the command printed above on the project's synthetic *shapes x textures* data
# (`inception.data.synthetic`): ten classes, each a shape (coarse structure) with a solid or striped
# texture (fine structure); `inception.data.synthetic_scales(32)` gives the ranges the generator
# draws at 32 px, printed below the accuracy. Telling the classes apart needs
# both scales, which is exactly the situation the Inception module was designed for. It was trained
# with both auxiliary heads (weight 0.3, section 5) and saved without them.
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

# %%
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

# %%
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


# %%
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
# Each row is one stage of the trained network on a striped disk: the input, then the eight most
# active channels (each colored on its own scale, yellow = high). Resolution halves at 3a, 4a and 5a.

# %%
featviz.plot_stage_grids(model, samples["disk striped"], preprocess=data.normalize,
                         title="trained network, 'disk striped'")

# %%
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


# %%
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
# moved signal toward the cheap branches.
# The next cell checks these statements against the numbers:

# %%
# check: the claims above
dev = {k: abs(e.share - e.channel_share).mean() for k, e in energy.items()}
cheap = {k: (e.share - e.channel_share)[:, [0, 3]].sum(1).mean() for k, e in energy.items()}  # 1x1 + pool
assert (energy["trained"].channel_share.argmax(1) == 1).sum() > len(energy["trained"].blocks) / 2  # 3x3 widest
assert dev["random"] < 0.02 and dev["trained"] > 3 * dev["random"]                  # "several times more"
assert louder["trained"][0] >= 6 and louder["trained"][3] >= 6 and louder["trained"][1] <= 2  # 1x1, pool, 3x3
assert cheap["trained"] > 0.05 and cheap["trained"] > 3 * cheap["random"]           # toward the cheap branches

# %% [markdown]
# ## The scale experiment
#
# If the branches divide the work by scale, the 1x1 branch should prefer fine patterns and the 5x5
# branch coarse ones. We show each block patterns of one spatial period at a time, from 2 px (the
# finest a 32 px image can hold) to 32 px (one cycle per image): sinusoidal gratings, checkerboards
# and lattices of blobs, each at 4 orientations and 4 phases.

# %%
periods = features.default_periods(32)
featviz.plot_probes(32, periods)

# %% [markdown]
# For each branch we measure the *driven response*: the mean squared change of its activations
# relative to a uniform grey image of the same brightness. Branches differ in width and gain, so we
# compare the **shape** of the response across periods: each curve is divided by its own mean
# (`tuning`), and its *preferred period* is the tuning-weighted geometric mean period.

# %%
scale = {k: features.scale_response(m, 32, kind="grating", preprocess=data.normalize) for k, m in nets.items()}
featviz.plot_scale_response(scale, ["3a", "3b", "4a", "5b"])

# %%
featviz.plot_preferred_period(scale)

# %%
features.winner_table(scale, ["3a", "3b"])

# %%
scale["trained"].table(title="trained: preferred grating period (px) of each branch")

# %%
runs = list(scale.items()) + [(k, features.scale_response(m, 32, kind=kind, preprocess=data.normalize,
                                                            orientations=2, phases=2))
                              for kind in ("checkerboard", "blobs") for k, m in nets.items()]
features.scale_summary(runs)

# %% [markdown]
# How to read the summary: a 5x5/1x1 ratio above 1 means the 5x5 branch prefers coarser patterns
# than the 1x1 branch of the same block. The verdict, computed from the numbers above:

# %%
print(features.scale_verdict(scale["trained"], scale["random"]))

# %% [markdown]
# **What the numbers say.** In this trained network the multi-scale story does not show up as a
# division of labour between branches: in the blocks of stage 3 the 1x1, 3x3 and 5x5 branches
# prefer similar periods (within a third of each other), and deeper blocks scatter without
# following kernel size; the 5x5 branch does not prefer coarser patterns than the 1x1 branch in
# stage 3 for any of the three probe kinds, the full order 1x1 < 3x3 < 5x5 almost never holds, and
# the branch that responds most at a given period (the table of winners) does not follow kernel size. The
# random control, with identical kernels and receptive fields, is not consistently ordered either:
# its ratios scatter around 1 from one probe kind to the next. What *does*
# change with scale is depth: receptive fields grow from block to block (see below), and the
# network can combine fine and coarse evidence across blocks rather than across the branches of
# one block. This is one small network on one synthetic task, not a verdict on GoogLeNet; the
# exercise below and the ImageNet section let you test other cases. The claims, checked:

# %%
# check: the claims above
summary = features.scale_summary(runs)
net, order, stage3 = (summary.column(c) for c in ("network", "1x1 < 3x3 < 5x5 in", "5x5/1x1 stage 3"))
assert all(r < 1.1 for n, r in zip(net, stage3) if n == "trained")                  # 5x5 not coarser than 1x1
assert sum(int(o.split()[0]) for n, o in zip(net, order) if n == "trained") <= 3    # the full order: rare
random_stage3 = [r for n, r in zip(net, stage3) if n == "random"]
assert min(random_stage3) < 1 < max(random_stage3)                                  # random: scattered around 1
pp = scale["trained"].preferred_period[:2, :3]                                      # 3a, 3b x 1x1, 3x3, 5x5
assert (pp.max(1) / pp.min(1) < 4 / 3).all()                                        # similar, within a third
kernel = {"1x1": 1, "3x3": 3, "5x5": 5}
for i in range(2):                                                                  # winners of 3a and 3b
    sizes = [kernel[w[i]] for w in scale["trained"].winner if w[i] in kernel]
    assert sizes != sorted(sizes), scale["trained"].blocks[i]                       # do not follow kernel size

# %% [markdown]
# What the receptive fields predict, for comparison: in the small-stem network one unit of 3a's
# 1x1, 3x3, 5x5 and pool branches sees this many input pixels (measured by back-propagating from
# one unit, `features.receptive_field`):

# %%
Table(["branch", "receptive field (px)"],
      [[b, features.receptive_field(model, f"3a.{b}")] for b in inception.BRANCH_NAMES],
      title="block 3a, small stem")

# %%
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

# %% [markdown]
# ## Browse every channel
#
# Choose the network, stage, branch, channel and image; upload a picture of your own (it is
# converted and resized to 32x32; unusable files get a message in the widget). Activations are
# computed once per image and network and cached, so moving the channel slider only redraws
# (`python benchmarks/bench_features.py` measures the update time).

# %%
browser = featviz.feature_browser(nets, samples, preprocess=data.normalize)
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


# %%
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
# - The share of activation energy per branch, against the share of channels, shows which
#   branches a trained network relies on at each depth.
# - The scale experiment measures each branch's preferred period; the verdict above says whether
#   the paper's multi-scale motivation (section 4) is visible in this network, and how it compares
#   with the random control. A design motivation is a hypothesis about what training will do,
#   not a guarantee.
#
# ## Exercises
# 1. **Receptive field.** How wide (in input pixels) is the region one unit of block 3b's 5x5
#    branch sees? Work it out layer by layer (3a's output has stride 2), then check.

# %%
answer = None  # your number of pixels
features.check_receptive_field(answer, model, "3b.5x5")

# %% [markdown]
# 2. **Energy share by hand.** Using `features.activations(model, x, ["4a.pool", "inception4a"])`
#    on the photograph (`x = data.normalize(photo.tensor[None])`), compute the share of block 4a's
#    output energy carried by its pool branch, then check it.

# %%
answer = None  # a number between 0 and 1
features.check_energy_share(answer, model, data.normalize(photo.tensor[None]), "4a", "pool")

# %% [markdown]
# 3. **Another scale probe.** Rerun the scale experiment on 64 px inputs
#    (`features.scale_response(model, 64, preprocess=data.normalize)`): the network was trained at
#    32 px, so what it learned as "fine" and "coarse" now sits at different periods. Does block
#    3a's 5x5 branch still prefer a longer period than its 1x1 branch? Check with
#    `assert result.preferred_period[0, 2] > result.preferred_period[0, 0]` (or its negation).
# 4. **Your own image.** Upload a photo in the browser. Which branch of 3a carries the most energy
#    on it? Is it the same one as on the synthetic images (table above)?
