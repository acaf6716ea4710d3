# Copyright (c) mmautoaug contributors. All rights reserved.
"""DADA on a detector: a planted signal RELAX must find, the unrolled
magnitude hypergradient against a hand computation, real detectors."""
import math

import pytest
import torch
from mmengine.registry import DefaultScope

from mmautoaug.augment import OpRange, SearchSpace
from mmautoaug.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS
from _det_standin import (
    PLANTED,
    SATURATING,
    STANDIN,  # noqa: I100
    planted_batch,
    tiny_detector)


def _model(detector=STANDIN, **kwargs):
    with DefaultScope.overwrite_default_scope('mmdet'):
        return MODELS.build(
            dict(type='mmautoaug.DADADetector', detector=detector, **kwargs))


def _optim(model,
           net_lr,
           policy=dict(type='Adam', lr=0.02, betas=(0.5, 0.999)),
           momentum=0.0):
    return OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='mmautoaug.SubmoduleOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                detector=dict(
                    type='OptimWrapper',
                    optimizer=dict(type='SGD', lr=net_lr, momentum=momentum)),
                policy=dict(type='OptimWrapper', optimizer=policy))))(
                    model)


def planted_search(seed=0, steps=150):
    """First-order DADA on the planted stand-in; returns (probs, logits,
    is AutoContrast (per op), has AutoContrast (per sub-policy))."""
    torch.manual_seed(seed)
    model = _model(
        dict(STANDIN, scale=10.0),
        policy=dict(space=PLANTED),
        topk=3,
        seed=seed)
    # w moves half-way to the mean saturation of its batch per step
    optim = _optim(model, net_lr=0.025)
    # the control variate starts at 0: the estimate starts as REINFORCE
    # with the validation baseline, and the control variate learns from it
    with torch.no_grad():
        model.policy.control_variate.net[2].weight.zero_()
        model.policy.control_variate.net[2].bias.zero_()
    for step in range(steps):
        model.train_step(
            dict(
                train=planted_batch(offset=step),
                val=planted_batch(offset=step + 1)), optim)
    is_ac = model.policy.op_index == SATURATING
    return (model.policy.probs.detach(), model.policy.logits.detach(), is_ac,
            is_ac.any(1))


def test_planted_signal_lowers_the_harmful_op():
    """A step on AutoContrast copies pulls the stand-in away from the
    validation images: DADA must lower AutoContrast's probability and the
    weight of the sub-policies that hold it, by margins a flipped sign (which
    raises them) cannot reach."""
    probs, logits, is_ac, with_ac = planted_search()
    assert float(probs[is_ac].mean()) < 0.3, probs
    assert float(probs[~is_ac].mean()) > 0.4, probs
    gap = logits[~with_ac].mean() - logits[with_ac].mean()
    assert float(gap) > 0.2, logits


def test_unrolled_magnitude_gradient_is_the_hand_computed_one():
    """One unrolled step on the smooth stand-in, loss s (w - a)^2 with a the
    mean level / 255: the straight-through hypergradient of both applied
    magnitudes is xi * 2s * (1/255) * 2s (w' - c) (c: the validation mean),
    which the finite-difference Hessian-vector product gives exactly for a
    quadratic; the policy's SGD (lr 1) moves each magnitude by minus it."""
    space = SearchSpace(
        'smooth',
        (OpRange('Brightness', 0.1, 1.9), OpRange('Contrast', 0.1, 1.9)))
    scale, xi = 3.0, 0.4
    model = _model(
        dict(STANDIN, type='mmautoaug.SmoothDetector', scale=scale),
        policy=dict(space=space, init_prob=1.0),
        first_order=False,
        topk=1,
        seed=0)
    with torch.no_grad():
        model.detector.w.fill_(0.2)
    optim = _optim(model, net_lr=xi, policy=dict(type='SGD', lr=1.0))
    train, val = planted_batch(), planted_batch(offset=2)
    model.train_step(dict(train=train, val=val), optim)
    w_new = float(model.detector.w.detach())
    c = sum(float(x.float().mean())
            for x in val['inputs']) / len(val['inputs']) / 255
    g = xi * 2 * scale / 255 * 2 * scale * (w_new - c)
    moved = 0.5 - model.policy.magnitudes.detach()[0]
    torch.testing.assert_close(
        moved, torch.full((2, ), g), rtol=1e-3, atol=1e-7)
    assert abs(g) > 1e-3


