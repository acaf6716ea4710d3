# Copyright (c) mmautoaug contributors. All rights reserved.
"""What one AWS policy evaluation costs, against a full training run.

Runs the demo configs (configs/demo/aws_demo_stage1.py and
aws_demo_search.py: WRN-10-1 on the embedded demo set) on this machine:
stage 1 for ``--stage1-epochs`` epochs, then ``--steps`` controller steps of
``--finetune-epochs`` each, and prints, side by side:

- a full training run of the same schedule (stage 1's epochs + the
  fine-tuning epochs, timed from the measured stage-1 run),
- one policy evaluation (one controller step: restore, fine-tune, held-out
  accuracy per epoch, PPO update, outputs), measured per step,
- their ratio and stage 2's throughput in policy evaluations per hour (one
  process; N ranks evaluate N policies per step).

It also prints the same ratio in epochs for the CIFAR-10 WRN-28-10 configs
(200 stage-1 epochs, 10 fine-tuning epochs per evaluation), which is what
the measured ratio tends to when the held-out evaluation is small.

Example:
    python tools/benchmark/aws_search.py --device cpu
"""
import argparse
import os.path as osp
import tempfile
import time

import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmautoaug.utils import register_all_modules

from _common import PeakMemory, summary  # isort: skip

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


class _StepTimer(Hook):
    """Wall time of every controller step of AWSSearchLoop."""

    def __init__(self):
        self.marks = []

    def before_train_epoch(self, runner):
        if runner.train_loop.finetune_epoch == 0:
            self.marks.append(time.perf_counter())

    def after_train(self, runner):
        self.marks.append(time.perf_counter())

    @property
    def step_times(self):
        return [b - a for a, b in zip(self.marks, self.marks[1:])]


def _cfg(name, work_dir, device, data_root):
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'demo', name))
    cfg.work_dir = work_dir
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1000)
    cfg.launcher = 'none'
    cfg.env_cfg = dict(cudnn_benchmark=device == 'cuda')
    for loader in ('train_dataloader', 'val_dataloader'):
        if cfg.get(loader):
            cfg[loader].dataset.dataset.data_root = data_root
    if cfg.train_cfg.get('type') == 'AWSSearchLoop':
        cfg.train_cfg.heldout_dataloader.dataset.dataset.data_root = data_root
    return cfg


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--stage1-epochs', type=int, default=3)
    parser.add_argument('--finetune-epochs', type=int, default=2)
    parser.add_argument('--steps', type=int, default=3)
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--data-root', default='data/demo_cifar')
    parser.add_argument('--threads', type=int, default=None,
                        help='torch CPU threads (default: torch\'s choice)')
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.device == 'cpu':
        # the Runner puts the model on CUDA whenever it is available
        import os
        os.environ['CUDA_VISIBLE_DEVICES'] = ''
    register_all_modules()
    work = tempfile.mkdtemp(prefix='aws_bench_')

    cfg1 = _cfg('aws_demo_stage1.py', osp.join(work, 'stage1'), args.device,
                args.data_root)
    cfg1.train_cfg.max_epochs = args.stage1_epochs
    cfg1.train_cfg.val_interval = args.stage1_epochs
    cfg1.param_scheduler.T_max = cfg1.param_scheduler.end = \
        args.stage1_epochs + args.finetune_epochs
    cfg1.default_hooks.checkpoint.interval = args.stage1_epochs
    runner = Runner.from_cfg(cfg1)
    start = time.perf_counter()
    peak1 = PeakMemory(args.device).start()
    runner.train()
    peak1.stop()
    stage1 = time.perf_counter() - start
    del runner

    cfg2 = _cfg('aws_demo_search.py', osp.join(work, 'search'), args.device,
                args.data_root)
    cfg2.train_cfg.shared_checkpoint = osp.join(work, 'stage1')
    cfg2.train_cfg.num_steps = args.steps
    cfg2.train_cfg.finetune_epochs = args.finetune_epochs
    timer = _StepTimer()
    runner = Runner.from_cfg(cfg2)
    runner.register_hook(timer)
    peak2 = PeakMemory(args.device).start()
    runner.train()
    peak2.stop()
    steps = timer.step_times
    per_eval = sum(steps[1:] or steps) / len(steps[1:] or steps)

    total_epochs = args.stage1_epochs + args.finetune_epochs
    full_run = stage1 / args.stage1_epochs * total_epochs
    n_train = len(runner.train_loop.dataloader.dataset)
    n_held = len(runner.train_loop.heldout_dataloader.dataset)
    rows = [
        ('full training run (%d epochs, from the measured stage 1)' %
         total_epochs, f'{full_run:9.2f} s', '1.000'),
        ('one policy evaluation (%d fine-tuning epochs + %d held-out '
         'evaluations + PPO)' % (args.finetune_epochs, args.finetune_epochs),
         f'{per_eval:9.2f} s', f'{per_eval / full_run:.3f}'),
        ('stage-2 throughput (1 process)',
         f'{3600 / per_eval:9.1f} evaluations/h', ''),
        ('CIFAR-10 WRN-28-10 configs, in epochs (10 / 210)', '',
         f'{10 / 210:.3f}'),
        ('peak memory, stage 1 (shared weights)', peak1.cells(), ''),
        ('peak memory, stage 2 (policy evaluations)', peak2.cells(), ''),
    ]
    device = torch.cuda.get_device_name() if args.device == 'cuda' else \
        f'CPU, {torch.get_num_threads()} threads'
    print(f'\nAWS search cost on {device}: WRN-10-1, demo set '
          f'({n_train} train / {n_held} held-out images, 32x32), '
          f'steps measured: {[round(s, 2) for s in steps]}')
    width = max(len(r[0]) for r in rows)
    print(f'{"":{width}}  {"time":>22}  {"vs full run":>11}')
    for name, value, ratio in rows:
        print(f'{name:{width}}  {value:>22}  {ratio:>11}')
    summary('AWS policy evaluation / full training run', per_eval / full_run)


if __name__ == '__main__':
    main()
