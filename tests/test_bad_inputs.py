"""Every bad input gets a clear error that names the argument, raised before any work is done.

One section per case of the adversarial review (B1-B14). Nothing here allocates what the memory
caps refuse: the caps are checked on estimates, before allocation.
"""

from __future__ import annotations

import io
import json
import os
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from inception import Inception, _checks, cost, data, googlenet, images, weights
from inception.architecture import BlockSpec
from inception.weights import MINI_CHECKPOINT, MINI_SIDECAR
from inception.config import GoogLeNetConfig
from inception.data import ImageData
from inception.experiments import aux_ablation as A
from inception.experiments import train_checkpoint as tc
from inception.images import ImageError
from inception.train import deterministic, evaluate, make_model, train
from inception.weights import CheckpointError


#: one torch thread for this module (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def small():
    """A tiny small-stem network in eval mode (32 px inputs)."""
    torch.manual_seed(0)
    return googlenet(width=0.0625, stem="small", num_classes=10).eval()


@pytest.fixture(scope="module")
def tiny_data():
    return data.synthetic_splits(16, 8, seed=0)


# ----------------------------------------------------------------------------- B1 booleans
@pytest.mark.parametrize("build, name", [
    (lambda: googlenet(width=0.0625, aux_logits="no"), "aux_logits"),
    (lambda: googlenet(width=0.0625, naive="no"), "naive"),
    (lambda: googlenet(width=0.0625, init_weights="no"), "init_weights"),
    (lambda: googlenet(width=0.0625, transform_input=1), "transform_input"),
    (lambda: Inception(8, 1, 1, 1, 1, 1, 1, naive="no"), "naive"),
    (lambda: cost.block_costs((8, 8, 8), (1, 1, 1, 1, 1, 1), naive="no"), "naive"),
])
def test_flags_accept_only_booleans(build, name):
    with pytest.raises(TypeError, match=f"^{name} must be True or False, got"):
        build()


def test_numpy_booleans_are_booleans():
    cfg = GoogLeNetConfig(aux_logits=np.False_, naive=np.True_)
    assert cfg.aux_logits is False and cfg.naive is True


# ----------------------------------------------------------------------------- B2 input dtype, rank, channels
@pytest.mark.parametrize("dtype", [torch.uint8, torch.int8, torch.int64, torch.bool])
def test_integer_images_are_refused_with_how_to_scale(small, dtype):
    with pytest.raises(TypeError, match=r"x must be a floating-point tensor, got dtype torch\.\w+: .*x\.float\(\) / 255"):
        small(torch.zeros(1, 3, 32, 32, dtype=dtype))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float16])
def test_other_float_dtypes_are_converted(small, dtype):
    x = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = small(x).logits
        got = small(x.to(dtype)).logits
    assert got.dtype == torch.float32
    assert torch.allclose(got, expected, atol=1e-2 if dtype == torch.float16 else 1e-5)


@pytest.mark.parametrize("x, match", [
    (torch.zeros(3, 32, 32), r"x must have shape \(N, C, H, W\)"),
    (torch.zeros(1, 1, 32, 32), "x must have 3 input channels"),
])
def test_wrong_rank_or_channels(small, x, match):
    with pytest.raises(ValueError, match=match):
        small(x)


# ----------------------------------------------------------------------------- B3 training hyper-parameters
@pytest.mark.parametrize("kw, name", [
    (dict(weight_decay=float("nan")), "weight_decay"), (dict(weight_decay=-1e-4), "weight_decay"),
    (dict(lr=float("nan")), "lr"), (dict(lr=float("inf")), "lr"), (dict(lr=-0.1), "lr"),
    (dict(momentum=-0.1), "momentum"), (dict(momentum=float("nan")), "momentum"),
    (dict(aux_weight=float("inf")), "aux_weight"), (dict(seed=-1), "seed"), (dict(epochs=1.5), "epochs"),
    (dict(probe_aux="yes"), "probe_aux"), (dict(channels_last=None), "channels_last"),
    (dict(callback=3), "callback"),
])
def test_bad_hyper_parameters_fail_before_training(tiny_data, kw, name):
    model = make_model("bn", width=0.0625)
    before = [p.detach().clone() for p in model.parameters()]
    with pytest.raises((ValueError, TypeError), match=f"^{name} must be"):
        train(model, *tiny_data, **{"epochs": 1, **kw})
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), before))
    assert model.conv1.conv.weight.is_contiguous()  # not switched to channels_last: nothing was done


