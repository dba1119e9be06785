"""inception.widgets.FeatureBrowser: channel range per layer, most active start channel, upload limits, wording."""

from __future__ import annotations

import html
import io
import re

import numpy as np
import pytest
import torch
from PIL import Image

import inception
from inception.widgets import features as features_widget
from inception.widgets.features import MAX_UPLOAD_BYTES, FeatureBrowser
from inception.images import ImageError, prepare_image

SMALL = dict(stem="small", width=0.125, num_classes=10, aux_logits=False)


def _png(size=(48, 40), color=(200, 40, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def nets():
    torch.manual_seed(0)
    trained = inception.googlenet("bn", **SMALL).eval()
    torch.manual_seed(1)
    return {"trained": trained, "random": inception.googlenet("bn", **SMALL).eval()}


@pytest.fixture()
def browser(nets):
    torch.manual_seed(2)
    b = FeatureBrowser(nets, {"a": torch.rand(3, 32, 32), "b": torch.rand(3, 32, 32)})
    b.build()
    return b


def _argmax(b: FeatureBrowser) -> int:
    s = b.state
    a = b.activations_for(s["network"], s["image"])[b.layer_key(s["stage"], s["branch"])]
    return int(np.abs(a).reshape(a.shape[0], -1).mean(1).argmax())


# ---------------------------------------------------------------- 1: the slider's range follows the layer
def test_slider_range_follows_a_wider_layer(browser):
    b = browser
    n5b = b.num_channels("inception5b", "all (concatenated)")
    assert n5b == 128 and b.w_channel.max == b.num_channels("inception3a", "all (concatenated)") - 1
    b.w_channel.value = b.w_channel.max  # the last channel of 3a
    b.w_stage.value = "inception5b"
    assert b.w_channel.max == n5b - 1 == 127
    assert 0 <= b.w_channel.value <= b.w_channel.max and b.w_channel.value == b.state["channel"]
    assert b.w_channel_box.children == (b.w_channel,)  # the new slider is the one shown
    b.w_channel.value = 127  # what End does in the browser
    assert b.state["channel"] == 127 and "channel 127:" in b.state["html"]
    # and back to a narrower layer: the value is valid there too
    b.w_stage.value = "inception3a"
    b.w_branch.value = "5x5"
    assert b.w_channel.max == b.state["num_channels"] - 1 and 0 <= b.w_channel.value <= b.w_channel.max


def test_only_the_current_slider_drives_the_view(browser):
    b = browser
    old = b.w_channel
    b.w_stage.value = "inception5b"
    assert b.w_channel is not old
    before = dict(b.state)
    old.value = 0  # a closed, replaced slider must not move the view
    assert b.state["channel"] == before["channel"]


# ---------------------------------------------------------------- 2: start on the most active channel
def test_initial_channel_is_the_most_active(browser):
    b = browser
    assert b.state["channel"] == _argmax(b) == b.w_channel.value
    assert "(the most active channel of this layer)" in b.state["html"]


@pytest.mark.parametrize("change", [("w_stage", "inception5b"), ("w_stage", "conv2"), ("w_branch", "3x3"),
                                    ("w_image", "b"), ("w_network", "random")])
def test_layer_or_image_change_starts_on_most_active(browser, change):
    b = browser
    b.w_channel.value = (b.state["channel"] + 1) % b.state["num_channels"]  # not the most active
    assert "most active" not in b.state["html"]
    setattr(getattr(b, change[0]), "value", change[1])
    assert b.state["channel"] == _argmax(b) == b.w_channel.value
    assert f"channel {b.state['channel']}: " in b.state["html"] and "most active" in b.state["html"]
    s = b.state
    a = b.activations_for(s["network"], s["image"])[b.layer_key(s["stage"], s["branch"])]
    assert np.abs(a[s["channel"]]).mean() > 0


def test_slider_move_keeps_the_chosen_channel(browser):
    b = browser
    b.w_channel.value = 3
    assert b.state["channel"] == 3
    assert browser.show(channel=None)["channel"] == 3  # same layer and image: nothing moves


# ---------------------------------------------------------------- 3: uploads and their size limit
def test_limit_is_stated_beside_the_upload_button(browser):
    assert "images up to 8 MB" in browser.w_limit.value
    assert "image/*" in browser.w_upload.accept


def test_oversized_upload_is_refused_and_the_widget_keeps_working(browser):
    b = browser
    big = {"name": "huge.png", "type": "image/png", "size": 27_000_000, "content": memoryview(b"\x89PNG" + bytes(100))}
    b._on_upload({"new": (big,)})
    assert "huge.png" in b.w_status.value and "27 MB" in b.w_status.value and "up to 8 MB" in b.w_status.value
    assert "huge.png" not in b.images and b.w_image.value == "a"
    assert b.w_upload.value == ()  # cleared: choosing a file again is a new upload
    # the content itself is measured too (a value without a size field)
    name, msg = b.add_upload(({"name": "big.bin", "content": memoryview(bytes(MAX_UPLOAD_BYTES + 1))},))
    assert name is None and "8 MB" in msg
    # a small upload afterwards works
    b._on_upload({"new": ({"name": "small.png", "type": "image/png", "size": len(_png()),
                            "content": memoryview(_png())},)})
    assert "Added small.png" in b.w_status.value and b.w_image.value == "small.png"
    assert "image <b>small.png</b>" in b.state["html"]


def test_upload_that_fails_unexpectedly_leaves_a_message(browser, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(browser, "add_image", boom)
    browser._on_upload({"new": ({"name": "x.png", "content": memoryview(_png())},)})
    assert "disk full" in browser.w_status.value
    monkeypatch.undo()
    browser._on_upload({"new": ({"name": "y.png", "content": memoryview(_png())},)})
    assert "Added y.png" in browser.w_status.value


def test_status_has_its_own_row(browser):
    b = browser
    assert b.w_status in b.widget.children  # not inside the controls' columns
    controls = b.widget.children[0]
    assert all(b.w_status not in col.children for col in controls.children)
    assert b.widget.children[-1] is b.w_view  # the picture and the readout


# ---------------------------------------------------------------- 4: plain-language messages
_INTERNALS = re.compile(r"PIL|b'|b\"|\\x[0-9a-f]{2}|Error:|UnidentifiedImage")


@pytest.mark.parametrize("content, words", [
    (b"This is a text file, not a picture", 'it starts with text ("This is a te'),
    (b"%PDF-1.4 stuff", "a PDF document"),
    (b"PK\x03\x04zipzipzip", "a ZIP archive"),
    (b"\x00\x01\x02\x03\xfe\xff\x10\x11", "it starts with the bytes 00 01 02 03 fe ff 10 11"),
    (_png()[:60], "could not be decoded as an image: the file may be truncated or damaged"),
    (b"", "is empty"),
])
def test_upload_messages_are_plain(browser, content, words):
    name, msg = browser.add_upload(({"name": "notes.txt", "content": memoryview(content)},))
    msg = html.unescape(msg)
    assert name is None and words in msg and "notes.txt" in msg
    assert not _INTERNALS.search(msg), msg


def test_image_error_messages_keep_the_facts():
    with pytest.raises(ImageError) as e:
        prepare_image(b"This is plain text", name="notes.txt")
    msg = str(e.value)
    assert "not an image file" in msg and "18 bytes" in msg and "PNG, JPEG" in msg
    assert not _INTERNALS.search(msg)


def test_mb_formatting():
    assert features_widget._mb(8_000_000) == "8 MB" and features_widget._mb(27_300_000) == "27.3 MB" and features_widget._mb(2048) == "2 KB"


def test_picture_has_one_size_for_every_layer(nets):
    """The view does not jump between stages: every layer's picture has the same size, in the
    widget (the HTML box) and as a static copy."""
    b = FeatureBrowser(nets, {"a": torch.rand(3, 32, 32)})
    b.build()
    sizes, boxes = set(), set()
    for stage in b.stages:
        for branch in b.branch_options(stage):
            b.show(stage=stage, branch=branch, channel=b.num_channels(stage, branch) - 1)  # the last tile too
            sizes.add(b.picture().shape)
            boxes.add(re.search(r"width:(\d+)px;height:(\d+)px", b.state["view"]).groups())
    assert sizes == {(b.PANEL, 2 * b.PANEL + 16 + b.GRID, 3)} and boxes == {(str(2 * b.PANEL + 16 + b.GRID), str(b.PANEL))}
