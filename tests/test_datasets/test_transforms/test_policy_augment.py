# Copyright (c) mmautoaug contributors. All rights reserved.
import numpy as np
import pytest
import torch
from mmcv.transforms import Compose
from skimage import data
from torch.utils.data import DataLoader, Dataset

from mmautoaug.augment.image_ops import apply_image_op
from mmautoaug.datasets.transforms import PolicyAugment
from mmautoaug.policy import Policy, PolicyError
from mmautoaug.registry import TRANSFORMS
from mmautoaug.utils import register_all_modules

register_all_modules()


def _photo(size=24):
    return np.ascontiguousarray(data.astronaut()[::16, ::16][:size, :size])


def _unsigned_policy():
    return Policy('fastaa', [[('Solarize', 1.0, 0.6), ('Posterize', 1.0, 0.2),
                              ('Contrast', 1.0, 0.8)]])


def test_prob_one_ops_equal_the_op_library():
    img = _photo()
    out = PolicyAugment(_unsigned_policy(), seed=0)(
        dict(img=img.copy(), img_shape=img.shape[:2]))
    expected = img
    for op, param in [('Solarize', 256 * 0.6), ('Posterize', 4.0),
                      ('Contrast', 0.1 + 1.8 * 0.8)]:
        expected = apply_image_op(expected, op, param)
    np.testing.assert_array_equal(out['img'], expected)
    assert out['img_shape'] == (24, 24)


def test_signed_op_applies_plus_or_minus_the_parameter():
    img = _photo()
    transform = PolicyAugment(Policy('fastaa', [[('Rotate', 1.0, 0.75)]]),
                              seed=3)
    plus = apply_image_op(img, 'Rotate', 15.0)
    minus = apply_image_op(img, 'Rotate', -15.0)
    seen = set()
    for _ in range(20):
        out = transform(dict(img=img.copy()))['img']
        if np.array_equal(out, plus):
            seen.add(1)
        else:
            np.testing.assert_array_equal(out, minus)
            seen.add(-1)
    assert seen == {1, -1}


def test_bgr_pipelines_get_the_same_result_channel_reversed():
    img = _photo()
    policy = Policy('fastaa', [[('Color', 1.0, 0.2), ('Cutout', 1.0, 0.9),
                                ('TranslateX', 1.0, 1.0)]])
    rgb = PolicyAugment(policy, seed=5)(dict(img=img.copy()))['img']
    bgr = PolicyAugment(policy, seed=5, channel_order='bgr')(
        dict(img=np.ascontiguousarray(img[..., ::-1])))['img']
    np.testing.assert_array_equal(bgr[..., ::-1], rgb)


def test_deterministic_under_a_seed():
    imgs = [np.random.default_rng(i).integers(0, 256, (16, 16, 3),
                                              dtype=np.uint8)
            for i in range(12)]

    def run(seed):
        t = PolicyAugment('autoaugment_cifar10', seed=seed)
        return [t(dict(img=im.copy()))['img'] for im in imgs]

    first, again, other = run(1), run(1), run(2)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other))


def test_unseeded_follows_numpys_global_seed():
    img = _photo()

    def run():
        np.random.seed(123)
        t = PolicyAugment('autoaugment_imagenet')
        return [t(dict(img=img.copy()))['img'] for _ in range(8)]

    assert all(np.array_equal(a, b) for a, b in zip(run(), run()))


def test_weights_choose_sub_policies():
    img = np.full((4, 4), 10, np.uint8)
    policy = Policy('fastaa', [[('Invert', 1.0, 0.0)],
                               [('Posterize', 1.0, 0.0)]], [1.0, 0.0])
    t = PolicyAugment(policy, seed=0)
    assert all((t(dict(img=img))['img'] == 245).all() for _ in range(20))


class _Repeat(Dataset):

    def __init__(self, transform):
        self.transform = transform
        self.img = _photo(16)

    def __len__(self):
        return 8

    def __getitem__(self, i):
        return torch.from_numpy(self.transform(dict(img=self.img))['img'])


def test_dataloader_workers_draw_different_streams():
    t = PolicyAugment('autoaugment_svhn', seed=0)
    loader = DataLoader(_Repeat(t), batch_size=4, num_workers=2)
    run1 = torch.cat(list(loader))
    run2 = torch.cat(list(loader))
    assert torch.equal(run1, run2)  # reproducible
    # worker 0 makes batch 0, worker 1 batch 1: same image, other draws
    assert not torch.equal(run1[:4], run1[4:])


