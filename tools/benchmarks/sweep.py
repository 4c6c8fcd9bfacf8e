#!/usr/bin/env python
"""Fig. 7: run one benchmark over a pre-training run's intermediate
checkpoints (epoch_N.pth / iter_N.pth), one work dir per checkpoint.
Checkpoints already evaluated (metrics.json status "finished") are skipped,
so running the same command again resumes an interrupted sweep.

Example:
  python tools/benchmarks/sweep.py work_dirs/mocov2plus_r50_200e \\
      configs/benchmarks/classification/linear_r50_sgd-steplr-100e_in1k.py
"""
import argparse
import sys

from mmengine.config import DictAction
from tqdm import tqdm

import airl_mm.register  # noqa: F401  (host glue, registries)
from airl_mm.benchmarks.sweep import run_sweep


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('work_dir', help="the pre-training run's work dir")
    p.add_argument('benchmark', help='benchmark config')
    p.add_argument(
        '--out',
        help='root of the per-checkpoint work dirs '
        '(default work_dirs/benchmarks/sweeps/<run>/<benchmark>)')
    p.add_argument(
        '--steps', type=int, nargs='+', help='only these epochs / iterations')
    p.add_argument(
        '--every',
        type=int,
        default=1,
        help='only every N-th checkpoint (the last always)')
    p.add_argument(
        '--branch', choices=('student', 'teacher'), default='student')
    p.add_argument('--normrescale', help='NormRescale anchor or constant')
    p.add_argument(
        '--launcher',
        default='none',
        choices=('none', 'pytorch', 'slurm', 'mpi'))
    p.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='overrides of the benchmark config')
    args = p.parse_args(argv)
    try:
        items = run_sweep(
            args.work_dir,
            args.benchmark,
            args.out,
            args.steps,
            args.every,
            args.branch,
            args.normrescale,
            args.launcher,
            args.cfg_options,
            progress=lambda xs: tqdm(xs, desc='checkpoints'))
    except (FileNotFoundError, ValueError) as e:
        print(f'sweep: error: {e}', file=sys.stderr)
        return 2
    for it in items:
        print(f'{it.unit} {it.step:>7}: {it.status:<8} {it.work_dir}' +
              (f'  ({it.error})' if it.error else ''))
    failed = [it for it in items if it.status == 'failed']
    if failed:
        print(
            f'{len(failed)} checkpoint(s) failed; run the same command '
            'again to retry them',
            file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
