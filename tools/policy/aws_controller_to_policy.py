# Copyright (c) mmautoaug contributors. All rights reserved.
"""Turn a saved AWS controller into a policy file.

Reads any controller an AWS search saved (``aws_best_controller.pth``, the
per-step ``aws_controllers/step_XXXX.pth`` or the search state
``aws_search_state.pth``, whose controller is the latest one) and writes its
distribution over ordered pairs as a policy JSON that ``PolicyAugment``
retrains with: every ordered pair is a sub-policy of two ops applied with
probability 1, weighted by the pair's probability (or only the ``--top-k``
most probable pairs, renormalised).

Examples::

    python tools/policy/aws_controller_to_policy.py \\
        work_dirs/aws-search_wrn28-10_1xb256_cifar10/aws_controllers/step_0042.pth \\
        --out step42_policy.json
    python tools/policy/aws_controller_to_policy.py \\
        work_dirs/aws-search_wrn28-10_1xb256_cifar10/aws_search_state.pth \\
        --top-k 25 --out last_top25.json
"""
import argparse
import os.path as osp
import sys
from typing import List, Optional


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Write the policy of a saved AWS controller.')
    parser.add_argument(
        'controller',
        help='aws_best_controller.pth, '
        'aws_controllers/step_XXXX.pth or '
        'aws_search_state.pth')
    parser.add_argument('--out', required=True, help='policy JSON to write')
    parser.add_argument(
        '--top-k',
        type=int,
        default=None,
        help='keep only the k most probable ordered pairs '
        '(default: all)')
    parser.add_argument(
        '--space',
        default=None,
        help="the controller's space, for files that do not "
        "record it (default: the file's, else 'aws')")
    parser.add_argument(
        '--parametrization',
        default=None,
        choices=('sigmoid', 'softmax'),
        help='for files that do not record it (default: the '
        "file's, else sigmoid)")
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if args.top_k is not None and args.top_k < 1:
        print(
            f'error: --top-k must be >= 1, got {args.top_k}', file=sys.stderr)
        return 2
    if osp.isdir(args.out):
        print(f'error: --out: {args.out!r} is a directory; give the policy '
              'JSON file to write', file=sys.stderr)
        return 2
    from mmautoaug.search.aws import load_controller
    try:
        controller, info = load_controller(args.controller, args.space,
                                           args.parametrization)
        for option, value in (('space', args.space),
                              ('parametrization', args.parametrization)):
            # the file's own record wins; a different value is a mistake
            if value is not None and info.get(option, value) != value:
                raise ValueError(
                    f'--{option}: {args.controller} records {option} '
                    f'{info[option]!r}, not {value!r}; --{option} is for '
                    'files that do not record it')
        meta = {k: info[k] for k in ('step', 'reward') if k in info}
        meta['controller_file'] = osp.abspath(args.controller)
        policy = controller.to_policy(top_k=args.top_k, meta=meta)
    except (FileNotFoundError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    except KeyError as e:  # an unknown space: KeyError's text is quoted
        print(f'error: {e.args[0]}', file=sys.stderr)
        return 2
    try:
        policy.save(args.out)
    except OSError as e:
        print(f'error: --out: cannot write {args.out!r} ({e.strerror})',
              file=sys.stderr)
        return 2
    top = controller.top_pairs(1)[0]
    print(f'{args.out}: {len(policy)} ordered pairs' +
          (f' from step {info["step"]}' if 'step' in info else '') +
          (f' (reward {info["reward"]:.4f})' if 'reward' in info else '') +
          f'; most probable pair {top[:2]} p={top[2]:.5f}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