# ----------------------------------------------------------------------------- B4 deterministic()
@pytest.mark.parametrize("threads", [0, -1, 1.5, "2", True])
def test_deterministic_validates_first_and_changes_nothing(threads):
    det, n = torch.are_deterministic_algorithms_enabled(), torch.get_num_threads()
    with pytest.raises((ValueError, TypeError), match="threads must be a positive integer"):
        with deterministic(threads=threads):
            pass
    assert torch.are_deterministic_algorithms_enabled() == det and torch.get_num_threads() == n


def test_deterministic_restores_state_on_error_inside():
    det, n = torch.are_deterministic_algorithms_enabled(), torch.get_num_threads()
    with pytest.raises(RuntimeError, match="boom"):
        with deterministic(threads=1):
            raise RuntimeError("boom")
    assert torch.are_deterministic_algorithms_enabled() == det and torch.get_num_threads() == n


# ----------------------------------------------------------------------------- B5/B6 checkpoints
class _Evil:
    """Runs code when unpickled: weights-only loading must refuse it."""

    def __reduce__(self):
        return (os.system, ("echo should-not-run",))


def _with_sidecar(tmp_path: Path, stem: str) -> Path:
    (tmp_path / f"{stem}.json").write_text(MINI_SIDECAR.read_text())
    return tmp_path / f"{stem}.pt"


def _state_with_list(path: Path) -> None:
    state = torch.load(MINI_CHECKPOINT, weights_only=True)
    state["fc.bias"] = [1, 2]
    torch.save(state, path)


def _truncated_zip(path: Path) -> None:
    path.write_bytes(MINI_CHECKPOINT.read_bytes()[:5000])


@pytest.mark.parametrize("write, match", [
    (lambda p: p.write_bytes(b""), r"is empty \(0 bytes\)"),
    (lambda p: p.write_text("hello world"), r"not a PyTorch checkpoint file \(11 bytes starting with b'hello wo'\)"),
    (_truncated_zip, "truncated or corrupt"),
    (_state_with_list, "not a state dict of tensors: entry 'fc.bias' is a list"),
    (lambda p: torch.save({"x": _Evil()}, p), r"not a plain tensor checkpoint: .*\(posix\.system\).*will not be loaded"),
    (lambda p: p.write_bytes(pickle.dumps({"x": _Evil()})), "not a plain tensor checkpoint.*will not be loaded"),
])
@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_bad_checkpoint_files(tmp_path, write, match):
    path = _with_sidecar(tmp_path, "m")
    write(path)
    with pytest.raises(CheckpointError, match=match) as info:
        weights.load_mini_googlenet(path)
    msg = str(info.value)
    assert not msg.endswith(": ") and "weights_only=False" not in msg and "Re-running" not in msg
    assert info.value.__cause__ is None  # torch's advice to switch weights_only off is not chained either


def test_missing_checkpoint_is_named_not_its_sidecar(tmp_path):
    with pytest.raises(CheckpointError, match="^nope.pt not found") as info:
        weights.load_mini_googlenet(tmp_path / "nope.pt")
    assert "nope.json" not in str(info.value)
    torch.save({}, tmp_path / "nope.pt")
    with pytest.raises(CheckpointError, match="nope.json, the JSON sidecar expected next to nope.pt, not found"):
        weights.load_mini_googlenet(tmp_path / "nope.pt")
    with pytest.raises(CheckpointError, match="is a folder"):
        weights.load_mini_googlenet(tmp_path)


