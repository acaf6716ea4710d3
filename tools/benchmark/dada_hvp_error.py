# Copyright (c) mmautoaug contributors. All rights reserved.
"""How far DADA's finite-difference magnitude gradient is from the exact one.

DADA (after DARTS) approximates the implicit gradient
``-xi * grad_x (grad_w L_train(w, x) . v)`` with a central difference of
``grad_x L_train`` at ``w +- eps v`` (``eps = hvp_r / ||v||``). With ReLU
networks (every shipped model) the loss is only piecewise smooth in ``w``:
a step of ``eps v`` moves some units across their kink, and the difference
quotient is not the second derivative. This script measures it on a search
config's model and data (by default the demo search: WRN-10-1 on the
embedded demo set): for several batch pairs it computes

- the exact image gradient of the unrolled validation loss,
  ``d L_val(w'(x)) / d x`` with ``w'`` the network's SGD step (momentum,
  weight decay), by double backward through the virtual step;
- the finite-difference one, exactly as ``DADASearchModel.train_step``
  computes it, for each ``hvp_r``;
- the model's exact option ``hvp='double_backward'`` (row ``dbl-bwd``);

and the magnitude gradient each gives an op applied to the whole batch (the
straight-through estimator sums the image gradient over the pixels, divided
by the std of each channel). It prints, per radius, the median and worst
relative error of the magnitude gradient, the share of batch pairs whose
sign agrees, and the median relative L2 error of the image gradient, after
each number of ``--train-steps`` search steps (the network's state
matters). ``--double`` repeats it in float64, which leaves only the kinks;
``--act GELU`` swaps in a smooth activation, where the difference converges.

Examples:
    python tools/benchmark/dada_hvp_error.py                   # demo model
    python tools/benchmark/dada_hvp_error.py --train-steps 0 100 --double
"""
import argparse
import copy
import statistics
from collections import OrderedDict

import numpy as np
import torch


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--config',
        default='configs/demo/dada_demo_search.py',
        help='a DADA search config (its model, data and optimiser)')
    parser.add_argument(
        '--batches',
        type=int,
        default=8,
        help='batch pairs measured per state')
    parser.add_argument(
        '--radii',
        type=float,
        nargs='+',
        default=[0.001, 0.01, 0.1, 1.0],
        help='hvp_r values')
    parser.add_argument(
        '--train-steps',
        type=int,
        nargs='+',
        default=[0, 100],
        help='search steps taken before each measurement')
    parser.add_argument(
        '--double', action='store_true', help='also measure in float64')
    parser.add_argument(
        '--act',
        default=None,
        help='replace the backbone activation (e.g. GELU: a smooth '
        'reference where the difference converges)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--threads', type=int, default=None)
    return parser.parse_args(argv)


def build(cfg_path, seed, act=None):
    from mmengine.config import Config
    from mmengine.logging import MMLogger

    from mmautoaug.registry import (DATASETS, MODELS,
                                    OPTIM_WRAPPER_CONSTRUCTORS)
    from mmautoaug.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(cfg_path)
    if act:
        cfg.model.classifier.backbone.act_cfg = dict(type=act)
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model)
    # the Runner initialises the weights too; its report is not ours
    MMLogger.get_instance('dada_hvp_error', log_level='WARNING')
    model.init_weights()
    optim_cfg = copy.deepcopy(cfg.optim_wrapper.to_dict())
    constructor = optim_cfg.pop('constructor')
    optim = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(type=constructor, optim_wrapper_cfg=optim_cfg))(
            model)
    half_a = DATASETS.build(cfg.train_dataloader.dataset)
    half_b = DATASETS.build(cfg.train_cfg.search_dataloader.dataset)
    return model, optim, half_a, half_b, cfg.train_dataloader.batch_size


def batches(dataset, size, generator):
    from mmengine.dataset import pseudo_collate
    while True:
        idx = torch.randperm(len(dataset), generator=generator)[:size]
        yield pseudo_collate([dataset[int(i)] for i in idx])


class SGDState:
    """The network optimiser's hyper-parameters and momentum buffers by
    parameter name (so a copy of the model in another dtype can use them).
    """

    def __init__(self, model, optimizer):
        group = optimizer.param_groups[0]
        self.lr = group['lr']
        self.momentum = group['momentum']
        self.weight_decay = group['weight_decay']
        self.buffers = {
            name: optimizer.state.get(p, {}).get('momentum_buffer')
            for name, p in model.classifier.named_parameters()
        }

    def virtual_step(self, params, grads):
        """``w'`` of one SGD step, keeping the graph of ``grads``."""
        out = OrderedDict()
        for (name, p), g in zip(params.items(), grads):
            d = g + self.weight_decay * p
            buf = self.buffers.get(name)
            if self.momentum and buf is not None:
                d = self.momentum * buf.to(d.dtype) + d
            out[name] = p - self.lr * d
        return out


