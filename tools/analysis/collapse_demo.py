#!/usr/bin/env python
"""The BYOL collapse demo on the embedded MNIST digits (make collapse-demo):
GN ResNet-18 BYOL with BN in the MLPs vs no BN vs no BN + LARS on
layer1+2; collapse metrics, layer-wise LARS rate and online kNN."""
import argparse

from airl_mm.demos.collapse_demo import run_collapse_demo


def epochs_type(text: str) -> int:
    epochs = int(text)
    if epochs < 1:
        raise argparse.ArgumentTypeError(f'--epochs must be >= 1, got {text}')
    return epochs


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--work-dir', default='work_dirs/collapse_demo')
    p.add_argument(
        '--epochs',
        type=epochs_type,
        help="override the configs' epochs (quick look)")
    args = p.parse_args(argv)
    run_collapse_demo(args.work_dir, args.epochs)


if __name__ == '__main__':
    main()
