# Copyright (c) mmautoaug contributors. All rights reserved.
"""The detection paths on the GPU: the batched detection face gives the
CPU's pixels, boxes, masks and kept instances on the same draws; the mmdet
batch augmentor keeps every sample's instances together on the device; and
the detector searches (AdvAA, also under AMP, and DADA, first-order and
unrolled) take their steps there on real mmdet detectors."""
import math

import numpy as np
import pytest
import torch
from mmengine.optim import AmpOptimWrapper, OptimWrapper
from mmengine.registry import DefaultScope

from mmautoaug.augment import (DETECTION, GEOMETRIC_OPS,
                               apply_detection_sub_policies,
                               augment_detection_batch)
from mmautoaug.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS
from mmautoaug.utils import register_all_modules
from tests.test_augment.test_batch_detection import CANVAS, _instances
from tests.test_search._det_standin import planted_batch, tiny_detector

pytestmark = pytest.mark.cuda
register_all_modules(init_default_scope=False)
SHAPES = [(64, 72), (40, 56), (48, 64)]


def _batch(n, seed=0):
    """``n`` padded images (noise and ramps) of three sizes, with their
    boxes and bitmap masks (three objects each, one at the border)."""
    g = torch.Generator().manual_seed(seed)
    images = torch.zeros(n, 3, *CANVAS, dtype=torch.uint8)
    shapes, boxes, masks = [], [], []
    for i in range(n):
        h, w = SHAPES[i % len(SHAPES)]
        if i % 2:
            images[i, :, :h, :w] = torch.randint(
                0, 256, (3, h, w), dtype=torch.uint8, generator=g)
        else:
            images[i, :, :h, :w] = (torch.arange(h * w) % 251).view(h, w)
        b, m = _instances(h, w, seed=seed + i)
        canvas = torch.zeros(len(m), *CANVAS, dtype=torch.uint8)
        canvas[:, :h, :w] = torch.from_numpy(m)
        shapes.append((h, w))
        boxes.append(torch.from_numpy(b))
        masks.append(canvas)
    return images, shapes, boxes, masks


def _to(device, *values):
    out = []
    for v in values:
        if isinstance(v, (list, tuple)):
            out.append([t.to(device) for t in v])
        else:
            out.append(v.to(device))
    return out


def _assert_equal(got, want, device):
    assert got.images.device.type == got.boxes[0].device.type == device.type
    assert got.masks[0].device.type == got.keep[0].device.type == device.type
    torch.testing.assert_close(got.images.cpu(), want.images, rtol=0, atol=0)
    assert torch.equal(got.moved.cpu(), want.moved)
    for i in range(len(want.boxes)):
        assert torch.equal(got.keep[i].cpu(), want.keep[i]), i
        assert torch.equal(got.boxes[i].cpu(), want.boxes[i]), i
        assert torch.equal(got.masks[i].cpu(), want.masks[i]), i


@pytest.mark.parametrize('dtype', [torch.uint8, torch.float32])
def test_every_detection_op_equals_the_cpu(device, dtype):
    """Every op of the detection space but the Cutouts (their centres are
    drawn, and a GPU generator draws other numbers), both signs, in ONE
    call over three padded sizes: pixels, boxes, masks, kept instances."""
    cases = [(op, m, s) for op in DETECTION.ops if not op.endswith('Cutout')
             for m, s in ((0.9, 1), (0.6, -1))]
    n = len(cases)
    images, shapes, boxes, masks = _batch(n)
    images = images.to(dtype)
    op_index = torch.tensor([DETECTION.index(c[0]) for c in cases])
    magnitude = torch.tensor([c[1] for c in cases], dtype=torch.float64)
    sign = torch.tensor([c[2] for c in cases])
    applied = torch.ones(n, dtype=torch.bool)
    picked = [torch.tensor([i % 2 == 0, True, i % 3 == 0]) for i in range(n)]
    want = augment_detection_batch(
        images,
        shapes,
        boxes,
        'detection',
        op_index,
        magnitude,
        applied,
        masks=masks,
        sign=sign,
        box_applied=picked)
    got = augment_detection_batch(
        *_to(device, images),
        shapes,
        *_to(device, boxes),
        'detection',
        *_to(device, op_index, magnitude, applied),
        masks=_to(device, masks)[0],
        sign=sign.to(device),
        box_applied=_to(device, picked)[0])
    _assert_equal(got, want, device)
    assert sum(len(b) for b in want.boxes) < sum(len(b) for b in boxes)


