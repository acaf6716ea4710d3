# Copyright (c) mmautoaug contributors. All rights reserved.
"""Insert a policy into the train pipeline of an mmdet config.

Examples:
    # a stock mmdet config with a zoo policy
    python tools/policy/inject.py \
        mmdet::retinanet/retinanet_r50_fpn_1x_coco.py autoaugment_imagenet \
        --out work_dirs/retinanet_dada.py
    # the policy a search wrote, as mmdet's own AutoAugment (no mmautoaug
    # needed to train with the written config)
    python tools/policy/inject.py my_mask_rcnn.py work_dirs/dada/policy.json \
        --backend mmdet --out my_mask_rcnn_aa.py
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from _cli import (_fail, load_config, make_parent_dir,  # noqa: E402
                  read_config_file)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Insert a policy into the train pipeline of an mmdet '
        'config and write the new config')
    parser.add_argument(
        'config',
        help='config file, or a packaged one such as '
        'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py')
    parser.add_argument(
        'policy',
        help='zoo policy name or policy JSON file (what a '
        'search writes to work_dir/policy.json)')
    parser.add_argument('--out', required=True, help='new config (.py)')
    parser.add_argument(
        '--position',
        default='after_flip',
        help="'after_flip' (default), 'before_pack' or an index into the "
        'train pipeline')
    parser.add_argument(
        '--backend',
        choices=['mmautoaug', 'mmdet'],
        default='mmautoaug',
        help="'mmautoaug': DetPolicyAugment (exact); 'mmdet': mmdet's "
        'AutoAugment (no mmautoaug needed; warns where it rounds)')
    parser.add_argument(
        '--min-box-size',
        type=float,
        help='DetPolicyAugment: boxes smaller than this (px) are dropped')
    parser.add_argument(
        '--recompute-bbox',
        action=argparse.BooleanOptionalAction,
        default=None,
        help='DetPolicyAugment: take boxes from the moved masks (tight); '
        'default: on when the config loads masks '
        '(LoadAnnotations(with_mask=True)), refused when it does not')
    parser.add_argument(
        '--skip-ops',
        nargs='+',
        default=[],
        help='DetPolicyAugment: policy ops to leave out (SamplePairing is '
        'left out anyway, with a warning unless listed here)')
    return parser.parse_args(argv)


def _read_config(path: str):
    if '::' not in path:
        return load_config(path)
    from mmautoaug.detection import read_config
    from mmautoaug.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    return read_config_file(path, read_config)


def main(argv=None) -> None:
    args = parse_args(argv)
    if not args.out.endswith('.py'):
        _fail(f'--out must be a .py config file, got {args.out!r}')
    position = int(args.position) if args.position.lstrip('-').isdigit() \
        else args.position
    kwargs = {}
    if args.min_box_size is not None:
        kwargs['min_box_size'] = args.min_box_size
    if args.recompute_bbox is not None:
        kwargs['recompute_bbox'] = args.recompute_bbox
    if args.skip_ops:
        kwargs['skip_ops'] = args.skip_ops
    policy = args.policy
    if osp.isfile(policy):
        # The written config may run from another directory.
        policy = osp.abspath(policy)
    cfg = _read_config(args.config)
    from mmautoaug.detection import inject_policy
    try:
        new = inject_policy(cfg, policy, position, args.backend, **kwargs)
    except (ValueError, KeyError, FileNotFoundError) as e:
        _fail(str(e))
    make_parent_dir(args.out)
    new.dump(args.out)
    steps = [
        s['type'] if isinstance(s['type'], str) else s['type'].__name__
        for s in new.train_dataloader.dataset.get('pipeline', [])
    ]
    print(f'wrote {args.out}' +
          (f'; train pipeline: {steps}' if steps else ''))


if __name__ == '__main__':
    main()
