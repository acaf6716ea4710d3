# Copyright (c) mmautoaug contributors. All rights reserved.
import pytest
import torch
from mmpretrain.structures import DataSample

from mmautoaug.models import AugmentDataPreprocessor


def _data(value=200):
    return dict(inputs=[torch.full((3, 4, 4), value, dtype=torch.uint8)] * 2,
                data_samples=[DataSample().set_gt_label(1)] * 2)


def test_defer_normalize_returns_pixels_in_0_255():
    pre = AugmentDataPreprocessor(mean=[100.] * 3, std=[50.] * 3,
                                  defer_normalize=True)
    x = pre(_data(), training=True)['inputs']
    assert x.dtype == torch.float32 and torch.all(x == 200)
    assert torch.all(pre.normalize(x) == 2.0)
    # evaluation is exactly ClsDataPreprocessor's
    assert torch.all(pre(_data(), training=False)['inputs'] == 2.0)


def test_augmentor_runs_before_normalisation_only_when_training():
    calls = []

    class Halve(torch.nn.Module):

        def forward(self, x):
            calls.append(float(x.max()))
            return x / 2

    pre = AugmentDataPreprocessor(mean=[0.] * 3, std=[100.] * 3,
                                  augmentor=Halve())
    assert torch.all(pre(_data(), training=True)['inputs'] == 1.0)
    assert calls == [200.0]  # it saw raw pixels
    assert torch.all(pre(_data(), training=False)['inputs'] == 2.0)
    assert calls == [200.0]


def test_mixup_with_deferred_normalisation_is_refused():
    with pytest.raises(ValueError, match='batch_augments'):
        AugmentDataPreprocessor(
            num_classes=2, defer_normalize=True,
            batch_augments=dict(augments=dict(type='Mixup', alpha=1.)))

