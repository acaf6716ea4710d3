# Copyright (c) mmautoaug contributors. All rights reserved.
import math
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest

from mmautoaug.policy import Policy, op_statistics

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_rates_and_magnitudes_by_hand():
    p = Policy('fastaa', [[('Rotate', 0.5, 0.2), ('Cutout', 1.0, 0.4)],
                          [('Rotate', 1.0, 0.8), ('Invert', 0.2, 0.0)]],
               weights=[0.25, 0.75])
    s = op_statistics(p)
    assert list(s) == list(p.space.ops)
    # Rotate: 0.25 * 0.5 + 0.75 * 1.0 applications; magnitude weighted by them
    assert s['Rotate'].rate == pytest.approx(0.875)
    assert s['Rotate'].magnitude == pytest.approx(
        (0.25 * 0.5 * 0.2 + 0.75 * 0.8) / 0.875)
    assert s['Cutout'] == (pytest.approx(0.25), pytest.approx(0.4))
    assert s['Invert'].rate == pytest.approx(0.15)
    assert s['Color'].rate == 0.0 and math.isnan(s['Color'].magnitude)


def test_plot_tool_reads_a_search_work_dir(tmp_path):
    for epoch, m in ((1, 0.5), (2, 0.7), (10, 0.9)):
        Policy('fastaa', [[('Rotate', 1.0, m)]]).save(
            str(tmp_path / f'policy_epoch_{epoch}.json'))
    out = str(tmp_path / 'plot.png')
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', 'policy', 'plot.py'),
         str(tmp_path), '--out', out], capture_output=True, text=True,
        timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert 'wrote' in proc.stdout and '(3 policies)' in proc.stdout
    import mmcv
    img = mmcv.imread(out)
    assert img.shape[0] > 200 and img.std() > 10  # a real picture

    sys.path.insert(0, osp.join(ROOT, 'tools', 'policy'))
    from plot import collect
    labels = [label for label, _ in collect([str(tmp_path)])]
    assert labels == ['epoch 1', 'epoch 2', 'epoch 10']  # numeric order


def test_plot_tool_refuses_an_empty_dir(tmp_path):
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', 'policy', 'plot.py'),
         str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and 'holds no policy files' in proc.stderr
