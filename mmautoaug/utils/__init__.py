# Copyright (c) mmautoaug contributors. All rights reserved.
from .checkpoint import allow_mmengine_checkpoints, checkpoint_safe_types
from .dist import close_distributed, prepare_cpu_distributed
from .setup_env import register_all_modules

__all__ = [
    'register_all_modules', 'allow_mmengine_checkpoints',
    'checkpoint_safe_types', 'close_distributed',
    'prepare_cpu_distributed'
]
