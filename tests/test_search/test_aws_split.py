# Copyright (c) mmautoaug contributors. All rights reserved.
"""Stratified, seeded train / held-out split and the rank-local sampler."""
import numpy as np
import pytest

from mmautoaug.search.aws import (RankLocalSampler, StratifiedSplitDataset,
                                  stratified_split)


def test_split_is_stratified_exact_disjoint_and_seeded():
    labels = np.repeat(np.arange(10), 50)  # CIFAR-like: 10 balanced classes
    train, held = stratified_split(labels, heldout=100, seed=3)
    assert len(held) == 100 and len(train) == 400
    assert np.bincount(labels[held]).tolist() == [10] * 10
    assert not set(train) & set(held)
    assert sorted(np.concatenate([train, held]).tolist()) == list(range(500))
    again_train, again_held = stratified_split(labels, heldout=100, seed=3)
    assert held.tolist() == again_held.tolist()
    other = stratified_split(labels, heldout=100, seed=4)[1]
    assert held.tolist() != other.tolist()


def test_split_fraction_and_unbalanced_classes():
    labels = np.array([0] * 60 + [1] * 30 + [2] * 10)
    train, held = stratified_split(labels, heldout=0.2)
    assert np.bincount(labels[held]).tolist() == [12, 6, 2]
    # largest remainders fill the total exactly
    _, held = stratified_split(labels, heldout=7)
    assert len(held) == 7
    assert np.bincount(labels[held], minlength=3).tolist() == [4, 2, 1]


@pytest.mark.parametrize('heldout', [0, 100, 1.0, -0.5])
def test_split_rejects_bad_sizes(heldout):
    with pytest.raises(ValueError, match='heldout'):
        stratified_split([0, 1] * 50, heldout=heldout)


class _Labelled:
    """A minimal data set with labels (the wrapper's only needs)."""

    metainfo = dict(classes=('a', 'b'))

    def __init__(self, labels):
        self.labels = labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return dict(idx=idx, gt_label=self.labels[idx])

    def get_cat_ids(self, idx):
        return [self.labels[idx]]

    def get_data_info(self, idx):
        return dict(gt_label=self.labels[idx])


def test_wrapper_parts_cover_the_set():
    data = _Labelled([0] * 30 + [1] * 10)
    train = StratifiedSplitDataset(data, part='train', heldout=8, seed=1)
    held = StratifiedSplitDataset(data, part='heldout', heldout=8, seed=1)
    assert len(train) == 32 and len(held) == 8
    seen = {train[i]['idx'] for i in range(32)} | {
        held[i]['idx'] for i in range(8)}
    assert seen == set(range(40))
    assert sorted(held.get_cat_ids(i)[0] for i in range(8)) == [0] * 6 + [1] * 2
    assert held.metainfo == dict(classes=('a', 'b'))
    with pytest.raises(ValueError, match='part'):
        StratifiedSplitDataset(data, part='val', heldout=8)


def test_rank_local_sampler_covers_everything_and_reshuffles():
    sampler = RankLocalSampler(range(20), shuffle=True, seed=0)
    first = list(sampler)
    assert sorted(first) == list(range(20)) and len(sampler) == 20
    sampler.set_epoch(1)
    assert list(sampler) != first and sorted(sampler) == list(range(20))
