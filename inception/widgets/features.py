"""Notebook 05's explorer: browse the feature maps of one or more networks on a few images.

Activations are computed once per (network, image) and cached; the picture is drawn with numpy +
PIL (no matplotlib), so an update is a few milliseconds. The update logic is plain methods
(:meth:`FeatureBrowser.show`, :meth:`FeatureBrowser.add_upload`), tested without a browser.
"""

from __future__ import annotations

import base64
import html
import io
import math
from typing import Any, Mapping

import numpy as np
from matplotlib.figure import Figure
from PIL import Image
from torch import Tensor

from .. import features
from .._checks import check_choice
from ..architecture import BRANCH_NAMES
from ..architecture import short_name as _short
from ..featviz import Preprocess, as_batch, clean_axes, colorize, no_preprocess
from ..features import block_names, feature_names, stage_names
from ..images import ImageError, prepare_image
from ..model import GoogLeNet
from .base import Explorer, ipywidgets
from ..display import subplots

__all__ = ["FeatureBrowser", "feature_browser", "MAX_UPLOAD_BYTES"]
_WHOLE = "(whole stage)"
_ALL = "all (concatenated)"

#: The largest upload the browser takes (8 MB, decimal, as file managers show sizes). It stays under
#: tornado's default ``websocket_max_message_size`` (10 MiB), over which a Jupyter server closes the
#: kernel's websocket: a file that big never arrives and the widget is dead until its cell is re-run.
#: The project's launch paths raise the server's limit to 64 MiB
#: (``inception.app.cli.WEBSOCKET_MAX_MESSAGE_SIZE``: ``jupyter lab --config=jupyter_server_config.json``
#: and ``inception-explorer``), so that larger files reach this check and get its message.
MAX_UPLOAD_BYTES = 8_000_000
_UPLOAD_ACCEPT = "image/*,.png,.jpg,.jpeg,.gif,.bmp,.webp,.tif,.tiff"


def _mb(n: float) -> str:
    """A file size as a file manager shows it: '8 MB', '27.3 MB', '512 KB'."""
    if n >= 1e6:
        return f"{n / 1e6:.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(n / 1e3))} KB"


