# Copyright (c) mmautoaug contributors. All rights reserved.
"""DetPolicyAugment (issue #11): input checks on every sample, no ghost
instances, Adversarial AutoAugment policies with SamplePairing."""
import copy
import warnings

import numpy as np
import pytest
from mmdet.structures.bbox import HorizontalBoxes
from mmdet.structures.mask import BitmapMasks, PolygonMasks

from mmautoaug.detection import DetPolicyAugment
from mmautoaug.detection.transforms import DroppedOpWarning
from mmautoaug.policy import Policy

H, W = 48, 64
NEVER = Policy('fastaa', [[('Rotate', 0.0, 0.5)]])  # no op is ever drawn


def _sample(n=2, masks='bitmap'):
    boxes = np.array([[4., 4, 20, 16], [30, 20, 50, 40]])[:n]
    bitmaps = np.zeros((n, H, W), np.uint8)
    polygons = []
    for k, (x1, y1, x2, y2) in enumerate(boxes.astype(int)):
        bitmaps[k, y1:y2, x1:x2] = 1
        polygons.append([np.array([x1, y1, x2, y1, x2, y2, x1, y2], float)])
    return dict(
        img=np.full((H, W, 3), 90, np.uint8),
        gt_bboxes=HorizontalBoxes(boxes.astype(np.float32)),
        gt_bboxes_labels=np.arange(n, dtype=np.int64),
        gt_ignore_flags=np.zeros(n, bool),
        gt_masks=BitmapMasks(bitmaps, H, W) if masks == 'bitmap' else
        PolygonMasks(polygons, H, W))


@pytest.mark.parametrize('img, error, message', [
    (np.zeros((H, W, 3), np.float64), TypeError,
     r"^DetPolicyAugment: results\['img'\] must be uint8 \(0\.\.255\), got "
     r'float64; put DetPolicyAugment before any float conversion'),
    (np.zeros((H, W, 4), np.uint8), ValueError,
     r"^DetPolicyAugment: results\['img'\] must be HxW or HxWxC with C in "
     r'\(1, 3\), got shape \(48, 64, 4\)$'),
    (np.zeros((0, 0, 3), np.uint8), ValueError,
     r"^DetPolicyAugment: results\['img'\] is empty \(shape \(0, 0, 3\)\)$"),
])
def test_images_are_checked_even_when_no_op_is_drawn(img, error, message):
    sample = dict(img=img)
    with pytest.raises(error, match=message):
        DetPolicyAugment(NEVER, seed=0)(sample)


def test_nan_and_inverted_boxes_are_refused_not_dropped():
    sample = _sample()
    sample['gt_bboxes'] = HorizontalBoxes(
        np.array([[4., 4, 20, 16], [np.nan, 20, 50, 40]], np.float32))
    with pytest.raises(
            ValueError,
            match=r'^DetPolicyAugment: gt_bboxes\[1\] = \[nan, 20\.0, 50\.0, '
            r'40\.0\] is not finite; boxes must be finite xyxy pixel '
            r'coordinates$'):
        DetPolicyAugment(NEVER, seed=0)(sample)
    sample['gt_bboxes'] = np.array([[20., 4, 4, 16], [30, 20, 50, 40]],
                                   np.float32)
    with pytest.raises(ValueError,
                       match=r'gt_bboxes\[0\] = \[20\.0, 4\.0, 4\.0, 16\.0\] '
                       r'has x2 < x1 or y2 < y1; boxes must be xyxy with '
                       r'x1 <= x2 and y1 <= y2$'):
        DetPolicyAugment(NEVER, seed=0)(sample)


@pytest.mark.parametrize('key', ['gt_bboxes_labels', 'gt_ignore_flags',
                                 'gt_masks'])
def test_every_instance_key_needs_one_entry_per_box(key):
    sample = _sample()
    sample[key] = sample[key][:1]
    with pytest.raises(
            ValueError,
            match=rf'^DetPolicyAugment: 2 gt_bboxes but 1 {key}; every '
            r'per-instance key \(gt_bboxes_labels, gt_ignore_flags, '
            r'gt_masks, gt_instances_ids\) needs one entry per box$'):
        DetPolicyAugment(NEVER, seed=0)(sample)


