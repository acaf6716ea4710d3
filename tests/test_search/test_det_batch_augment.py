# Copyright (c) mmautoaug contributors. All rights reserved.
"""DetPolicyBatchAugment and DetAugmentDataPreprocessor on mmdet batches:
copies, crowd boxes, masks of both parts, padding, refusals."""
import numpy as np
import pytest
import torch
from mmdet.models.data_preprocessors import DetDataPreprocessor
from mmdet.structures.mask import BitmapMasks, PolygonMasks
from mmengine.structures import InstanceData

from mmautoaug.augment import DETECTION
from mmautoaug.models import DetAugmentDataPreprocessor, DetPolicyBatchAugment
from _det_standin import planted_batch  # noqa: I100


def _arrays(ops, magnitude=0.8):
    op_index = torch.tensor([DETECTION.index(op) for op in ops]).view(-1, 1, 1)
    return op_index, torch.ones(len(ops), 1, 1), torch.full((len(ops), 1, 1),
                                                            magnitude)


def test_preprocessor_normalises_like_the_stock_one():
    cfg = dict(
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32)
    data = planted_batch(n=3)
    ours = DetAugmentDataPreprocessor(**cfg)
    raw = ours(data, training=True)
    assert float(raw['inputs'].max()) == 100.0  # levels, not normalised
    assert ours.channel_order == 'rgb'
    stock = DetDataPreprocessor(**cfg)(planted_batch(n=3), training=True)
    torch.testing.assert_close(
        ours.normalize(raw['inputs'], raw['data_samples']), stock['inputs'])
    # evaluation batches as mmdet makes them
    torch.testing.assert_close(
        ours(planted_batch(n=3), training=False)['inputs'], stock['inputs'])


def test_copies_move_crowd_boxes_and_both_mask_parts():
    data = planted_batch(n=2, masks=True)
    for sample in data['data_samples']:
        h, w = sample.img_shape
        crowd = np.zeros((1, h, w), np.uint8)
        crowd[0, 2:8, 2:8] = 1
        sample.ignored_instances = InstanceData(
            bboxes=torch.tensor([[2.0, 2.0, 8.0, 8.0]]),
            labels=torch.tensor([0]),
            masks=BitmapMasks(crowd, h, w))
    pre = DetAugmentDataPreprocessor(
        mean=[0.0] * 3, std=[1.0] * 3, pad_size_divisor=16, pad_mask=True)
    batch = pre(data, training=True)
    aug = DetPolicyBatchAugment(seed=0, recompute_bbox=True)
    aug.set_arrays(*_arrays(['TranslateX', 'Brightness']))
    images, samples = aug(batch['inputs'], batch['data_samples'])
    assert images.shape == (4, ) + batch['inputs'].shape[1:]
    for r, sample in enumerate(samples):
        src = batch['data_samples'][r % 2]
        assert sample.img_shape == src.img_shape
        gt, crowd = sample.gt_instances, sample.ignored_instances
        # the padded gt masks and the unpadded crowd masks keep their sizes
        assert (gt.masks.height, gt.masks.width) == \
            (src.gt_instances.masks.height, src.gt_instances.masks.width)
        assert (crowd.masks.height, crowd.masks.width) == src.img_shape
        for part in (gt, crowd):
            assert len(part.masks) == len(part.bboxes) == len(part.labels)
            if r >= 2:
                continue
            # moved copies: boxes recomputed from the moved masks
            for box, mask in zip(part.bboxes, part.masks.masks):
                ys, xs = np.nonzero(mask)
                np.testing.assert_array_equal(
                    box.numpy(),
                    [xs.min(), ys.min(),
                     xs.max() + 1,
                     ys.max() + 1])
        if r < 2:  # TranslateX by 0.8 x 0.39 of the width: moved
            assert len(gt) and len(crowd) < len(src.ignored_instances) or \
                not torch.equal(crowd.bboxes, src.ignored_instances.bboxes)
            assert not torch.equal(gt.bboxes, src.gt_instances.bboxes)
        else:  # Brightness leaves annotations alone
            torch.testing.assert_close(gt.bboxes, src.gt_instances.bboxes)


def test_refusals_name_the_field():
    data = planted_batch(n=1)
    pre = DetAugmentDataPreprocessor(mean=[0.0] * 3, std=[1.0] * 3)
    batch = pre(data, training=True)
    aug = DetPolicyBatchAugment()
    with pytest.raises(RuntimeError, match='no policy set'):
        aug(batch['inputs'], batch['data_samples'])
    aug.set_arrays(*_arrays(['Rotate']))
    sample = batch['data_samples'][0]
    h, w = sample.img_shape
    sample.gt_instances.masks = PolygonMasks(
        [[np.array([1.0, 1, 5, 1, 5, 5])]], h, w)
    with pytest.raises(TypeError, match='poly2mask=True'):
        aug(batch['inputs'], batch['data_samples'])
    with pytest.raises(ValueError, match='copies must be indices'):
        aug(batch['inputs'], batch['data_samples'], copies=[3])
    with pytest.raises(ValueError, match='channel_order'):
        DetPolicyBatchAugment(channel_order='hsv')
    with pytest.raises(ValueError, match='batch_augments'):
        DetAugmentDataPreprocessor(
            batch_augments=[dict(type='mmdet.BatchFixedSizePad', size=(8, 8))])
