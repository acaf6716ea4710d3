# Copyright (c) mmautoaug contributors. All rights reserved.
"""Evaluate a checkpoint with a config's test settings.

Examples:
    python tools/test.py configs/baseline/wrn16-1_demo-cifar.py work_dirs/x/epoch_5.pth
    bash tools/dist_test.sh configs/baseline/wrn28-10_1xb128_cifar10.py ckpt.pth 8
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _cli import _fail, cfg_options_action, load_config  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='the directory to save the file containing evaluation metrics')
    parser.add_argument('--out', help='the file to output results.')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=cfg_options_action(),
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file.')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main(argv=None):
    args = parse_args(argv)
    if not osp.isfile(args.checkpoint):
        _fail(f'checkpoint {args.checkpoint!r} does not exist.')
    cfg = load_config(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    from mmautoaug.utils.data_check import missing_data
    # only the test set: a test run reads nothing else (mmpretrain's CIFAR
    # would otherwise create the folder and try to download, offline ending
    # in a URLError traceback)
    missing = missing_data(cfg, ['test_dataloader'])
    if missing:
        _fail('the data is not in place:\n  ' + '\n  '.join(missing))
    from mmautoaug.utils import prepare_cpu_distributed
    prepare_cpu_distributed(cfg)
    for field in ('test_dataloader', 'test_cfg', 'test_evaluator'):
        if cfg.get(field, None) is None:
            _fail(f'config {args.config!r} has no {field}; tools/test.py '
                  'needs test_dataloader, test_cfg and test_evaluator.')
    if args.out:
        cfg.test_evaluator = [cfg.test_evaluator] if isinstance(
            cfg.test_evaluator, dict) else list(cfg.test_evaluator)
        cfg.test_evaluator.append(dict(type='DumpResults', out_file_path=args.out))

    from urllib.error import URLError

    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg \
        else RUNNERS.build(cfg)
    try:
        metrics = runner.test()
    except URLError as e:
        # a data set asked to download (download=True) offline
        _fail(f'a download failed ({e.reason}); put the files in place '
              "instead (data sets: see the README's Data section)")
    from mmautoaug.utils import close_distributed
    close_distributed()
    return metrics


if __name__ == '__main__':
    main()
