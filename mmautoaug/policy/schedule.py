# Copyright (c) mmautoaug contributors. All rights reserved.
"""The layout of a policy schedule: one policy file per search epoch.

A search that changes its policy every epoch (Adversarial AutoAugment's
:class:`~mmautoaug.search.AdvAAHook`) writes
``work_dir/policy_schedule/epoch_0001.json``, ``epoch_0002.json``, ...;
a retrain replays them (``PolicyAugment(schedule=...)``) and
:func:`~mmautoaug.search.advaa.transfer_policy` folds the last ones into
one file. This module names that layout and lists a schedule's files; it
reads no policy.
"""
import os
import os.path as osp
import re
from typing import Dict, Sequence, Union

#: The folder of a search's ``work_dir`` that holds its schedule.
SCHEDULE_DIR = 'policy_schedule'
#: ``epoch_0007.json``: the file a search writes for its 7th (1-based)
#: epoch; group 1 is the epoch.
SCHEDULE_FILE = re.compile(r'^epoch_(\d+)\.json$')


def schedule_file_name(epoch: int) -> str:
    """The file name of schedule epoch ``epoch`` (1-based).

    Examples:
        >>> schedule_file_name(7)
        'epoch_0007.json'
    """
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 1:
        raise ValueError(f'epoch: expected an int >= 1 (1-based), got '
                         f'{epoch!r}')
    return f'epoch_{epoch:04d}.json'


def list_schedule(schedule: Union[str, os.PathLike, Sequence[str]]
                  ) -> Dict[int, str]:
    """The files of a policy schedule, by epoch.

    Args:
        schedule (str | PathLike | list[str]): A directory of
            ``epoch_XXXX.json`` files (the ``policy_schedule`` folder a
            search writes), or a list of policy files, the first for epoch
            1, the next for epoch 2, ...

    Returns:
        dict[int, str]: ``{epoch: path}``, 1-based epochs, in order.

    Examples:
        >>> list_schedule(['a.json', 'b.json'])
        {1: 'a.json', 2: 'b.json'}
    """
    if isinstance(schedule, (list, tuple)):
        if not schedule:
            raise ValueError('schedule: the list of policy files is empty')
        return {i + 1: os.fspath(p) for i, p in enumerate(schedule)}
    if not isinstance(schedule, (str, os.PathLike)):
        raise TypeError(f'schedule: expected a directory or a list of policy '
                        f'files, got {type(schedule).__name__}')
    folder = os.fspath(schedule)
    if not osp.isdir(folder):
        raise FileNotFoundError(
            f'schedule: {folder!r} is not a directory; give the '
            f'{SCHEDULE_DIR} folder a search wrote (work_dir/{SCHEDULE_DIR})'
            ' or a list of policy files')
    files = {}
    for name in os.listdir(folder):
        match = SCHEDULE_FILE.match(name)
        if match:
            files[int(match.group(1))] = osp.join(folder, name)
    if not files:
        raise FileNotFoundError(f'schedule: {folder!r} holds no '
                                'epoch_XXXX.json policy files')
    return dict(sorted(files.items()))