def test_inputs_on_the_cpu_follow_the_images(device):
    """Boxes, masks, indices and magnitudes given on the CPU with images on
    the device: the face moves them, as a caller's data loader leaves
    them."""
    images, shapes, boxes, masks = _batch(4, seed=3)
    args = (torch.tensor([
        DETECTION.index(op)
        for op in ('Rotate', 'BBox_Only_ShearY', 'Equalize', 'TranslateY')
    ]), torch.full((4, ), 0.8,
                   dtype=torch.float64), torch.ones(4, dtype=torch.bool))
    kw = dict(
        sign=torch.tensor([1, -1, 1, -1]),
        box_applied=[torch.ones(3, dtype=torch.bool)] * 4)
    want = augment_detection_batch(
        images, shapes, boxes, 'detection', *args, masks=masks, **kw)
    got = augment_detection_batch(
        images.to(device),
        shapes,
        boxes,
        'detection',
        *args,
        masks=masks,
        **kw)
    _assert_equal(got, want, device)


def test_sub_policies_recompute_bbox_and_gradient_equal_the_cpu(device):
    """Two geometric ops per sample (image- and box-level, every box
    picked), recompute_bbox from the moved masks, and the straight-through
    magnitude gradient: as on the CPU."""
    n = 6
    images, shapes, boxes, masks = _batch(n, seed=1)
    geo = [DETECTION.index(op) for op in GEOMETRIC_OPS
           ] + [DETECTION.index('BBox_Only_' + op) for op in GEOMETRIC_OPS]
    g = torch.Generator().manual_seed(4)
    op_index = torch.tensor(geo)[torch.randint(len(geo), (n, 2), generator=g)]
    op_index[:, 1] = DETECTION.index('BBox_Only_Solarize')
    op_index[0, 1] = DETECTION.index('Brightness')
    magnitude = 0.3 + 0.7 * torch.rand(n, 2, generator=g, dtype=torch.float64)
    sign = torch.randint(0, 2, (n, 2), generator=g) * 2 - 1
    applied = torch.ones(n, 2, dtype=torch.bool)
    applied[1, 0] = False

    def run(dev):
        m = magnitude.clone().to(dev).requires_grad_()
        x = images.float().to(dev).requires_grad_()
        out = apply_detection_sub_policies(
            x,
            shapes,
            _to(dev, boxes)[0],
            'detection',
            op_index.to(dev),
            None,
            m,
            applied=applied.to(dev),
            masks=_to(dev, masks)[0],
            sign=sign.to(dev),
            recompute_bbox=True,
            box_prob=1.0)
        (grad, ) = torch.autograd.grad(out.images.sum(), [m])
        return out, grad

    want, want_grad = run(torch.device('cpu'))
    got, got_grad = run(device)
    _assert_equal(got, want, device)
    assert not bool(want.moved[1]) and bool(want.moved[0])
    torch.testing.assert_close(got_grad.cpu(), want_grad)
    assert bool((want_grad != 0).any())


def _mmdet_batch(device, masks):
    """A preprocessed mmdet batch (un-normalised) on ``device``."""
    from mmautoaug.models import DetAugmentDataPreprocessor
    pre = DetAugmentDataPreprocessor(
        mean=[0.0] * 3,
        std=[1.0] * 3,
        pad_size_divisor=8,
        defer_normalize=True).to(device)
    return pre(planted_batch(3, masks=masks), True)


