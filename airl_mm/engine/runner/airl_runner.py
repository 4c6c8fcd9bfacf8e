"""The CPU-aware Runner, selected by ``runner_type = 'AirlRunner'``.

``configs/_base_/default_runtime.py`` names it, so every OpenMMLab entry
point that honours ``runner_type`` (mmselfsup's and mmpretrain's
``tools/train.py``, ``mim train``, our ``tools/train.py``) builds it.
"""
import logging
import os
from typing import Optional

import torch
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.logging import print_log
from mmengine.model import revert_sync_batchnorm
from mmengine.optim import OptimWrapperDict
from mmengine.runner import Runner
from mmselfsup.registry import RUNNERS

from ...compat import init_cpu_distributed
from ..precision import to_channels_last
from .random_state import (RNG_KEY, get_rng_state, restore_rng_state,
                           seed_per_sample)


@RUNNERS.register_module()
class AirlRunner(Runner):
    """mmengine's Runner, also for distributed runs on CPU.

    Without CUDA, a distributed launch starts a gloo process group (mmengine's
    ``init_dist`` would call ``torch.cuda.set_device``), SyncBN layers become
    BN (logged once) and DDP wraps the CPU module (``device_ids=None``).
    With CUDA it is otherwise mmengine's Runner.

    For long runs (on any device) it also

    * saves every rank's Python / NumPy / torch / CUDA random state in each
      checkpoint (``meta['rng_state']``) and restores it on resume;
    * seeds the augmentations of each training sample from ``(seed, epoch,
      index)`` (:mod:`.random_state`; ``train_dataloader.per_sample_seed =
      False`` turns it off) and gives the train dataloader its own
      generator, so that a run killed at any moment and resumed continues
      the run it came from;
    * warns when the total batch differs from ``auto_scale_lr``'s base and
      the lr is not scaled (``tools/train.py --auto-scale-lr`` scales it).
    """

    def setup_env(self, env_cfg: dict) -> None:
        if self._launcher != 'none' and not torch.cuda.is_available():
            init_cpu_distributed('gloo')
            print_log(
                'no CUDA: distributed training on CPU with gloo, rank '
                f'{os.environ.get("RANK")} of {os.environ.get("WORLD_SIZE")}',
                logger='current',
                level=logging.WARNING)
        super().setup_env(env_cfg)

    def wrap_model(self, model_wrapper_cfg, model):
        if self.cfg.get('channels_last'):  # before DDP registers params
            model = to_channels_last(model)
        if self.distributed and not torch.cuda.is_available():
            if any(
                    isinstance(m, torch.nn.SyncBatchNorm)
                    for m in model.modules()):
                print_log(
                    'no CUDA: SyncBN layers run as BN (per process)',
                    logger='current',
                    level=logging.WARNING)
            model = revert_sync_batchnorm(model)
            if self.cfg.get('sync_bn'):  # would convert back: raises on CPU
                print_log(
                    'no CUDA: cfg.sync_bn ignored',
                    logger='current',
                    level=logging.WARNING)
                self.cfg.sync_bn = None
            model_wrapper_cfg = dict(model_wrapper_cfg or {})
            model_wrapper_cfg.setdefault('type', 'MMDistributedDataParallel')
            model_wrapper_cfg.setdefault('broadcast_buffers', False)
            model_wrapper_cfg.setdefault(
                'find_unused_parameters',
                self.cfg.get('find_unused_parameters', False))
            model_wrapper_cfg['device_ids'] = None
        return super().wrap_model(model_wrapper_cfg, model)

    # -- exact resume ------------------------------------------------------
    def build_train_loop(self, loop):
        if isinstance(self._train_dataloader, dict):
            self._train_dataloader = seed_per_sample(self._train_dataloader)
        loop = super().build_train_loop(loop)
        self._loader_seed = self.seed  # the seed its sampler was built with
        loader = getattr(loop, 'dataloader', None)
        if isinstance(loader, torch.utils.data.DataLoader):
            # worker base seeds drawn from the global generator would make
            # the training step's draws depend on how often the loader was
            # (re)started, which a resume changes
            loader.generator = torch.Generator().manual_seed(self.seed)
        return loop

    def save_checkpoint(self,
                        out_dir,
                        filename,
                        *args,
                        meta: Optional[dict] = None,
                        **kwargs) -> None:
        # Runner.save_checkpoint runs on rank 0 only; the states of all
        # ranks are gathered here, where every rank still takes part
        meta = dict(meta or {})
        meta[RNG_KEY] = all_gather_object(get_rng_state()) \
            if get_world_size() > 1 else [get_rng_state()]
        super().save_checkpoint(out_dir, filename, *args, meta=meta, **kwargs)

    def load_checkpoint(self, filename, *args, **kwargs):
        checkpoint = super().load_checkpoint(filename, *args, **kwargs)
        self._loaded_meta = (checkpoint.get('meta') or {}, filename)
        return checkpoint

    def resume(self, filename, *args, **kwargs) -> None:
        super().resume(filename, *args, **kwargs)
        meta, name = self._loaded_meta
        sampler = getattr(self.train_dataloader, 'sampler', None)
        built_with = getattr(self, '_loader_seed', self.seed)
        if hasattr(sampler, 'set_seed') and self.seed != built_with:
            # mmengine took the checkpoint's seed; the sampler follows
            sampler.set_seed(self.seed + (get_rank() if self._randomness_cfg.
                                          get('diff_rank_seed') else 0))
        # last, so that nothing in resume() draws from the restored state
        if restore_rng_state(meta, get_rank(), source=str(name)):
            self.logger.info(f'random state restored from {name}')

    # -- learning-rate scaling ---------------------------------------------
    def scale_lr(self, optim_wrapper, auto_scale_lr=None) -> None:
        """mmengine's linear scaling (``auto_scale_lr.enable``), logged
        with the lr before and after; without it, a warning when the total
        batch is not the one the lr is for."""
        before = configured_lrs(optim_wrapper)
        super().scale_lr(optim_wrapper, auto_scale_lr)
        check_lr_scaling(auto_scale_lr, self.world_size,
                         self.train_dataloader.batch_size, before,
                         configured_lrs(optim_wrapper))


