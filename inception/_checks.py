"""Argument checks shared by the whole package, so every message is worded the same way.

Each check returns the value as a plain Python object (numpy scalars become ``int``/``float``/
``bool``) or raises an error that names the argument, says what is allowed and what was given.
Checks run before any work is done, so a bad argument never fails deep inside torch.
"""

from __future__ import annotations

import math
import numbers
import operator
from typing import Any, Iterable

import numpy as np

__all__ = [
    "ArgumentTypeError",
    "MAX_BYTES",
    "check_bool",
    "check_choice",
    "check_int",
    "check_number",
    "check_memory",
    "format_bytes",
]

#: The largest allocation a request may need (a generous fixed cap, the same on every machine,
#: so a request is refused the same way everywhere rather than failing in the allocator).
MAX_BYTES: int = 8 * 2**30


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type.

    Also a ``ValueError``: several of these checks raised ``ValueError`` for every bad
    argument before, and callers that catch it keep working.
    """


def _show(value: Any) -> str:
    return f"{value!r} ({type(value).__name__})"


def check_bool(name: str, value: Any) -> bool:
    """``value`` as a bool; only ``True``/``False`` (or numpy booleans) are accepted.

    Truthiness is not enough: ``aux_logits="no"`` is truthy and would silently mean True.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ArgumentTypeError(f"{name} must be True or False, got {_show(value)}")


def _int_range(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"an integer in [{minimum}, {maximum:,}]"
    if minimum == 1:
        return "a positive integer"
    if minimum is not None:
        return f"an integer >= {minimum}"
    if maximum is not None:
        return f"an integer <= {maximum:,}"
    return "an integer"


def check_int(name: str, value: Any, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int in ``[minimum, maximum]``.

    Anything ``operator.index`` accepts counts as an integer (Python and numpy integers);
    booleans do not, although ``True`` is an ``int`` to Python.
    """
    if type(value) is int:  # the common case, kept fast: the cost model checks thousands of these
        v = value
    elif isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"{name} must be {_int_range(minimum, maximum)}, got {_show(value)}")
    else:
        try:
            v = operator.index(value)
        except TypeError:
            raise ArgumentTypeError(f"{name} must be {_int_range(minimum, maximum)}, got {_show(value)}") from None
    if (minimum is not None and v < minimum) or (maximum is not None and v > maximum):
        raise ValueError(f"{name} must be {_int_range(minimum, maximum)}, got {v}")
    return v


def _number_range(minimum: float | None, maximum: float | None, min_open: bool, max_open: bool) -> str:
    if minimum is not None and maximum is not None and min_open and max_open:
        return f"a number strictly between {minimum:g} and {maximum:g}"
    if minimum is not None and maximum is not None:
        return f"a number in {'(' if min_open else '['}{minimum:g}, {maximum:g}{')' if max_open else ']'}"
    if minimum == 0 and min_open:
        return "a positive number (> 0)"
    if minimum is not None:
        return f"a number {'>' if min_open else '>='} {minimum:g}"
    if maximum is not None:
        return f"a number {'<' if max_open else '<='} {maximum:g}"
    return "a finite number"


def check_number(
    name: str,
    value: Any,
    minimum: float | None = None,
    maximum: float | None = None,
    *,
    min_open: bool = False,
    max_open: bool = False,
) -> int | float:
    """``value`` as a finite real number within the bounds (``*_open``: bound excluded).

    NaN and infinities are refused: they pass every ``<`` comparison check silently.
    Python ints and floats are returned unchanged (an ``int`` stays an ``int``, so reprs
    of the caller's objects do not change); numpy scalars become Python numbers.
    """
    allowed = _number_range(minimum, maximum, min_open, max_open)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(f"{name} must be {allowed}, got {_show(value)}")
    if isinstance(value, np.generic):
        value = value.item()
    if not math.isfinite(value):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    too_low = minimum is not None and (value <= minimum if min_open else value < minimum)
    too_high = maximum is not None and (value >= maximum if max_open else value > maximum)
    if too_low or too_high:
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return value


def check_choice(name: str, value: Any, allowed: Iterable[Any]) -> Any:
    """The element of ``allowed`` equal to ``value`` (so ``np.int64(3)`` comes back as the ``3`` listed),
    else a ``ValueError`` that lists the allowed values in the order given:
    ``"variant must be one of ['bn', 'paper'], got 'vgg'"``. A mapping allows its keys.

    A boolean is refused unless ``allowed`` holds one: ``True == 1`` would otherwise let
    ``kernel=True`` pass as kernel 1.
    """
    options = list(allowed)
    try:
        found = value in options
    except (TypeError, ValueError):  # e.g. an array, whose == is elementwise
        found = False
    if found and isinstance(value, (bool, np.bool_)):
        found = any(isinstance(a, (bool, np.bool_)) for a in options)
    if not found:
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return options[options.index(value)]


def format_bytes(n: float) -> str:
    """A byte count for a message: ``'12.3 GiB'``, ``'512.0 MiB'``."""
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{int(n)} bytes"


def check_memory(what: str, nbytes: int, how: str, hint: str) -> None:
    """Refuse a request that would need more than :data:`MAX_BYTES`, before allocating anything.

    ``what`` is the request (``"synthetic(n=10**9)"``), ``how`` how the estimate was made,
    ``hint`` what to change.
    """
    if nbytes > MAX_BYTES:
        raise ValueError(
            f"{what} would need about {format_bytes(nbytes)} of memory ({how}), more than the "
            f"{format_bytes(MAX_BYTES)} allowed: {hint}"
        )


#: Names the topic modules held before the explorers moved to :mod:`inception.widgets`: module ->
#: {old name: where it lives now}. Only for the error message; nothing here imports the widgets.
_MOVED_TO_WIDGETS: dict[str, dict[str, str]] = {
    "inception.blockviz": {
        "ReductionWidget": "inception.widgets.ReductionWidget",
        "reduction_widget": "inception.widgets.reduction_widget",
        "BlockBuilder": "inception.widgets.BlockBuilder",
        "block_builder": "inception.widgets.block_builder",
    },
    "inception.netviz": {
        "NetworkExplorer": "inception.widgets.NetworkExplorer",
        "network_widget": "inception.widgets.network_widget",
        "too_small_message": "inception.widgets.network.too_small_message",
        "DESCRIPTION_WIDTH": "inception.widgets.network.DESCRIPTION_WIDTH",
        "SLIDER_WIDTH": "inception.widgets.network.SLIDER_WIDTH",
    },
    "inception.ablation": {
        "AblationExplorer": "inception.widgets.AblationExplorer",
    },
    "inception.featviz": {
        "FeatureBrowser": "inception.widgets.FeatureBrowser",
        "feature_browser": "inception.widgets.feature_browser",
        "MAX_UPLOAD_BYTES": "inception.widgets.features.MAX_UPLOAD_BYTES",
        "_mb": "inception.widgets.features._mb",
    },
}


def moved_error(module: str, name: str) -> AttributeError:
    """What a topic module's ``__getattr__`` raises for ``name``: for an explorer that moved to
    :mod:`inception.widgets`, where it lives now; else the usual error. The topic modules never
    import the widgets: the layers above use those below."""
    moved = _MOVED_TO_WIDGETS.get(module, {})
    if name in moved:
        return AttributeError(f"{module}.{name} moved: use {moved[name]} (the explorers are in inception.widgets)")
    return AttributeError(f"module {module!r} has no attribute {name!r}")
