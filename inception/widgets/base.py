"""What every explorer widget shares: how Jupyter displays it and how it holds its updates.

An explorer keeps its ipywidgets tree in ``.widget`` (built in ``__init__`` or lazily by
``build()``), so a cell whose value is the explorer shows the live widget. Its text/plain is the
explorer's short ``repr`` (what nbval compares and what a reader without a kernel sees) rather than
ipywidgets' repr, which spells out every child's value.

Several controls often move at once (a preset writes eight sliders; a refresh replaces a menu's
options). ``with self.hold():`` marks that time, and the callbacks return early while ``held``, so
the explorer updates once, at the end, instead of once per control.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

__all__ = ["Explorer", "widget_bundle", "ipywidgets"]


def ipywidgets() -> Any:
    """The ipywidgets module, imported on first use: the calculations never need it."""
    import ipywidgets as W

    return W


def widget_bundle(widget: Any, text: str, **kwargs: Any) -> dict:
    """``widget``'s display data with ``text`` as its text/plain."""
    bundle = widget._repr_mimebundle_(**kwargs) or {}
    bundle = dict(bundle[0] if isinstance(bundle, tuple) else bundle)
    bundle["text/plain"] = text
    return bundle


class Explorer:
    """Base of the notebooks' explorers: display as the widget, with ``repr`` as text; ``hold()``."""

    #: the ipywidgets tree; None until built
    widget: Any = None
    _hold_depth: int = 0

    def build(self) -> Any:
        """Build ``self.widget`` (explorers that build in ``__init__`` never need this) and return it."""
        raise NotImplementedError(f"{type(self).__name__} builds its widget in __init__")

    def root(self) -> Any:
        """The ipywidgets tree to display, built on first use."""
        if self.widget is None:
            self.build()
        return self.widget

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Within this block, ``held`` is true: callbacks skip their update (nested holds are fine)."""
        self._hold_depth += 1
        try:
            yield
        finally:
            self._hold_depth -= 1

    @property
    def held(self) -> bool:
        return self._hold_depth > 0

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        return widget_bundle(self.root(), repr(self), **kwargs)
