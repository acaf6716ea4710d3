# Copyright (c) mmautoaug contributors. All rights reserved.
"""What each search costs on this machine, from its first steps.

Runs every demo search (configs/demo/: DADA, AWS stage 1, AWS stage 2 on
the stage-1 checkpoint this script writes, Adversarial AutoAugment) through
:func:`mmautoaug.apis.run_search` with a budget of ``--units`` epochs
(controller steps for AWS stage 2), and prints, from the
``search_cost.json`` that :class:`~mmautoaug.engine.SearchCostHook` writes:
seconds per training iteration (timed after 2 warm-up iterations), seconds
per unit (the first one, everything included), the whole config's
estimated wall time from each, and the device-hours. The README's table of
per-step costs comes from here. One run per method: repeat it to see the
spread.

Example:
    python tools/benchmark/search_cost.py            # about 2 min on 2 CPUs
    python tools/benchmark/search_cost.py --device cuda
"""
import argparse
import json
import os.path as osp
import sys
import tempfile
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)

#: (name, demo config, budget key): the searches, in the order they run.
SEARCHES = (
    ('DADA', 'dada_demo_search.py', 'max_epochs'),
    ('AWS stage 1', 'aws_demo_stage1.py', 'max_epochs'),
    ('AWS stage 2', 'aws_demo_search.py', 'max_steps'),
    ('AdvAA (M=8)', 'advaa_demo.py', 'max_epochs'),
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--units', type=int, default=1,
                        help='epochs (AWS stage 2: controller steps) to run '
                        'per search (default: %(default)s)')
    parser.add_argument('--device', default='cpu', choices=('cpu', 'cuda'))
    parser.add_argument('--work-dir', help='where the runs write (default: '
                        'a temporary folder)')
    return parser.parse_args(argv)


def _fmt(seconds):
    from mmautoaug.engine.hooks import format_duration
    return '-' if seconds is None else format_duration(seconds)


def main(argv=None):
    args = parse_args(argv)
    import torch
    from mmautoaug.apis import run_search
    if args.device == 'cuda' and not torch.cuda.is_available():
        raise SystemExit('error: --device cuda but no GPU is visible')
    if args.device == 'cpu':
        torch.cuda.is_available = lambda: False  # keep MMEngine on the CPU
    root = args.work_dir or tempfile.mkdtemp(prefix='search_cost_')
    rows = []
    for name, config, key in SEARCHES:
        work_dir = osp.join(root, osp.splitext(config)[0])
        options = dict(log_level='WARNING')
        if key == 'max_steps':  # on the stage-1 checkpoint written above
            options['train_cfg.shared_checkpoint'] = osp.join(
                root, 'aws_demo_stage1')
        print(f'running {name} ({config}) for {args.units} unit(s)...',
              flush=True)
        wall, cpu = time.perf_counter(), time.process_time()
        run_search(osp.join(ROOT, 'configs', 'demo', config), work_dir,
                   budget={key: args.units}, cfg_options=options)
        # CPU seconds this process got per wall second: below the thread
        # count when other jobs share the machine
        share = (time.process_time() - cpu) / (time.perf_counter() - wall)
        with open(osp.join(work_dir, 'search_cost.json')) as f:
            cost = json.load(f)
        it = cost.get('iter_estimate', {})
        unit = cost.get('unit_estimate', {})
        rows.append((name, cost['unit'], cost['units_total'],
                     cost['iters_total'], it.get('seconds_per_iter'),
                     unit.get('seconds_per_unit'), it.get('total_s'),
                     unit.get('total_s'), cost['device'], share))
    head = ('search', 'unit', 'units', 'iters', 's/iter', 's/unit',
            'total (iters)', 'total (units)', 'device', 'cpu/wall')
    table = [head] + [
        (n, u, str(k), str(i), '-' if a is None else f'{a:.3f}',
         '-' if b is None else f'{b:.1f}', _fmt(c), _fmt(d), dev,
         f'{sh:.2f}') for n, u, k, i, a, b, c, d, dev, sh in rows
    ]
    widths = [max(len(r[c]) for r in table) for c in range(len(head))]
    print()
    for r in table:
        print('  '.join(v.ljust(w) for v, w in zip(r, widths)))
    print('\ntotal (iters) = s/iter x the config\'s iterations (training '
          'steps only); total (units) = the first unit\'s wall time x the '
          'units (all included); cpu/wall = CPU seconds this process got '
          'per wall second (low on a shared machine). One run each.')


if __name__ == '__main__':
    main()
