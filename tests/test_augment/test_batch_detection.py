# Copyright (c) mmautoaug contributors. All rights reserved.
"""The batched detection face against the per-image one (DetPolicyAugment)
on the same draws: pixels, boxes, masks and kept instances equal."""
import os

import numpy as np
import pytest
import torch
from mmdet.structures.bbox import HorizontalBoxes
from mmdet.structures.mask import BitmapMasks

from mmautoaug.augment import (BOX_OPS, DETECTION, GEOMETRIC_OPS,
                               apply_detection_sub_policies,
                               augment_detection_batch)
from mmautoaug.detection import DetPolicyAugment
from mmautoaug.policy import Policy

CANVAS = (64, 72)
SHAPES = [(64, 64), (40, 56), (48, 72)]


class ScriptRng:
    """Stands in for ``np.random.Generator``: replays scripted draws."""

    def __init__(self, randoms=(), uniforms=()):
        self.randoms, self.uniforms = list(randoms), list(uniforms)

    def integers(self, n):
        return 0

    def random(self, size=None):
        if size is None:
            return self.randoms.pop(0)
        return np.array([self.randoms.pop(0) for _ in range(size)])

    def uniform(self, low, high):
        return low + (high - low) * self.uniforms.pop(0)


def _instances(h, w, seed):
    """Three objects: two ellipses and a rectangle by the right border."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    masks = []
    for _ in range(2):
        cx, cy = rng.uniform(0.3 * w, 0.7 * w), rng.uniform(0.3 * h, 0.7 * h)
        ax, ay = rng.uniform(4, w / 5), rng.uniform(4, h / 5)
        masks.append(((xx - cx) / ax)**2 + ((yy - cy) / ay)**2 <= 1)
    edge = np.zeros((h, w), bool)
    edge[h // 3:h // 3 + 9, w - 7:w] = True
    masks.append(edge)
    masks = np.stack(masks).astype(np.uint8)
    boxes = []
    for m in masks:
        ys, xs = np.nonzero(m)
        boxes.append([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
    # boxes a little looser than the masks, with fractional corners
    boxes = np.array(boxes, np.float32) + np.array([-0.4, -0.7, 0.3, 0.6],
                                                   np.float32)
    return np.clip(boxes, 0, [w, h, w, h]).astype(np.float32), masks


@pytest.fixture(scope='module')
def samples(photos):
    names = sorted(k for k in photos if not k.endswith('_40x56'))
    out = []
    for i, (h, w) in enumerate(SHAPES):
        img = np.asarray(photos[names[i % len(names)]])
        img = np.pad(img, ((0, 72), (0, 72), (0, 0)), mode='reflect')[:h, :w]
        boxes, masks = _instances(h, w, seed=i)
        out.append((np.ascontiguousarray(img), boxes, masks))
    return out


def _canvas(imgs):
    x = torch.zeros(len(imgs), 3, *CANVAS, dtype=torch.uint8)
    for i, img in enumerate(imgs):
        h, w = img.shape[:2]
        x[i, :, :h, :w] = torch.from_numpy(img).permute(2, 0, 1)
    return x


def _per_image(sample,
               op,
               magnitude,
               sign,
               picked,
               uniforms=(),
               box_prob=1 / 3,
               recompute=False,
               extra=()):
    """DetPolicyAugment on one sample, its draws scripted; its exact warp
    (PIL's sampler) is the one the batched face replays on any device."""
    img, boxes, masks = sample
    ops = [(op, 1.0, magnitude)] + [(o, 1.0, m) for o, m, _ in extra]
    aug = DetPolicyAugment(
        Policy('detection', [ops]),
        channel_order='rgb',
        recompute_bbox=recompute,
        box_prob=box_prob,
        warp='exact')
    randoms = []
    for (o, _, _), s in zip(ops, [sign] + [s for _, _, s in extra]):
        randoms.append(0.0)  # applied (prob 1)
        if DETECTION.range(o).signed:
            randoms.append(0.25 if s < 0 else 0.75)
    for o, _, _ in ops:
        if o in BOX_OPS:
            randoms += [0.0 if p else 0.99 for p in picked]
    aug._rng, aug._rng_pid = ScriptRng(randoms, uniforms), os.getpid()
    h, w = img.shape[:2]
    return aug(
        dict(
            img=img.copy(),
            img_shape=(h, w),
            gt_bboxes=HorizontalBoxes(boxes.copy()),
            gt_bboxes_labels=np.arange(len(boxes)),
            gt_masks=BitmapMasks(masks.copy(), h, w)))


def _cases():
    """(op, magnitude, sign, picked boxes) for every op but the Cutouts."""
    cases = []
    for k, op in enumerate(DETECTION.ops):
        if op.endswith('Cutout'):
            continue
        for magnitude, sign in ((0.9, 1), (0.6, -1)):
            picked = [k % 2 == 0, True, k % 3 == 0]
            cases.append((op, magnitude, sign, picked))
    return cases


def _assert_same(batch, i, want, sample):
    h, w = sample[0].shape[:2]
    got = batch.images[i, :, :h, :w].permute(1, 2, 0).numpy()
    np.testing.assert_array_equal(got, want['img'])
    # the padding is untouched
    assert not batch.images[i, :, h:].any() and not batch.images[i, :, :,
                                                                 w:].any()
    np.testing.assert_array_equal(batch.keep[i].numpy(),
                                  want['gt_bboxes_labels'])
    np.testing.assert_array_equal(batch.boxes[i].numpy(),
                                  want['gt_bboxes'].numpy())
    np.testing.assert_array_equal(batch.masks[i][:, :h, :w].numpy(),
                                  want['gt_masks'].masks)
    assert not batch.masks[i][:, h:].any() and not batch.masks[i][:, :,
                                                                  w:].any()


def test_one_call_equals_per_image_face(samples):
    """A different op, magnitude, sign and box choice per sample, in ONE
    call over a padded batch of three image sizes, equals DetPolicyAugment
    on each unpadded image: pixels, boxes (exactly), masks, kept instances
    (drops included)."""
    cases = _cases()
    chosen = [samples[i % len(samples)] for i in range(len(cases))]
    images = _canvas([s[0] for s in chosen])
    masks = []
    for img, _, m in chosen:
        canvas = torch.zeros(len(m), *CANVAS, dtype=torch.uint8)
        canvas[:, :m.shape[1], :m.shape[2]] = torch.from_numpy(m)
        masks.append(canvas)
    batch = augment_detection_batch(
        images, [s[0].shape[:2] for s in chosen],
        [torch.from_numpy(s[1]) for s in chosen],
        'detection',
        torch.tensor([DETECTION.index(c[0]) for c in cases]),
        torch.tensor([c[1] for c in cases], dtype=torch.float64),
        torch.ones(len(cases), dtype=torch.bool),
        masks=masks,
        sign=torch.tensor([c[2] for c in cases]),
        box_applied=[torch.tensor(c[3]) for c in cases])
    dropped = 0
    for i, (case, sample) in enumerate(zip(cases, chosen)):
        want = _per_image(sample, case[0], case[1], case[2], case[3])
        _assert_same(batch, i, want, sample)
        dropped += len(sample[1]) - len(batch.keep[i])
    assert dropped > 0, 'some op pushed an instance out (the drop rule ran)'


@pytest.mark.parametrize('op', ['Cutout', 'BBox_Only_Cutout'])
def test_cutout_replays_the_per_image_face(samples, op):
    gen_seed = 5
    img, boxes, masks = samples[1]
    h, w = img.shape[:2]
    picked = [True, False, True]
    batch = augment_detection_batch(
        _canvas([img]), [(h, w)], [torch.from_numpy(boxes)],
        'detection',
        torch.tensor([DETECTION.index(op)]),
        torch.tensor([0.8], dtype=torch.float64),
        torch.tensor([True]),
        masks=[torch.from_numpy(masks)],
        sign=torch.tensor([1]),
        box_applied=[torch.tensor(picked)],
        generator=torch.Generator().manual_seed(gen_seed))
    # the batched face's centre draws: x then y for every box of a size
    # group (here one box per group, in box order)
    gen = torch.Generator().manual_seed(gen_seed)
    uniforms = []
    for _ in range(sum(picked) if op in BOX_OPS else 1):
        uniforms += torch.rand(
            2, 1, generator=gen, dtype=torch.float64).flatten().tolist()
    want = _per_image(samples[1], op, 0.8, 1, picked, uniforms=uniforms)
    _assert_same(batch, 0, want, samples[1])
    assert not np.array_equal(want['img'], img)


def test_sub_policies_and_recompute_bbox_equal_per_image(samples):
    """Two ops per sample (an image-level then a box-level geometric op)
    and recompute_bbox: boxes taken from the moved masks in both faces."""
    ops = [('Rotate', 0.9, -1, 'BBox_Only_ShearX', 0.8, 1),
           ('ShearY', 0.7, 1, 'BBox_Only_Rotate', 1.0, -1),
           ('TranslateX', 0.3, -1, 'BBox_Only_TranslateY', 0.9, 1)]
    images = _canvas([s[0] for s in samples])
    batch = apply_detection_sub_policies(
        images, [s[0].shape[:2] for s in samples],
        [torch.from_numpy(s[1]) for s in samples],
        'detection',
        torch.tensor([[DETECTION.index(o[0]),
                       DETECTION.index(o[3])] for o in ops]),
        torch.ones(3, 2),
        torch.tensor([[o[1], o[4]] for o in ops], dtype=torch.float64),
        masks=[torch.from_numpy(s[2]) for s in samples],
        sign=torch.tensor([[o[2], o[5]] for o in ops]),
        recompute_bbox=True,
        box_prob=1.0)
    for i, (o, sample) in enumerate(zip(ops, samples)):
        want = _per_image(
            sample,
            o[0],
            o[1],
            o[2], [True] * 3,
            box_prob=1.0,
            recompute=True,
            extra=[(o[3], o[4], o[5])])
        _assert_same(batch, i, want, sample)
        assert batch.moved[i]


def test_box_level_ops_change_only_box_pixels(samples):
    """Pixel tests of box-level ops in both faces: inside a picked box the
    base op as on an image of the box's size, elsewhere the input."""
    from mmautoaug.augment import apply_image_op
    img, boxes, masks = samples[0]
    h, w = img.shape[:2]
    region = (int(np.floor(boxes[1, 0])), int(np.floor(boxes[1, 1])),
              int(np.ceil(boxes[1, 2])), int(np.ceil(boxes[1, 3])))
    x0, y0, x1, y1 = region
    for op, magnitude, base_param in (('BBox_Only_Solarize', 0.5, 128.0),
                                      ('BBox_Only_TranslateX', 1.0, 0.5),
                                      ('BBox_Only_Equalize', 0.0, None)):
        picked = [False, True, False]
        want = _per_image(samples[0], op, magnitude, 1, picked)['img']
        crop = apply_image_op(
            np.ascontiguousarray(img[y0:y1, x0:x1]),
            BOX_OPS[op],
            base_param,
            fill=DETECTION.fill)
        np.testing.assert_array_equal(want[y0:y1, x0:x1], crop)
        outside = np.ones((h, w), bool)
        outside[y0:y1, x0:x1] = False
        np.testing.assert_array_equal(want[outside], img[outside])
        assert not np.array_equal(crop, img[y0:y1, x0:x1]), op
        batch = augment_detection_batch(
            _canvas([img]), [(h, w)], [torch.from_numpy(boxes)],
            'detection',
            torch.tensor([DETECTION.index(op)]),
            torch.tensor([magnitude], dtype=torch.float64),
            torch.tensor([True]),
            sign=torch.tensor([1]),
            box_applied=[torch.tensor(picked)])
        got = batch.images[0, :, :h, :w].permute(1, 2, 0).numpy()
        np.testing.assert_array_equal(got, want)
        # boxes never move under box-level ops
        np.testing.assert_array_equal(batch.boxes[0].numpy(), boxes)
        if op == 'BBox_Only_TranslateX':
            # content moves left by half the box: grey comes in from the
            # right (PIL's fill)
            assert (want[y0:y1, x1 - (x1 - x0) // 2:x1] == 128).all()


@pytest.mark.parametrize('seed', range(4))
def test_masks_stay_on_their_objects_after_batched_ops(seed):
    """Objects painted in their own colours: after random geometric ops
    (image- and box-level) and recompute_bbox, every kept mask lies exactly
    on the pixels of its colour, and its box is the mask's tight box."""
    rng = np.random.default_rng(seed)
    n, (hh, ww) = 6, CANVAS
    shapes = [(int(rng.integers(40, hh + 1)), int(rng.integers(40, ww + 1)))
              for _ in range(n)]
    images = torch.zeros(n, 3, hh, ww, dtype=torch.uint8)
    boxes, masks, colours = [], [], []
    for i, (h, w) in enumerate(shapes):
        b, m = _instances(h, w, seed=100 * seed + i)
        # objects do not overlap here: keep the first where they would
        m = m * (np.cumsum(m, 0) == 1)
        canvas = torch.zeros(len(m), hh, ww, dtype=torch.uint8)
        canvas[:, :h, :w] = torch.from_numpy(m)
        for k in range(len(m)):
            images[i, :, canvas[k].bool()] = torch.tensor(
                [40 * (k + 1), 200, 10 * k], dtype=torch.uint8)[:, None]
        boxes.append(torch.from_numpy(b))
        masks.append(canvas)
    geo = [DETECTION.index(op) for op in GEOMETRIC_OPS
           ] + [DETECTION.index('BBox_Only_' + op) for op in GEOMETRIC_OPS]
    op_index = torch.tensor(geo)[torch.from_numpy(
        rng.integers(0, len(geo), (n, 2)))]
    batch = apply_detection_sub_policies(
        images,
        shapes,
        boxes,
        'detection',
        op_index,
        torch.ones(n, 2),
        torch.from_numpy(rng.uniform(0.3, 1.0, (n, 2))),
        masks=masks,
        generator=torch.Generator().manual_seed(seed),
        recompute_bbox=True,
        box_prob=1.0)
    for i in range(n):
        for j, k in enumerate(batch.keep[i].tolist()):
            mask = batch.masks[i][j].bool()
            colour = torch.tensor([40 * (k + 1), 200, 10 * k],
                                  dtype=torch.uint8)
            on = (batch.images[i] == colour[:, None, None]).all(0)
            # every mask pixel shows its object (fill and other objects
            # never land on it) ...
            assert bool(on[mask].all())
            ys, xs = torch.nonzero(mask, as_tuple=True)
            want = [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]
            # ... and its box is the mask's tight box
            np.testing.assert_array_equal(batch.boxes[i][j].numpy(),
                                          np.array(want, np.float32))


def test_straight_through_reaches_the_changed_pixels(samples):
    img, boxes, masks = samples[1]
    h, w = img.shape[:2]
    x = _canvas([img, img, img]).float()
    magnitude = torch.tensor([0.7, 0.7, 0.7],
                             dtype=torch.float64,
                             requires_grad=True)
    out = augment_detection_batch(
        x, [(h, w)] * 3, [torch.from_numpy(boxes)] * 3,
        'detection',
        torch.tensor([
            DETECTION.index('Brightness'),
            DETECTION.index('BBox_Only_Solarize'),
            DETECTION.index('Rotate')
        ]),
        magnitude,
        torch.tensor([True, True, False]),
        sign=torch.ones(3),
        box_applied=[torch.tensor([True, False, False])] * 3).images
    out.sum().backward()
    x0, y0, x1, y1 = (int(np.floor(boxes[0, 0])), int(np.floor(boxes[0, 1])),
                      int(np.ceil(boxes[0, 2])), int(np.ceil(boxes[0, 3])))
    assert magnitude.grad.tolist() == [
        3 * h * w, 3 * (x1 - x0) * (y1 - y0), 0.0
    ]


def test_classification_faces_refuse_box_ops():
    from mmautoaug.augment import apply_batch_op, apply_image_op, augment_batch
    from mmautoaug.datasets.transforms import PolicyAugment
    img = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(ValueError, match="'BBox_Only_Rotate' is a box-level"):
        apply_image_op(img, 'BBox_Only_Rotate', 3.0)
    x = torch.zeros(2, 3, 8, 8)
    with pytest.raises(ValueError, match='box-level op'):
        apply_batch_op(
            x,
            torch.zeros(2, dtype=torch.long),
            torch.zeros(2),
            ops=['BBox_Only_Equalize'])
    with pytest.raises(ValueError, match='box-level op'):
        augment_batch(x, 'detection', torch.zeros(2, dtype=torch.long),
                      torch.zeros(2), torch.ones(2, dtype=torch.bool))
    policy = Policy('detection', [[('BBox_Only_Rotate', 0.5, 0.3)]])
    with pytest.raises(ValueError, match=r"PolicyAugment: .*'BBox_Only_"):
        PolicyAugment(policy)
    # a detection policy without box-level ops works there
    PolicyAugment(Policy('detection', [[('Rotate', 0.5, 0.3)]]))


def test_bad_input_is_named(samples):
    img, boxes, masks = samples[0]
    x = _canvas([img])
    args = ([torch.from_numpy(boxes)], 'detection', torch.tensor([0]),
            torch.tensor([0.5]), torch.tensor([True]))
    with pytest.raises(ValueError, match=r'img_shapes\[0\].*canvas'):
        augment_detection_batch(x, [(80, 10)], *args)
    with pytest.raises(ValueError, match='img_shapes: 2 entries'):
        augment_detection_batch(x, [(8, 8), (8, 8)], *args)
    with pytest.raises(ValueError, match=r'boxes\[0\]: expected an \(n, 4\)'):
        augment_detection_batch(x, [(64, 64)], [torch.zeros(3)], *args[1:])
    with pytest.raises(ValueError, match='x1 <= x2'):
        augment_detection_batch(x, [(64, 64)], [torch.tensor([[5., 5, 1, 9]])],
                                *args[1:])
    with pytest.raises(ValueError, match=r'masks\[0\]: expected \(3,'):
        augment_detection_batch(
            x, [(64, 64)], *args, masks=[torch.zeros(2, 64, 64)])
    relaxed = torch.tensor([0.5], requires_grad=True)
    with pytest.raises(ValueError, match='applied: a relaxed'):
        augment_detection_batch(x, [(64, 64)], *args[:-1], relaxed)
    with pytest.raises(ValueError, match='box_prob'):
        augment_detection_batch(x, [(64, 64)], *args, box_prob=1.5)
    with pytest.raises(ValueError, match="op_index: values must lie"):
        augment_detection_batch(x, [(64, 64)], args[0], 'detection',
                                torch.tensor([22]), *args[3:])


def test_per_image_box_ops_move_seg_maps_and_warn_for_polygons(samples):
    """Per image, a box-level geometric op moves the semantic map with the
    pixels (ignore index brought in); polygon masks cannot follow and stay,
    with one warning that names the way out."""
    from mmdet.structures.mask import PolygonMasks
    img, boxes, masks = samples[0]
    h, w = img.shape[:2]
    polygons = [[np.array([b[0], b[1], b[2], b[1], b[2], b[3]], np.float64)]
                for b in boxes]
    seg = masks.max(0).astype(np.uint8)
    aug = DetPolicyAugment(
        Policy('detection', [[('BBox_Only_TranslateX', 1.0, 1.0)]]),
        channel_order='rgb',
        box_prob=1.0,
        seed=0)
    results = dict(
        img=img.copy(),
        gt_bboxes=HorizontalBoxes(boxes.copy()),
        gt_bboxes_labels=np.arange(len(boxes)),
        gt_masks=PolygonMasks(polygons, h, w),
        gt_seg_map=seg.copy())
    with pytest.warns(UserWarning, match='poly2mask=True'):
        out = aug(results)
    assert out['gt_masks'].masks == polygons
    assert (out['gt_seg_map'] == 255).any()  # the ignore index came in
    assert not np.array_equal(out['gt_seg_map'], seg)


def test_docstring_examples():
    import doctest

    from mmautoaug.augment import batch_detection, box_ops
    from mmautoaug.models import det_data_preprocessor
    from mmautoaug.models.batch_augment import det_policy_batch_augment
    for module in (batch_detection, box_ops, det_data_preprocessor,
                   det_policy_batch_augment):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0 and result.attempted > 0, module.__name__
