"""How results are shown: small tables that render as HTML in JupyterLab and as aligned text
everywhere else, the exercises' verdicts, and the one way the package makes a figure.

nbval compares the ``text/plain`` form, so a notebook's numbers are checked while the
reader sees a formatted table.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Sequence

__all__ = ["Table", "Verdict", "fmt", "verdict", "check_answer", "new_figure", "subplots"]


def new_figure(figsize: tuple[float, float], *, dpi: float = 80, layout: str | None = None) -> Any:
    """A matplotlib ``Figure`` on its own Agg canvas, outside pyplot's list of open figures: a function
    can return it and Jupyter shows it once, as the cell's value (no second copy from the inline
    backend, nothing kept alive, no ``plt.close`` to forget). In a Jupyter kernel the inline backend
    shows a Figure as a PNG once it is loaded; pyplot would load it as a side effect, so it is loaded here."""
    try:  # importing it in a Jupyter kernel registers the Figure -> PNG display
        import matplotlib_inline.backend_inline  # noqa: F401
    except ImportError:  # no Jupyter here: nothing to display to
        pass
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # matplotlib only when drawing
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi, layout=layout)
    FigureCanvasAgg(fig)
    return fig


def subplots(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float], dpi: float = 80,
             layout: str | None = None, **kwargs: Any) -> tuple[Any, Any]:
    """``plt.subplots`` without pyplot: a :func:`new_figure` and its grid of axes (``kwargs`` go to
    ``Figure.subplots``: ``squeeze``, ``sharex``, ``gridspec_kw`` ...)."""
    fig = new_figure(figsize, dpi=dpi, layout=layout)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def fmt(value: Any, digits: int = 2) -> str:
    """Integers with thousands separators, floats with ``digits`` decimals, None as blank."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


class Table:
    """A table of already-computed values: ``Table(["layer", "params"], [["conv1", 9472]])``."""

    def __init__(self, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str | None = None,
                 digits: int = 2) -> None:
        self.columns = list(columns)
        self.rows = [list(r) for r in rows]
        for i, r in enumerate(self.rows):
            if len(r) != len(self.columns):
                raise ValueError(f"row {i} has {len(r)} cells, expected {len(self.columns)} (columns={self.columns})")
        self.title = title
        self.digits = digits

    def _cells(self) -> list[list[str]]:
        return [[fmt(v, self.digits) for v in r] for r in self.rows]

    def column(self, name: str) -> list[Any]:
        """The raw values of one column (for assertions in notebooks and tests)."""
        return [r[self.columns.index(name)] for r in self.rows]

    def to_text(self) -> str:
        cells = self._cells()
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(self.columns)]
        numeric = [all(isinstance(r[i], (int, float)) or r[i] is None for r in self.rows) for i in range(len(widths))]
        line = lambda vals: "  ".join(  # noqa: E731
            v.rjust(w) if num else v.ljust(w) for v, w, num in zip(vals, widths, numeric)
        ).rstrip()
        out = [self.title] if self.title else []
        out += [line(self.columns), line(["-" * w for w in widths])]
        out += [line(r) for r in cells]
        return "\n".join(out)

    def __repr__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(f"<th>{esc(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in self._cells()
        )
        caption = f"<caption>{esc(self.title)}</caption>" if self.title else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@dataclass(frozen=True)
class Verdict:
    """What an exercise's ``check_*`` function returns: shown as its message, true only for a
    right answer (``ok`` is None while the answer is still the placeholder)."""

    ok: bool | None
    message: str

    def __bool__(self) -> bool:
        return bool(self.ok)

    def __repr__(self) -> str:
        return self.message

    __str__ = __repr__


def verdict(ok: bool | None, right: str = "", wrong: str = "", *,
            missing: str = "Fill in your answer, then run the cell again.") -> Verdict:
    """What every exercise check returns: ``"Correct: " + right`` if ``ok``, ``"Not yet: " + wrong``
    if not, and ``missing`` while the answer is still the placeholder (``ok`` None).

    Only the message of the state at hand is needed: ``verdict(None, missing="Fill in x, ...")``
    before the answer is checked, ``verdict(False, wrong="...")`` for an answer of the wrong kind."""
    if ok is None:
        return Verdict(None, missing)
    return Verdict(bool(ok), f"Correct: {right}" if ok else f"Not yet: {wrong}")


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else repr(value)


def check_answer(answer: Any, expected: float, what: str, *, tol: float = 0.0, hint: str = "") -> Verdict:
    """A number checked against ``expected`` (within ``tol``); ``answer=None`` asks for an answer."""
    from ._checks import check_number  # display stays importable on its own

    if answer is None:
        return verdict(None, missing=f"Fill in your answer for {what}, then run the cell again.")
    answer = check_number(f"answer for {what}", answer)
    return verdict(abs(answer - expected) <= tol, f"{what} = {_show(answer)}.",
                   f"{_show(answer)} is not {what}. {hint}".rstrip())
