# Copyright (c) mmautoaug contributors. All rights reserved.
"""Turn a classifier checkpoint into a backbone checkpoint mmdet loads.

Keeps the ``backbone.*`` tensors of an mmpretrain classifier checkpoint (for
instance a ResNet-50 trained with ``configs/pretrain/``) and writes
``{'state_dict', 'meta'}``. Load it in a detector config with::

    model = dict(backbone=dict(init_cfg=dict(
        type='Pretrained', prefix='backbone.', checkpoint=DST)))

Examples:
    # after tools/train.py configs/pretrain/resnet50_8xb32-policy_in1k.py
    # (mmpretrain's 100-epoch ResNet-50 schedule, a checkpoint per epoch)
    python tools/model_converters/cls2det_backbone.py \
        work_dirs/resnet50_8xb32-policy_in1k/epoch_100.pth \
        work_dirs/resnet50_8xb32-policy_in1k/backbone.pth --check-depth 50
"""
import argparse
import os
import os.path as osp
import sys


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='classifier checkpoint -> mmdet backbone checkpoint')
    parser.add_argument('src', help='classifier checkpoint (.pth)')
    parser.add_argument('dst', help='backbone checkpoint to write (.pth)')
    parser.add_argument(
        '--check-depth',
        type=int,
        help='also build mmdet ResNet of this depth and fail unless the '
        'written checkpoint has exactly its keys')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    if not osp.isfile(args.src):
        print(
            f'error: checkpoint {args.src!r} does not exist', file=sys.stderr)
        sys.exit(2)
    from mmautoaug.detection import (check_backbone_keys,
                                     convert_classifier_checkpoint)
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    try:
        out = convert_classifier_checkpoint(args.src, args.dst)
    except ValueError as e:
        print(f'error: {args.src}: {e}', file=sys.stderr)
        sys.exit(2)
    print(f"wrote {args.dst}: {len(out['state_dict'])} backbone tensors")
    if args.check_depth is None:
        return
    from mmautoaug.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    missing, unexpected = check_backbone_keys(
        out, dict(type='mmdet.ResNet', depth=args.check_depth))
    if missing or unexpected:
        print(
            f'error: mmdet ResNet-{args.check_depth} would miss '
            f'{missing[:5]}... ({len(missing)}) and not expect '
            f'{unexpected[:5]}... ({len(unexpected)})',
            file=sys.stderr)
        sys.exit(1)
    print(f'checked: loads into mmdet ResNet-{args.check_depth} with no '
          'missing or unexpected keys')


if __name__ == '__main__':
    main()