def measure(model, sgd, train_batch, val_batch, radii, dtype, generator):
    """(exact magnitude gradient, {r: finite-difference one}, {r: image
    gradient relative L2 error}) for one batch pair."""
    from mmautoaug.search.dada.unrolled import finite_difference_hvp
    pre = model.data_preprocessor
    train = pre(train_batch, True)
    val = pre(val_batch, False)
    sample = model.policy.sample(1, generator)
    with torch.no_grad():
        raw = model._paint_cutout(
            model._augment(train['inputs'], sample, generator), generator)
        x = pre.normalize(raw).to(dtype)
    val_x = val['inputs'].to(dtype)
    loss = model._classifier_loss
    params = OrderedDict((k, p.detach().clone().requires_grad_())
                         for k, p in model.classifier.named_parameters()
                         if p.requires_grad)

    # exact: double backward through the virtual step
    leaf = x.clone().requires_grad_()
    grads = torch.autograd.grad(
        loss(leaf, train['data_samples'], params),
        list(params.values()),
        create_graph=True)
    moved = sgd.virtual_step(params, grads)
    f = loss(val_x, val['data_samples'], moved)
    exact_image = torch.autograd.grad(f, leaf)[0]

    # the finite difference, as DADASearchModel.train_step computes it
    frozen = OrderedDict((k, p.detach()) for k, p in params.items())
    virtual = OrderedDict(
        (k, t.detach().requires_grad_()) for k, t in moved.items())
    v = torch.autograd.grad(
        loss(val_x, val['data_samples'], virtual), list(virtual.values()))
    v = [sgd.lr * t for t in v]
    std = pre.std.to(dtype).view(1, -1, 1, 1)
    exact_m = float((exact_image / std).sum())
    fd_m, image_err = {}, {}
    # hvp='double_backward', as the model computes it: grad_x (g(x) . v)
    db_leaf = x.clone().requires_grad_()
    db_params = frozen_params(params)
    db_grads = torch.autograd.grad(
        loss(db_leaf, train['data_samples'], db_params),
        list(db_params.values()),
        create_graph=True)
    (d_image, ) = torch.autograd.grad(
        sum((g * t).sum() for g, t in zip(db_grads, v)), [db_leaf])
    fd_m['double_backward'] = float((-d_image / std).sum())
    image_err['double_backward'] = float(
        (-d_image - exact_image).norm() / exact_image.norm())
    fd_leaf = x.clone().requires_grad_()
    for r in radii:
        (d_image, ) = finite_difference_hvp(
            lambda p: loss(fd_leaf, train['data_samples'], p), frozen, v,
            [fd_leaf], r)
        fd_m[r] = float((-d_image / std).sum())
        image_err[r] = float(
            (-d_image - exact_image).norm() / exact_image.norm())
    return exact_m, fd_m, image_err


def frozen_params(params):
    return OrderedDict(
        (k, p.detach().requires_grad_()) for k, p in params.items())


def report(label, results, radii):
    print(f'\n{label}')
    print(f'| {"hvp_r":>7} | {"median rel. err":>15} | {"worst rel. err":>14} '
          f'| {"sign agrees":>11} | {"image grad. rel. L2":>19} |')
    print(f'|{"-" * 9}|{"-" * 17}|{"-" * 16}|{"-" * 13}|{"-" * 21}|')
    for r in list(radii) + ['double_backward']:
        rel = [abs(fd[r] - ex) / abs(ex) for ex, fd, _ in results]
        sign = sum((fd[r] > 0) == (ex > 0) for ex, fd, _ in results)
        img = [e[r] for _, _, e in results]
        name = 'dbl-bwd' if r == 'double_backward' else f'{r:g}'
        print(f'| {name:>7} | {statistics.median(rel):>15.3f} | '
              f'{max(rel):>14.3f} | {sign:>4d} / {len(results):<4d} | '
              f'{statistics.median(img):>19.3f} |')


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    # the data pipelines (crop, flip) draw from numpy's global generator
    np.random.seed(args.seed)
    model, optim, half_a, half_b, size = build(args.config, args.seed,
                                               args.act)
    model.train()
    g = torch.Generator().manual_seed(args.seed)
    stream_a, stream_b = batches(half_a, size, g), batches(half_b, size, g)
    done = 0
    print(f'config={args.config} batch={size} batch pairs per state='
          f'{args.batches}: the magnitude gradient of an op applied to the '
          'whole batch, finite difference vs double backward')
    for steps in sorted(args.train_steps):
        while done < steps:
            model.train_step(
                dict(train=next(stream_a), val=next(stream_b)), optim)
            done += 1
        pairs = [(next(stream_a), next(stream_b)) for _ in range(args.batches)]
        sgd = SGDState(model, optim['classifier'].optimizer)
        dtypes = [torch.float32] + ([torch.float64] if args.double else [])
        for dtype in dtypes:
            work = copy.deepcopy(model).to(dtype)
            gen = torch.Generator().manual_seed(args.seed + steps)
            results = [
                measure(work, sgd, a, b, args.radii, dtype, gen)
                for a, b in pairs
            ]
            report(f'after {steps} search steps, {str(dtype)[6:]}', results,
                   args.radii)


if __name__ == '__main__':
    main()
