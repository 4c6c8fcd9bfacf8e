#!/usr/bin/env python
"""Transfer benchmark: convert a pre-training checkpoint, fine-tune, test.

    python tools/benchmarks/train_benchmark.py CONFIG PRETRAIN \
        [--branch teacher] [--normrescale ANCHOR|CONST] [--work-dir DIR] \
        [--launcher pytorch] [--seeds 0,1,2,3,4 | --trials N] \
        [--cfg-options k=v ...]

--seeds / --trials repeat the fine-tuning once per seed in
<work-dir>/seed_<s>/ and write the mean, sample std (ddof=1) and n of each
metric to <work-dir>/metrics.json. The work is done by
:mod:`airl_mm.benchmarks.launcher` (``run_benchmark``, ``run_trials``).
"""
import argparse
import os
import sys
from typing import Optional, Sequence

import airl_mm.register  # noqa: F401  (host glue, registries)
from airl_mm.benchmarks.launcher import (BenchmarkError,
                                         check_benchmark_options, parse_seeds,
                                         run_benchmark, run_trials)
from airl_mm.checkpoint import CheckpointError
from airl_mm.engine.runner.cfg_options import CfgOptionError
from airl_mm.engine.runner.train import LAUNCHERS


def build_parser() -> argparse.ArgumentParser:
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(
        description='Fine-tune and test a transfer benchmark config '
        '(mmdet / mmseg / mmpretrain) from a pre-training checkpoint; '
        'writes <work-dir>/metrics.json')
    p.add_argument(
        'config',
        help='benchmark config, e.g. configs/'
        'benchmarks/mmdet/faster-rcnn_r50-c4_24k_voc0712.py')
    p.add_argument(
        'pretrain',
        help='pre-training checkpoint (any format '
        'tools/convert understands)')
    p.add_argument(
        '--branch',
        choices=('student', 'teacher'),
        default='student',
        help='which backbone to transfer')
    p.add_argument(
        '--normrescale',
        metavar='ANCHOR|CONST',
        help='NormRescale the backbone to the norms of this SGD '
        'anchor checkpoint, or by this constant')
    p.add_argument(
        '--work-dir',
        help='default: work_dirs/benchmarks/'
        '<pretrain name>/<config name>')
    p.add_argument('--launcher', choices=LAUNCHERS, default='none')
    trials = p.add_mutually_exclusive_group()
    trials.add_argument(
        '--seeds',
        metavar='S0,S1,...',
        help='repeat the fine-tuning once per seed (randomness.seed), each '
        'in <work-dir>/seed_<s>; <work-dir>/metrics.json then reports the '
        'mean, sample std (ddof=1) and n of each metric, e.g. 0,1,2,3,4 '
        "(MoCo's VOC protocol: 5 trials)")
    trials.add_argument(
        '--trials', type=int, metavar='N', help='as --seeds 0,1,...,N-1')
    p.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value')
    p.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return p


def main(argv: Optional[Sequence[str]] = None) -> str:
    """Parse arguments, run the benchmark (or its trials); returns the
    work dir, whose ``metrics.json`` it prints."""
    parser = build_parser()
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    try:
        seeds = parse_seeds(args.seeds, args.trials)
    except BenchmarkError as e:
        parser.error(str(e))
    try:
        check_benchmark_options(args.config, args.cfg_options)
    except (FileNotFoundError, CfgOptionError) as e:  # the user's input
        parser.error(str(e))
    try:
        if seeds is None:
            work_dir = run_benchmark(args.config, args.pretrain, args.work_dir,
                                     args.branch, args.normrescale,
                                     args.launcher, args.cfg_options)
        else:
            work_dir = run_trials(args.config, args.pretrain, seeds,
                                  args.work_dir, args.branch, args.normrescale,
                                  args.launcher, args.cfg_options)
    except (BenchmarkError, CheckpointError) as e:
        # a refusal (another architecture, a bad file): the message, not a
        # traceback; metrics.json of the work dir records it too
        sys.exit(f'train_benchmark: error: {e}')
    print(f'metrics: {os.path.join(work_dir, "metrics.json")}')
    return work_dir


if __name__ == '__main__':
    main()
