# Copyright (c) mmautoaug contributors. All rights reserved.
"""Bad input to the batched ops (issue #11): refused with the field, the
sample and the allowed values, instead of a silently wrong batch."""
import pytest
import torch

from mmautoaug.augment import FASTAA
from mmautoaug.augment.batch_ops import (apply_batch_op, apply_sub_policies,
                                         augment_batch)

N = 4


def _batch(dtype=torch.float32):
    g = torch.Generator().manual_seed(0)
    return torch.randint(0, 256, (N, 3, 8, 8), generator=g).to(dtype)


def _args(**kw):
    args = dict(
        op_index=torch.full((N, ), FASTAA.index('Brightness')),
        magnitude=torch.full((N, ), 0.7),
        applied=torch.ones(N, dtype=torch.bool),
        sign=torch.ones(N))
    args.update(kw)
    return args


def test_images_scaled_to_unit_range_are_refused():
    # Brightness at 0.7 used to return an all-zero batch here
    unit = _batch() / 255
    message = (r'^images: all float values lie in \[0, 1\] \(max 1\): '
               r'images scaled to \[0, 1\]\? The ops read levels in '
               r'\[0, 255\]; multiply by 255 \(or pass uint8\)$')
    with pytest.raises(ValueError, match=message):
        augment_batch(unit, 'fastaa', **_args())
    with pytest.raises(ValueError, match=message):
        apply_batch_op(unit, torch.zeros(N, dtype=torch.long),
                       torch.zeros(N), ops=['Invert'])
    # the same batch in [0, 255] is fine, and so is a black one
    out = augment_batch(unit * 255, 'fastaa', **_args())
    assert out.max() > 1
    augment_batch(torch.zeros(N, 3, 8, 8), 'fastaa', **_args())


@pytest.mark.parametrize('value, message', [
    (-0.5, r'^images: float values must be levels in \[0, 255\], got min '
     r'-0\.5, max \d+; augment before normalising \(or pass uint8\)$'),
    (300.0, r'got min 0, max 300'),
    (float('nan'), r'^images: the batch contains NaN; allowed: levels in '
     r'\[0, 255\]$'),
])
def test_float_images_outside_the_levels_are_refused(value, message):
    images = _batch()
    images[1, 0, 0, 0] = value
    images[0, 0, 0, 0] = 0
    with pytest.raises(ValueError, match=message):
        augment_batch(images, 'fastaa', **_args())


@pytest.mark.parametrize('bad', [float('nan'), 1.5, -0.1])
def test_magnitudes_outside_unit_range_are_refused(bad):
    magnitude = torch.full((N, ), 0.5)
    magnitude[2] = bad
    applied = torch.tensor([True, True, False, True])  # not applied: still
    with pytest.raises(ValueError,
                       match=rf'^magnitude: got {bad:g} at sample 2; allowed: '
                       r'finite numbers in \[0, 1\]$'):
        augment_batch(_batch(), 'fastaa',
                      **_args(magnitude=magnitude, applied=applied))


def test_nan_magnitude_of_a_skipped_sample_under_grad_is_refused():
    # NaN x 0 used to turn the whole (not applied) image NaN
    magnitude = torch.tensor([0.5, float('nan'), 0.5, 0.5],
                             requires_grad=True)
    applied = torch.tensor([True, False, True, True])
    with pytest.raises(ValueError, match='magnitude: got nan at sample 1'):
        augment_batch(_batch(), 'fastaa',
                      **_args(magnitude=magnitude, applied=applied))
    # with a valid magnitude the skipped sample comes back untouched
    magnitude = torch.full((N, ), 0.5, requires_grad=True)
    out = augment_batch(_batch(), 'fastaa',
                        **_args(magnitude=magnitude, applied=applied))
    assert torch.equal(out[1], _batch()[1])
    out.sum().backward()
    assert magnitude.grad[1] == 0 and magnitude.grad[0] == 8 * 8 * 3


