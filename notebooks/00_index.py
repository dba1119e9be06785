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
# # Inception v1 / GoogLeNet, interactively
#
# An interactive companion to Szegedy et al., *Going deeper with convolutions* (2014,
# arXiv:1409.4842). Each notebook is short, runs top to bottom on a laptop CPU, and calls into the
# small `inception` package that ships with it, so you can read the notebooks and reuse the code.
#
# **You will learn** why GoogLeNet uses 1x1 "reductions", how an Inception block is built, where the
# network's parameters and compute live (and where the paper's own Table 1 is wrong), whether the
# auxiliary classifiers help, and what the four branches of a trained network actually respond to.
#
# **You need** Python, PyTorch basics (`nn.Module`, a forward pass) and convolution arithmetic
# (kernel, stride, padding). No GPU, no downloads.
#
# **Where it comes from.** The collection grew from a blog post, *[Paper Review & Implementation]
# Going deeper with convolutions (GoogleNet/Inception Net v1, 2014)*, called "the seed" in the
# notebooks. It reproduces the seed's PyTorch network (the package's `bn` variant) and its
# `torchinfo` summary exactly (13,393,352 parameters, 3.17 G mult-adds for a batch of two), and
# corrects what that summary and code get wrong (notebook 02): the mult-adds leave out the
# auxiliary classifiers, because torchinfo runs in eval mode; the weight initialisation never
# reaches the `nn.Linear` layers; and the filter counts typed by hand are derived here from the
# paper's Table 1, whose own errors notebook 03 checks row by row.

# %% [markdown]
# ## Contents
#
# | notebook | what it covers |
# |---|---|
# | `00_index.ipynb` | this page: the collection, the package, how to check that everything works |
# | `01_why_1x1_convolutions.ipynb` | section 3's motivation; Figure 2 (naive vs with reductions) and the naive block's blow-up; a 1x1 conv is a per-pixel linear layer; what a reduction saves, where it stops paying off, and what it can cost in representation (Inception-v3's bottlenecks) |
# | `02_building_the_inception_block.ipynb` | the block step by step; GoogLeNet from Table 1 and its map (Figure 3); the seed blog's summary reproduced and corrected; the three variants; LRN |
# | `03_parameters_and_compute.ipynb` | Table 1 recomputed (and its errata); compute early, parameters late; AlexNet, VGG-16, naive blocks, GAP; the paper's claims checked |
# | `04_auxiliary_classifiers.ipynb` | do the auxiliary classifiers help? A real ablation on a laptop CPU, with gradient norms by depth |
# | `05_feature_maps.ipynb` | what the four branches of a trained network respond to: tuning curves over pattern scale (section 4's multi-scale argument), branch ablation against a random control; a feature-map browser |
#
# Take them in order; 04 and 05 can be read on their own after 02.
#
# ## How to use the collection
# - Open the notebooks in JupyterLab (`jupyter lab notebooks/`) and run them top to bottom.
#   Sliders and buttons need a live kernel; every interactive cell also leaves a static table
#   or figure, so the notebooks read well on GitHub or nbviewer too.
# - Every number a notebook states is computed in the notebook. `pytest --nbval` re-runs all of
#   them and compares every stored output, so a teacher can trust what is shown.
# - The package's parts: `inception.architecture` (Table 1 as data), `inception.model` (the
#   network in three variants), `inception.cost` (exact parameter and compute counts),
#   `inception.weights` (torchvision's ImageNet weights, when you have them).

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


# %% [markdown]
# ## The map: GoogLeNet in one picture (Figure 3)
#
# The whole network as the paper's Figure 3 and Table 1 describe it, drawn by the package from its
# config and cost model (`inception.netmap.network_map`; notebook 02 explains it): the stem and
# stage 3 in the first column, stages 4 and 5 and the classifier in the second, the two auxiliary
# classifiers (training only) in the third. Each Inception block is split into its four branch
# outputs (1x1, 3x3, 5x5 and pool, in the colours every notebook uses), and every box shows its
# output size H x W x C. Notebook 01 is about what happens inside one block, 02 builds the blocks
# and the whole network, 03 counts its cost, 04 asks what the auxiliary heads do, and 05 looks at
# what the branches of a trained network respond to.

# %% tags=["network-map"]
from IPython.display import display

from inception import netmap

network_figure = netmap.network_map("paper")
display(network_figure)

# %% [markdown]
# ## A first check: the package and the paper's architecture
#
# The nine Inception blocks of Table 1, read from the data that every model in this collection is
# built from (filter counts in the paper's column order):

# %%
import inception
from inception.display import Table

Table(["block", "#1x1", "#3x3 reduce", "#3x3", "#5x5 reduce", "#5x5", "pool proj", "output channels"],
      [[name, *spec.as_tuple(), spec.out_channels] for name, spec in inception.INCEPTION_BLOCKS.items()])

# %% [markdown]
# The three variants of the network this collection builds, costed analytically (section 1 of the
# paper sets a budget of 1.5 billion multiply-adds at inference time; `bn` is the seed blog's
# network, `torchvision` loads torchvision's ImageNet weights; notebook 03 checks the paper's
# numbers one by one):

