"""The notebooks' interactive explorers, one module per explorer, on one shared base.

=================  ==========================================  ========
module             explorer (builder)                          notebook
=================  ==========================================  ========
:mod:`.reduction`  ``ReductionWidget`` (``reduction_widget``)  01
:mod:`.block`      ``BlockBuilder`` (``block_builder``)        02
:mod:`.network`    ``NetworkExplorer`` (``network_widget``)    03
:mod:`.ablation`   ``AblationExplorer``                        04
:mod:`.features`   ``FeatureBrowser`` (``feature_browser``)    05
=================  ==========================================  ========

Every explorer derives from :class:`.base.Explorer` (display as the widget with a short text
repr; ``hold()`` for updates that move several controls). The calculations and static plots the
explorers show stay in their topic modules (:mod:`inception.reduction`, :mod:`inception.blockviz`,
:mod:`inception.netviz`, :mod:`inception.ablation`, :mod:`inception.featviz`); they never import
this package (widgets build on plots, not the other way), and an explorer's old name there
(``blockviz.block_builder`` ...) raises an error that names its home here. Modules load on first
use, so ``import inception.widgets`` pulls in neither ipywidgets nor matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> the module (relative to this package) that defines it
_HOMES: dict[str, str] = {
    "Explorer": ".base",
    "ReductionWidget": ".reduction",
    "reduction_widget": ".reduction",
    "BlockBuilder": ".block",
    "block_builder": ".block",
    "block_diagram": "..blockviz",  # the builder's static view
    "NetworkExplorer": ".network",
    "network_widget": ".network",
    "AblationExplorer": ".ablation",
    "FeatureBrowser": ".features",
    "feature_browser": ".features",
}

__all__ = sorted(_HOMES)


def _load(module: str, name: str) -> Any:
    return getattr(importlib.import_module(module, __name__), name)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return _load(_HOMES[name], name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
