# Copyright (c) mmautoaug contributors. All rights reserved.
"""DetPolicyAugment's two warp modes: one geometry, two samplers."""
import numpy as np
import pytest

from mmautoaug.detection import DetPolicyAugment
from mmautoaug.policy import Policy
from .test_transforms import COLOURS, _sample


@pytest.mark.parametrize('op', ['Rotate', 'ShearX', 'TranslateY'])
@pytest.mark.parametrize('mask_type', ['bitmap', 'polygon'])
def test_modes_move_annotations_alike(op, mask_type):
    policy = Policy('fastaa', [[(op, 1.0, 0.8)]])
    for seed in range(3):
        out = {
            warp: DetPolicyAugment(policy, seed=seed, warp=warp)(
                _sample(mask_type=mask_type))
            for warp in ('exact', 'fast')
        }
        exact, fast = out['exact'], out['fast']
        # the same matrix moves boxes, polygons and the homography
        np.testing.assert_array_equal(exact['gt_bboxes'].numpy(),
                                      fast['gt_bboxes'].numpy())
        np.testing.assert_array_equal(exact['homography_matrix'],
                                      fast['homography_matrix'])
        if mask_type == 'polygon':
            for a, b in zip(exact['gt_masks'].masks, fast['gt_masks'].masks):
                np.testing.assert_array_equal(a[0], b[0])
        # the pixels differ at ties only, by a neighbouring source pixel
        assert (exact['img'] != fast['img']).any(-1).mean() < 0.02
        for result in (exact, fast):
            if mask_type == 'bitmap':  # a mask stays on its object
                for k, mask in enumerate(result['gt_masks'].masks):
                    np.testing.assert_array_equal(
                        mask.astype(bool),
                        result['img'][..., 0] == COLOURS[k])
            np.testing.assert_array_equal(
                result['gt_seg_map'] == 1,
                np.isin(result['img'][..., 0], COLOURS))


def test_default_mode_and_bad_mode():
    policy = Policy('fastaa', [[('Rotate', 1.0, 0.8)]])
    assert DetPolicyAugment(policy).warp == 'fast'
    assert "warp='fast'" in repr(DetPolicyAugment(policy))
    with pytest.raises(ValueError, match=r"DetPolicyAugment: warp: 'PIL'"):
        DetPolicyAugment(policy, warp='PIL')