def _config_without_variant() -> str:
    info = json.loads(MINI_SIDECAR.read_text())
    del info["config"]["variant"]
    return json.dumps(info)


def _config_with_bad_width() -> str:
    info = json.loads(MINI_SIDECAR.read_text())
    info["config"]["width"] = -1
    return json.dumps(info)


@pytest.mark.parametrize("content, match", [
    (b"\xff\xfe\x00garbage", "m.json is not a UTF-8 text file"),
    (b"{not json", "m.json is not valid JSON"),
    (b"[1, 2]", "m.json must hold a JSON object"),
    (_config_without_variant().encode(), r"m.json: 'config' lacks \['variant'\]"),
    (_config_with_bad_width().encode(), "m.json: its 'config' does not describe a valid network: width must be"),
])
def test_bad_sidecars(tmp_path, content, match):
    (tmp_path / "m.json").write_bytes(content)
    torch.save({}, tmp_path / "m.pt")
    with pytest.raises(CheckpointError, match=match):
        weights.load_mini_googlenet(tmp_path / "m.pt")


def test_load_into_and_state_file_checks(tmp_path, small):
    with pytest.raises(CheckpointError, match="entry 'fc.bias' is a str"):
        weights.load_into(small, {"fc.bias": "zeros"})
    with pytest.raises(CheckpointError, match="is a folder"):
        weights.load_state_dict_file(tmp_path)
    with pytest.raises(TypeError, match="path must be a file path"):
        weights.load_state_dict_file(42)


# ----------------------------------------------------------------------------- B7 command lines
@pytest.fixture
def no_training(monkeypatch):
    """Any attempt to train fails the test: every check must come before."""

    def refuse(*a, **k):
        raise AssertionError("training started")

    monkeypatch.setattr(A, "run", refuse)
    monkeypatch.setattr(tc, "build", refuse)


@pytest.mark.parametrize("argv, match", [
    (["--epochs", "0"], "argument --epochs: must be a positive integer, got '0'"),
    (["--jobs", "0"], "argument --jobs: must be a positive integer"),
    (["--width", "0"], "argument --width: must be a positive number"),
    (["--threads", "0"], "argument --threads: must be a positive integer"),
    (["--seeds", "-1"], "argument --seeds: must be an integer >= 0"),
])
def test_ablation_bad_numbers_are_usage_errors(no_training, capsys, argv, match):
    with pytest.raises(SystemExit) as exit_:
        A.main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: python -m inception.experiments.aux_ablation") and match in err


def test_ablation_bad_out_fails_before_training(no_training, tmp_path, capsys):
    existing = tmp_path / "r.json"
    existing.write_text("{}")
    blocker = tmp_path / "file"
    blocker.write_text("")
    for out, match in [(tmp_path, "is a folder"), (existing, "already exists: pass --force"),
                       (blocker / "r.json", "is a file, not a folder")]:
        with pytest.raises(SystemExit):
            A.main(["--out", str(out)])
        assert match in capsys.readouterr().err
    with pytest.raises(AssertionError, match="training started"):  # --force lets the existing file through
        A.main(["--out", str(existing), "--force"])


