#!/usr/bin/env python
"""Train with an airl_mm / mmselfsup config (see ``--help``).

The arguments are those of mmselfsup's ``tools/train.py`` (same meaning),
plus the precision switches; the work is done by
:mod:`airl_mm.engine.runner.train` (``build_train_cfg``, ``train``).
"""
import argparse
import os
from typing import Optional, Sequence

from mmengine.config import DictAction
from mmengine.runner import Runner

import airl_mm.register  # noqa: F401  (applies host glue, registers modules)
from airl_mm.engine.runner.cfg_options import CfgOptionError
from airl_mm.engine.runner.train import LAUNCHERS, build_train_cfg, train


def add_train_args(parser: argparse.ArgumentParser) -> None:
    """The arguments of mmselfsup's ``tools/train.py`` (same meaning)."""
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from PATH, or without PATH from the latest checkpoint '
        'in the work dir')
    add_precision_args(parser)
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale every lr linearly with the real total batch (processes '
        'x per-GPU batch x optim_wrapper.accumulative_counts) against '
        'auto_scale_lr.base_batch_size; after a resume at another batch, '
        'the new one')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value (xxx=[a,b] for lists)')
    parser.add_argument(
        '--launcher', choices=LAUNCHERS, default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def add_precision_args(parser: argparse.ArgumentParser) -> None:
    """``--amp``, ``--amp-dtype``, ``--channels-last``."""
    parser.add_argument(
        '--amp',
        action='store_true',
        help='mixed precision: bf16 autocast (CPU, and GPUs with bf16), '
        'else fp16 with loss scaling; the loss head stays fp32')
    parser.add_argument(
        '--amp-dtype',
        default='auto',
        choices=('auto', 'bfloat16', 'float16'),
        help='autocast dtype for --amp (default: auto)')
    parser.add_argument(
        '--channels-last',
        action='store_true',
        help='channels_last (NHWC) weights and activations')


def main(argv: Optional[Sequence[str]] = None) -> Runner:
    """Parse arguments, build the config, train."""
    parser = argparse.ArgumentParser(
        description='Train a self-supervised model (airl_mm / mmselfsup)')
    add_train_args(parser)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    try:
        cfg = build_train_cfg(args.config, args.work_dir, args.resume,
                              args.amp, args.cfg_options, args.launcher,
                              args.auto_scale_lr, args.amp_dtype,
                              args.channels_last)
    except CfgOptionError as e:  # the user's input: no traceback
        parser.error(str(e))
    return train(cfg)


if __name__ == '__main__':
    main()
