"""Parity with torchvision's GoogLeNet. torchvision is optional: this runs only where it is installed
(e.g. `pip install torch==2.14.1 torchvision==0.29.1` in a separate environment)."""

from __future__ import annotations

import pytest
import torch

from inception import googlenet

tv_models = pytest.importorskip("torchvision.models", reason="torchvision is optional")


@pytest.mark.parametrize("transform_input", [False, True])
def test_state_dict_loads_strictly_and_logits_match(transform_input):
    torch.manual_seed(0)
    ref = tv_models.googlenet(weights=None, aux_logits=True, init_weights=True, transform_input=transform_input)
    ours = googlenet("torchvision", aux_logits=True, transform_input=transform_input)
    assert {k: v.shape for k, v in ref.state_dict().items()} == {k: v.shape for k, v in ours.state_dict().items()}
    # give BatchNorm non-trivial statistics so eval mode exercises them
    with torch.no_grad():
        for m in ref.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
    ours.load_state_dict(ref.state_dict(), strict=True)
    ref.eval(), ours.eval()
    x = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        expected, got = ref(x), ours(x)
    assert torch.allclose(got.logits, expected, rtol=1e-5, atol=1e-5)
    # training mode: the auxiliary heads too (dropout off so the comparison is deterministic)
    ref.train(), ours.train()
    for m in list(ref.modules()) + list(ours.modules()):
        if isinstance(m, (torch.nn.Dropout, torch.nn.BatchNorm2d)):
            m.eval()
    with torch.no_grad():
        e, g = ref(x), ours(x)
    assert torch.allclose(g.aux1, e.aux_logits1, rtol=1e-5, atol=1e-5)
    assert torch.allclose(g.aux2, e.aux_logits2, rtol=1e-5, atol=1e-5)
    assert torch.allclose(g.logits, e.logits, rtol=1e-5, atol=1e-5)
