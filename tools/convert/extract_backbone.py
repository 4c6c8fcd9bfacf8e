#!/usr/bin/env python
"""Take the student or teacher ResNet backbone of any supported checkpoint
(airl_mm / mmselfsup MoCo, BYOL; backbone-only; torchvision; MoCo) and write
it for mmdet/mmseg, torchvision or detectron2."""
import argparse
import os
import sys

from airl_mm.checkpoint import CheckpointError
from airl_mm.checkpoint.convert import TARGETS, extract_file


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('ckpt', help='input checkpoint')
    p.add_argument(
        '--to',
        choices=TARGETS,
        default='mmdet',
        help="mmdet: {'state_dict': {'backbone.*'}} for "
        "init_cfg prefix='backbone.'; torchvision: resnet*() "
        'state dict; detectron2: .pkl with matching_heuristics')
    p.add_argument('-o', '--out', required=True, help='output file')
    p.add_argument(
        '--branch', choices=('student', 'teacher'), default='student')
    p.add_argument('--force', action='store_true', help='overwrite OUT')
    p.add_argument(
        '--depth',
        type=int,
        choices=(18, 34, 50, 101, 152),
        help='the ResNet depth OUT will be loaded into: refuse a backbone '
        'of any other depth (the architecture found is printed always)')
    args = p.parse_args(argv)
    try:
        extract_file(
            args.ckpt,
            args.out,
            args.to,
            args.branch,
            args.force,
            depth=args.depth)
    except (CheckpointError, ValueError) as e:
        print(f'extract_backbone: error: {e}', file=sys.stderr)
        return 1
    print(f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Outputs are written (atomically, fsynced); skip the interpreter's
    # teardown of torch, a third of a second of a 2-second conversion.
    os._exit(code)
