# Copyright (c) mmautoaug contributors. All rights reserved.
import os.path as osp

import pytest
import torch

from mmautoaug.models.backbones import PyramidNet, shake_drop
from mmautoaug.registry import MODELS
from mmautoaug.utils import register_all_modules

register_all_modules()
ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_pyramidnet_272_has_the_published_size():
    """PyramidNet-272 (alpha 200, bottleneck) + ShakeDrop with a 10-class
    head: 26.2M parameters (Yamada et al. 2018, Table; AutoAugment)."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(
        ROOT, 'configs/_base_/models/pyramidnet272_a200_shakedrop.py'))
    model = MODELS.build(
        dict(cfg.model,
             data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor')))
    count = sum(p.numel() for p in model.parameters())
    assert abs(count - 26.2e6) / 26.2e6 < 0.005, count
    backbone = model.backbone
    assert backbone.out_channels == 4 * (16 + 200)
    assert [len(stage) for stage in backbone.stages] == [30, 30, 30]
    # widths grow by 200 / 90 per unit: 16 + 200/90 -> 18, ..., 216
    widths = [unit.residual[1].out_channels for stage in backbone.stages
              for unit in stage]
    assert widths[0] == 18 and widths[-1] == 216
    assert all(0 <= b - a <= 3 for a, b in zip(widths, widths[1:]))
    # ShakeDrop's linear decay: p_l = 1 - l / 90 * 0.5
    keep = [unit.keep_prob for stage in backbone.stages for unit in stage]
    assert keep[0] == pytest.approx(1 - 0.5 / 90) and keep[-1] == 0.5


def test_tiny_pyramidnet_forward_backward():
    model = PyramidNet(depth=11, alpha=12, out_indices=(0, 1, 2))
    model.init_weights()
    outs = model(torch.rand(4, 3, 32, 32))
    # one unit per stage, widths 20, 24, 28, bottleneck x4
    assert [tuple(o.shape) for o in outs] == [(4, 80, 32, 32),
                                              (4, 96, 16, 16),
                                              (4, 112, 8, 8)]
    assert outs[-1].min() >= 0  # final BN + ReLU
    outs[-1].mean().backward()
    for name, param in model.named_parameters():
        assert param.grad is not None and torch.isfinite(param.grad).all(), \
            name
    # basic units: 6n + 2 layers, output = the width
    basic = PyramidNet(depth=8, alpha=12, bottleneck=False)
    basic.eval()
    assert basic(torch.rand(1, 3, 32, 32))[0].shape == (1, 28, 8, 8)


def test_shortcut_is_the_pooled_zero_padded_identity():
    model = PyramidNet(depth=11, alpha=12, shake_drop=False)
    unit = model.stages[1][0]  # 80 -> 96 channels, stride 2
    for m in unit.residual.modules():
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.zeros_(m.weight)
    unit.eval()
    x = torch.rand(2, 80, 8, 8)
    with torch.no_grad():
        out = unit(x)
    assert out.shape == (2, 96, 4, 4)
    torch.testing.assert_close(out[:, :80],
                               torch.nn.functional.avg_pool2d(x, 2))
    assert out[:, 80:].abs().max() < 1e-6


def test_train_is_stochastic_eval_is_deterministic_and_scaled():
    model = PyramidNet(depth=11, alpha=12)
    model.init_weights()
    x = torch.rand(4, 3, 32, 32)
    model.train()
    assert not torch.allclose(model(x)[0], model(x)[0])
    model.eval()
    assert torch.equal(model(x)[0], model(x)[0])


def test_shake_drop_eval_is_the_expectation():
    residual = torch.randn(3, 4, 5, 5)
    torch.testing.assert_close(shake_drop(residual, 0.7, training=False),
                               0.7 * residual)
    # the training coefficients average to keep_prob (E[alpha] = 0)
    torch.manual_seed(0)
    coef = shake_drop(torch.ones(20000, 1), 0.7, training=True)
    assert abs(float(coef.mean()) - 0.7) < 0.02


def test_shake_drop_forward_and_backward_coefficients():
    torch.manual_seed(0)
    n, keep = 4000, 0.6
    x = torch.ones(n, 2, 3, 3, requires_grad=True)
    out = shake_drop(x, keep, training=True)
    fwd = out[:, 0, 0, 0].detach()
    # one coefficient per sample
    assert torch.equal(out.detach(), fwd.view(n, 1, 1, 1).expand_as(out))
    out.sum().backward()
    bwd = x.grad[:, 0, 0, 0]
    assert torch.equal(x.grad, bwd.view(n, 1, 1, 1).expand_as(x.grad))
    kept = bwd == 1.0
    # kept samples (b = 1): 1 forward and backward, with probability keep
    assert abs(float(kept.float().mean()) - keep) < 0.03
    assert (fwd[kept] == 1.0).all()
    # dropped (b = 0): alpha ~ U(-1, 1) forward, beta ~ U(0, 1) backward
    alpha, beta = fwd[~kept], bwd[~kept]
    assert alpha.min() < -0.9 and alpha.max() > 0.9
    assert abs(float(alpha.mean())) < 0.05
    assert beta.min() >= 0 and beta.max() < 1 and beta.min() < 0.05
    assert abs(float(beta.mean()) - 0.5) < 0.05
    # beta is drawn independently of alpha
    corr = torch.corrcoef(torch.stack([alpha, beta]))[0, 1]
    assert abs(float(corr)) < 0.1
    assert float((alpha - beta).abs().mean()) > 0.3


@pytest.mark.parametrize('kwargs,field', [
    (dict(depth=111, bottleneck=False), 'depth'),
    (dict(depth=12), 'depth'),
    (dict(alpha=-1), 'alpha'),
    (dict(final_keep_prob=0.0), 'final_keep_prob'),
    (dict(out_indices=(3, )), 'out_indices'),
])
def test_bad_arguments_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        PyramidNet(**kwargs)
