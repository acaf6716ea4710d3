# Copyright (c) mmautoaug contributors. All rights reserved.
"""Adversarial AutoAugment on a detector: copies, per-copy credit, chunks,
and a planted signal the REINFORCE update must find."""
import math

import pytest
import torch
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope

from mmautoaug.registry import MODELS
from mmautoaug.search import AdvAAHook
from mmautoaug.search.detector_utils import copy_losses
from _det_standin import (
    PLANTED,
    SATURATING,
    STANDIN,  # noqa: I100
    planted_batch,
    tiny_detector)


def _model(detector=STANDIN, **kwargs):
    with DefaultScope.overwrite_default_scope('mmdet'):
        return MODELS.build(
            dict(type='mmautoaug.AdvAADetector', detector=detector, **kwargs))


def _hook(lr=0.02, seed=0):
    return AdvAAHook(
        generator=dict(
            type='mmautoaug.AdvAAPolicyGenerator',
            space=PLANTED,
            num_sub_policies=2,
            num_ops=2),
        num_policies=8,
        optimizer=dict(type='Adam', lr=lr),
        seed=seed)


def planted_search(epochs=40, seed=0):
    """AdvAA on the planted stand-in; returns the generator's probability
    of AutoContrast at every op decision, before and after."""
    torch.manual_seed(seed)
    model = _model(
        augmentor=dict(
            type='mmautoaug.DetPolicyBatchAugment', space=PLANTED, seed=seed),
        copies_per_step=3)
    # the stand-in's w stays 0 (lr 0): its loss is the planted signal alone
    optim = build_optim_wrapper(model,
                                dict(optimizer=dict(type='SGD', lr=0.0)))
    hook = _hook(seed=seed)

    def autocontrast_prob():
        with torch.no_grad():
            out = hook.generator(
                num_policies=256, generator=torch.Generator().manual_seed(999))
        return float(out.op_probs[..., SATURATING].mean())

    before = autocontrast_prob()
    for epoch in range(epochs):
        actions = hook.sample(1000 * seed + epoch)
        model.set_policy_arrays(*hook.generator.to_arrays(actions))
        for it in range(2):
            model.train_step(planted_batch(offset=it), optim)
        loss_sum, count = model.pop_policy_losses()
        hook.update((loss_sum / count).float(), actions)
    return before, autocontrast_prob()


def test_planted_signal_raises_the_saturating_op():
    """The stand-in's loss rises only under AutoContrast: the generator must
    raise its probability from 1/4 well above, by a margin a flipped sign
    (which drives it towards 0) cannot reach."""
    before, after = planted_search()
    assert abs(before - 0.25) < 0.03, before
    assert after > 0.5, (before, after)


def test_copies_get_their_own_policy_and_loss():
    """Copy m is the batch under policy m, and its credited loss is the
    detector's loss on that copy alone."""
    model = _model(
        augmentor=dict(
            type='mmautoaug.DetPolicyBatchAugment', space=PLANTED, seed=1))
    optim = build_optim_wrapper(model, dict(optimizer=dict(type='SGD', lr=0)))
    # policy 0..3: AutoContrast always; 4..7: Brightness 1.0 (identity)
    op_index = torch.tensor([SATURATING] * 4 + [1] * 4).view(8, 1, 1)
    model.set_policy_arrays(op_index, torch.ones(8, 1, 1),
                            torch.full((8, 1, 1), 0.5))
    model.train_step(planted_batch(), optim)
    loss_sum, count = model.pop_policy_losses()
    losses = (loss_sum / count).tolist()
    # AutoContrast saturates the 100-level half of each image: t = 1/2
    assert losses[:4] == pytest.approx([10 * 0.25] * 4, rel=1e-6)
    assert losses[4:] == pytest.approx([0.0] * 4, abs=1e-12)


@pytest.mark.parametrize('name', ['retinanet', 'faster_rcnn', 'mask_rcnn'])
def test_chunks_give_the_step_of_one_pass(name):
    """copies_per_step=1, 2 or all: the same per-copy losses and the same
    weights after the step (gradient accumulation over chunks) where the
    ops draw nothing (RetinaNet: unsigned ops, every box picked), and every
    copy credited on the two-stage detectors (geometric ops moving boxes
    and masks); the shared-backbone losses equal the detector's own loss on
    each copy."""
    torch.manual_seed(0)
    finals, credits = [], []
    for chunk in (None, 2, 1):
        torch.manual_seed(0)
        model = _model(
            tiny_detector(name),
            augmentor=dict(
                type='mmautoaug.DetPolicyBatchAugment',
                seed=3,
                box_prob=1.0,
                recompute_bbox=name == 'mask_rcnn'),
            copies_per_step=chunk)
        model.train()  # as the loop does: the stock BN is frozen (eval)
        optim = build_optim_wrapper(model,
                                    dict(optimizer=dict(type='SGD', lr=0.01)))
        from mmautoaug.augment import DETECTION
        ops = ('Equalize', 'BBox_Only_Equalize', 'Brightness',
               'Posterize') if name == 'retinanet' else ('Rotate',
                                                         'BBox_Only_ShearX',
                                                         'Equalize',
                                                         'TranslateY')
        ops = [DETECTION.index(op) for op in ops]
        model.set_policy_arrays(
            torch.tensor(ops).view(4, 1, 1), torch.ones(4, 1, 1),
            torch.full((4, 1, 1), 0.7))
        data = planted_batch(masks=name == 'mask_rcnn')
        if name == 'retinanet' and chunk is None:
            # the copies' losses one by one, through the detector's own loss
            pre = model.data_preprocessor(planted_batch(), True)
            model.augmentor.reseed(3)
            images, samples = model.augmentor(pre['inputs'],
                                              pre['data_samples'])
            images = model.data_preprocessor.normalize(images, samples)
            shared, _ = copy_losses(model, model.detector, images, samples, 4)
            alone = [
                model.parse_losses(
                    model.detector.loss(images[2 * j:2 * j + 2],
                                        samples[2 * j:2 * j + 2]))[0]
                for j in range(4)
            ]
            torch.testing.assert_close(shared, torch.stack(alone))
            model.augmentor.reseed(3)
        if name != 'retinanet':
            torch.manual_seed(5)  # RPN/RoI sampling: the same draws
        logs = model.train_step(data, optim)
        assert math.isfinite(float(logs['loss']))
        loss_sum, count = model.pop_policy_losses()
        credits.append(loss_sum / count)
        finals.append(
            torch.cat(
                [p.detach().flatten() for p in model.detector.parameters()]))
    if name == 'retinanet':
        torch.testing.assert_close(credits[1], credits[0])
        torch.testing.assert_close(credits[2], credits[0])
        torch.testing.assert_close(finals[1], finals[0])
        torch.testing.assert_close(finals[2], finals[0])
    else:
        # sampled proposals differ between chunkings; all copies credited
        for c in credits:
            assert bool(torch.isfinite(c).all()) and bool((c > 0).all())


def test_bad_config_is_named():
    with pytest.raises(ValueError, match='copies_per_step'):
        _model(copies_per_step=0)
    model = _model()
    optim = build_optim_wrapper(model, dict(optimizer=dict(type='SGD', lr=0)))
    with pytest.raises(RuntimeError, match='no policies set'):
        model.train_step(planted_batch(), optim)
    with pytest.raises(TypeError, match='detection batch augmentor'):
        _model(augmentor=dict(type='mmautoaug.PolicyBatchAugment'))