@pytest.mark.parametrize('bad', [0.0, 2.0, 0.5])
def test_signs_other_than_plus_minus_one_are_refused(bad):
    sign = torch.ones(N)
    sign[3] = bad
    with pytest.raises(ValueError,
                       match=rf'^sign: got {bad:g} at sample 3; allowed: \+1 '
                       r'or -1$'):
        augment_batch(_batch(), 'fastaa', **_args(sign=sign))


def test_applied_must_be_zero_or_one_unless_relaxed():
    applied = torch.tensor([1.0, 0.5, 0.0, 1.0])
    with pytest.raises(ValueError,
                       match=r'^applied: got 0\.5 at sample 1; allowed: '
                       r'bool, or 0 / 1 \(a float in \[0, 1\] only when it '
                       r'requires grad\)$'):
        augment_batch(_batch(), 'fastaa', **_args(applied=applied))
    relaxed = applied.clone().requires_grad_()
    augment_batch(_batch(), 'fastaa', **_args(applied=relaxed))
    with pytest.raises(ValueError,
                       match=r'applied: got 1\.5 at sample 1; allowed: '
                       r'numbers in \[0, 1\] \(a relaxed Bernoulli\)'):
        augment_batch(
            _batch(), 'fastaa',
            **_args(applied=torch.tensor([1.0, 1.5, 0.0, 1.0],
                                         requires_grad=True)))


def test_sub_policies_check_their_magnitudes_too():
    idx = torch.zeros(N, 2, dtype=torch.long)
    with pytest.raises(ValueError, match='magnitude: got 2 at sample 0'):
        apply_sub_policies(_batch(), 'fastaa', idx, torch.ones(N, 2),
                           torch.full((N, 2), 2.0))


@pytest.mark.parametrize('bad', [2.0, -0.5, float('nan')])
def test_sub_policy_probabilities_must_lie_in_unit_range(bad):
    prob = torch.ones(N, 2)
    prob[1, 1] = bad
    with pytest.raises(ValueError,
                       match=rf'^prob: got {bad:g} at sample 1, op 1; '
                       r'allowed: finite numbers in \[0, 1\]$'):
        apply_sub_policies(_batch(), 'fastaa',
                           torch.zeros(N, 2, dtype=torch.long), prob,
                           torch.full((N, 2), 0.5))


def test_a_generator_must_be_a_torch_generator():
    """Every entry point names a wrong ``generator`` before drawing (a
    generator on another device than the images: tests/test_cuda)."""
    from mmautoaug.augment import (apply_detection_sub_policies,
                                   augment_detection_batch)
    x = _batch()
    message = '^generator: expected a torch.Generator or None, got int$'
    with pytest.raises(TypeError, match=message):
        augment_batch(x, 'fastaa', **_args(), generator=0)
    with pytest.raises(TypeError, match=message):
        apply_batch_op(x, torch.zeros(N, dtype=torch.long), torch.zeros(N),
                       ops=['Cutout'], generator=0)
    with pytest.raises(TypeError, match=message):
        apply_sub_policies(x, 'fastaa', torch.zeros(N, 1, dtype=torch.long),
                           torch.ones(N, 1), torch.ones(N, 1), generator=0)
    boxes = [torch.zeros(0, 4)] * N
    with pytest.raises(TypeError, match=message):
        augment_detection_batch(x, [(8, 8)] * N, boxes, 'detection',
                                torch.zeros(N, dtype=torch.long),
                                torch.ones(N), torch.ones(N, dtype=torch.bool),
                                generator=0)
    with pytest.raises(TypeError, match=message):
        apply_detection_sub_policies(x, [(8, 8)] * N, boxes, 'detection',
                                     torch.zeros(N, 1, dtype=torch.long),
                                     torch.ones(N, 1), torch.ones(N, 1),
                                     generator=0)
