# Copyright (c) mmautoaug contributors. All rights reserved.
"""Print the last validation metric a run logged in its work dir.

Examples:
    python tools/misc/print_metric.py work_dirs/demo/baseline --label baseline
"""
import argparse
import glob
import json
import os.path as osp
import sys


def last_metric(work_dir: str, key: str = 'accuracy/top1') -> float:
    """Read ``key`` from the newest validation entry of a run's scalars.json.

    Args:
        work_dir (str): The run's work dir (MMEngine writes
            ``<timestamp>/vis_data/scalars.json`` under it).
        key (str): The metric's name. Defaults to ``'accuracy/top1'``.

    Returns:
        float: The metric's last logged value.
    """
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json')))
    if not files:
        raise FileNotFoundError(f'no */vis_data/scalars.json under '
                                f'{work_dir!r}: did the run finish?')
    value = None
    with open(files[-1], encoding='utf-8') as f:
        for line in f:
            entry = json.loads(line)
            if key in entry:
                value = entry[key]
    if value is None:
        raise KeyError(f'{key!r} was never logged in {files[-1]}')
    return float(value)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dir')
    parser.add_argument('--key', default='accuracy/top1')
    parser.add_argument('--label', default=None)
    args = parser.parse_args(argv)
    try:
        value = last_metric(args.work_dir, args.key)
    except (FileNotFoundError, KeyError) as e:
        print(f'error: {e}', file=sys.stderr)
        sys.exit(1)
    print(f'{args.label or args.work_dir}: {args.key} = {value:.2f}')


if __name__ == '__main__':
    main()