def configured_lrs(optim_wrapper) -> list:
    """The lr of every parameter group of every optimizer."""
    wrappers = list(optim_wrapper.values()) if isinstance(
        optim_wrapper, OptimWrapperDict) else [optim_wrapper]
    return [g['lr'] for w in wrappers for g in w.optimizer.param_groups]


def _lr_text(lrs: list) -> str:
    distinct = sorted(set(lrs), reverse=True)
    return ', '.join(
        f'{lr:.6g}'
        for lr in distinct[:4]) + (', ...' if len(distinct) > 4 else '')


def check_lr_scaling(auto_scale_lr: Optional[dict], world_size: int,
                     batch_size: Optional[int], before: list,
                     after: list) -> None:
    """Log the lr scaling, or warn that the total batch is not the base."""
    if not auto_scale_lr or 'base_batch_size' not in auto_scale_lr \
            or batch_size is None:
        return
    base, total = auto_scale_lr['base_batch_size'], world_size * batch_size
    how = f'{world_size} process(es) x {batch_size}'
    if auto_scale_lr.get('enable', False):
        print_log(
            f'auto_scale_lr: total batch {total} ({how}), base batch '
            f'{base}: lr {_lr_text(before)} -> {_lr_text(after)}',
            logger='current',
            level=logging.INFO)
    elif total != base:
        print_log(
            f'total batch {total} ({how}) differs from '
            f'auto_scale_lr.base_batch_size={base}, the batch the lr is '
            f'for; training with the unscaled lr {_lr_text(after)}. '
            '--auto-scale-lr (auto_scale_lr.enable=True) scales it by '
            f'{total}/{base}',
            logger='current',
            level=logging.WARNING)
