# Copyright (c) mmautoaug contributors. All rights reserved.
"""SearchCostHook: the estimate is the measured pace times the work, and a
budget stops a run cleanly where --resume continues it.

A fake clock that advances 10 s per training iteration makes every number
exact: the tiny job has 4 iterations per epoch and 3 epochs.
"""
import json
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmautoaug.engine.hooks import (SearchCostHook, format_duration,
                                    parse_duration)
from mmautoaug.registry import HOOKS
from mmautoaug.utils import register_all_modules
from tests.test_tools._tiny_job import make_image_folder, write_config

STEP_S = 10.0  # fake seconds per iteration
ITERS_PER_EPOCH = 4  # 2 classes x 8 images, batch 4
EPOCHS = 3


class _FakeClock:
    now = 0.0


@HOOKS.register_module(force=True)
class _TickHook(Hook):
    """Advances the fake clock by STEP_S at every training iteration."""
    priority = 'HIGHEST'

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        _FakeClock.now += STEP_S


@pytest.fixture
def fake_clock(monkeypatch):
    _FakeClock.now = 0.0
    monkeypatch.setattr(SearchCostHook, 'clock',
                        staticmethod(lambda: _FakeClock.now))


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    return make_image_folder(str(tmp_path_factory.mktemp('cost') / 'data'))


def _runner(data_root, work_dir, resume=False, checkpoint_interval=1,
            loop=None, **budget):
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(
        write_config(osp.join(work_dir + '_cfg.py'), data_root,
                     max_epochs=EPOCHS))
    cfg.work_dir = work_dir
    cfg.default_hooks.search_cost = dict(
        type='mmautoaug.SearchCostHook', warmup_iters=1, timed_iters=2,
        **budget)
    cfg.default_hooks.checkpoint.interval = checkpoint_interval
    cfg.custom_hooks.append(dict(type='_TickHook'))
    if loop is not None:
        cfg.train_cfg = loop
        cfg.param_scheduler = []
        cfg.default_hooks.checkpoint.by_epoch = False
    cfg.resume = resume
    return Runner.from_cfg(cfg)


def _cost(work_dir):
    with open(osp.join(work_dir, 'search_cost.json')) as f:
        return json.load(f)


def test_estimates_are_the_measured_pace_times_the_work(
        data_root, tmp_path, fake_clock):
    work_dir = str(tmp_path / 'run')
    _runner(data_root, work_dir).train()
    cost = _cost(work_dir)
    total_iters = ITERS_PER_EPOCH * EPOCHS
    assert cost['iters_total'] == total_iters and cost['unit'] == 'epoch'
    # timed: iterations 2..3 (after 1 warm-up), 10 s each
    est = cost['iter_estimate']
    assert est['seconds_per_iter'] == pytest.approx(STEP_S)
    assert est['total_s'] == pytest.approx(STEP_S * total_iters)
    assert est['remaining_s'] == pytest.approx(STEP_S * (total_iters - 3))
    assert est['device_hours'] == pytest.approx(STEP_S * total_iters / 3600)
    # after the first epoch: its wall time x the epochs
    unit = cost['unit_estimate']
    assert unit['seconds_per_unit'] == pytest.approx(STEP_S *
                                                     ITERS_PER_EPOCH)
    assert unit['total_s'] == pytest.approx(STEP_S * total_iters)
    assert unit['remaining_s'] == pytest.approx(STEP_S * ITERS_PER_EPOCH *
                                                (EPOCHS - 1))
    run = cost['run']
    assert run['elapsed_s'] == pytest.approx(STEP_S * total_iters)
    assert run['units_done'] == EPOCHS and not run['stopped_by_budget']


def test_time_budget_stops_before_an_epoch_that_would_not_fit_and_resume_continues(  # noqa: E501
        data_root, tmp_path, fake_clock):
    work_dir = str(tmp_path / 'run')
    # 40 s per epoch: after epoch 1, 40 + 40 <= 100 goes on; after epoch 2,
    # 80 + 40 > 100 stops. The checkpoint hook saves every 5 epochs only,
    # so the budget must save epoch 2 itself for --resume.
    runner = _runner(data_root, work_dir, checkpoint_interval=5,
                     max_time='100s')
    runner.train()
    assert runner.epoch == 2
    assert osp.isfile(osp.join(work_dir, 'epoch_2.pth'))
    cost = _cost(work_dir)
    assert cost['run']['units_done'] == 2
    assert cost['run']['stopped_by_budget'].startswith('max_time')

    resumed = _runner(data_root, work_dir, resume=True,
                      checkpoint_interval=5, max_time='100s')
    resumed.train()
    assert resumed.epoch == EPOCHS  # the last epoch ran, nothing twice
    assert _cost(work_dir)['run']['units_done'] == 1


def test_epoch_budget_counts_from_the_start_of_the_run(data_root, tmp_path,
                                                       fake_clock):
    work_dir = str(tmp_path / 'run')
    runner = _runner(data_root, work_dir, max_epochs=1)
    runner.train()
    assert runner.epoch == 1
    assert _cost(work_dir)['run']['stopped_by_budget'] == 'max_epochs=1'
    resumed = _runner(data_root, work_dir, resume=True, max_epochs=1)
    resumed.train()
    assert resumed.epoch == 2


def test_iteration_budget_of_an_iteration_based_loop(data_root, tmp_path,
                                                     fake_clock):
    work_dir = str(tmp_path / 'run')
    runner = _runner(data_root, work_dir, checkpoint_interval=100,
                     loop=dict(type='IterBasedTrainLoop', max_iters=6),
                     max_iters=2)
    runner.train()
    assert runner.iter == 2
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
    cost = _cost(work_dir)
    assert cost['unit'] == 'iter' and cost['units_total'] == 6


def test_a_budget_of_the_wrong_kind_names_the_right_one(data_root, tmp_path):
    runner = _runner(data_root, str(tmp_path / 'run'), max_iters=3)
    with pytest.raises(ValueError, match='max_iters does not apply.*use '
                       'max_epochs'):
        runner.train()


@pytest.mark.parametrize('bad', ['soon', -5, '0s', '2 weeks'])
def test_durations_are_checked(bad):
    with pytest.raises(ValueError, match='max_time'):
        parse_duration(bad)
    with pytest.raises(ValueError, match='max_time'):
        SearchCostHook(max_time=bad)


def test_durations_read_and_print():
    assert parse_duration('1h30m') == 5400
    assert parse_duration('2.5min') == 150
    assert parse_duration(12) == 12.0
    assert format_duration(5400) == '1 h 30 min'
    assert format_duration(61) == '1 min 01 s'


@pytest.mark.parametrize('kwargs', [dict(max_epochs=0),
                                    dict(max_steps=1.5),
                                    dict(timed_iters=0)])
def test_counts_are_checked(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        SearchCostHook(**kwargs)


def test_a_budget_on_a_loop_without_a_stop_flag_is_refused():
    from types import SimpleNamespace

    class _Loop:  # a custom loop that never reads stop_training
        max_epochs = max_iters = 3

    runner = SimpleNamespace(train_loop=_Loop(), epoch=0, iter=0)
    with pytest.raises(TypeError, match='_Loop has no stop_training'):
        SearchCostHook(max_time=60).before_train(runner)