def test_unseeded_workers_draw_anew_each_epoch_reproducibly():
    def epochs():
        np.random.seed(0)
        torch.manual_seed(0)
        t = PolicyAugment('autoaugment_svhn')
        loader = DataLoader(_Repeat(t), batch_size=4, num_workers=2)
        return [torch.cat(list(loader)) for _ in range(2)]

    first, second = epochs()
    assert not torch.equal(first, second)  # workers re-created, new draws
    again, _ = epochs()
    assert torch.equal(first, again)


def test_sample_pairing_blends_with_the_previous_image():
    a, b = _photo(), np.ascontiguousarray(_photo()[::-1])
    policy = Policy('autoaugment', [[('SamplePairing', 1.0, 0.5)]])
    t = PolicyAugment(policy, seed=0)
    first = t(dict(img=a.copy()))['img']
    np.testing.assert_array_equal(first, a)  # nothing to pair with yet
    second = t(dict(img=b.copy()))['img']
    np.testing.assert_array_equal(
        second, apply_image_op(b, 'SamplePairing', 0.2, pair=a))
    # a pair of another size/channel count is resized/converted
    third = t(dict(img=np.zeros((10, 12), np.uint8)))['img']
    assert third.shape == (10, 12) and third.max() > 0


def test_grey_tiny_and_large_images():
    policy = Policy('fastaa', [[('Rotate', 1.0, 1.0), ('Equalize', 1.0, 0),
                                ('Cutout', 1.0, 1.0)]])
    t = PolicyAugment(policy, seed=0)
    grey = _photo()[..., 0].copy()
    assert t(dict(img=grey))['img'].shape == grey.shape
    assert t(dict(img=np.zeros((1, 1, 3), np.uint8)))['img'].shape == \
        (1, 1, 3)
    assert t(dict(img=np.zeros((3, 5, 1), np.uint8)))['img'].shape == \
        (3, 5, 1)
    big = np.full((4000, 4000), 200, np.uint8)
    out = PolicyAugment(Policy('fastaa', [[('Rotate', 1.0, 1.0)]]),
                        seed=0)(dict(img=big))['img']
    assert out.shape == big.shape
    assert out[0, 0] == 0 and out[-1, -1] == 0 and out[2000, 2000] == 200


@pytest.mark.parametrize('img, error, message', [
    (np.zeros((4, 4, 3), np.float32), TypeError, 'must be uint8'),
    (np.zeros((4, 4, 4), np.uint8), ValueError, r'C in \(1, 3\)'),
    (np.zeros((0, 4, 3), np.uint8), ValueError, 'is empty'),
    (np.zeros((2, 4, 4, 3), np.uint8), ValueError, 'HxW or HxWxC'),
    ([[0, 1]], TypeError, 'must be a numpy array'),
])
def test_bad_images_fail_clearly_whatever_is_drawn(img, error, message):
    t = PolicyAugment(Policy('fastaa', [[('Invert', 0.0, 0.0)]]), seed=0)
    with pytest.raises(error, match=message):
        t(dict(img=img))


def test_bad_arguments():
    with pytest.raises(ValueError, match="channel_order: 'hsv'"):
        PolicyAugment('autoaugment_svhn', channel_order='hsv')
    with pytest.raises(TypeError, match='seed: expected an int'):
        PolicyAugment('autoaugment_svhn', seed=1.5)
    with pytest.raises(PolicyError, match='neither a policy file'):
        PolicyAugment('no_such_policy')


def test_built_from_a_config_in_a_pipeline():
    pipeline = Compose([
        dict(type='mmautoaug.PolicyAugment', policy='autoaugment_cifar10',
             seed=0),
        dict(type='mmpretrain.PackInputs'),
    ])
    img = _photo(32)
    packed = pipeline(dict(img=img, img_shape=(32, 32), gt_label=3))
    assert packed['inputs'].shape == (3, 32, 32)
    assert isinstance(TRANSFORMS.build(
        dict(type='PolicyAugment', policy='autoaugment_svhn')),
        PolicyAugment)
    assert 'autoaugment_cifar10' in repr(pipeline.transforms[0])
