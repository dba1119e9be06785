"""Notebook 01's explorer: a k x k convolution, direct or after a 1x1 reduction, with sliders."""

from __future__ import annotations

from .._checks import check_choice
from ..blockviz import reduction_html, reduction_plot_svg
from ..reduction import KERNEL_SIZES, ReductionCost, reduction_cost
from .base import Explorer, ipywidgets

__all__ = ["ReductionWidget", "reduction_widget"]


class ReductionWidget(Explorer):
    """Sliders for C_in, C_out, kernel, reduction width and H = W; live table, verdict and plot.

    ``.widget`` is the ipywidgets box; ``.update()`` recomputes everything from the sliders.
    """

    def __init__(self, c_in: int = 192, c_out: int = 32, kernel: int = 5, reduction: int = 16,
                 size: int = 28) -> None:
        w = ipywidgets()
        reduction_cost(c_in, c_out, kernel, reduction, size)  # validate the starting values
        check_choice("kernel", kernel, KERNEL_SIZES)
        style = {"description_width": "150px"}
        layout = w.Layout(width="460px")
        slider = lambda desc, v, lo, hi: w.IntSlider(value=v, min=lo, max=hi, description=desc,  # noqa: E731
                                                     style=style, layout=layout, continuous_update=True)
        self.c_in = slider("input channels C_in", c_in, 1, 1024)
        self.c_out = slider("output channels C_out", c_out, 1, 512)
        self.kernel = w.SelectionSlider(options=list(KERNEL_SIZES), value=kernel, description="kernel k",
                                        style=style, layout=layout)
        self.reduction = slider("reduction width r", reduction, 1, 512)
        self.size = slider("H = W", size, 1, 112)
        # one HTML view for the readout and the plot: one message to the browser per move
        self.view = w.HTML()
        self.parts: dict[str, str] = {}
        for s in self.sliders:
            s.observe(self._on_change, names="value")
        self.widget = w.VBox([*self.sliders, self.view])
        self.update()

    @property
    def sliders(self) -> list:
        return [self.c_in, self.c_out, self.kernel, self.reduction, self.size]

    def current(self) -> ReductionCost:
        return reduction_cost(self.c_in.value, self.c_out.value, self.kernel.value, self.reduction.value,
                              self.size.value)

    def _on_change(self, _change: dict) -> None:
        self.update()

    def update(self) -> ReductionCost:
        """Recompute the numbers, the verdict and the plot from the slider values."""
        rc = self.current()
        self.parts = {"readout": reduction_html(rc), "plot": reduction_plot_svg(rc)}
        self.view.value = self.parts["readout"] + self.parts["plot"]
        return rc

    def __repr__(self) -> str:
        return (f"ReductionWidget(c_in={self.c_in.value}, c_out={self.c_out.value}, kernel={self.kernel.value}, "
                f"reduction={self.reduction.value}, size={self.size.value})")


def reduction_widget(c_in: int = 192, c_out: int = 32, kernel: int = 5, reduction: int = 16,
                     size: int = 28) -> ReductionWidget:
    """The notebook-01 widget (defaults: the 5x5 branch of 3a, 28 x 28 x 192 input)."""
    return ReductionWidget(c_in, c_out, kernel, reduction, size)
