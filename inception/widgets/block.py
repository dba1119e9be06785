"""Notebook 02's explorer: build an Inception block from its six filter counts (Figure 2, Table 1)."""

from __future__ import annotations

from .._checks import check_choice
from ..architecture import BlockSpec
from ..blockviz import BlockReport, table_html, block_presets, block_report, block_svg, branch_table
from ..display import fmt
from .base import Explorer, ipywidgets

__all__ = ["BlockBuilder", "block_builder"]

_SPEC_FIELDS = ("ch1x1", "ch3x3red", "ch3x3", "ch5x5red", "ch5x5", "pool_proj")
_NAIVE_UNUSED = ("ch3x3red", "ch5x5red", "pool_proj")
#: The filter sliders in a 3-column grid, one column per path: 1x1 over pool_proj, each
#: reduction over its convolution (read row by row: ch1x1, ch3x3red, ch5x5red, then the second row).
_GRID_ORDER = ("ch1x1", "ch3x3red", "ch5x5red", "pool_proj", "ch3x3", "ch5x5")
_GRID_COLUMNS = 3
_DIAGRAM_WIDTH = 480  # px: beside the branch table at 1280 px, rather than above it
_CUSTOM = "custom"
#: "(C x H x W)" must not break across lines, in the summary or the table caption
_CHW_NOWRAP = '<span style="white-space: nowrap">(C&nbsp;x&nbsp;H&nbsp;x&nbsp;W)</span>'


def _nowrap_chw(html_text: str) -> str:
    return html_text.replace("(C x H x W)", _CHW_NOWRAP)


class BlockBuilder(Explorer):
    """Six filter-count sliders, input channels and size, a Table 1 preset and a naive toggle.

    ``.widget`` is the ipywidgets box; ``.update()`` recomputes the output shape, the branch
    table and the SVG diagram from the cost model (no torch modules are built). The six filter
    sliders sit in a 3-column grid (``.filter_grid``) and the diagram beside the table, so the
    whole widget fits on one screen. The summary, diagram and table are one HTML view (``.view``;
    their parts are in ``.parts``), so a slider move costs the browser one message.

    Picking "custom" in the preset menu keeps the current values and keeps the menu on "custom"
    until another preset is picked; moving a slider away from the selected preset's values
    switches the menu to "custom" by itself.
    """

    def __init__(self, preset: str = "3a", naive: bool = False) -> None:
        w = ipywidgets()
        presets = block_presets()
        p = presets[check_choice("preset", preset, presets)]
        style = {"description_width": "100px"}
        cell = lambda: w.Layout(width="auto", min_width="0")  # noqa: E731  (fill a grid cell)
        self.filters = {f: w.IntSlider(value=v, min=1, max=512, description=f, style=style, layout=cell())
                        for f, v in zip(_SPEC_FIELDS, p.spec.as_tuple())}
        self.in_channels = w.IntSlider(value=p.in_shape[0], min=1, max=1024, description="input channels",
                                       style=style, layout=cell())
        self.size = w.IntSlider(value=p.in_shape[1], min=1, max=56, description="H = W", style=style, layout=cell())
        self.preset = w.Dropdown(options=[_CUSTOM, *presets], value=preset, description="preset (Table 1)",
                                 style=style, layout=cell())
        self.mode = w.ToggleButtons(options=["reduced", "naive"], value="naive" if naive else "reduced",
                                    description="block", style={"description_width": "50px", "button_width": "80px"})
        # one HTML view for the summary, the diagram and the table: one message to the browser per move
        self.view = w.HTML()
        self.parts: dict[str, str] = {}
        self._stay_custom = False  # the user picked "custom": don't relabel the menu with a preset name
        for s in self.sliders:
            s.observe(self._on_slider, names="value")
        self.mode.observe(self._on_slider, names="value")
        self.preset.observe(self._on_preset, names="value")
        grid = lambda children: w.GridBox(  # noqa: E731
            list(children), layout=w.Layout(grid_template_columns=f"repeat({_GRID_COLUMNS}, minmax(0, 1fr))",
                                            grid_gap="0px 16px", width="100%"))
        self.shape_grid = grid([self.preset, self.in_channels, self.size])
        self.filter_grid = grid(self.filters[f] for f in _GRID_ORDER)
        controls = w.VBox([self.shape_grid, self.mode, self.filter_grid])
        self.widget = w.VBox([controls, self.view])
        self.update()

    @property
    def sliders(self) -> list:
        return [self.in_channels, self.size, *self.filters.values()]

    def spec(self) -> BlockSpec:
        return BlockSpec(*(self.filters[f].value for f in _SPEC_FIELDS))

    def in_shape(self) -> tuple[int, int, int]:
        return (self.in_channels.value, self.size.value, self.size.value)

    def apply_preset(self, name: str) -> None:
        """Set every slider to block ``name`` of Table 1 at its GoogLeNet input (224 px)."""
        p = block_presets()[name]
        with self.hold():  # eight sliders move: update once, at the end
            for f, v in zip(_SPEC_FIELDS, p.spec.as_tuple()):
                self.filters[f].value = v
            self.in_channels.value, self.size.value = p.in_shape[0], p.in_shape[1]
        self._stay_custom = False
        self.update()

    def _on_preset(self, change: dict) -> None:
        if self.held:
            return
        if change["new"] == _CUSTOM:  # keep the current values; the summary says what to do next
            self._stay_custom = True
            self.update()
        else:
            self.apply_preset(change["new"])

    def _on_slider(self, _change: dict) -> None:
        if not self.held:
            self.update()

    def _matching_preset(self) -> str:
        spec, shape = self.spec(), self.in_shape()
        for name, p in block_presets().items():
            if p.spec == spec and p.in_shape == shape:
                return name
        return _CUSTOM

    def _custom_note(self, match: str) -> str:
        if self.preset.value != _CUSTOM:
            return ""
        start = f" (the values are still block {match}'s)" if match != _CUSTOM else ""
        return f"<b>custom</b>: edit the sliders{start}; pick a block in the preset menu to reset them."

    def update(self) -> BlockReport:
        """Recompute output shape, per-branch table and diagram from the current controls."""
        naive = self.mode.value == "naive"
        for f in _NAIVE_UNUSED:
            self.filters[f].disabled = naive  # Figure 2a has no reductions or pool projection
        report = block_report(self.in_shape(), self.spec(), naive)
        match = self._matching_preset()
        name = _CUSTOM if self._stay_custom else match
        if self.preset.value != name:
            with self.hold():
                self.preset.value = name
        self.parts = {"summary": _summary_html(report, self._custom_note(match)),
                      "diagram": block_svg(report, _DIAGRAM_WIDTH),
                      "table": _nowrap_chw(table_html(branch_table(report), font_size=12))}
        self.view.value = _layout(**self.parts)
        return report

    def __repr__(self) -> str:
        s = self.spec()
        return (f"BlockBuilder(preset={self.preset.value!r}, mode={self.mode.value!r}, in_shape={self.in_shape()}, "
                f"spec={s.as_tuple()}, out_channels={block_report(self.in_shape(), s, self.mode.value == 'naive').out_shape[0]})")


