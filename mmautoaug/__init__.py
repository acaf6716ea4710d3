# Copyright (c) mmautoaug contributors. All rights reserved.
"""mmautoaug: automatic data-augmentation search (DADA, AWS, Adversarial
AutoAugment) on MMEngine, for mmpretrain classifiers and mmdet detectors."""
import mmengine
from mmengine.utils import digit_version

from .version import __version__, version_info

mmcv_minimum_version = '2.0.0'
mmcv_maximum_version = '2.2.0'
mmengine_minimum_version = '0.10.0'
mmengine_maximum_version = '1.0.0'


def _check_versions() -> None:
    """Fail early, in one sentence, when mmcv/mmengine do not fit."""
    try:
        import mmcv
    except ImportError as e:  # pragma: no cover - depends on the install
        raise ImportError(
            'mmautoaug needs mmcv (with compiled ops) but it is not '
            'installed; run `bash tools/setup_env.sh` or `make env`.') from e
    mmcv_version = digit_version(mmcv.__version__)
    if not (digit_version(mmcv_minimum_version) <= mmcv_version <
            digit_version(mmcv_maximum_version)):
        raise ImportError(
            f'MMCV=={mmcv.__version__} is used but incompatible with '
            f'mmautoaug: please install mmcv>={mmcv_minimum_version}, '
            f'<{mmcv_maximum_version} (mmdet 3.3 needs <2.2.0).')
    mmengine_version = digit_version(mmengine.__version__)
    if not (digit_version(mmengine_minimum_version) <= mmengine_version <
            digit_version(mmengine_maximum_version)):
        raise ImportError(
            f'MMEngine=={mmengine.__version__} is used but incompatible '
            f'with mmautoaug: please install mmengine>='
            f'{mmengine_minimum_version}, <{mmengine_maximum_version}.')


_check_versions()

#: The Python API (:mod:`mmautoaug.apis`), reachable from the package root;
#: imported on first use so that ``import mmautoaug`` stays light.
_APIS = ('load_policy', 'apply_policy', 'apply_policy_batch',
         'convert_policy', 'export_policy', 'run_search')


def __getattr__(name: str):
    if name in _APIS:
        from . import apis
        return getattr(apis, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


__all__ = ['__version__', 'version_info', *_APIS]
