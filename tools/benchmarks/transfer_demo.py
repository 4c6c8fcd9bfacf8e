#!/usr/bin/env python
"""The embedded transfer benchmark (make transfer-demo): fine-tune demo
backbones with the VOC07 Faster R-CNN C4 and Cityscapes DeepLab-v3
benchmark configs on MNIST-digit scenes; print a Tab.-3-style table."""
import argparse

from airl_mm.demos.transfer_demo import run_transfer_demo


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--work-dir', default='work_dirs/transfer_demo')
    p.add_argument('--det-iters', type=int, default=250)
    p.add_argument('--seg-iters', type=int, default=200)
    p.add_argument(
        '--pretrain-epochs',
        type=int,
        help='for backbones make demo did not leave behind (default: '
        'the config\'s, as make demo)')
    p.add_argument(
        '--tasks', nargs='+', choices=('det', 'seg'), default=['det', 'seg'])
    p.add_argument(
        '--only',
        nargs='+',
        metavar='LABEL',
        help="backbones to run, e.g. 'random init' 'MoCo v2+'")
    args = p.parse_args()
    import airl_mm  # noqa: F401  (host glue, registries)
    run_transfer_demo(
        args.work_dir,
        args.det_iters,
        args.seg_iters,
        args.pretrain_epochs,
        tasks=args.tasks,
        only=args.only)


if __name__ == '__main__':
    main()
