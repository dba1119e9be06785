"""inception: GoogLeNet / Inception v1 (Szegedy et al. 2014) for teaching.

The architecture as data (:mod:`inception.architecture`), the model in three variants
(:mod:`inception.model`), an exact cost model (:mod:`inception.cost`), trained weights
(:mod:`inception.weights`) and the auxiliary-classifier ablation (:mod:`inception.aux_ablation`).
"""

from .architecture import BLOCK_NAMES, BRANCH_NAMES, INCEPTION_BLOCKS, STEM_CHANNELS, TABLE1, BlockSpec
from .config import VARIANTS, GoogLeNetConfig, VariantSpec, variant_spec
from .model import (
    AuxLoss,
    BasicConv2d,
    FeatureInfo,
    GoogLeNet,
    GoogLeNetOutputs,
    Inception,
    InceptionAux,
    googlenet,
    googlenet_loss,
)
from . import cost

__version__ = "0.1.0"

#: Submodules reachable as attributes (``inception.weights.googlenet_imagenet()``) without an import
#: of their own. They load on first access (PEP 562), so ``import inception`` stays cheap: the
#: plotting and widget modules pull in matplotlib and ipywidgets only when used.
SUBMODULES: tuple[str, ...] = (
    "ablation", "architecture", "aux_ablation", "blockviz", "bottleneck", "config", "cost", "data", "display",
    "experiments", "features", "featviz", "images", "model", "netmap", "netviz", "reduction", "scale", "stats",
    "table1", "train", "weights", "widgets", "zoo",
)


def __getattr__(name: str):
    if name in SUBMODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'inception' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(SUBMODULES))

__all__ = [
    "BLOCK_NAMES",
    "BRANCH_NAMES",
    "INCEPTION_BLOCKS",
    "STEM_CHANNELS",
    "TABLE1",
    "BlockSpec",
    "VARIANTS",
    "GoogLeNetConfig",
    "VariantSpec",
    "variant_spec",
    "AuxLoss",
    "BasicConv2d",
    "FeatureInfo",
    "GoogLeNet",
    "GoogLeNetOutputs",
    "Inception",
    "InceptionAux",
    "googlenet",
    "googlenet_loss",
    "cost",
]
