# Copyright (c) mmautoaug contributors. All rights reserved.
"""The layout of a policy schedule (``policy_schedule/epoch_XXXX.json``)."""
import os.path as osp

import pytest

from mmautoaug.policy import (SCHEDULE_DIR, SCHEDULE_FILE, Policy,
                             list_schedule, schedule_file_name)


def _schedule(folder, epochs=(1, 2, 3, 12)):
    for epoch in epochs:
        Policy('autoaugment', [[('Invert', 1.0, 0.0)]]).save(
            osp.join(folder, schedule_file_name(epoch)))
    return str(folder)


def test_file_names_round_trip():
    assert SCHEDULE_DIR == 'policy_schedule'
    assert schedule_file_name(7) == 'epoch_0007.json'
    assert schedule_file_name(12345) == 'epoch_12345.json'
    for epoch in (1, 9, 10, 120, 12345):
        match = SCHEDULE_FILE.match(schedule_file_name(epoch))
        assert int(match.group(1)) == epoch
    for name in ('epoch_7.json.bak', 'policy.json', 'epoch_.json'):
        assert SCHEDULE_FILE.match(name) is None
    for bad in (0, -1, 1.0, True, '3'):
        with pytest.raises(ValueError, match='epoch'):
            schedule_file_name(bad)


def test_list_schedule_reads_the_search_folder_in_epoch_order(tmp_path):
    folder = _schedule(tmp_path)
    (tmp_path / 'policy.json').write_text('{}')  # not an epoch file
    files = list_schedule(folder)
    # numeric, not lexical order: epoch 12 after epoch 3
    assert list(files) == [1, 2, 3, 12]
    assert files[2] == osp.join(folder, 'epoch_0002.json')
    assert list_schedule(['x.json', 'y.json']) == {1: 'x.json', 2: 'y.json'}


def test_list_schedule_names_what_is_wrong(tmp_path):
    with pytest.raises(FileNotFoundError, match='is not a directory'):
        list_schedule(str(tmp_path / 'missing'))
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='no epoch_XXXX.json'):
        list_schedule(str(tmp_path / 'empty'))
    with pytest.raises(ValueError, match='empty'):
        list_schedule([])
    with pytest.raises(TypeError, match='schedule'):
        list_schedule(3)


def test_the_old_import_paths_still_work():
    from mmautoaug.datasets.transforms import list_schedule as from_package
    from mmautoaug.datasets.transforms.policy_schedule import (
        SCHEDULE_FILE as old_pattern, list_schedule as from_module)
    from mmautoaug.search.advaa.hook import SCHEDULE_DIR as old_dir
    assert from_package is from_module is list_schedule
    assert old_pattern is SCHEDULE_FILE and old_dir == SCHEDULE_DIR