# %%
inception.netviz.variants_table()

# %%
import torch

model = inception.googlenet("bn")  # the seed blog's network
aux1, aux2, out = model(torch.randn(2, 3, 224, 224))  # training mode: both auxiliary heads run
print(aux1.shape, aux2.shape, out.shape)

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: the seed's torchinfo figures quoted above, from the cost model (notebook 02 runs torchinfo itself):
# all parameters, and the mult-adds of a batch of two without the auxiliary heads
seed_layers = inception.cost.layer_costs(inception.GoogLeNetConfig(variant="bn"), 224)
assert inception.cost.totals(seed_layers).params == sum(p.numel() for p in model.parameters()) == 13_393_352
assert round(2 * inception.cost.totals(seed_layers, include_aux=False).torchinfo_macs / 1e9, 2) == 3.17

# %% [markdown]
# ## Instructor notes
#
# **Running times.** Each notebook's time to run top to bottom in a fresh kernel (kernel start-up
# included), read from `results/notebook_times.json`, which `python benchmarks/bench_notebooks.py`
# writes, on the 2-CPU machine the table's title describes. A laptop's times differ with its CPU and
# its load: re-run the benchmark on the machine you will teach from before class.

# %%
import json
from pathlib import Path

times = json.loads((Path(inception.__file__).resolve().parents[1] / "results" / "notebook_times.json").read_text())
notebooks = sorted(times["notebooks"])
Table(["notebook", "median s", "worst s", "runs", "target s"],
      [[name, t["median_s"], t["worst_s"], t["runs"], t["target_s"]] for name, t in sorted(times["notebooks"].items())],
      title=f"measured {times['measured']} on {times['machine']['cpus']} CPUs"
            + (f" ({times['note']})" if times["note"] else ""), digits=1)

# %% tags=["assert"] jupyter={"source_hidden": true}
# check: every other notebook of the collection has a measurement (the benchmark writes 00's own time after running it)
on_disk = {p.name for p in (Path(inception.__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb")}
assert on_disk - {"00_index.ipynb"} <= set(notebooks) <= on_disk
assert all(t["median_s"] > 0 for t in times["notebooks"].values())

# %% [markdown]
# **Order.** 00, then 01 (why 1x1 reductions), then 02 (the block and the network), which every
# later notebook builds on. After 02 the others can be taken in any order: 03 (cost, Table 1's
# errata) needs the cost vocabulary of 01; 04 (auxiliary classifiers) and 05 (what the branches
# respond to) stand on their own. Section 5 of 01 uses the small trained network that ships with
# the package, which 05 describes in full; nothing has to be trained first.
#
# **What to run live in class** (the rest reads well from the stored outputs):
# - 01: the Figure 2 diagrams and the naive-growth plot (section 1), the 1x1-conv-equals-FC check
#   (section 2), the reduction widget (section 4): move the reduction width past the break-even
#   line; and the bottleneck curves (section 5).
# - 02: the branch-by-branch shapes (section 1), the map above, the seed's torchinfo summary in
#   eval and train mode (section 3), the LRN demonstration (section 4) and the block builder
#   (section 5): switch 3a to naive.
# - 03: the network explorer (section 8): change the width and resolution and watch where the
#   compute goes.
# - 04: its live run trains real networks; start it at the beginning of the lesson (see the table
#   for its time) and discuss the stored full run while it trains.
# - 05: the feature-map browser and the scale experiment's plots.
#
# **The map** above (Figure 3) is the collection's table of contents: 01 zooms into one Inception
# block (Figure 2), 02 assembles the boxes, 03 puts a cost on each box, 04 is about the third
# column, 05 looks inside the coloured branches of a trained network.

# %% [markdown]
# ## Summary
# - The architecture lives once, as data (Table 1); models, costs, widgets and the map read it from
#   there.
# - Three variants: `bn` (the seed's), `paper` (2014, with LRN and no BatchNorm), `torchvision`
#   (weight-compatible with torchvision's ImageNet checkpoint).
#
# ## Exercise
#
# Replace `None` by your answer and run the cell; the check function gives a verdict. A worked
# solution follows in a collapsed cell.
#
# **1.** How many output channels does block 4e produce? Compute it from its four branch widths in
# the table above (or read it off the map, then check your reading).

# %%
from inception import blockviz

answer = None  # an integer
blockviz.check_block_out_channels(answer, block="4e")

# %% jupyter={"source_hidden": true}
spec_4e = inception.INCEPTION_BLOCKS["4e"]
channels_4e = spec_4e.ch1x1 + spec_4e.ch3x3 + spec_4e.ch5x5 + spec_4e.pool_proj   # the reductions are internal
print(f"{spec_4e.ch1x1} + {spec_4e.ch3x3} + {spec_4e.ch5x5} + {spec_4e.pool_proj} = {channels_4e}")
blockviz.check_block_out_channels(channels_4e, block="4e")