def test_masks_and_seg_maps_must_match_the_image():
    sample = _sample()
    sample['gt_masks'] = BitmapMasks(np.zeros((2, 40, 40), np.uint8), 40, 40)
    with pytest.raises(ValueError,
                       match=r'gt_masks are 40x40 \(HxW\) but the image is '
                       r'48x64; resize the masks with the image'):
        DetPolicyAugment(NEVER, seed=0)(sample)
    sample = _sample()
    sample['gt_seg_map'] = np.zeros((H, 10), np.uint8)
    with pytest.raises(ValueError, match=r'gt_seg_map is \(48, 10\) \(HxW\)'):
        DetPolicyAugment(NEVER, seed=0)(sample)


# -- ghosts ----------------------------------------------------------------
def _has_pixels(masks):
    return np.asarray(masks.areas) > 0


@pytest.mark.parametrize('masks', ['bitmap', 'polygon'])
def test_an_object_pushed_out_is_not_brought_back_by_a_later_op(masks):
    # TranslateX by 0.45 x width (content to the left) pushes the left object
    # (x 4..20) out, leaving a zero-width box at x = 0; Rotate by 30 deg then
    # inflated it to a box around nothing, which the old rule (degenerate
    # boxes dropped once, after the last op) kept.
    policy = Policy('fastaa', [[('TranslateX', 1.0, 1.0),
                                ('Rotate', 1.0, 1.0)]])
    old_ghosts = 0
    for seed in range(8):
        out = DetPolicyAugment(policy, seed=seed)(_sample(masks=masks))
        assert _has_pixels(out['gt_masks']).all(), 'no kept ghost'
        assert len(out['gt_masks']) == len(out['gt_bboxes']) == len(
            out['gt_bboxes_labels']) == len(out['gt_ignore_flags'])
        keep = DetPolicyAugment(policy, keep_degenerate=True,
                                seed=seed)(_sample(masks=masks))
        boxes = keep['gt_bboxes'].numpy()
        old_kept = (boxes[:, 2:] - boxes[:, :2] >= 1).all(1)
        empty = ~_has_pixels(keep['gt_masks'])
        old_ghosts += int((old_kept & empty).sum())
        # exactly the instances with something left are kept now
        assert out['gt_bboxes_labels'].tolist() == np.flatnonzero(
            ~empty).tolist()
    assert old_ghosts > 0, 'the case that made ghosts was exercised'


@pytest.mark.parametrize('masks', ['bitmap', 'polygon'])
def test_an_emptied_mask_drops_its_instance_even_if_its_box_survives(masks):
    # A thin band along the anti-diagonal of its box (x + y in [40, 48]).
    # Moving the content left by 28.8 px and up by 21.6 px leaves the
    # bottom-right 15.2 x 22.4 px of the box in the image, where the band
    # is not (x + y >= 50.4 there): the mask empties, the box does not.
    band = [[np.array([0., 40, 4, 44, 44, 4, 40, 0])]]
    polygons = PolygonMasks(band, H, W)
    sample = dict(
        img=np.full((H, W, 3), 90, np.uint8),
        gt_bboxes=HorizontalBoxes(np.array([[0., 0, 44, 44]], np.float32)),
        gt_bboxes_labels=np.array([7]),
        gt_masks=polygons if masks == 'polygon' else BitmapMasks(
            polygons.to_ndarray(), H, W))
    policy = Policy('fastaa', [[('TranslateX', 1.0, 1.0),
                                ('TranslateY', 1.0, 1.0)]])
    ghosts = 0
    for seed in range(16):
        out = DetPolicyAugment(policy, seed=seed)(copy.deepcopy(sample))
        keep = DetPolicyAugment(policy, keep_degenerate=True,
                                seed=seed)(copy.deepcopy(sample))
        if _has_pixels(keep['gt_masks'])[0]:
            assert out['gt_bboxes_labels'].tolist() == [7]
        else:
            np.testing.assert_allclose(
                keep['gt_bboxes'].numpy()[0], [0, 0, 15.2, 22.4], atol=1e-4)
            assert len(out['gt_bboxes']) == len(out['gt_masks']) == 0
            ghosts += 1
    assert ghosts > 0, 'both signs positive in some draw'


def test_empty_placeholder_masks_keep_their_box():
    sample = _sample(masks='polygon')
    sample['gt_masks'].masks[0] = [np.zeros(6)]
    out = DetPolicyAugment(Policy('fastaa', [[('Rotate', 1.0, 0.6)]]),
                           seed=0)(sample)
    assert out['gt_bboxes_labels'].tolist() == [0, 1]


