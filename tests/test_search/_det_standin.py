# Copyright (c) mmautoaug contributors. All rights reserved.
"""Stand-ins and data for the detector-search tests.

``PlantedDetector`` is a detector stand-in (``extract_feat`` + ``loss``, as
mmdet's) whose loss is ``(w - t)^2`` where ``t`` is the share of saturated
(255) pixels of its input's valid regions. The planted images have two
grey levels (40 and 100), so of the ops of the ``PLANTED`` space only
AutoContrast (40 -> 0, 100 -> 255) makes saturated pixels: its copies have
the highest training loss (AdvAA must raise it), and a training step on
them pulls ``w`` towards ``t``, away from the saturation-free validation
images (DADA must lower it).
"""
import torch
import torch.nn as nn
from mmdet.structures import DetDataSample
from mmdet.structures.mask import BitmapMasks
from mmengine.model import BaseModule
from mmengine.structures import InstanceData

from mmautoaug.augment import OpRange, SearchSpace
from mmautoaug.registry import MODELS

PLANTED = SearchSpace(
    'planted',
    (OpRange('AutoContrast'), OpRange('Brightness', 0.1, 1.9),
     OpRange('BBox_Only_Solarize', 256.0, 0.0, rounding='toward_low'),
     OpRange('BBox_Only_Rotate', 0.0, 30.0, center=0.0)),
    fill=(128, 128, 128),
    magnitude_bins=10)
SATURATING = PLANTED.index('AutoContrast')
STANDIN = dict(
    type='mmautoaug.PlantedDetector',
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[0.0] * 3,
        std=[1.0] * 3,
        pad_size_divisor=8))


@MODELS.register_module(force=True)
class PlantedDetector(BaseModule):
    """``loss = scale * (w - t)^2``, ``t`` the saturated share (see the
    module docstring); predicts nothing."""

    def __init__(self,
                 scale: float = 10.0,
                 data_preprocessor=None,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.w = nn.Parameter(torch.zeros(()))
        self.scale = scale

    def extract_feat(self, inputs):
        return (inputs, )

    def loss(self, inputs, data_samples):
        x = self.extract_feat(inputs)[0]
        shares = []
        for img, sample in zip(x, data_samples):
            h, w = sample.img_shape[:2]
            shares.append((img[:, :h, :w] >= 254.5).float().mean())
        t = torch.stack(shares).mean()
        return dict(loss_planted=self.scale * (self.w - t)**2)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        return self.extract_feat(inputs)


SHAPES = ((24, 32), (32, 24), (28, 28))


def planted_batch(n=2, offset=0, masks=False):
    """Two-level images (40 | 100) of different sizes, one box each."""
    inputs, samples = [], []
    for i in range(n):
        h, w = SHAPES[(i + offset) % len(SHAPES)]
        img = torch.full((3, h, w), 40, dtype=torch.uint8)
        img[:, :, w // 2:] = 100
        sample = DetDataSample(
            metainfo=dict(
                img_shape=(h, w),
                ori_shape=(h, w),
                pad_shape=(h, w),
                scale_factor=(1.0, 1.0)))
        box = torch.tensor([[4.0, 4.0, w - 6.0, h - 5.0]])
        sample.gt_instances = InstanceData(
            bboxes=box, labels=torch.tensor([i % 3]))
        if masks:
            bitmap = torch.zeros(1, h, w, dtype=torch.uint8)
            bitmap[0, 6:h - 7, 6:w - 8] = 1
            sample.gt_instances.masks = BitmapMasks(bitmap.numpy(), h, w)
        sample.ignored_instances = InstanceData(
            bboxes=torch.zeros(0, 4), labels=torch.zeros(0, dtype=torch.long))
        inputs.append(img)
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def tiny_detector(name: str, num_classes: int = 3) -> dict:
    """A stock mmdet R-50-FPN config shrunk to a ResNet-18 of base width 8
    (CPU tests): the real detector classes, heads and losses."""
    from mmautoaug.detection import read_config
    stock = {
        'retinanet': 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py',
        'faster_rcnn': 'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py',
        'mask_rcnn': 'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py',
    }[name]
    model = read_config(stock).model
    model.backbone.update(depth=18, base_channels=8, init_cfg=None)
    model.neck.update(in_channels=[8, 16, 32, 64], out_channels=16)
    if name == 'retinanet':
        model.bbox_head.update(
            in_channels=16, feat_channels=16, num_classes=num_classes)
    else:
        model.rpn_head.update(in_channels=16, feat_channels=16)
        model.roi_head.bbox_roi_extractor.out_channels = 16
        model.roi_head.bbox_head.update(
            in_channels=16, fc_out_channels=32, num_classes=num_classes)
        if name == 'mask_rcnn':
            model.roi_head.mask_roi_extractor.out_channels = 16
            model.roi_head.mask_head.update(
                in_channels=16, conv_out_channels=16, num_classes=num_classes)
    return model.to_dict()


@MODELS.register_module(force=True)
class SmoothDetector(PlantedDetector):
    """``loss = scale * (w - a)^2``, ``a`` the mean level / 255 of the
    input's valid regions (smooth in the pixels, for gradient checks)."""

    def loss(self, inputs, data_samples):
        x = self.extract_feat(inputs)[0]
        means = [
            img[:, :s.img_shape[0], :s.img_shape[1]].mean()
            for img, s in zip(x, data_samples)
        ]
        a = torch.stack(means).mean() / 255.0
        return dict(loss_smooth=self.scale * (self.w - a)**2)
