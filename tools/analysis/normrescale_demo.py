#!/usr/bin/env python
"""NormRescale on the embedded data: SGD vs LARS pre-training, weight norms,
NormRescale (anchor and constant), one fixed SGD fine-tuning recipe."""
import argparse

from airl_mm.apis.normrescale_demo import run_normrescale_demo


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--work-dir', default='work_dirs/normrescale_demo')
    p.add_argument('--epochs', type=int, default=15,
                   help='pre-training epochs (both optimisers)')
    p.add_argument('--finetune-epochs', type=int,
                   help='override the fine-tuning epochs (default: config)')
    args = p.parse_args()
    if args.epochs < 2:
        p.error('--epochs must be at least 2 (1 warm-up epoch, then '
                'cosine)')
    run_normrescale_demo(args.work_dir, args.epochs, args.finetune_epochs)


if __name__ == '__main__':
    main()