# -- Adversarial AutoAugment policies ---------------------------------------
def advaa_like_policy(num_policies=8, num_sub=5, seed=3) -> Policy:
    """M x Q two-op sub-policies of the autoaugment space, uniformly
    weighted, magnitudes in tenths: what AdvAAHook writes to policy.json."""
    from mmautoaug.augment import AUTOAUGMENT
    rng = np.random.default_rng(seed)
    subs = [[(AUTOAUGMENT.ops[int(rng.integers(len(AUTOAUGMENT)))], 1.0,
              int(rng.integers(10)) / 10) for _ in range(2)]
            for _ in range(num_policies * num_sub)]
    subs[0] = [('SamplePairing', 1.0, 0.3), ('Rotate', 1.0, 0.9)]
    subs[1] = [('SamplePairing', 1.0, 0.5), ('SamplePairing', 1.0, 0.2)]
    return Policy('autoaugment', subs, meta=dict(
        method='advaa', epoch=3, num_sub_policies=num_sub))


def test_advaa_policies_drop_sample_pairing_with_one_warning():
    policy = advaa_like_policy()
    count = sum(op.op == 'SamplePairing' for sub in policy.sub_policies
                for op in sub)
    assert count >= 3
    with pytest.warns(DroppedOpWarning) as caught:
        aug = DetPolicyAugment(policy, seed=0)
    assert len(caught) == 1
    assert str(caught[0].message) == (
        f'DetPolicyAugment: left out SamplePairing ({count} of the 80 '
        'sub-policy entries): it blends in another image whose objects have '
        'no boxes here, which has no meaning in detection; the other ops of '
        "those sub-policies still apply (pass skip_ops=['SamplePairing'] to "
        'leave it out without this warning)')
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # nothing per sample, nothing when
        for _ in range(5):  # the op is skipped on purpose
            aug(_sample())
        DetPolicyAugment(policy, skip_ops=['SamplePairing'], seed=0)
    # the rest of a sub-policy with SamplePairing still applies
    first = Policy('autoaugment', policy.sub_policies[:1])
    for seed in range(4):
        with pytest.warns(DroppedOpWarning, match=r'\(1 of the 2 '):
            out = DetPolicyAugment(first, seed=seed)(_sample())
        assert 'homography_matrix' in out, 'Rotate was applied'


def test_a_policy_of_sample_pairing_only_is_refused():
    only = Policy('autoaugment', [[('SamplePairing', 1.0, 0.5)]])
    with pytest.raises(ValueError,
                       match=r"^DetPolicyAugment: every op of the policy is "
                       r"in \['SamplePairing'\], which is left out of "
                       r"detection \(skip_ops=\['SamplePairing'\]\): the "
                       r'transform would never change a sample; use a '
                       r'policy with other ops$'):
        DetPolicyAugment(only)


def test_bad_arguments_and_mask_types():
    with pytest.raises(ValueError,
                       match=r'min_box_size must be a finite number >= 0, '
                       r'got nan'):
        DetPolicyAugment(NEVER, min_box_size=float('nan'))
    with pytest.raises(ValueError,
                       match=r"^DetPolicyAugment: skip_ops must be a list of "
                       r"op names, got 'Rotate' \(write \['Rotate'\]\)$"):
        DetPolicyAugment(NEVER, skip_ops='Rotate')
    sample = _sample()
    sample['gt_masks'] = np.zeros((2, H, W), np.uint8)
    with pytest.raises(TypeError,
                       match=r'^DetPolicyAugment: gt_masks of type ndarray '
                       r'are not supported; allowed: BitmapMasks, '
                       r'PolygonMasks'):
        DetPolicyAugment(NEVER, seed=0)(sample)
    with pytest.raises(TypeError, match=r"results\['img'\] must be a numpy "
                       r'array, got NoneType'):
        DetPolicyAugment(NEVER, seed=0)(dict(gt_bboxes=np.zeros((0, 4))))


@pytest.mark.parametrize('name', ['recompute_bbox', 'keep_degenerate'])
def test_switches_must_be_booleans(name):
    # bool('no') is True: the string silently switched the option on
    with pytest.raises(TypeError,
                       match=rf"^DetPolicyAugment: {name} must be True or "
                       r"False, got 'no'$"):
        DetPolicyAugment(NEVER, **{name: 'no'})
    assert getattr(DetPolicyAugment(NEVER, **{name: np.bool_(True)}), name)