@pytest.mark.parametrize('first_order', [True, False])
def test_the_step_trains_on_half_a_and_scores_on_half_b(first_order):
    """Half A (mean level 70) and half B (170) tell themselves apart: on the
    smooth stand-in, loss s (w - a)^2 with a the mean level / 255, and
    nothing applied (probabilities 0), the detector's step is
    ``w' = w - xi * 2s (w - a_A)`` and ``f = s (w' - a_B)^2``, ``L_val(w) =
    s (w - a_B)^2``, computed here by hand. Swapped halves (or ``f`` on half
    A) give another ``w'`` and other logs."""
    space = SearchSpace(
        'smooth',
        (OpRange('Brightness', 0.1, 1.9), OpRange('Contrast', 0.1, 1.9)))
    scale, xi, w0 = 3.0, 0.4, 0.2
    model = _model(
        dict(STANDIN, type='mmautoaug.SmoothDetector', scale=scale),
        policy=dict(space=space, init_prob=0.0),
        first_order=first_order,
        topk=1,
        seed=0)
    with torch.no_grad():
        model.detector.w.fill_(w0)
    optim = _optim(model, net_lr=xi)
    train = planted_batch()
    val = planted_batch(offset=1)
    val['inputs'] = [x + 100 for x in val['inputs']]  # levels 140 | 200
    a_train, a_val = 70 / 255, 170 / 255
    logs = model.train_step(dict(train=train, val=val), optim)
    w_new = w0 - xi * 2 * scale * (w0 - a_train)
    expected = dict(
        w=w_new,
        loss=scale * (w0 - a_train)**2,
        val_loss=scale * (w_new - a_val)**2,
        val_gain=scale * (w0 - a_val)**2 - scale * (w_new - a_val)**2)
    got = dict(logs, w=model.detector.w.detach())
    for key, want in expected.items():
        assert float(got[key]) == pytest.approx(want, rel=1e-4), key
    # swapped halves would train towards half B's level instead
    w_swapped = w0 - xi * 2 * scale * (w0 - a_val)
    assert abs(w_new - w_swapped) > 0.5


def test_first_order_keeps_the_magnitudes_and_unrolled_runs_on_detectors():
    for name in ('retinanet', 'mask_rcnn'):
        torch.manual_seed(0)
        for first_order in (True, False):
            model = _model(
                tiny_detector(name),
                first_order=first_order,
                seed=0,
                recompute_bbox=name == 'mask_rcnn')
            model.train()
            optim = _optim(model, net_lr=0.01, momentum=0.9)
            masks = name == 'mask_rcnn'
            for step in range(2):
                logs = model.train_step(
                    dict(
                        train=planted_batch(offset=step, masks=masks),
                        val=planted_batch(offset=step + 1, masks=masks)),
                    optim)
            assert all(math.isfinite(float(v)) for v in logs.values())
            mags = model.policy.magnitudes.detach()
            if first_order:
                assert bool((mags == 0.5).all())
            assert int(model.step_count) == 2
            assert model.export_policy(5).space.name == 'detection'


def test_bad_input_is_named():
    model = _model()
    optim = _optim(model, net_lr=0.1)
    with pytest.raises(ValueError, match='dict\\(train=<batch of half A>'):
        model.train_step(planted_batch(), optim)
    with pytest.raises(ValueError, match='topk'):
        _model(topk=0)
    with pytest.raises(ValueError, match='defer'):
        _model(data_preprocessor=dict(type='mmdet.DetDataPreprocessor'))
