"""inception.netmap: the map of the whole network (Figure 3), drawn from the config and the cost model."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

import inception
from inception import cost, netmap
from inception.architecture import BLOCK_NAMES, BRANCH_COLORS, INCEPTION_BLOCKS


@pytest.fixture(scope="module")
def paper():
    return netmap.network_layout("paper")


def test_every_layer_of_the_cost_model_is_on_the_map_with_its_shape(paper):
    layers = cost.layer_costs(inception.GoogLeNetConfig(variant="paper"), 224)
    by_name = {b.name: b for b in paper}
    for layer in layers:
        if layer.stage.startswith("inception"):
            box = by_name[layer.stage]
            if layer.name.endswith(".branch1"):
                assert box.out_shape[1:] == layer.out_shape[1:]
        else:
            assert by_name[layer.name].out_shape == layer.out_shape, layer.name


def test_blocks_carry_table1_channels_and_the_snake_turns_at_4a(paper):
    blocks = [b for b in paper if b.kind == "inception"]
    assert [b.name for b in blocks] == [f"inception{n}" for n in BLOCK_NAMES]
    for b in blocks:
        s = INCEPTION_BLOCKS[b.name.removeprefix("inception")]
        assert b.branch_channels == (s.ch1x1, s.ch3x3, s.ch5x5, s.pool_proj)
        assert b.out_shape[0] == s.out_channels
        assert b.column == (0 if b.name[-2] == "3" else 1)
    assert [b.out_shape[1] for b in blocks] == [28, 28, 14, 14, 14, 14, 14, 7, 7]
    assert next(b for b in paper if b.name == "inception3b").shape_label == "28x28x480"


def test_stem_heads_and_classifier_as_in_figure3(paper):
    col0 = [b.label for b in paper if b.column == 0]
    assert col0[:8] == ["input image, 3 channels", "conv 7x7/2, 64", "max pool 3x3/2", "local response norm",
                        "conv 1x1, 64", "conv 3x3, 192", "local response norm", "max pool 3x3/2"]
    for head in ("aux1", "aux2"):
        labels = [b.label for b in paper if b.name.startswith(head + ".")]
        assert labels == ["avg pool 5x5/3", "conv 1x1, 128", "FC 2048 -> 1024", "dropout 0.7", "FC 1024 -> 1000",
                          f"softmax ({head}, training only)"]
        assert all(b.column == 2 and b.aux for b in paper if b.name.startswith(head + "."))
    tail = [b.label for b in paper if b.column == 1][-4:]
    assert tail == ["avg pool 7x7 (global)", "dropout 0.4", "FC 1024 -> 1000", "softmax"]
    rows = [(b.column, b.row) for b in paper]
    assert len(rows) == len(set(rows))  # no two boxes in the same place


def test_other_variants_follow_their_config():
    bn = [b.label for b in netmap.network_layout("bn")]
    assert "local response norm" not in bn and "dropout 0.5" in bn
    tv = netmap.network_layout("torchvision")
    assert "adaptive avg pool to 4x4" in [b.label for b in tv]
    assert "dropout 0.2" in [b.label for b in tv]


def test_figure_uses_branch_colors_and_bad_input_is_named():
    fig = netmap.network_map("paper")
    assert isinstance(fig, Figure)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "inception 4e: 256 + 320 + 128 + 128" in texts and "14x14x832" in texts
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == [f"{b} branch" for b in BRANCH_COLORS]
    with pytest.raises(ValueError, match="variant"):
        netmap.network_layout("v3")
    with pytest.raises(ValueError, match="input_size"):
        netmap.network_layout("paper", input_size=32)
    with pytest.raises(ValueError, match="dpi"):
        netmap.network_map(dpi=0)
