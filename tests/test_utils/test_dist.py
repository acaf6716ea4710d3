# Copyright (c) mmautoaug contributors. All rights reserved.
import pytest
from mmengine.config import Config

from mmautoaug.utils import prepare_cpu_distributed


def test_no_launcher_changes_nothing():
    cfg = Config(dict(launcher='none'))
    assert prepare_cpu_distributed(cfg) is False
    assert 'model_wrapper_cfg' not in cfg


def test_gpu_only_backend_is_a_clear_error():
    cfg = Config(dict(launcher='pytorch',
                      env_cfg=dict(dist_cfg=dict(backend='mpi_cuda'))))
    with pytest.raises(RuntimeError, match='cannot run without GPUs'):
        prepare_cpu_distributed(cfg)