def test_det_policy_batch_augment_on_the_device(device):
    """Copies of a batch on the device: every copy's labels, boxes and
    masks stay together and on the device, boxes in the image, each box the
    tight box of its moved mask (recompute_bbox)."""
    from mmautoaug.models import DetPolicyBatchAugment
    data = _mmdet_batch(device, masks=True)
    aug = DetPolicyBatchAugment(seed=0, recompute_bbox=True, box_prob=1.0)
    ops = ('Rotate', 'BBox_Only_TranslateX', 'ShearY', 'Solarize')
    aug.set_arrays(
        torch.tensor([DETECTION.index(op) for op in ops]).view(2, 1, 2),
        torch.ones(2, 1, 2), torch.full((2, 1, 2), 0.8))
    images, samples = aug(data['inputs'], data['data_samples'])
    assert images.device.type == device.type and len(samples) == 6
    assert images.shape[1:] == data['inputs'].shape[1:]
    changed = 0
    for k, s in enumerate(samples):
        gt = s.gt_instances
        src = data['data_samples'][k % 3].gt_instances
        assert gt.bboxes.device.type == device.type
        assert gt.labels.device.type == src.labels.device.type
        assert len(gt.labels) == len(gt.bboxes) == len(gt.masks)
        h, w = s.img_shape[:2]
        b = gt.bboxes.cpu()
        assert bool((b[:, 0::2] <= w).all() and (b[:, 1::2] <= h).all())
        for box, mask in zip(b, gt.masks.masks):
            ys, xs = np.nonzero(mask)
            if len(xs):
                tight = [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]
                np.testing.assert_array_equal(box.numpy(), tight)
        changed += int(not torch.equal(b, src.bboxes.cpu()))
    assert changed > 0


def _mmcv_cuda_ops() -> bool:
    from mmcv.ops import get_compiling_cuda_version
    return get_compiling_cuda_version() != 'not available'


def test_mmcv_has_cuda_ops(device):
    """mmdet's detectors train with mmcv's compiled ops on the GPU
    (RetinaNet's sigmoid focal loss, the two-stage detectors' nms and
    RoIAlign); mmcv compiles them only where torch sees a GPU."""
    if device.type != 'cuda':
        pytest.skip('mmcv needs CUDA ops only on a GPU')
    assert _mmcv_cuda_ops(), (
        "mmcv's ops were compiled without CUDA (built where no GPU was "
        'visible, or a cached CPU wheel): rebuild the environment on this '
        'machine (rm -rf .venv; make env)')


def _needs_mmcv_ops(name, device):
    if device.type == 'cuda' and not _mmcv_cuda_ops():
        pytest.skip(f'{name} needs mmcv CUDA ops (see test_mmcv_has_cuda_ops)')


def _detector_model(kind, name, device, **kwargs):
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(
            dict(
                type=f'mmautoaug.{kind}',
                detector=tiny_detector(name),
                **kwargs))
    return model.to(device).train()


