# Copyright (c) mmautoaug contributors. All rights reserved.
"""PolicySchedule and PolicyAugment(schedule=...): a policy per epoch (the
file layout itself: tests/test_policy/test_schedule_layout.py)."""
import os.path as osp

import numpy as np
import pytest
from torch.utils.data import DataLoader, Dataset

from mmautoaug.datasets.transforms import PolicyAugment, PolicySchedule
from mmautoaug.policy import Policy

#: epoch -> (op, prob): what each schedule file does to a grey image
EPOCHS = {1: ('Invert', 1.0), 2: ('Invert', 0.0), 3: ('Posterize', 1.0)}
#: the grey level 40 after each epoch's policy: inverted, kept, posterized
#: to 4 bits (AutoAugment's Posterize at magnitude 0)
GREY = {1: 215, 2: 40, 3: 32}


def _schedule(folder, epochs=EPOCHS):
    for epoch, (op, prob) in epochs.items():
        Policy('autoaugment', [[(op, prob, 0.0)]]).save(
            osp.join(folder, f'epoch_{epoch:04d}.json'))
    return str(folder)


def _grey(value=40):
    return np.full((4, 4, 3), value, np.uint8)


def test_epoch_alignment(tmp_path):
    schedule = PolicySchedule(_schedule(tmp_path))
    # 'epoch': its own epoch, the last one after the schedule ends
    assert [schedule.epoch_for(e, 5) for e in range(1, 6)] == [1, 2, 3, 3, 3]
    # 'stretch': a 3-epoch schedule over 6 epochs, each twice
    assert [schedule.epoch_for(e, 6, 'stretch')
            for e in range(1, 7)] == [1, 1, 2, 2, 3, 3]
    # and over 2 epochs: ceil(e * 3 / 2) = 2, 3
    assert [schedule.epoch_for(e, 2, 'stretch') for e in (1, 2)] == [2, 3]
    with pytest.raises(ValueError, match="align: 'cycle'"):
        schedule.epoch_for(1, 5, 'cycle')


def test_a_schedule_with_gaps_uses_the_latest_epoch_before(tmp_path):
    schedule = PolicySchedule(
        _schedule(tmp_path, {3: ('Invert', 1.0), 7: ('Solarize', 1.0)}))
    assert [schedule.epoch_for(e, 9)
            for e in (1, 3, 6, 7, 9)] == [3, 3, 3, 7, 7]
    with pytest.raises(ValueError, match='no epoch 4'):
        schedule.set_epoch(4)


def test_policy_augment_replays_the_epoch_that_is_set(tmp_path):
    t = PolicyAugment(schedule=_schedule(tmp_path), seed=0)
    with pytest.raises(RuntimeError, match='PolicyScheduleHook'):
        t(dict(img=_grey()))
    from mmautoaug.augment import AUTOAUGMENT
    from mmautoaug.augment.image_ops import apply_image_op
    assert apply_image_op(_grey(), 'Posterize',
                          AUTOAUGMENT.param('Posterize', 0.0))[0, 0, 0] == 32
    for epoch in (2, 1, 3, 2):
        t.set_schedule_epoch(epoch)
        assert t(dict(img=_grey()))['img'][0, 0, 0] == GREY[epoch]
    assert 'schedule=PolicySchedule' in repr(t)
    with pytest.raises(ValueError, match='exactly one of policy'):
        PolicyAugment()
    with pytest.raises(ValueError, match='exactly one of policy'):
        PolicyAugment('autoaugment_cifar10', schedule=str(tmp_path))
    with pytest.raises(RuntimeError, match='schedule='):
        PolicyAugment('autoaugment_cifar10').set_schedule_epoch(1)


def test_a_bad_schedule_file_fails_when_built(tmp_path):
    _schedule(tmp_path)
    (tmp_path / 'epoch_0004.json').write_text('{"format_version": 1}')
    with pytest.raises(Exception, match='space'):
        PolicySchedule(str(tmp_path))


class _Greys(Dataset):

    def __init__(self, transform):
        self.transform = transform

    def __len__(self):
        return 8

    def __getitem__(self, i):
        return int(self.transform(dict(img=_grey()))['img'][0, 0, 0])


@pytest.mark.parametrize('persistent', [True, False])
def test_set_epoch_reaches_data_loader_workers(tmp_path, persistent):
    t = PolicyAugment(schedule=_schedule(tmp_path), seed=0)
    loader = DataLoader(_Greys(t), batch_size=4, num_workers=2,
                        persistent_workers=persistent,
                        multiprocessing_context='fork')
    seen = []
    for epoch in (1, 2, 3, 1):
        t.set_schedule_epoch(epoch)  # in the main process, between epochs
        seen.append(sorted({int(v) for b in loader for v in b}))
    assert seen == [[GREY[1]], [GREY[2]], [GREY[3]], [GREY[1]]]
    # the workers saw the epoch; the parent never ran the transform
    assert t.schedule.epoch == 1 and t._rng is None
