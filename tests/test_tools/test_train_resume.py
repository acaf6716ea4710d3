# Copyright (c) mmautoaug contributors. All rights reserved.
"""tools/train.py --resume restores model, optimiser and scheduler."""
import json
import math
import os.path as osp
import sys
import time

import pytest
import torch

from ._tiny_job import make_image_folder, write_config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(ROOT, 'tools'))
import train as train_tool  # noqa: E402


def _state(path):
    from mmautoaug.utils import allow_mmengine_checkpoints
    allow_mmengine_checkpoints()
    # Loading goes through torch's weights_only unpickler: this is what
    # --resume does, so it must succeed with the allow-list alone.
    return torch.load(path, map_location='cpu')


@pytest.fixture(scope='module')
def job(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('resume')
    data = make_image_folder(str(tmp / 'data'))
    return tmp, write_config(str(tmp / 'cfg.py'), data, max_epochs=2)


def test_resume_continues_instead_of_restarting(job):
    tmp, cfg = job
    straight = str(tmp / 'straight')
    train_tool.main([cfg, '--work-dir', straight])

    interrupted = str(tmp / 'interrupted')
    train_tool.main([cfg, '--work-dir', interrupted,
                     '--cfg-options', 'train_cfg.max_epochs=1'])
    first = _state(osp.join(interrupted, 'epoch_1.pth'))
    assert first['meta']['epoch'] == 1
    # MMEngine names a run's log dir by the second it starts in: start the
    # resumed run in a new second so that it gets a log dir of its own.
    time.sleep(math.ceil(time.time()) - time.time() + 0.05)
    runner = train_tool.main([cfg, '--work-dir', interrupted, '--resume'])

    # It ran exactly one more epoch, starting where epoch 1 ended.
    assert runner.epoch == 2
    assert not osp.exists(osp.join(interrupted, 'epoch_3.pth'))
    resumed = _state(osp.join(interrupted, 'epoch_2.pth'))
    ref = _state(osp.join(straight, 'epoch_2.pth'))

    # The resumed process ran only epoch 2's iterations (5..8): a silent
    # restart would log steps 1..4 again.
    log = osp.join(runner.log_dir, 'vis_data', 'scalars.json')
    steps = [json.loads(line)['step'] for line in open(log)]
    assert steps == [5, 6, 7, 8]

    # Scheduler: restored, so its state matches the uninterrupted run's
    # (cosine over 2 epochs: lr 0.1 -> 0.05 after the first).
    assert first['optimizer']['param_groups'][0]['lr'] == pytest.approx(0.05)
    assert resumed['param_schedulers'] == ref['param_schedulers']
    assert resumed['optimizer']['param_groups'][0]['lr'] == pytest.approx(
        ref['optimizer']['param_groups'][0]['lr'])

    # Optimiser: momentum buffers carried over (a restart would start at 0
    # and end elsewhere); the model equals the uninterrupted run's.
    for k, v in ref['state_dict'].items():
        torch.testing.assert_close(resumed['state_dict'][k], v,
                                   rtol=1e-4, atol=1e-5, msg=k)
    for pid, st in ref['optimizer']['state'].items():
        torch.testing.assert_close(
            resumed['optimizer']['state'][pid]['momentum_buffer'],
            st['momentum_buffer'], rtol=1e-4, atol=1e-5)


def test_missing_config_is_one_clear_sentence(capsys):
    with pytest.raises(SystemExit) as e:
        train_tool.main(['configs/does/not/exist.py'])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "config file 'configs/does/not/exist.py' does not exist" in err
