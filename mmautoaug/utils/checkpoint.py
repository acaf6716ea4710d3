# Copyright (c) mmautoaug contributors. All rights reserved.
"""Let torch >= 2.6 load MMEngine checkpoints without giving up its safety.

Since torch 2.6, ``torch.load`` defaults to ``weights_only=True``: it only
unpickles tensors, containers and allow-listed types. MMEngine 0.10 calls
``torch.load`` without ``weights_only`` and its checkpoints also hold the
message hub's :class:`~mmengine.logging.HistoryBuffer` and the numpy arrays,
scalars and dtypes inside it, so ``--resume`` fails with "Weights only load
failed". Rather than turning the check off for every file (which would run
arbitrary pickled code from an untrusted checkpoint), we allow-list exactly
the types MMEngine's checkpoints hold.

One of them needs care: ``HistoryBuffer.__getstate__`` also pickles its
statistics methods (``HistoryBuffer.min`` ...), which pickle writes as
``getattr(HistoryBuffer, 'min')``. Allow-listing the builtin ``getattr`` would
let a file reach any attribute of any allowed object, so the global name
``__builtin__.getattr`` is bound to :func:`_history_buffer_getattr` instead,
which resolves HistoryBuffer's own methods and refuses everything else.
"""
import pickle
from typing import List

import numpy as np
import torch

_REGISTERED = False


def _numpy_types() -> List[object]:
    try:  # numpy >= 2
        from numpy._core import multiarray
    except ImportError:  # numpy 1.x
        from numpy.core import multiarray
    dtype_classes = {
        type(np.dtype(name))
        for name in ('bool', 'uint8', 'int8', 'int16', 'int32', 'int64',
                     'float16', 'float32', 'float64', 'uint16', 'uint32',
                     'uint64', 'complex64', 'complex128')
    }
    return [multiarray._reconstruct, multiarray.scalar, np.ndarray, np.dtype,
            *sorted(dtype_classes, key=lambda t: t.__name__)]


def _history_buffer_getattr(obj: object, name: str) -> object:
    """``getattr`` as a checkpoint may use it: HistoryBuffer methods only."""
    from mmengine.logging import HistoryBuffer
    if obj is HistoryBuffer and not name.startswith('_') and callable(
            getattr(HistoryBuffer, name, None)):
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'checkpoint asks for getattr({obj!r}, {name!r}); only public '
        'methods of mmengine.logging.HistoryBuffer are allowed.')


def checkpoint_safe_types() -> List[object]:
    """The non-tensor types an MMEngine checkpoint holds.

    Returns:
        list: Classes and functions to pass to
        ``torch.serialization.add_safe_globals``.

    Examples:
        >>> from mmengine.logging import HistoryBuffer
        >>> HistoryBuffer in checkpoint_safe_types()
        True
    """
    from mmengine.logging import HistoryBuffer
    return [
        HistoryBuffer, (_history_buffer_getattr, '__builtin__.getattr'),
        (_history_buffer_getattr, 'builtins.getattr'), *_numpy_types()
    ]


def allow_mmengine_checkpoints() -> None:
    """Allow-list :func:`checkpoint_safe_types` for ``torch.load`` (once).

    A no-op on torch versions without ``add_safe_globals`` (< 2.4), whose
    ``torch.load`` unpickles everything anyway.
    """
    global _REGISTERED
    add_safe_globals = getattr(torch.serialization, 'add_safe_globals', None)
    if _REGISTERED or add_safe_globals is None:
        return
    add_safe_globals(checkpoint_safe_types())
    _REGISTERED = True
