#!/usr/bin/env python
"""NormRescale a LARS-trained backbone for SGD fine-tuning (eq. 3).

    w* = ||w_S|| * w_L / ||w_L||   (--anchor: SGD-trained checkpoint)
    w* = c * w_L                    (--constant c)

Writes OUT (mmdet/mmseg: init_cfg=dict(type='Pretrained', checkpoint=OUT,
prefix='backbone.')) and OUT with suffix .csv (per-tensor report).
"""
import argparse
import os
import sys
from statistics import median_high

from tqdm import tqdm

from airl_mm.checkpoint import CheckpointError
from airl_mm.checkpoint.convert import normrescale_file


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('lars_ckpt', help='LARS-trained checkpoint (any format)')
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument('--anchor', help='SGD-trained checkpoint giving norms')
    src.add_argument('--constant', type=float, help='scale every tensor by c')
    p.add_argument('-o', '--out', required=True, help='output .pth')
    p.add_argument(
        '--branch',
        choices=('student', 'teacher'),
        default='student',
        help='backbone of the LARS checkpoint')
    p.add_argument(
        '--scope',
        choices=('all', 'weights'),
        default='all',
        help="'all': every float tensor (authors' code); "
        "'weights': conv/linear weights and BN affine only")
    p.add_argument(
        '--force', action='store_true', help='overwrite OUT and its .csv')
    p.add_argument(
        '--depth',
        type=int,
        choices=(18, 34, 50, 101, 152),
        help='the ResNet depth OUT will be loaded into: refuse a backbone '
        'of any other depth (the architecture found is printed always)')
    args = p.parse_args(argv)
    try:
        rows = normrescale_file(
            args.lars_ckpt,
            args.out,
            args.anchor,
            args.constant,
            args.branch,
            args.scope,
            args.force,
            progress=lambda it: tqdm(
                it,
                desc='NormRescale',
                unit='tensor',
                leave=False,
                file=sys.stderr),
            depth=args.depth)
    except (CheckpointError, ValueError) as e:
        print(f'normrescale: error: {e}', file=sys.stderr)
        return 1
    done = [r for r in rows if r.rescaled]
    factors = [r.factor for r in done]
    print(f'rescaled {len(done)} of {len(rows)} tensors; factor min '
          f'{min(factors):.4g}, median {median_high(factors):.4g}, '
          f'max {max(factors):.4g}')
    for r in done[:3] + ([] if len(done) <= 6 else done[-3:]):
        anchor = '' if r.norm_anchor is None else \
            f'  |w_S| {r.norm_anchor:10.4g}'
        print(f'  {r.name:40s} |w_L| {r.norm_lars:10.4g}{anchor}  x '
              f'{r.factor:.4g}')
    print(f'wrote {args.out} and its per-tensor report (.csv)')
    return 0


if __name__ == '__main__':
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Outputs are written (atomically, fsynced); skip the interpreter's
    # teardown of torch, a third of a second of a 2-second conversion.
    os._exit(code)
