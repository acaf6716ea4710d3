# Copyright (c) mmautoaug contributors. All rights reserved.
"""Build a directory once, safely when several processes start together."""
import os
import os.path as osp
import shutil
import tempfile
from typing import Callable


def is_built(target: str) -> bool:
    """Whether ``target`` is a non-empty directory (a finished build)."""
    return osp.isdir(target) and len(os.listdir(target)) > 0


def build_dir_atomically(target: str,
                         build: Callable[[str], None],
                         force: bool = False) -> bool:
    """Run ``build(tmp_dir)`` and move the result to ``target`` atomically.

    The files are written into a hidden temporary directory next to
    ``target`` and renamed into place in one step, so a reader never sees a
    half-written data set and processes that build at the same time (e.g.
    every rank of a distributed job) do not corrupt each other: the first
    rename wins, the others discard their copy. Builds are deterministic, so
    every copy is identical.

    Args:
        target (str): Directory to create.
        build (Callable[[str], None]): Writes the data set into the directory
            it is given.
        force (bool): Rebuild even if ``target`` already holds files; the old
            directory is replaced. Defaults to False.

    Returns:
        bool: True if this call put a new build in place, False if
        ``target`` was already built (by an earlier call or a concurrent
        process).

    Examples:
        >>> import os, tempfile
        >>> root = tempfile.mkdtemp()
        >>> def write(d):
        ...     open(os.path.join(d, 'a.txt'), 'w').close()
        >>> build_dir_atomically(os.path.join(root, 'set'), write)
        True
        >>> build_dir_atomically(os.path.join(root, 'set'), write)
        False
    """
    target = osp.abspath(target)
    if is_built(target) and not force:
        return False
    parent = osp.dirname(target)
    os.makedirs(parent, exist_ok=True)
    name = osp.basename(target)
    tmp = tempfile.mkdtemp(prefix=f'.{name}.tmp-', dir=parent)
    try:
        build(tmp)
        os.chmod(tmp, 0o755)  # mkdtemp makes it private to this user
        if force and osp.exists(target):
            old = tempfile.mkdtemp(prefix=f'.{name}.old-', dir=parent)
            os.rename(target, osp.join(old, name))
            shutil.rmtree(old, ignore_errors=True)
        try:
            # replaces a missing or empty directory, fails on a full one
            os.rename(tmp, target)
        except OSError:
            if is_built(target):
                return False  # another process finished first
            raise
        tmp = None
        return True
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
