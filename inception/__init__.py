"""inception: GoogLeNet / Inception v1 (Szegedy et al. 2014) for teaching.

The architecture as data (:mod:`inception.architecture`), the model in three variants
(:mod:`inception.model`), an exact cost model (:mod:`inception.cost`) and pretrained
weights (:mod:`inception.weights`).
"""

from .architecture import BLOCK_NAMES, BRANCH_NAMES, INCEPTION_BLOCKS, STEM_CHANNELS, TABLE1, BlockSpec
from .config import VARIANTS, GoogLeNetConfig, VariantSpec
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
