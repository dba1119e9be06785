"""inception.scale: anti-aliased probes, tuning curves and their summaries, the exercise check."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import inception
from inception import BRANCH_NAMES, scale

SMALL = dict(stem="small", width=0.125, num_classes=10, aux_logits=False)
pytestmark = pytest.mark.usefixtures("one_thread")


def test_default_periods():
    assert scale.default_periods(32) == [2, 3, 4, 6, 8, 11, 16, 23, 32]
    assert scale.default_periods(8) == [2, 3, 4, 6, 8]
    with pytest.raises(ValueError, match="image_size"):
        scale.default_periods(2)


@pytest.mark.parametrize("kind", scale.PROBE_KINDS)
def test_probe_period(kind):
    """The dominant spatial frequency of a horizontal probe is 1/period."""
    size, period = 64, 8
    img = scale.scale_probes(size, period, kind, orientations=1, phases=1)[0, 0].numpy()
    spectrum = np.abs(np.fft.rfft(img - img.mean(1, keepdims=True), axis=1)).mean(0)
    assert spectrum.argmax() == size // period
    assert img.min() >= 0 and img.max() <= 1


def test_probe_validation():
    with pytest.raises(ValueError, match="kind must be one of"):
        scale.scale_probes(32, 4, "stars")
    with pytest.raises(ValueError, match="period must be"):
        scale.scale_probes(32, 1)


def test_scale_response_shapes_and_summary():
    torch.manual_seed(0)
    model = inception.googlenet("paper", **SMALL).eval()
    r = scale.scale_response(model, 32, blocks=["3a"])
    assert r.response.shape == (9, 1, 4)
    assert (r.response >= 0).all()
    np.testing.assert_allclose(r.tuning.mean(0), 1.0)
    pp = r.preferred_period
    assert ((pp >= 2) & (pp <= 32)).all()
    # preferred period and winner on a hand-made response: 1x1 responds 3x more at 4 px than at 2 px
    flat = scale.ScaleResponse((2, 4), ("inception3a",), BRANCH_NAMES, np.array([[[1.0, 1, 1, 1]], [[3.0, 1, 1, 1]]]), "x")
    assert flat.preferred_period[0, 0] > flat.preferred_period[0, 1]
    assert flat.winner[1][0] == "1x1"


def test_scale_summary_and_verdict():
    periods = (2, 4, 8)
    # 1x1 prefers 2 px, 3x3 4 px, 5x5 8 px in every block: the story holds everywhere
    tuned = np.zeros((3, 2, 4))
    for j, p in enumerate((0, 1, 2, 1)):
        tuned[p, :, j] = 1.0
    tuned += 0.01
    flat = np.ones((3, 2, 4))
    blocks = ("inception3a", "inception4a")
    t = scale.ScaleResponse(periods, blocks, BRANCH_NAMES, tuned, "grating")
    f = scale.ScaleResponse(periods, blocks, BRANCH_NAMES, flat, "grating")
    table = scale.scale_summary([("trained", t), ("random", f)])
    assert table.column("1x1 < 3x3 < 5x5 in") == ["2 of 2", "0 of 2"]
    assert table.column("5x5/1x1 stage 3")[0] > 3 and table.column("5x5/1x1 stage 3")[1] == pytest.approx(1.0)
    assert "more so than in the random control" in scale.scale_verdict(t, f)
    assert "comes with the kernel sizes" in scale.scale_verdict(t, t)
    assert "no ordering by kernel size" in scale.scale_verdict(f, t)


def _low_frequency_share(img: torch.Tensor, period: float) -> float:
    """Share of an image's power (mean removed) at spatial frequencies below 0.6 / period: where a
    pattern of that period has none, and where aliasing puts its moire ("mazes")."""
    img = img.double() - img.double().mean()
    power = torch.fft.fft2(img).abs().pow(2)
    f = torch.fft.fftfreq(img.shape[-1], dtype=torch.float64)
    radius = (f[:, None] ** 2 + f[None, :] ** 2).sqrt()
    return float(power[radius < 0.6 / period].sum() / power.sum())


@pytest.mark.parametrize("kind", ["checkerboard", "blobs"])
def test_probes_are_anti_aliased(kind):
    """Box-filtered rendering matches a much finer reference; sampling at pixel centres does not."""
    for period in (3, 4, 5):
        fine = scale.scale_probes(32, period, kind, orientations=4, phases=2, oversample=32)
        aa = scale.scale_probes(32, period, kind, orientations=4, phases=2)  # default: 8x
        naive = scale.scale_probes(32, period, kind, orientations=4, phases=2, oversample=1)
        assert (aa - fine).abs().max() < 0.07, period
        if kind == "checkerboard":  # hard edges: sampling at pixel centres is far off somewhere
            assert (naive - fine).abs().max() > 0.3, period
        # little power where the pattern has none (no moire), and the mean grey level is kept
        assert max(_low_frequency_share(x[0], period) for x in aa) < 0.05, period
        assert abs(float(aa.mean()) - float(fine.mean())) < 2e-3


def test_probe_mean_is_preserved():
    """Box filtering keeps each probe's grey level: the mean of the 8x render equals that of a 32x
    reference (a rotated pattern cut by the 32 px window need not average exactly 0.5)."""
    for period in (2, 3, 4, 6, 11):
        for kind in scale.PROBE_KINDS:
            g = scale.scale_probes(32, period, kind, orientations=4, phases=4)
            ref = scale.scale_probes(32, period, kind, orientations=4, phases=4, oversample=32)
            assert (g.mean(dim=(1, 2, 3)) - ref.mean(dim=(1, 2, 3))).abs().max() < 2e-3, (kind, period)
            assert g.min() >= 0 and g.max() <= 1
        assert float(scale.scale_probes(32, period, "grating").mean()) == pytest.approx(0.5, abs=0.01)
    with pytest.raises(ValueError, match="oversample"):
        scale.scale_probes(32, 4, oversample=0)


def test_tuning_summaries_on_a_hand_made_curve():
    periods = (2, 4, 8, 16, 32)
    resp = np.ones((5, 1, 4))
    resp[:, 0, 0] = [0.1, 1.0, 4.0, 1.0, 0.1]   # 1x1: sharp peak at 8 px, half max reached between probes
    resp[:, 0, 2] = [1.0, 2.0, 3.0, 4.0, 5.0]   # 5x5: rises to the end of the range
    r = scale.ScaleResponse(periods, ("inception3a",), BRANCH_NAMES, resp, "grating")
    assert r.peak_period[0].tolist() == [8, 2, 32, 2]   # ties (flat curves) go to the first period
    assert r.peak_to_mean[0, 0] == pytest.approx(4.0 / 1.24)
    assert r.peak_to_mean[0, 1] == pytest.approx(1.0)
    width, open_ = r.bandwidth
    # half of 4 is 2: crossed 2/3 of the way from 1.0 to 4.0 on each side -> 2 * (1 - 1/3) octaves
    assert width[0, 0] == pytest.approx(2 * (1 - 1 / 3)) and not open_[0, 0]
    # 5x5: half of 5 is 2.5, crossed halfway between 8 (3) and 4 (2) px; open at the top
    assert width[0, 2] == pytest.approx(5 - 2.5) and open_[0, 2]
    assert open_[0, 1]  # a flat curve fills the whole range
    t = scale.tuning_table(r)
    assert t.column("peak (px)")[:3] == [8, 2, 32] and t.column("half-max width (octaves)")[2] == ">= 2.5"
    with pytest.raises(ValueError, match="block must be one of"):
        r.index("9z")


def test_check_peak_period():
    torch.manual_seed(0)
    model = inception.googlenet("bn", **SMALL).eval()
    todo = scale.check_peak_period(None, model, "3a.5x5", 32)
    assert todo.ok is None and todo.message.startswith("Fill in `answer` with the period")
    assert todo.message.endswith("then run the cell again.")
    true = int(scale.scale_response(model, 32, blocks=["3a"]).peak_period[0, 2])
    right = scale.check_peak_period(true, model, "3a.5x5", 32)
    assert right.ok is True and right.message == f"Correct: 3a.5x5 peaks at {true} px at 32 px input."
    wrong = 2 if true != 2 else 32
    v = scale.check_peak_period(wrong, model, "3a.5x5", 32)
    assert v.ok is False and v.message.startswith("Not yet: 3a.5x5 peaks at")
    assert ("longer" in v.message) == (wrong < true)
    with pytest.raises(ValueError, match="name must be"):
        scale.check_peak_period(4, model, "3a.7x7", 32)


def test_plot_probes_and_marks():
    from inception import featviz

    fig = featviz.plot_probes(32, [2, 4, 8], aliased="checkerboard")
    assert len(fig.axes) == 4 * 3 and fig.axes[-3].get_ylabel() == "checkerboard\n(aliased)"
    r = scale.ScaleResponse((2, 4, 8), ("inception3a",), BRANCH_NAMES, np.ones((3, 1, 4)), "grating")
    fig = featviz.plot_scale_response({"net": r}, ["3a"], marks={"stripes": (4.0, 6.0)})
    spans = [p for p in fig.axes[0].patches]
    assert len(spans) == 1 and fig.axes[0].get_legend_handles_labels()[1][0] == "stripes"
