"""What the demos share: where their configs are, training a config in a
child process, shortening a schedule, the ``--epochs`` argument type.

Not a package: the demo scripts beside this file import it as ``common``
(``python demo/<name>.py`` puts ``demo/`` first on ``sys.path``; the tests
get it from pytest's ``pythonpath``). The scalar-log readers the demos use
live in :mod:`airl_mm.analysis.curves`.
"""
import argparse
import os.path as osp
import subprocess
import sys
from typing import List, Optional, Sequence

# The checkout: the demos use its configs/ and tools/train.py.
ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TRAIN_TOOL = osp.join(ROOT, 'tools', 'train.py')


def source_root() -> str:
    """The checkout holding ``configs/`` and this ``demo/`` folder.

    The configs are not shipped inside the package (OpenMMLab keeps them in
    the repository), so the demos run from a clone.
    """
    return ROOT


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
    cosine) to ``epochs``, schedule included.

    Raises:
        ValueError: ``epochs`` < 2 (no epoch left for the cosine).
    """
    if epochs < 2:
        raise ValueError(f'epochs must be at least 2 (1 warm-up epoch, then '
                         f'cosine), got {epochs}')
    return [
        f'train_cfg.max_epochs={epochs}',
        f'param_scheduler.1.T_max={epochs - 1}',
        f'param_scheduler.1.end={epochs}'
    ]


def demo_epochs(text: str) -> int:
    """``argparse`` type of the demos' ``--epochs`` (checked up front).

    Raises:
        argparse.ArgumentTypeError: not an integer, or below 2.
    """
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
    """Train ``config`` with the checkout's ``tools/train.py`` in a child
    process (a clean Runner each time).

    Args:
        config (str): Config path, as given or relative to the checkout.
        work_dir (str): The run's work dir.
        cfg_options (Sequence[str]): ``KEY=VALUE`` overrides.
        checkpoint (bool): Whether to return the last checkpoint.

    Returns:
        str | None: The path in ``work_dir/last_checkpoint`` (None with
        ``checkpoint=False``).

    Raises:
        FileNotFoundError: ``config`` is not found (see :func:`config_path`).
        subprocess.CalledProcessError: the training exits non-zero.
    """
    cmd = [
        sys.executable, TRAIN_TOOL,
        config_path(config), '--work-dir', work_dir
    ]
    if cfg_options:
        cmd += ['--cfg-options', *cfg_options]
    subprocess.run(cmd, check=True)
    if not checkpoint:
        return None
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read().strip()
