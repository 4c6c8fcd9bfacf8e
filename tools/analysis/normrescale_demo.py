#!/usr/bin/env python
"""NormRescale on the embedded data: SGD vs LARS pre-training, weight norms,
NormRescale (anchor and constant), one fixed SGD fine-tuning recipe."""
import argparse

from airl_mm.demos.common import demo_epochs
from airl_mm.demos.normrescale_demo import run_normrescale_demo


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--work-dir', default='work_dirs/normrescale_demo')
    p.add_argument(
        '--epochs',
        type=demo_epochs,
        default=15,
        help='pre-training epochs (both optimisers)')
    p.add_argument(
        '--finetune-epochs',
        type=int,
        help='override the fine-tuning epochs (default: config)')
    args = p.parse_args()
    run_normrescale_demo(args.work_dir, args.epochs, args.finetune_epochs)


if __name__ == '__main__':
    main()