def _snapshot(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _changed(before, model):
    after = model.state_dict()
    return {k for k in before if not torch.equal(before[k], after[k])}


def _all_on(model, device):
    return all(t.device.type == device.type
               for t in list(model.parameters()) + list(model.buffers()))


@pytest.mark.parametrize('name,amp',
                         [('retinanet', False), ('retinanet', True),
                          ('mask_rcnn', False), ('mask_rcnn', True)])
def test_advaa_detector_step(device, name, amp):
    """M = 4 copies in chunks of 2 on the device (boxes and masks moved
    there), the detector's step and every copy credited; also under AMP."""
    if amp and device.type != 'cuda':
        pytest.skip('AmpOptimWrapper needs a GPU')
    _needs_mmcv_ops(name, device)
    masks = name == 'mask_rcnn'
    model = _detector_model(
        'AdvAADetector',
        name,
        device,
        augmentor=dict(
            type='mmautoaug.DetPolicyBatchAugment',
            seed=0,
            recompute_bbox=masks),
        copies_per_step=2)
    ops = ('Rotate', 'BBox_Only_ShearX', 'Equalize', 'TranslateY', 'Color',
           'BBox_Only_Cutout', 'Cutout', 'ShearX')
    model.set_policy_arrays(
        torch.tensor([DETECTION.index(op) for op in ops]).view(4, 1, 2),
        torch.ones(4, 1, 2), torch.full((4, 1, 2), 0.7))
    sgd = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    optim = AmpOptimWrapper(optimizer=sgd) if amp else OptimWrapper(sgd)
    before = _snapshot(model)
    for step in range(2):
        logs = model.train_step(planted_batch(2, step, masks), optim)
        assert all(math.isfinite(float(v)) for v in logs.values()), logs
    assert any(
        k.startswith('detector.backbone') for k in _changed(before, model))
    loss_sum, count = model.pop_policy_losses()
    assert loss_sum.shape == (4, ) and float(count) == 4
    assert bool(torch.isfinite(loss_sum).all() and (loss_sum > 0).all())
    assert _all_on(model, device)


@pytest.mark.parametrize('name,first_order', [('retinanet', True),
                                              ('mask_rcnn', True),
                                              ('mask_rcnn', False)])
def test_dada_detector_step(device, name, first_order):
    """DADA's step on the device: the detector, the policy (logits and
    probabilities; magnitudes too when unrolled) and its control variate
    move; boxes and masks are augmented there."""
    _needs_mmcv_ops(name, device)
    masks = name == 'mask_rcnn'
    model = _detector_model(
        'DADADetector',
        name,
        device,
        first_order=first_order,
        seed=0,
        recompute_bbox=masks,
        box_prob=1.0,
        # unrolled: ops almost always applied, so that the magnitudes get
        # their gradient (below 1: the probabilities can move both ways)
        policy=None if first_order else dict(init_prob=0.95))
    optim = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='mmautoaug.SubmoduleOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                detector=dict(
                    type='OptimWrapper',
                    optimizer=dict(type='SGD', lr=0.01, momentum=0.9)),
                policy=dict(
                    type='OptimWrapper',
                    optimizer=dict(type='Adam', lr=0.01,
                                   betas=(0.5, 0.999))))))(
                                       model)
    before = _snapshot(model)
    for step in range(2):
        logs = model.train_step(
            dict(
                train=planted_batch(2, step, masks),
                val=planted_batch(2, step + 1, masks)), optim)
        assert all(math.isfinite(float(v)) for v in logs.values()), logs
    changed = _changed(before, model)
    assert {'policy.logits', 'policy.probs'} <= changed
    assert any(k.startswith('detector.backbone') for k in changed)
    assert any(k.startswith('policy.control_variate') for k in changed)
    assert ('policy.magnitudes' in changed) is (not first_order)
    assert _all_on(model, device)


def test_a_generator_on_another_device_is_named(device):
    """A CPU generator cannot draw for a GPU batch (torch draws on the
    generator's device): refused by name, before any draw."""
    if device.type == 'cpu':
        pytest.skip('needs a second kind of device')
    from mmautoaug.augment import apply_sub_policies
    images, shapes, boxes, masks = _batch(2)
    cpu = torch.Generator().manual_seed(0)
    message = r"^generator: it draws on cpu, the images are on cuda"
    with pytest.raises(ValueError, match=message):
        apply_detection_sub_policies(
            images.to(device),
            shapes,
            boxes,
            'detection',
            torch.zeros(2, 1, dtype=torch.long),
            torch.ones(2, 1),
            torch.ones(2, 1),
            generator=cpu)
    with pytest.raises(ValueError, match=message):
        apply_sub_policies(
            images.to(device),
            'fastaa',
            torch.zeros(2, 1, dtype=torch.long),
            torch.ones(2, 1),
            torch.ones(2, 1),
            generator=cpu)
    # a generator on the images' device draws
    gen = torch.Generator(device=device).manual_seed(0)
    out = apply_detection_sub_policies(
        images.to(device),
        shapes,
        boxes,
        'detection',
        torch.zeros(2, 1, dtype=torch.long),
        torch.ones(2, 1),
        torch.ones(2, 1),
        generator=gen)
    assert out.images.device.type == device.type
