# Copyright (c) mmautoaug contributors. All rights reserved.
"""Write pickles byte-compatible with the Python 2 files of CIFAR-10.

The CIFAR-10 "python version" files were written by Python 2's cPickle:
their strings are Python 2 ``str`` (the ``STRING`` opcodes), which Python 3
reads as ``bytes`` with ``encoding='bytes'`` (the data set's own recipe:
``dict[b'data']``) and as ``str`` with ``encoding='latin1'`` (what
torchvision and mmpretrain use: ``dict['data']``). Python 3's pickler cannot
write that opcode, so this small writer emits protocol 2 itself; it does not
depend on the running pickle or numpy version, so the same input always
gives the same bytes.

Supported values: ``None``, ``bool``, ``int``, ``bytes`` (written as a
Python 2 ``str``), ``str`` (ASCII only, also written as a Python 2 ``str``),
``list``, ``tuple``, ``dict`` and C-contiguous ``numpy.ndarray`` of uint8 or
int64 (written as Python 2 numpy did: ``numpy.core.multiarray._reconstruct``
with a ``BUILD`` state).
"""
import struct
from typing import Any, List

import numpy as np

_PROTO2 = b'\x80\x02'
_STOP = b'.'
_MARK = b'('
_NONE = b'N'
_TRUE = b'\x88'
_FALSE = b'\x89'
_EMPTY_DICT = b'}'
_EMPTY_LIST = b']'
_EMPTY_TUPLE = b')'
_SETITEMS = b'u'
_APPENDS = b'e'
_TUPLE = b't'
_TUPLES = {1: b'\x85', 2: b'\x86', 3: b'\x87'}
_GLOBAL = b'c'
_REDUCE = b'R'
_BUILD = b'b'

# numpy dtype pickle state of Python 2 numpy: (version, byte order, ...)
_DTYPES = {
    np.dtype(np.uint8): (b'u1', b'|'),
    np.dtype('<i8'): (b'i8', b'<'),
}


def dumps_py2(obj: Any) -> bytes:
    """Serialise ``obj`` as a Python 2 cPickle (protocol 2) would.

    Args:
        obj: The value to write (see the module docstring for the types).

    Returns:
        bytes: The pickle.

    Examples:
        >>> import pickle
        >>> data = dumps_py2({b'labels': [1, 2]})
        >>> pickle.loads(data, encoding='latin1')
        {'labels': [1, 2]}
        >>> pickle.loads(data, encoding='bytes')
        {b'labels': [1, 2]}
    """
    out: List[bytes] = [_PROTO2]
    _save(obj, out)
    out.append(_STOP)
    return b''.join(out)


def _save(obj: Any, out: List[bytes]) -> None:
    if obj is None:
        out.append(_NONE)
    elif obj is True or obj is False:
        out.append(_TRUE if obj else _FALSE)
    elif isinstance(obj, (int, np.integer)):
        _save_int(int(obj), out)
    elif isinstance(obj, bytes):
        _save_py2_str(obj, out)
    elif isinstance(obj, str):
        _save_py2_str(obj.encode('ascii'), out)
    elif isinstance(obj, list):
        out.append(_EMPTY_LIST)
        if obj:
            out.append(_MARK)
            for item in obj:
                _save(item, out)
            out.append(_APPENDS)
    elif isinstance(obj, tuple):
        _save_tuple(obj, out)
    elif isinstance(obj, dict):
        out.append(_EMPTY_DICT)
        if obj:
            out.append(_MARK)
            for key, value in obj.items():
                _save(key, out)
                _save(value, out)
            out.append(_SETITEMS)
    elif isinstance(obj, np.ndarray):
        _save_ndarray(obj, out)
    else:
        raise TypeError(f'dumps_py2 cannot write a {type(obj).__name__}; '
                        'supported: None, bool, int, bytes, ASCII str, '
                        'list, tuple, dict, uint8/int64 numpy arrays.')


def _save_int(value: int, out: List[bytes]) -> None:
    if 0 <= value < 256:
        out.append(b'K' + struct.pack('<B', value))  # BININT1
    elif 0 <= value < 65536:
        out.append(b'M' + struct.pack('<H', value))  # BININT2
    elif -2**31 <= value < 2**31:
        out.append(b'J' + struct.pack('<i', value))  # BININT
    else:
        raise ValueError(f'dumps_py2: integer {value} does not fit 32 bits.')


def _save_py2_str(value: bytes, out: List[bytes]) -> None:
    if len(value) < 256:
        out.append(b'U' + struct.pack('<B', len(value)) + value)
    else:
        out.append(b'T' + struct.pack('<I', len(value)) + value)


def _save_tuple(items: tuple, out: List[bytes]) -> None:
    if not items:
        out.append(_EMPTY_TUPLE)
        return
    if len(items) in _TUPLES:
        for item in items:
            _save(item, out)
        out.append(_TUPLES[len(items)])
        return
    out.append(_MARK)
    for item in items:
        _save(item, out)
    out.append(_TUPLE)


def _save_global(module: bytes, name: bytes, out: List[bytes]) -> None:
    out.append(_GLOBAL + module + b'\n' + name + b'\n')


def _save_ndarray(array: np.ndarray, out: List[bytes]) -> None:
    if array.dtype not in _DTYPES:
        raise TypeError(f'dumps_py2: arrays of dtype {array.dtype} are not '
                        f'supported; use one of {sorted(map(str, _DTYPES))}.')
    array = np.ascontiguousarray(array)
    code, order = _DTYPES[array.dtype]
    # numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), 'b')
    _save_global(b'numpy.core.multiarray', b'_reconstruct', out)
    _save_global(b'numpy', b'ndarray', out)
    _save_tuple((0, ), out)
    _save_py2_str(b'b', out)
    out.append(_TUPLES[3] + _REDUCE)
    # state: (1, shape, dtype, is_fortran, raw bytes)
    out.append(_MARK)
    _save(1, out)
    _save_tuple(tuple(int(s) for s in array.shape), out)
    _save_global(b'numpy', b'dtype', out)
    _save_tuple((code, 0, 1), out)
    out.append(_REDUCE)
    _save_tuple((3, order, None, None, None, -1, -1, 0), out)
    out.append(_BUILD)
    out.append(_FALSE)
    _save_py2_str(array.tobytes(), out)
    out.append(_TUPLE + _BUILD)
