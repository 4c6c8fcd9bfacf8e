"""What the demos share: where their configs are, running a config in a
child process, shortening a schedule, reading mmengine's scalar logs."""
import json
import os
import os.path as osp
import subprocess
import sys
from typing import List, Optional, Sequence


def source_root() -> str:
    """The checkout holding ``configs/`` beside the ``airl_mm`` package.

    The demo configs are not shipped inside the package (OpenMMLab keeps
    configs in the repository); a non-editable install has no such folder.
    """
    here = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    return here


def config_path(config: str) -> str:
    """``config`` as given if it exists, else relative to the checkout.

    Raises:
        FileNotFoundError: neither exists; says what the demos need.
    """
    if osp.isfile(config):
        return config
    in_checkout = osp.join(source_root(), config)
    if osp.isfile(in_checkout):
        return in_checkout
    raise FileNotFoundError(
        f'config {config!r} not found (nor under {source_root()}): the demos '
        'use the configs of an airl_mm source checkout; run them from a '
        'clone (pip install -e .), or pass the config paths explicitly')


def epoch_options(epochs: int) -> List[str]:
    """``--cfg-options`` that shorten a demo config (1 warm-up epoch, then
    cosine) to ``epochs``, schedule included."""
    if epochs < 2:
        raise ValueError(f'epochs must be at least 2 (1 warm-up epoch, then '
                         f'cosine), got {epochs}')
    return [
        f'train_cfg.max_epochs={epochs}',
        f'param_scheduler.1.T_max={epochs - 1}',
        f'param_scheduler.1.end={epochs}'
    ]


def demo_epochs(text: str) -> int:
    """``argparse`` type of the demos' ``--epochs`` (checked up front)."""
    import argparse
    try:
        epochs = int(text)
        epoch_options(epochs)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e))
    return epochs


def run_training(config: str,
                 work_dir: str,
                 cfg_options: Sequence[str] = (),
                 checkpoint: bool = True) -> Optional[str]:
    """Train ``config`` in a child process (a clean Runner each time) with
    ``python -m airl_mm.engine.runner.train``; return its last checkpoint
    (None with ``checkpoint=False``)."""
    cmd = [
        sys.executable, '-m', 'airl_mm.engine.runner.train',
        config_path(config), '--work-dir', work_dir
    ]
    if cfg_options:
        cmd += ['--cfg-options', *cfg_options]
    subprocess.run(cmd, check=True)
    if not checkpoint:
        return None
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read().strip()


def read_scalars(work_dir: str) -> List[dict]:
    """The records of the latest run's ``vis_data/scalars.json`` (mmengine's
    LocalVisBackend) under ``work_dir``; empty if there is none."""
    runs = sorted(
        d for d in os.listdir(work_dir)
        if osp.isfile(osp.join(work_dir, d, 'vis_data', 'scalars.json')))
    if not runs:
        return []
    with open(osp.join(work_dir, runs[-1], 'vis_data', 'scalars.json')) as f:
        return [json.loads(line) for line in f]


def last_scalar(work_dir: str, key: str) -> Optional[float]:
    """The last value of ``key`` logged by the latest run in ``work_dir``."""
    values = [rec[key] for rec in read_scalars(work_dir) if key in rec]
    return values[-1] if values else None
