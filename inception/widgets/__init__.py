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
:mod:`inception.netviz`, :mod:`inception.ablation`, :mod:`inception.featviz`), which still answer
for the explorers' old names (``blockviz.reduction_widget`` ...). Modules load on first use, so
``import inception.widgets`` pulls in neither ipywidgets nor matplotlib.
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

#: topic module -> {old name: widget module}: what each topic module held before the widgets moved
_MOVED: dict[str, dict[str, str]] = {
    "inception.blockviz": {"ReductionWidget": ".reduction", "reduction_widget": ".reduction",
                           "BlockBuilder": ".block", "block_builder": ".block"},
    "inception.netviz": {n: ".network" for n in ("NetworkExplorer", "network_widget", "too_small_message",
                                                 "DESCRIPTION_WIDTH", "SLIDER_WIDTH")},
    "inception.ablation": {"AblationExplorer": ".ablation"},
    "inception.featviz": {n: ".features" for n in ("FeatureBrowser", "feature_browser", "MAX_UPLOAD_BYTES",
                                                          "_mb")},
}

__all__ = sorted(_HOMES)


def _load(module: str, name: str) -> Any:
    return getattr(importlib.import_module(module, __name__), name)


def moved(module: str, name: str) -> Any:
    """``name`` of topic module ``module`` (its module-level ``__getattr__``), now defined here."""
    home = _MOVED.get(module, {}).get(name)
    if home is None:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    return _load(home, name)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return _load(_HOMES[name], name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
