# Copyright (c) mmautoaug contributors. All rights reserved.
"""On several ranks a time budget is decided by rank 0 and followed by all,
even when the ranks' clocks disagree (tools/dist_train.sh, 2 CPU processes).

Rank 0's fake clock says 4 s per epoch, rank 1's 400 s. With 10 s of budget
rank 0 stops after epoch 2 (8 s spent + 4 s > 10 s); rank 1 alone would stop
after epoch 1. Both must end at epoch 2: a rank that stopped on its own
would leave the other waiting in an all-reduce.
"""
import os
import os.path as osp
import socket
import subprocess
import sys

from tests.test_tools._tiny_job import make_image_folder, write_config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_rank_zero_decides_the_time_budget(tmp_path):
    data = make_image_folder(str(tmp_path / 'data'), per_class=16)
    cfg = write_config(str(tmp_path / 'cfg.py'), data, max_epochs=3)
    with open(cfg, 'a') as f:
        f.write("\ncustom_imports = dict(imports=['tests.test_engine."
                "_rank_clock'])\ncustom_hooks = [dict(type='RankClockHook')]"
                "\ndefault_hooks = dict(search_cost=dict(type='mmautoaug."
                "SearchCostHook', max_time=10))\n")
    env = dict(os.environ, PORT=str(_free_port()), PYTHON=sys.executable,
               OMP_NUM_THREADS='1', PYTHONPATH=ROOT)
    work = str(tmp_path / 'work')
    proc = subprocess.run(
        ['bash', osp.join(ROOT, 'tools', 'dist_train.sh'), cfg, '2',
         '--work-dir', work],
        cwd=str(tmp_path), env=env, capture_output=True, text=True,
        timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    epochs = [open(osp.join(work, f'rank{r}_epoch.txt')).read()
              for r in (0, 1)]
    assert epochs == ['2', '2']
    assert osp.isfile(osp.join(work, 'epoch_2.pth'))
