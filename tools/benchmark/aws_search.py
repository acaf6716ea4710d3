# Copyright (c) mmautoaug contributors. All rights reserved.
"""What one AWS policy evaluation costs, against a full training run.

Two measurements, printed side by side:

1. **The demo, end to end** (configs/demo/aws_demo_stage1.py and
   aws_demo_search.py: WRN-10-1 on the embedded demo set): stage 1 for
   ``--stage1-epochs`` epochs, then ``--steps`` controller steps of
   ``--finetune-epochs`` each, through the real Runner and AWSSearchLoop.
   One policy evaluation (restore, fine-tune, held-out accuracy per epoch,
   PPO update, outputs) against a full training run of the same schedule.
2. **The CIFAR config** (configs/aws/aws-stage1_wrn28-10_1xb256_cifar10.py
   and its search config): the real WRN-28-10 with the recipe (pair +
   Cutout on the device, label smoothing, clipping) timed for
   ``--cifar-iters`` training steps and held-out batches of 256 on
   CIFAR-shaped batches, then laid out over the config's schedule: one
   evaluation (10 fine-tuning epochs of the 40k part + 10 held-out passes
   over 10k) against stage 1 (200 epochs + its validations), and the
   evaluations per hour on this device (one process = one GPU; N ranks
   evaluate N policies per step).

Example:
    python tools/benchmark/aws_search.py --device cuda
    python tools/benchmark/aws_search.py --device cpu --cifar-iters 1
"""
import argparse
import math
import os
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
    """Wall time of every controller step, and the fine-tuning epochs and
    held-out evaluations within it."""

    def __init__(self):
        self.steps, self.epochs, self.evals = [], [], []
        self._epoch_end = None

    def before_train_epoch(self, runner):
        now = time.perf_counter()
        if runner.train_loop.finetune_epoch == 0:
            self.steps.append(now)
        elif self._epoch_end is not None:  # an evaluation, nothing else
            self.evals.append(now - self._epoch_end)
        self._epoch_start = now

    def after_train_epoch(self, runner):
        self._epoch_end = time.perf_counter()
        self.epochs.append(self._epoch_end - self._epoch_start)

    def after_train(self, runner):
        self.steps.append(time.perf_counter())

    @property
    def step_times(self):
        return [b - a for a, b in zip(self.steps, self.steps[1:])]


def _demo_cfg(name, work_dir, device, data_root):
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'demo', name))
    cfg.work_dir = work_dir
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1000)
    cfg.launcher = 'none'
    cfg.env_cfg = dict(cudnn_benchmark=device == 'cuda')
    cfg.log_level = 'WARNING'
    for loader in ('train_dataloader', 'val_dataloader'):
        if cfg.get(loader):
            cfg[loader].dataset.dataset.data_root = data_root
    if cfg.train_cfg.get('type') == 'AWSSearchLoop':
        cfg.train_cfg.heldout_dataloader.dataset.dataset.data_root = data_root
    return cfg


def measure_demo(args):
    """The demo's stage 1 and search through the Runner; seconds."""
    work = tempfile.mkdtemp(prefix='aws_bench_')
    cfg1 = _demo_cfg('aws_demo_stage1.py', osp.join(work, 'stage1'),
                     args.device, args.data_root)
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

    cfg2 = _demo_cfg('aws_demo_search.py', osp.join(work, 'search'),
                     args.device, args.data_root)
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
    later = steps[1:] or steps  # the first step also builds the loaders
    return dict(
        stage1=stage1,
        per_eval=sum(later) / len(later),
        steps=steps,
        peaks=(peak1, peak2),
        n_train=len(runner.train_loop.dataloader.dataset),
        n_held=len(runner.train_loop.heldout_dataloader.dataset))


def _sync(device):
    if device == 'cuda':
        torch.cuda.synchronize()


