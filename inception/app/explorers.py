"""The dashboard of ``inception-explorer``: the package's own widgets, one per tab.

No second implementation: each tab holds the widget a notebook builds, through its public builder
(:func:`inception.widgets.block_builder`, :func:`inception.widgets.network_widget`,
:func:`inception.widgets.feature_browser` with the inputs notebook 05 uses).
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from typing import Any, Callable

from .._checks import check_choice

#: the explorers, in tab order
EXPLORERS: tuple[str, ...] = ("blocks", "network", "features")
#: what ``--explorer`` accepts
EXPLORER_CHOICES: tuple[str, ...] = (*EXPLORERS, "all")
#: environment variable through which the command line tells the dashboard what to show
ENV_EXPLORER = "INCEPTION_EXPLORER"
#: optional URL of the collection's website (``inception-site``), for the links to the notebooks
ENV_SITE_URL = "INCEPTION_SITE_URL"


@dataclass(frozen=True)
class ExplorerInfo:
    title: str
    line: str  # the one line of explanation
    notebook: str  # the notebook that teaches it


INFO: dict[str, ExplorerInfo] = {
    "blocks": ExplorerInfo(
        "Block builder",
        "Build one Inception block (Figure 2): start from a Table 1 row, switch naive/reduced, move the six "
        "filter counts and watch the output shape, parameters and multiply-adds.",
        "02_building_the_inception_block.ipynb"),
    "network": ExplorerInfo(
        "Network explorer",
        "Scale the whole network's width and input resolution and see where parameters (late) and "
        "multiply-adds (early) live.",
        "03_parameters_and_compute.ipynb"),
    "features": ExplorerInfo(
        "Feature maps",
        "Browse every channel of a small trained GoogLeNet and of a random control, per stage and branch; "
        "upload a picture of your own.",
        "05_feature_maps.ipynb"),
}

#: large type for a projector (readable at 1280x720); scoped to the dashboard's own class
CSS = """
<style>
.inception-app { font-size: 18px; }
.inception-app .widget-readout, .inception-app .widget-html-content, .inception-app select,
.inception-app button, .inception-app .lm-TabBar-tabLabel { font-size: 17px; }
.inception-app .widget-label { font-size: 16px; }
/* the widgets size their labels for notebook type; at projector size the labels need more room */
.inception-app .widget-inline-hbox .widget-label { width: 150px !important; max-width: none !important; }
.inception-app .widget-toggle-button { width: auto; min-width: 90px; padding: 0 10px; }
.inception-app .lm-TabBar-tab { flex: 0 0 auto !important; max-width: none !important; min-width: 190px !important; min-height: 34px; }
.inception-app .inception-app-intro { font-size: 19px; line-height: 1.35; margin: 2px 0 8px 0; }
.inception-app h1 { font-size: 26px; margin: 0 0 4px 0; }
</style>
"""


def notebook_link(notebook: str, site_url: str | None = None) -> str:
    """HTML naming the notebook; a link to its page when the URL of a site built by
    ``inception-site`` is known (argument, else $INCEPTION_SITE_URL)."""
    base = site_url if site_url is not None else os.environ.get(ENV_SITE_URL, "")
    name = html.escape(notebook)
    if not base:
        return f"notebook <code>notebooks/{name}</code>"
    url = html.escape(base.rstrip("/") + "/" + notebook.removesuffix(".ipynb") + ".html", quote=True)
    return f'notebook <a href="{url}" target="_blank"><code>{name}</code></a>'


def intro_html(name: str, site_url: str | None = None) -> str:
    """The explanation line above explorer ``name``, with the notebook that teaches it."""
    check_choice("name", name, EXPLORERS)
    info = INFO[name]
    return (f'<div class="inception-app-intro"><b>{html.escape(info.title)}.</b> {html.escape(info.line)} '
            f"Taught in {notebook_link(info.notebook, site_url)}.</div>")


def build_blocks() -> Any:
    from ..widgets import block_builder

    return block_builder()


def build_network() -> Any:
    from ..widgets import network_widget

    return network_widget()


def build_features() -> Any:
    """Notebook 05's browser with its inputs: the shipped mini checkpoint, a BatchNorm-calibrated
    random control, and one validation image of four classes."""
    import torch

    from .. import data, weights
    from ..widgets import feature_browser

    torch.manual_seed(0)
    model = weights.load_mini_googlenet()
    info = weights.mini_info()
    val = weights.mini_validation_set(info)
    calib = data.normalize(data.synthetic(256, seed=7).images)
    nets = {"trained": model, "random": weights.random_googlenet(seed=0, calibrate_on=calib)}
    picks = {name: int((val.labels == val.class_names.index(name)).nonzero()[0])
             for name in ("disk striped", "cross solid", "ring striped", "triangle striped")}
    samples = {name: val.images[i] for name, i in picks.items()}
    return feature_browser(nets, samples, preprocess=data.normalize)


BUILDERS: dict[str, Callable[[], Any]] = {"blocks": build_blocks, "network": build_network,
                                          "features": build_features}


def as_widget(obj: Any) -> Any:
    """The ipywidgets widget of one of the package's explorers (their ``.widget``), else an
    Output widget displaying the object."""
    import ipywidgets as W
    from IPython.display import display

    inner = getattr(obj, "widget", None)
    if isinstance(inner, W.Widget):
        return inner
    if isinstance(obj, W.Widget):
        return obj
    out = W.Output()
    with out:
        display(obj)
    return out


def selected(explorer: str | None = None) -> tuple[str, ...]:
    """The explorers to show: ``explorer`` (or $INCEPTION_EXPLORER, default ``all``) as a tuple."""
    value = explorer if explorer is not None else os.environ.get(ENV_EXPLORER, "all")
    check_choice("explorer", value, EXPLORER_CHOICES)
    return EXPLORERS if value == "all" else (value,)


def dashboard(explorer: str | None = None, site_url: str | None = None) -> Any:
    """The app: a title, then one tab per explorer (or the one explorer asked for)."""
    import ipywidgets as W

    names = selected(explorer)
    sections = []
    for name in names:
        sections.append(W.VBox([W.HTML(intro_html(name, site_url)), as_widget(BUILDERS[name]())]))
    head = W.HTML("<h1>GoogLeNet / Inception v1 explorers</h1>")
    if len(sections) == 1:
        body: Any = sections[0]
    else:
        body = W.Tab(children=sections, titles=[INFO[n].title for n in names])
    app = W.VBox([W.HTML(CSS), head, body])
    app.add_class("inception-app")
    return app
