# Copyright (c) mmautoaug contributors. All rights reserved.
"""What every command-line tool does before its real work."""
import os.path as osp
import sys


def _fail(msg: str) -> None:
    print(f'error: {msg}', file=sys.stderr)
    sys.exit(2)


def load_config(path: str):
    """Import the stack, register modules and read a config, failing with one
    clear sentence instead of a deep stack trace.

    Args:
        path (str): The config file.

    Returns:
        mmengine.Config: The config.
    """
    if not osp.isfile(path):
        _fail(f'config file {path!r} does not exist (paths are relative to '
              'the current directory; configs live under configs/).')
    try:
        import mmautoaug  # noqa: F401  (checks mmcv/mmengine versions)
    except ImportError as e:
        _fail(f'{e} Run `make env` (or `bash tools/setup_env.sh`) to '
              'build the environment, then use .venv/bin/python.')
    try:
        import mmcv.ops  # noqa: F401
    except (ImportError, OSError) as e:
        _fail('mmcv is installed without its compiled ops (mmcv.ops: '
              f'{e}); mmdet needs them. Rebuild with `make env` after '
              'removing .venv, or `MMCV_WITH_OPS=1 pip install '
              '--no-build-isolation mmcv==2.1.0`.')
    from mmengine.config import Config
    from mmautoaug.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    try:
        return Config.fromfile(path)
    except (FileNotFoundError, SyntaxError, ImportError, KeyError) as e:
        _fail(f'could not read config {path!r}: {e}')