def _layout(summary: str, diagram: str, table: str) -> str:
    """The summary above the diagram and the table, side by side (the table wraps below the diagram
    only on a narrow screen)."""
    # line-height: the HTML widget's own (28 px, a control's height) would make every table row that tall
    return (f"<div style='line-height:1.35'>{summary}<div style='display:flex;flex-flow:row wrap;"
            f"align-items:flex-start;gap:4px 24px'><div style='flex:0 0 auto'>{diagram}</div>"
            f"<div style='flex:0 1 auto'>{table}</div></div></div>")


def _summary_html(report: BlockReport, note: str = "") -> str:
    c, h, w = report.in_shape
    co, oh, ow = report.out_shape
    parts = [note] if note else []
    parts.append(f"<b>Output shape:</b> <span style=\"white-space: nowrap\">{co} x {oh} x {ow} "
                 f"{_CHW_NOWRAP}</span> from {c} x {h} x {w}; "
                 f"<b>weights</b> {fmt(report.weights)}, <b>MACs</b> {fmt(report.macs)} per image.")
    s = report.spec
    if report.naive:
        parts.append(f"Naive block: the pool branch passes all {c} input channels through, so the output "
                     f"always has more channels than the input (ch3x3red, ch5x5red and pool_proj are unused).")
    else:
        wide = [f for f, red, out in (("ch3x3red", s.ch3x3red, c), ("ch5x5red", s.ch5x5red, c)) if red > out]
        if wide:
            parts.append(f"Note: {', '.join(wide)} exceeds the {c} input channels, so that 1x1 conv expands "
                         f"instead of reducing.")
    return "<p>" + "<br>".join(parts) + "</p>"


def block_builder(preset: str = "3a", naive: bool = False) -> BlockBuilder:
    """The notebook-02 widget, starting from block ``preset`` of Table 1."""
    return BlockBuilder(preset, naive)