def measure_cifar(args):
    """Seconds per training step and per held-out batch of the CIFAR
    config's model at its batch size, on CIFAR-shaped data."""
    from mmengine.optim import build_optim_wrapper
    from mmpretrain.structures import DataSample

    from mmautoaug.registry import MODELS
    stage1 = Config.fromfile(
        osp.join(ROOT, 'configs', 'aws',
                 'aws-stage1_wrn28-10_1xb256_cifar10.py'))
    search = Config.fromfile(
        osp.join(ROOT, 'configs', 'aws',
                 'aws-search_wrn28-10_1xb256_cifar10.py'))
    model = MODELS.build(stage1.model).to(args.device)
    optim = build_optim_wrapper(model, stage1.optim_wrapper)
    batch = stage1.train_dataloader.batch_size
    held_batch = search.train_cfg.heldout_dataloader.batch_size
    gen = torch.Generator().manual_seed(0)

    def data(n):
        imgs = torch.randint(
            0, 256, (n, 3, 32, 32), dtype=torch.uint8, generator=gen)
        return dict(
            inputs=list(imgs),
            data_samples=[DataSample().set_gt_label(i % 10) for i in range(n)])

    train_data, held_data = data(batch), data(held_batch)

    def timed(fn, iters):
        fn()  # warm-up (cuDNN autotuning, allocator)
        _sync(args.device)
        start = time.perf_counter()
        for _ in range(iters):
            fn()
        _sync(args.device)
        return (time.perf_counter() - start) / iters

    model.train()
    t_train = timed(lambda: model.train_step(train_data, optim),
                    args.cifar_iters)
    model.eval()
    with torch.no_grad():
        t_held = timed(lambda: model.val_step(held_data), args.cifar_iters)
    held_cfg = search.train_cfg.heldout_dataloader.dataset
    n_held = held_cfg.heldout  # the held-out part of the 50k training set
    n_train = 50000 - n_held
    epoch = math.ceil(n_train / batch) * t_train
    held_pass = math.ceil(n_held / held_batch) * t_held
    ft = search.train_cfg.finetune_epochs
    per_eval = ft * (epoch + held_pass)
    epochs1 = stage1.train_cfg.max_epochs
    full = epochs1 * epoch + (epochs1 // stage1.train_cfg.val_interval) * \
        held_pass
    return dict(
        t_train=t_train,
        t_held=t_held,
        epoch=epoch,
        held_pass=held_pass,
        per_eval=per_eval,
        full=full,
        batch=batch,
        finetune_epochs=ft,
        stage1_epochs=epochs1,
        steps=search.train_cfg.num_steps)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--stage1-epochs', type=int, default=3)
    parser.add_argument('--finetune-epochs', type=int, default=2)
    parser.add_argument('--steps', type=int, default=3)
    parser.add_argument(
        '--cifar-iters',
        type=int,
        default=5,
        help='timed training steps / held-out batches of '
        'the CIFAR model (0 skips it)')
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--data-root', default='data/demo_cifar')
    parser.add_argument(
        '--threads',
        type=int,
        default=None,
        help='torch CPU threads (default: torch\'s choice)')
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.device == 'cpu':
        # the Runner puts the model on CUDA whenever it is available
        os.environ['CUDA_VISIBLE_DEVICES'] = ''
    register_all_modules()
    device = torch.cuda.get_device_name() if args.device == 'cuda' else \
        f'CPU, {torch.get_num_threads()} threads'

    demo = measure_demo(args)
    total_epochs = args.stage1_epochs + args.finetune_epochs
    full_run = demo['stage1'] / args.stage1_epochs * total_epochs
    rows = [
        ('demo: full training run (%d epochs, from the measured stage 1)' %
         total_epochs, f'{full_run:9.2f} s', '1.000'),
        ('demo: one policy evaluation (%d fine-tuning epochs + %d held-out '
         'evaluations + PPO)' % (args.finetune_epochs, args.finetune_epochs),
         f'{demo["per_eval"]:9.2f} s', f'{demo["per_eval"] / full_run:.3f}'),
        ('demo: evaluations per hour (1 process)',
         f'{3600 / demo["per_eval"]:9.1f} /h', ''),
        ('demo: peak memory, stage 1', demo['peaks'][0].cells(), ''),
        ('demo: peak memory, stage 2 (evaluations)', demo['peaks'][1].cells(),
         ''),
    ]
    if args.cifar_iters > 0:
        with PeakMemory(args.device) as peak:
            c = measure_cifar(args)
        rows += [
            ('CIFAR-10 WRN-28-10: training step (batch %d)' % c['batch'],
             f'{c["t_train"]:9.3f} s', ''),
            ('CIFAR-10 WRN-28-10: stage 1 (%d epochs + validations)' %
             c['stage1_epochs'], f'{c["full"] / 3600:9.2f} h', '1.000'),
            ('CIFAR-10 WRN-28-10: one policy evaluation (%d epochs of 40k + '
             '%d passes over 10k)' %
             (c['finetune_epochs'], c['finetune_epochs']),
             f'{c["per_eval"] / 60:9.1f} min',
             f'{c["per_eval"] / c["full"]:.3f}'),
            ('CIFAR-10 WRN-28-10: evaluations per hour per device',
             f'{3600 / c["per_eval"]:9.2f} /h', ''),
            ('CIFAR-10 WRN-28-10: search of %d steps on one device' %
             c['steps'], f'{c["steps"] * c["per_eval"] / 3600:9.1f} h', ''),
            ('CIFAR-10 WRN-28-10: peak memory of its steps', peak.cells(),
             ''),
        ]
    print(f'\nAWS search cost on {device}: demo WRN-10-1 '
          f'({demo["n_train"]} train / {demo["n_held"]} held-out images, '
          f'32x32), demo steps measured: '
          f'{[round(s, 2) for s in demo["steps"]]}')
    width = max(len(r[0]) for r in rows)
    print(f'{"":{width}}  {"time":>16}  {"vs full run":>11}')
    for name, value, ratio in rows:
        print(f'{name:{width}}  {value:>16}  {ratio:>11}')
    summary('AWS demo: policy evaluation / full training run',
            demo['per_eval'] / full_run)


if __name__ == '__main__':
    main()
