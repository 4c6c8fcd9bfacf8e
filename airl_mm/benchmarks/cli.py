"""``tools/benchmarks/train_benchmark.py``: argument parsing over
:func:`~airl_mm.benchmarks.launcher.run_benchmark`."""
import argparse
import os
from typing import Optional, Sequence

from .launcher import (LAUNCHERS, BenchmarkError, parse_seeds, run_benchmark,
                       run_trials)


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
    parser = build_parser()
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    try:
        seeds = parse_seeds(args.seeds, args.trials)
    except BenchmarkError as e:
        parser.error(str(e))
    if seeds is None:
        work_dir = run_benchmark(args.config, args.pretrain, args.work_dir,
                                 args.branch, args.normrescale, args.launcher,
                                 args.cfg_options)
    else:
        work_dir = run_trials(args.config, args.pretrain, seeds, args.work_dir,
                              args.branch, args.normrescale, args.launcher,
                              args.cfg_options)
    print(f'metrics: {os.path.join(work_dir, "metrics.json")}')
    return work_dir
