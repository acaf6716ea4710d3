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
    if osp.isdir(path):
        _fail(f'config file {path!r} is a directory; give a config file '
              '(configs live under configs/).')
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
    return read_config_file(path, Config.fromfile)


def read_config_file(path: str, read):
    """``read(path)``, failing with one sentence when the file is not a
    readable config (binary, a syntax error, a missing base or import)."""
    try:
        return read(path)
    except UnicodeDecodeError as e:
        _fail(f'config file {path!r} is not UTF-8 text (byte at position '
              f'{e.start})')
    except SyntaxError as e:
        line = f' (line {e.lineno})' if e.lineno else ''
        _fail(f'config file {path!r} has a Python syntax error{line}: '
              f'{_first_line(e.msg)}')
    except (FileNotFoundError, ImportError, KeyError, ValueError, NameError,
            TypeError, AttributeError) as e:
        _fail(f'could not read config {path!r} ({type(e).__name__}: '
              f'{_first_line(str(e))})')


def _first_line(text: str) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else ''


def make_parent_dir(path: str, option: str = '--out') -> None:
    """Create the folder of an output file, or fail in one sentence."""
    import os
    try:
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    except OSError as e:
        _fail(f'{option}: cannot create the folder of {path!r} '
              f'({e.strerror})')


def cfg_options_action():
    """MMEngine's ``DictAction`` for ``--cfg-options``, whose bad items
    (``foo`` without ``=``) end in one usage error naming the item instead
    of a ``ValueError`` traceback from inside argparse."""
    import argparse

    from mmengine.config import DictAction

    class CfgOptionsAction(DictAction):

        def __call__(self, parser, namespace, values, option_string=None):
            for item in values:
                if '=' not in item:
                    raise argparse.ArgumentError(
                        self, f'{item!r} is not KEY=VALUE (e.g. '
                        'train_dataloader.batch_size=64)')
            super().__call__(parser, namespace, values, option_string)

    return CfgOptionsAction