def test_train_checkpoint_never_overwrites_the_package_by_default(no_training, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert tc.DEFAULT_OUT.resolve() != MINI_CHECKPOINT.parent.resolve()
    with pytest.raises(SystemExit):
        tc.main(["--out", str(MINI_CHECKPOINT.parent)])
    assert "package's own resources folder" in capsys.readouterr().err
    seen = []
    monkeypatch.setattr(tc, "build", lambda out, **k: seen.append(out) or {
        "accuracy": {"val_main": 0.5}, "file_bytes": 1, "seconds": 0})
    assert tc.main([]) == 0 and seen[-1] == tc.DEFAULT_OUT
    assert tc.main(["--out", str(MINI_CHECKPOINT.parent), "--update-package"]) == 0
    assert seen[-1] == MINI_CHECKPOINT.parent


@pytest.mark.parametrize("setup, argv, match", [
    (lambda d: (d / "f").write_text(""), ["--out", "f"], "is a file: --out must be a folder"),
    (lambda d: (d / "o").mkdir() or (d / "o" / "mini_googlenet.pt").write_text(""), ["--out", "o"],
     "already holds mini_googlenet.pt: pass --force"),
    (lambda d: None, ["--check", "--out", "x"], "--check writes nothing"),
])
def test_train_checkpoint_bad_out(no_training, tmp_path, monkeypatch, capsys, setup, argv, match):
    monkeypatch.chdir(tmp_path)
    setup(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        tc.main(argv)
    assert exit_.value.code == 2 and match in capsys.readouterr().err


@pytest.mark.parametrize("main, name, words", [
    (A.main, "aux_ablation", ["smoke", "live", "full", "caffe", "6000 train / 1000 val", "86 runs", "LR swept", "--force"]),
    (tc.main, "train_checkpoint", ["--check compares", "at most 0.03", "mini_googlenet_out",
                                   "--update-package", "synthetic_splits(6000, 1000"]),
])
def test_help_describes_presets_defaults_and_check(capsys, main, name, words):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: python -m inception.experiments.{name}")
    for w in words:
        assert w in out, w


# ----------------------------------------------------------------------------- B8 cost model
@pytest.mark.parametrize("call, exc, match", [
    (lambda: cost.conv_layer("c", (-3, 8, 8), 4, 3), ValueError, "in_shape channels must be a positive integer"),
    (lambda: cost.conv_layer("c", (3, 8, 8), -4, 3), ValueError, "out_channels must be a positive integer"),
    (lambda: cost.conv_layer("c", (3, 8, 8), 4, 0), ValueError, "kernel must be a positive integer, got 0"),
    (lambda: cost.conv_layer("c", (3, 8, 8), 4, 3, 0), ValueError, "stride must be a positive integer, got 0"),
    (lambda: cost.conv_layer("c", (3, 8, 8), 4, 3, 1, -1), ValueError, "padding must be an integer >= 0"),
    (lambda: cost.pool_layer("p", (3, 8, 8), 3, 0), ValueError, "stride must be a positive integer"),
    (lambda: cost.pool_layer("p", (3, 8, 8), 3, 1, 2), ValueError, r"padding must be an integer in \[0, 1\]"),
    (lambda: cost.conv_out_size(8, 3, 0), ValueError, "stride must be a positive integer"),
    (lambda: cost.linear_layer("fc", 0, 10), ValueError, "in_features must be a positive integer"),
    (lambda: cost.layer_costs(None, 224.0), TypeError, "input_size must be a positive int or a"),
    (lambda: cost.layer_costs(None, "224"), TypeError, "input_size must be a positive int or a"),
    (lambda: cost.layer_costs("bn", 224), TypeError, "config must be a GoogLeNetConfig or None"),
    (lambda: cost.min_input_size("bn"), TypeError, "config must be a GoogLeNetConfig or None"),
    (lambda: cost.block_costs((8, 8, 8), (1, 1, 1)), TypeError, "spec must be a BlockSpec or six filter counts"),
    (lambda: cost.block_costs((8, 8), (1,) * 6), TypeError, r"in_shape must be a \(channels, height, width\)"),
    (lambda: cost.totals([1, 2]), TypeError, "layers must hold LayerCost"),
])
def test_cost_entry_points_validate(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_cost_accepts_numpy_integers():
    assert cost.layer_costs(None, np.int64(224)) == cost.layer_costs(None, 224)
    assert cost.conv_layer("c", (np.int64(3), 8, 8), np.int32(4), 3).weights == 108


# ----------------------------------------------------------------------------- B9 numpy integers, stage_width
def test_numpy_integers_are_integers():
    m = googlenet(width=0.0625, stem="small", num_classes=np.int64(10))
    assert m.fc.out_features == 10 and type(m.config.num_classes) is int
    assert BlockSpec(*np.array([64, 96, 128, 16, 32, 32])).as_tuple() == (64, 96, 128, 16, 32, 32)
    assert Inception(np.int64(8), 1, 1, 1, 1, 1, 1).in_channels == 8


@pytest.mark.parametrize("kw, match", [
    (dict(stage_width=2), r"stage_width must be 4 positive numbers for stages \['stem', '3', '4', '5'\], got 2"),
    (dict(stage_width="1111"), "stage_width must be 4 positive numbers"),
    (dict(num_classes=True), "num_classes must be a positive integer"),
    (dict(num_classes=10.0), "num_classes must be a positive integer"),
])
def test_config_messages(kw, match):
    with pytest.raises(ValueError, match=match):
        GoogLeNetConfig(**kw)


# ----------------------------------------------------------------------------- B10 memory caps (nothing allocated)
@pytest.mark.parametrize("call, match", [
    (lambda: googlenet(num_classes=10**12), r"num_classes=1,000,000,000,000 would need about [\d,.]+ TiB"),
    (lambda: googlenet(width=100), r"width=100 .* would need about [\d,.]+ GiB .*float32 parameters"),
    (lambda: data.synthetic(10**9), r"synthetic\(n=1,000,000,000, image_size=32\) would need about"),
    (lambda: data.synthetic_splits(10**7, 10**7), r"synthetic_splits\(n_train=10,000,000.*would need about"),
    (lambda: data.synthetic(10, image_size=100_000), r"image_size=100000\) would need about"),
    (lambda: data.synthetic(10, clutter=10**6), r"clutter must be an integer in \[0, 100\], got 1000000"),
    (lambda: images.prepare_image(np.zeros((20, 20)), size=20000),
     r"size must be an integer in \[8, 4096\], got 20000: .* GiB"),
])
def test_requests_that_cannot_fit_are_refused_up_front(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_memory_cap_is_one_constant(monkeypatch):
    monkeypatch.setattr(_checks, "MAX_BYTES", 2**20)
    with pytest.raises(ValueError, match=r"more than the 1.0 MiB allowed"):
        data.synthetic(100)
    with pytest.raises(ValueError, match=r"more than the 1.0 MiB allowed"):
        googlenet(width=0.25, stem="small", num_classes=10)


# ----------------------------------------------------------------------------- B11 a single image in training mode
@pytest.mark.parametrize("variant, stem", [("bn", "imagenet"), ("bn", "small"), ("torchvision", "imagenet")])
def test_single_image_training_at_the_minimum_size(variant, stem):
    torch.manual_seed(0)
    m = googlenet(variant, width=0.0625, stem=stem, num_classes=10).train()
    low, ok = m.min_input_size, m.min_train_input_size
    assert ok > low
    with pytest.raises(ValueError, match=rf"batch of one .*BatchNorm needs more than one value per channel.*at least {ok}x{ok}"):
        m(torch.zeros(1, 3, low, low))
    m(torch.zeros(1, 3, ok, ok))  # the reported size trains on one image
    m(torch.zeros(2, 3, low, low))  # two images at the minimum work too
    m.eval()(torch.zeros(1, 3, low, low))


def test_min_train_input_size_without_batchnorm():
    cfg = GoogLeNetConfig(variant="paper", stem="small", width=0.0625)
    assert cost.min_train_input_size(cfg) == cost.min_input_size(cfg)


# ----------------------------------------------------------------------------- B12 images
def _png(size=(64, 64)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buf, "PNG")
    return buf.getvalue()


def _gif() -> bytes:
    frames = [Image.new("RGB", (20, 20), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    return buf.getvalue()


def test_image_folder_and_truncated_lazy_pil(tmp_path):
    with pytest.raises(ImageError, match="is a folder, not an image file"):
        images.prepare_image(tmp_path)
    (tmp_path / "t.png").write_bytes(_png()[:-30])
    with Image.open(tmp_path / "t.png") as lazy:
        with pytest.raises(ImageError, match="'t.png' could not be decoded .*truncated"):
            images.prepare_image(lazy)


def test_all_nan_float_image_is_refused():
    with pytest.raises(ImageError, match="400 NaN or infinite pixel values"):
        images.prepare_image(Image.fromarray(np.full((20, 20), np.nan, np.float32), mode="F"))


@pytest.mark.parametrize("source", [lambda: _gif(), lambda: Image.open(io.BytesIO(_gif()))])
def test_animated_gif_notes_the_frames(source):
    assert "first of 3 frames used" in images.prepare_image(source()).notes


# ----------------------------------------------------------------------------- B13 data
def test_cifar10_root_is_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ValueError, match="root must be a folder"):
        data.cifar10(tmp_path / "f", download=False)


@pytest.mark.parametrize("make, exc, match", [
    (lambda d: ImageData(d.images, d.labels + 10, d.class_names), ValueError, r"labels must be class indices in 0\.\.9"),
    (lambda d: ImageData(d.images, d.labels - 1, d.class_names), ValueError, r"labels must be class indices in 0\.\.9"),
    (lambda d: ImageData(d.images, d.labels.float(), d.class_names), TypeError, "labels must be an integer tensor"),
    (lambda d: ImageData((d.images * 255).byte(), d.labels, d.class_names), TypeError,
     r"images must be floating point in \[0, 1\], got dtype torch.uint8"),
    (lambda d: data.normalize((d.images * 255).byte()), TypeError, r"images must be floating point.*images\.float\(\) / 255"),
])
def test_image_data_and_normalize(make, exc, match):
    d = data.synthetic(10, seed=0)
    with pytest.raises(exc, match=match):
        make(d)


# ----------------------------------------------------------------------------- B14 evaluate
@pytest.mark.parametrize("batch_size", [0, -1, 1.5])
def test_evaluate_batch_size(small, batch_size):
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        evaluate(small, data.synthetic(10, seed=0), batch_size=batch_size)


def test_evaluate_accepts_numpy_batch_size(small):
    d = data.synthetic(10, seed=0)
    assert evaluate(small, d, batch_size=np.int64(4)) == evaluate(small, d, batch_size=4)


# ----------------------------------------------------------------------------- the shared checks themselves
def test_check_choice():
    assert _checks.check_choice("variant", "bn", ("bn", "paper")) == "bn"
    k = _checks.check_choice("kernel", np.int64(3), (1, 3, 5))  # compared with ==, the listed value returned
    assert k == 3 and type(k) is int
    assert _checks.check_choice("stage", "conv1", {"conv1": 0, "conv2": 1}) == "conv1"  # a mapping: its keys
    with pytest.raises(ValueError, match=r"variant must be one of \['bn', 'paper'\], got 'vgg'"):
        _checks.check_choice("variant", "vgg", ("bn", "paper"))
    with pytest.raises(ValueError, match=r"kernel must be one of \[1, 3, 5\], got True"):
        _checks.check_choice("kernel", True, (1, 3, 5))  # True == 1, but a bool is not a kernel size
    assert _checks.check_choice("flag", True, (True, False)) is True
    with pytest.raises(ValueError, match=r"block must be one of \['3a'\], got \['3a'\]"):
        _checks.check_choice("block", ["3a"], {"3a": 0})  # unhashable: refused, not a TypeError from `in`
    with pytest.raises(ValueError, match="got array"):
        _checks.check_choice("kernel", np.array([1, 3]), (1, 3, 5))  # ambiguous ==: refused


def test_check_number_open_interval_wording():
    with pytest.raises(ValueError, match="p must be a number strictly between 0 and 1, got 1"):
        _checks.check_number("p", 1, 0, 1, min_open=True, max_open=True)
    with pytest.raises(ValueError, match=r"q must be a number in \[0, 1\), got 1"):  # one open end: interval notation
        _checks.check_number("q", 1, 0, 1, max_open=True)
