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

# %% [markdown]
# ## Contents
#
# | notebook | what it covers |
# |---|---|
# | `00_index.ipynb` | this page: the collection, the package, how to check that everything works |
# | `01_why_1x1_convolutions.ipynb` | the naive block (Figure 2a) and its blow-up; a 1x1 conv is a per-pixel linear layer; what a reduction saves and where it stops paying off |
# | `02_building_the_inception_block.ipynb` | the block step by step; GoogLeNet from Table 1; the seed blog's summary reproduced and corrected; the three variants |
# | `03_parameters_and_compute.ipynb` | Table 1 recomputed (and its errata); compute early, parameters late; AlexNet, VGG-16, naive blocks, GAP; the paper's claims checked |
# | `04_auxiliary_classifiers.ipynb` | do the auxiliary classifiers help? A real ablation on a laptop CPU, with gradient norms by depth |
# | `05_feature_maps.ipynb` | what the four branches of a trained network respond to; a scale experiment; a feature-map browser |
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

# %% [markdown]
# ## A first check: the package and the paper's architecture
#
# The nine Inception blocks of Table 1, read from the data that every model in this collection is
# built from (filter counts in the paper's column order):

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
inception.cost.variants_table()

# %%
import torch

model = inception.googlenet("bn")  # the seed blog's network
aux1, aux2, out = model(torch.randn(2, 3, 224, 224))  # training mode: both auxiliary heads run
print(aux1.shape, aux2.shape, out.shape)

# %% [markdown]
# ## Summary
# - The architecture lives once, as data (Table 1); models, costs and widgets read it from there.
# - Three variants: `bn` (the seed), `paper` (2014, with LRN and no BatchNorm), `torchvision`
#   (weight-compatible with torchvision's ImageNet checkpoint).
#
# ## Exercise
# 1. How many output channels does block 4e produce? Compute it from its four branch widths, then
#    check: `assert inception.INCEPTION_BLOCKS["4e"].out_channels == your_answer`.
