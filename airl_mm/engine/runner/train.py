"""Config -> Runner, the OpenMMLab way (``tools/train.py`` is its CLI:
the argument parsing lives there, these are the functions it calls).
"""
import os.path as osp
from typing import Optional

import torch
from mmengine.config import Config
from mmengine.runner import Runner

from .cfg_options import (merge_cfg_options,
                          no_persistent_workers_without_workers)

# How a job's processes are started (mmengine's ``init_dist`` launchers):
# the one list for pre-training and the transfer benchmarks.
LAUNCHERS = ('none', 'pytorch', 'slurm', 'mpi')


def apply_precision(cfg: Config,
                    amp: bool = False,
                    amp_dtype: str = 'auto',
                    channels_last: bool = False) -> Config:
    """Switch ``cfg`` to mixed precision and/or channels_last.

    See :mod:`airl_mm.engine.precision`: ``--amp`` swaps the config's
    ``OptimWrapper`` for an autocast one (bf16 on CPU too); channels_last
    is applied by the runner.
    """
    from ..precision import amp_optim_wrapper
    if amp:
        cfg.optim_wrapper = amp_optim_wrapper(cfg.optim_wrapper, amp_dtype)
    if channels_last:
        cfg.channels_last = True
    return cfg


def build_train_cfg(config: str,
                    work_dir: Optional[str] = None,
                    resume: Optional[str] = None,
                    amp: bool = False,
                    cfg_options: Optional[dict] = None,
                    launcher: str = 'none',
                    auto_scale_lr: bool = False,
                    amp_dtype: str = 'auto',
                    channels_last: bool = False) -> Config:
    """Load ``config`` and apply the command-line choices to it.

    ``cfg_options`` go through :func:`.cfg_options.merge_cfg_options`
    (refused unless the run reads them); loaders without workers get
    ``persistent_workers=False``.

    Raises:
        FileNotFoundError: no such config or ``resume`` checkpoint.
        ValueError: an unknown ``launcher``.
        CfgOptionError: an override that would not reach the run.
    """
    if not osp.isfile(config):
        raise FileNotFoundError(f'config file not found: {config}')
    if launcher not in LAUNCHERS:
        raise ValueError(f'launcher must be one of {LAUNCHERS}')
    cfg = Config.fromfile(config)
    # refuse overrides that this function or nothing at all would discard
    ours = dict(launcher='--launcher')
    if work_dir is not None:
        ours['work_dir'] = '--work-dir'
    if resume is not None:
        ours.update(resume='--resume', load_from='--resume')
    merge_cfg_options(cfg, cfg_options, set_elsewhere=ours)
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config))[0])
    apply_precision(cfg, amp, amp_dtype, channels_last)
    if auto_scale_lr:
        enable_auto_scale_lr(cfg, config)
    if resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif resume is not None:
        if not osp.isfile(resume):
            raise FileNotFoundError(f'--resume: no such checkpoint: {resume}')
        cfg.resume, cfg.load_from = True, resume
    if launcher != 'none' and not torch.cuda.is_available():
        cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
        cfg.env_cfg.dist_cfg.backend = 'gloo'
    no_persistent_workers_without_workers(cfg)
    return cfg


def enable_auto_scale_lr(cfg: Config, name: str = 'config') -> None:
    """``--auto-scale-lr``: turn on mmengine's linear lr scaling (the
    Runner scales every parameter group's lr by total batch / base)."""
    base = (cfg.get('auto_scale_lr') or {}).get('base_batch_size')
    if not base or base <= 0:
        raise ValueError(
            f'--auto-scale-lr: {name} sets no auto_scale_lr.base_batch_size '
            '(the total batch its lr is for)')
    cfg.auto_scale_lr.enable = True


def train(cfg: Config) -> Runner:
    """Build the config's ``runner_type`` (mmselfsup's rule) and train.

    Our configs name the CPU-aware :class:`~airl_mm.engine.runner.AirlRunner`
    in ``_base_/default_runtime.py``; a config that names none gets it too.
    """
    from mmselfsup.registry import RUNNERS
    cfg.setdefault('runner_type', 'AirlRunner')
    runner = RUNNERS.build(cfg)
    runner.train()
    return runner