def _png(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


class FeatureBrowser(Explorer):
    """Browse the feature maps of one or more networks on a few images.

    ``models``: {"trained": model, "random": control}; ``images``: {"name": (3, H, W) in [0, 1]};
    ``preprocess`` maps images to model input. Activations of every stage and branch are
    computed on first view of a (network, image) pair and cached.
    """

    PANEL = 192  # pixels of the big channel view and of the input view
    GRID = 192  # pixels of the (square) box that holds every channel of the layer

    def __init__(self, models: Mapping[str, GoogLeNet], images: Mapping[str, Tensor], *,
                 preprocess: Preprocess | None = None, image_size: int | None = None) -> None:
        if not models:
            raise ValueError("models must hold at least one network")
        if not images:
            raise ValueError("images must hold at least one image")
        self.models = dict(models)
        self.images = {k: as_batch(v)[0] for k, v in images.items()}
        self.preprocess = preprocess or no_preprocess
        first = next(iter(self.images.values()))
        self.image_size = image_size or int(first.shape[-1])
        ref = next(iter(self.models.values()))
        self.stages = stage_names(ref)
        self.blocks = block_names(ref)
        self._names = feature_names(ref)
        self._cache: dict[tuple[str, str], dict[str, np.ndarray]] = {}
        self._views: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.state: dict[str, Any] = {}
        self.show(network=next(iter(self.models)), stage="inception3a" if "inception3a" in self.stages else self.stages[0],
                  branch=_ALL, image=next(iter(self.images)))

    # ----- pure logic (no widgets needed) -----
    def branch_options(self, stage: str) -> list[str]:
        """What the branch menu offers for a stage: blocks have four branches, stem convs none."""
        return [_ALL, *BRANCH_NAMES] if stage in self.blocks else [_WHOLE]

    def activations_for(self, network: str, image: str) -> dict[str, np.ndarray]:
        """All stage and branch activations (C, H, W) of one image, cached."""
        key = (network, image)
        if key not in self._cache:
            x = self.preprocess(self.images[image].unsqueeze(0))
            acts = features.activations(self.models[network], x, self._names)
            self._cache[key] = {k: v[0].numpy() for k, v in acts.items()}
        return self._cache[key]

    def layer_key(self, stage: str, branch: str) -> str:
        return stage if branch in (_ALL, _WHOLE) else f"{stage}.{branch}"

    def most_active_channel(self, stage: str, branch: str, network: str | None = None,
                            image: str | None = None) -> int:
        """The channel with the largest mean absolute activation of the layer on the image."""
        acts = self.activations_for(network or self.state["network"], image or self.state["image"])
        a = acts[self.layer_key(stage, branch)]
        return int(np.abs(a).reshape(a.shape[0], -1).mean(1).argmax())

    def num_channels(self, stage: str, branch: str, network: str | None = None, image: str | None = None) -> int:
        acts = self.activations_for(network or self.state["network"], image or self.state["image"])
        return int(acts[self.layer_key(stage, branch)].shape[0])

    def show(self, *, network: str | None = None, stage: str | None = None, branch: str | None = None,
             channel: int | None = None, image: str | None = None) -> dict[str, Any]:
        """Select a view (unspecified fields keep their value; invalid ones are corrected) and render it.

        When the layer, image or network changes and no ``channel`` is given, the view starts on the
        layer's most active channel (largest mean absolute activation): many channels are all zero.
        Returns the new state: the selection plus ``view`` (the picture, as HTML) and ``html`` (the readout).
        """
        prev = self.state
        s = dict(prev)
        s.update({k: v for k, v in dict(network=network, stage=stage, branch=branch, channel=channel,
                                         image=image).items() if v is not None})
        check_choice("network", s["network"], self.models)
        check_choice("image", s["image"], self.images)
        check_choice("stage", s["stage"], self.stages)
        if s["branch"] not in self.branch_options(s["stage"]):
            s["branch"] = self.branch_options(s["stage"])[0]
        acts = self.activations_for(s["network"], s["image"])
        a = acts[self.layer_key(s["stage"], s["branch"])]
        scores = np.abs(a).reshape(a.shape[0], -1).mean(1)
        s["most_active"] = int(scores.argmax())
        moved = not prev or any(prev.get(k) != s[k] for k in ("network", "image", "stage", "branch"))
        if channel is None and moved:
            s["channel"] = s["most_active"]
        s["channel"] = int(min(max(0, int(s["channel"])), a.shape[0] - 1))
        s["num_channels"] = int(a.shape[0])
        s["view"] = self._render(s, a)
        s["html"] = self._readout(s, a, acts)
        self.state = s
        return s

    def _layer_view(self, s: dict, a: np.ndarray) -> dict[str, Any]:
        """The parts of the picture that do not depend on the channel, cached per layer and image:
        the input and every channel as a tile, in a canvas of one fixed size for every layer."""
        key = (s["network"], s["image"], self.layer_key(s["stage"], s["branch"]))
        view = self._views.get(key)
        if view is None:
            P, G = self.PANEL, self.GRID
            img = (self.images[s["image"]].permute(1, 2, 0).numpy() * 255).astype(np.uint8)
            lo, hi = float(a.min()), float(a.max())
            n, h, w = a.shape
            cols = math.ceil(math.sqrt(n))
            cell = G // cols  # a tile and its 1-pixel margin
            t = max(1, cell - 2)  # tile side in pixels: the maps are scaled (nearest) to fit the box
            tiles = colorize(a, lo, hi)[:, np.arange(t) * h // t][:, :, np.arange(t) * w // t]  # n, t, t, 3
            canvas = np.full((max(P, G), 2 * P + 16 + G, 3), 255, np.uint8)
            canvas[:P, :P] = np.asarray(Image.fromarray(img).resize((P, P), Image.Resampling.NEAREST))
            for i in range(n):
                r, c = divmod(i, cols)
                y, x = r * cell + 1, 2 * P + 16 + c * cell + 1
                canvas[y:y + t, x:x + t] = tiles[i]
            view = self._views[key] = {"canvas": canvas, "png64": base64.b64encode(_png(canvas)).decode("ascii"),
                                       "lo": lo, "hi": hi, "cols": cols, "cell": cell}
        return view

    def _channel(self, s: dict, a: np.ndarray) -> tuple[dict[str, Any], np.ndarray, tuple[int, int, int]]:
        """The layer's cached view, the chosen channel in color (its own h x w pixels) and its
        frame in the canvas (top, left, side)."""
        v = self._layer_view(s, a)
        r, c = divmod(s["channel"], v["cols"])
        frame = (r * v["cell"], 2 * self.PANEL + 16 + c * v["cell"], v["cell"])
        return v, colorize(a[s["channel"]], v["lo"], v["hi"]), frame

    def _render(self, s: dict, a: np.ndarray) -> str:
        """Input | chosen channel (big) | all channels of the layer (small tiles, chosen one framed),
        as HTML: the layer's canvas (encoded once per layer), the channel as a PNG of its own few
        pixels that the browser scales up, and the frame as a box on top; a fixed size for every layer."""
        P = self.PANEL
        v, big, (y, x, side) = self._channel(s, a)
        height, width = v["canvas"].shape[:2]
        pixelated = "image-rendering:pixelated;image-rendering:crisp-edges"
        return (f"<div style='position:relative;width:{width}px;height:{height}px;flex:0 0 auto'>"
                f"<img src='data:image/png;base64,{v['png64']}' width='{width}' height='{height}' "
                f"style='position:absolute;left:0;top:0;{pixelated}'>"
                f"<img src='data:image/png;base64,{base64.b64encode(_png(big)).decode('ascii')}' width='{P}' "
                f"height='{P}' style='position:absolute;left:{P + 8}px;top:0;{pixelated}'>"
                f"<div style='position:absolute;left:{x}px;top:{y}px;width:{side - 2}px;height:{side - 2}px;"
                f"border:1px solid rgb(220,30,30)'></div></div>")

    def picture(self) -> np.ndarray:
        """The current view as one RGB array (what the widget shows; for static copies)."""
        s, P = self.state, self.PANEL
        acts = self.activations_for(s["network"], s["image"])
        v, big, (y, x, side) = self._channel(s, acts[self.layer_key(s["stage"], s["branch"])])
        canvas = v["canvas"].copy()
        canvas[:P, P + 8:2 * P + 8] = np.asarray(Image.fromarray(big).resize((P, P), Image.Resampling.NEAREST))
        frame = canvas[y:y + side, x:x + side]
        frame[[0, -1], :] = (220, 30, 30)
        frame[:, [0, -1]] = (220, 30, 30)
        return canvas

    def png(self) -> bytes:
        """The current view as PNG bytes."""
        return _png(self.picture())

    def _readout(self, s: dict, a: np.ndarray, acts: dict[str, np.ndarray]) -> str:
        ch = a[s["channel"]]
        layer = self.layer_key(s["stage"], s["branch"])
        text = (f"<b>{html.escape(s['network'])}</b> network, image <b>{html.escape(s['image'])}</b>: "
                f"{html.escape(_short(layer))}, {a.shape[0]} channels of {a.shape[1]}x{a.shape[2]}; "
                f"channel {s['channel']}: mean {ch.mean():.3f}, max {ch.max():.3f}"
                + (" (the most active channel of this layer)" if s["channel"] == s.get("most_active") else ""))
        if s["stage"] in self.blocks:
            e = {b: float(np.square(acts[f"{s['stage']}.{b}"]).sum()) for b in BRANCH_NAMES}
            tot = sum(e.values()) or 1.0
            text += "<br>share of this block's output energy: " + ", ".join(
                f"{b} {v / tot:.0%}" for b, v in e.items())
        return text + "<br><small>left: input; middle: the chosen channel; right: every channel of the layer (chosen one framed); one color scale per layer</small>"

    def add_image(self, name: str, source: object) -> str:
        """Prepare ``source`` (path, bytes, array, PIL image) and add it; returns a message for the reader.

        Raises :class:`ImageError` for unusable input (the widget shows its message)."""
        prepared = prepare_image(source, self.image_size, name=name)
        self.images[name] = prepared.tensor
        for cache in (self._cache, self._views):
            for key in [k for k in cache if k[1] == name]:
                del cache[key]
        return prepared.message()

    def add_upload(self, value: Any) -> tuple[str | None, str]:
        """Handle a FileUpload value (ipywidgets 8: a tuple of dicts with name and content).

        Returns (name of the new image or None, message). Never raises for bad files."""
        items = list(value or ())
        if not items:
            return None, "No file chosen."
        item = items[-1]
        name = str(item.get("name", "upload")) if isinstance(item, Mapping) else "upload"
        content = item.get("content", b"") if isinstance(item, Mapping) else b""
        size = max(int(item.get("size") or 0) if isinstance(item, Mapping) else 0, len(content or b""))
        if size > MAX_UPLOAD_BYTES:
            return None, (f"Could not use {html.escape(name)}: it is {_mb(size)}, and this notebook takes images "
                          f"up to {_mb(MAX_UPLOAD_BYTES)}. Shrink it or save it as JPEG, then upload it again.")
        try:
            msg = self.add_image(name, content)
        except ImageError as e:
            return None, f"Could not use {html.escape(name)}: {html.escape(str(e))}"
        return name, f"Added {html.escape(name)}: {html.escape(msg)}"

    # ----- widgets -----
    def build(self) -> Any:
        """The ipywidgets UI (built once; returned by :func:`feature_browser`)."""
        W = ipywidgets()

        s = self.state
        self.w_network = W.ToggleButtons(options=list(self.models), value=s["network"], description="network")
        self.w_stage = W.Dropdown(options=[(_short(n), n) for n in self.stages], value=s["stage"], description="stage")
        self.w_branch = W.Dropdown(options=self.branch_options(s["stage"]), value=s["branch"], description="branch")
        self.w_channel_box = W.Box(layout=W.Layout(width="auto"))
        self.w_channel = None
        self._new_channel_slider()
        self.w_image = W.Dropdown(options=list(self.images), value=s["image"], description="image")
        self.w_upload = W.FileUpload(accept=_UPLOAD_ACCEPT, multiple=False, description="your image")
        self.w_limit = W.HTML(value=f"images up to {_mb(MAX_UPLOAD_BYTES)}")
        self.w_status = W.HTML(value="Upload a picture of your own (PNG, JPEG, GIF, BMP, WebP, TIFF; up to "
                                     f"{_mb(MAX_UPLOAD_BYTES)}): it is resized to {self.image_size}x{self.image_size}.",
                               layout=W.Layout(width="100%", max_width="900px"))
        # the picture and the readout are one HTML view: one message to the browser per move
        self.w_view = W.HTML(value=self._view_html())
        for w in (self.w_network, self.w_stage, self.w_branch, self.w_image):
            w.observe(self._on_change, names="value")
        self.w_upload.observe(self._on_upload, names="value")
        # the controls keep fixed columns; the status (of any length) has its own row below them
        controls = W.HBox([W.VBox([self.w_network, self.w_stage, self.w_branch], layout=W.Layout(flex="0 0 auto")),
                           W.VBox([self.w_channel_box, self.w_image, W.HBox([self.w_upload, self.w_limit])],
                                  layout=W.Layout(flex="0 0 auto"))])
        self.widget = W.VBox([controls, self.w_status, self.w_view])
        return self.widget

    def _new_channel_slider(self) -> None:
        """A fresh channel slider for the current layer's channel count.

        Changing ``max`` of a shown IntSlider is not enough: the slider library in the browser
        (noUiSlider, ipywidgets 8) keeps the first range for its Home/End keys, so End would stop at
        the old last channel. A new widget gets a new view that knows the new range.
        """
        W = ipywidgets()
        s = self.state
        old = self.w_channel
        new = W.IntSlider(value=s["channel"], min=0, max=s["num_channels"] - 1, description="channel",
                          continuous_update=True)
        new.observe(self._on_change, names="value")
        self.w_channel = new
        self.w_channel_box.children = (new,)
        if old is not None:
            old.unobserve(self._on_change, names="value")
            old.close()

    def _sync(self) -> None:
        """Push the state into the widgets (menus only offer valid values)."""
        s = self.state
        with self.hold():
            opts = self.branch_options(s["stage"])
            if list(self.w_branch.options) != opts:
                self.w_branch.options = opts
            self.w_branch.value = s["branch"]
            if self.w_channel.max != s["num_channels"] - 1:
                self._new_channel_slider()  # a new range: see _new_channel_slider
            else:
                self.w_channel.value = s["channel"]
            if list(self.w_image.options) != list(self.images):
                self.w_image.options = list(self.images)
            self.w_image.value = s["image"]
            self.w_view.value = self._view_html()

    def _view_html(self) -> str:
        return f"{self.state['view']}<div style='margin-top:4px'>{self.state['html']}</div>"

    def _on_change(self, change: Any = None) -> None:
        if self.held:
            return
        owner = change.get("owner") if isinstance(change, Mapping) else getattr(change, "owner", None)
        # moving the slider picks a channel; any other control starts on the most active one
        channel = self.w_channel.value if owner is self.w_channel or owner is None else None
        self.show(network=self.w_network.value, stage=self.w_stage.value, branch=self.w_branch.value,
                  channel=channel, image=self.w_image.value)
        self._sync()

    def _on_upload(self, change: Any) -> None:
        if self.held:
            return
        value = change["new"] if isinstance(change, Mapping) else change
        if not value:
            return  # the upload button was cleared
        try:
            name, msg = self.add_upload(value)
            self.w_status.value = msg
            if name is not None:
                self.show(image=name)
                self._sync()
        except Exception as e:  # the widget must survive anything a file does
            self.w_status.value = f"Could not use this file: {html.escape(str(e) or type(e).__name__)}"
        finally:
            # forget the file (memory; and choosing the same file again is a new upload)
            with self.hold():
                try:
                    self.w_upload.value = ()
                except Exception:
                    pass

    def __repr__(self) -> str:
        s = self.state
        return (f"FeatureBrowser(network={s['network']!r}, stage={_short(s['stage'])!r}, branch={s['branch']!r}, "
                f"channel={s['channel']}, image={s['image']!r}, {len(self.images)} images)")

    def figure(self) -> Figure:
        """The current view as a matplotlib Figure (the static copy of the widget's state)."""
        rgb = self.picture()
        fig, ax = subplots(figsize=(rgb.shape[1] / 100, rgb.shape[0] / 100 + 0.3), dpi=100)
        ax.imshow(rgb)
        s = self.state
        ax.set_title(f"{s['network']}, {s['image']}: {_short(self.layer_key(s['stage'], s['branch']))}, "
                     f"channel {s['channel']}", fontsize=9)
        clean_axes(ax)
        fig.tight_layout(pad=0.2)
        return fig


def feature_browser(models: Mapping[str, GoogLeNet], images: Mapping[str, Tensor], *,
                    preprocess: Preprocess | None = None) -> FeatureBrowser:
    """Build the feature-map browser (display it as a cell's value)."""
    b = FeatureBrowser(models, images, preprocess=preprocess)
    b.build()
    return b
