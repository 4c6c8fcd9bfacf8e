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
from mmengine.registry import LOOPS
from mmengine.runner import EpochBasedTrainLoop, Runner
from mmselfsup.registry import RUNNERS

from ...compat import atomic_local_writes, init_cpu_distributed, prepare_run
from ..hooks.teacher_update import (TeacherUpdateHook, accumulative_counts,
                                    teacher_emas)
from ..precision import to_channels_last
from .cfg_options import worker_safe_loader_cfg
from .progress import (PROGRESS_KEY, ResumeMismatchError, carry_over, changed,
                       describe, infer_old_progress, loader_batch_size,
                       replay_schedules, run_progress,
                       schedule_length_problems, scheduled_values,
                       snapshot_schedules)
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
      the lr is not scaled (``tools/train.py --auto-scale-lr`` scales it,
      counting gradient accumulation: processes x batch x
      ``accumulative_counts``);
    * resumes at another total batch (GPU count, per-GPU batch,
      accumulation): progress is carried over in epochs, every scheduler is
      put where an uninterrupted run at the new batch would have it (lr
      scaled for the new batch with ``auto_scale_lr``), and the log says
      what changed (:mod:`.progress`);
    * moves every EMA teacher once per optimizer step (adds a
      :class:`~airl_mm.engine.hooks.TeacherUpdateHook` when the config
      registers none).

    Building one applies the host glue its run needs (fixes 1-5 of
    :mod:`airl_mm.compat`), atomic checkpoint writes among them, however
    it is built (a config's ``runner_type``, the launchers, Python).
    """

    def __init__(self, *args, **kwargs) -> None:
        prepare_run()  # checkpoint loading and image reading
        atomic_local_writes()  # before any checkpoint is written
        super().__init__(*args, **kwargs)

    def register_hooks(self, default_hooks=None, custom_hooks=None) -> None:
        super().register_hooks(default_hooks, custom_hooks)
        if teacher_emas(self.model) and not any(
                isinstance(h, TeacherUpdateHook) for h in self._hooks):
            self.register_hook(TeacherUpdateHook())

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

    @staticmethod
    def build_dataloader(dataloader, seed=None, diff_rank_seed=False):
        """mmengine's, with ``persistent_workers`` off for a loader without
        workers (torch refuses the pair; ``num_workers=0`` is how one
        debugs)."""
        return Runner.build_dataloader(
            worker_safe_loader_cfg(dataloader), seed, diff_rank_seed)

    def build_param_scheduler(self, scheduler):
        """mmengine's, then a warning for each scheduler that does not fit
        the run (a length frozen from a template, e.g. ``end=max_epochs``
        while ``train_cfg.max_epochs`` was overridden)."""
        built_already = isinstance(scheduler, list) and scheduler and all(
            not isinstance(s, dict) for s in scheduler)
        loop = self._train_loop
        try:
            schedulers = super().build_param_scheduler(scheduler)
        except ValueError as e:
            if 'end should be larger than begin' not in str(e):
                raise
            raise ValueError(
                f'param_scheduler: {e}: a scheduler begins at or after the '
                'end of the run (train_cfg.max_epochs='
                f'{getattr(loop, "max_epochs", None)}, max_iters='
                f'{getattr(loop, "max_iters", None)}), e.g. a run shorter '
                'than the warm-up; shorten the warm-up with the run '
                '(param_scheduler.0.end and param_scheduler.1.begin) or '
                'train longer') from e
        if built_already or not isinstance(schedulers, list):
            return schedulers
        problems = schedule_length_problems(schedulers,
                                            getattr(loop, 'max_epochs', None),
                                            loop.max_iters)
        if problems:
            self.logger.warning(
                'the lr schedule does not fit the run: ' +
                '; '.join(problems) + '. A schedule written from '
                'max_epochs/max_iters when the config was read does not '
                'follow --cfg-options train_cfg.max_epochs/max_iters: '
                'override its end (and T_max) too, or leave them out '
                '(mmengine then ends it with the run)')
        return schedulers

    # -- exact resume ------------------------------------------------------
    def build_train_loop(self, loop):
        if isinstance(self._train_dataloader, dict):
            self._train_dataloader = seed_per_sample(self._train_dataloader)
        if isinstance(loop,
                      dict) and (loop.get('type') in ('EpochBasedTrainLoop',
                                                      EpochBasedTrainLoop)
                                 or loop.get('by_epoch') is True):
            # mmengine's loop, able to resume inside an epoch
            loop = dict(loop, type=ResumableEpochBasedTrainLoop)
            loop.pop('by_epoch', None)
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
        meta[PROGRESS_KEY] = run_progress(self)
        super().save_checkpoint(out_dir, filename, *args, meta=meta, **kwargs)

    def load_checkpoint(self, filename, *args, **kwargs):
        checkpoint = super().load_checkpoint(filename, *args, **kwargs)
        self._loaded_meta = (checkpoint.get('meta') or {}, filename)
        return checkpoint

    def resume(self, filename, *args, **kwargs) -> None:
        fresh = snapshot_schedules(self.optim_wrapper, self.param_schedulers)
        super().resume(filename, *args, **kwargs)
        meta, name = self._loaded_meta
        self._carry_progress_over(meta, str(name), fresh)
        sampler = getattr(self.train_dataloader, 'sampler', None)
        built_with = getattr(self, '_loader_seed', self.seed)
        if hasattr(sampler, 'set_seed') and self.seed != built_with:
            # mmengine took the checkpoint's seed; the sampler follows
            sampler.set_seed(self.seed + (get_rank() if self._randomness_cfg.
                                          get('diff_rank_seed') else 0))
        # last, so that nothing in resume() draws from the restored state
        if restore_rng_state(meta, get_rank(), source=str(name)):
            self.logger.info(f'random state restored from {name}')

    def _carry_progress_over(self, meta: dict, name: str,
                             fresh: Optional[dict]) -> None:
        """After mmengine's resume: the checkpoint's iteration and every
        schedule mapped to the same point of the run at the new batch."""
        new = run_progress(self)
        old = meta.get(PROGRESS_KEY) or infer_old_progress(meta, new)
        loop = self.train_loop
        if old is None:
            if loop.iter:
                self.logger.warning(
                    f'resume from {name}: the checkpoint does not say its '
                    'total batch (written before airl_mm recorded it); '
                    'assuming it was trained at the current one, '
                    f'{describe(new)}')
            old = new
        if old.get('by_epoch', new['by_epoch']) != new['by_epoch']:
            raise ResumeMismatchError(
                f'resume from {name}: the checkpoint comes from an '
                f'{"epoch" if old["by_epoch"] else "iteration"}-based run, '
                'this config trains by '
                f'{"epoch" if new["by_epoch"] else "iteration"}; use the '
                'same train_cfg type to resume, or load_from to start anew')
        epoch, it = loop.epoch, loop.iter
        new_it, skip = carry_over(old, new, epoch, it, name)
        loop._iter = new_it
        if isinstance(loop, ResumableEpochBasedTrainLoop):
            loop.skip_batches = skip
            if new_it == (epoch + 1) * new['iters_per_epoch']:
                loop._epoch = epoch + 1
        if not changed(old, new):
            if skip:
                self.logger.info(
                    f'resume from {name} inside epoch {epoch + 1}: its '
                    f'first {skip} batch(es), already trained, are skipped')
            return
        if fresh is not None:
            replay_schedules(self.optim_wrapper, self.param_schedulers, fresh,
                             loop.iter, loop.epoch)
        how = (f'progress carried over in epochs: epoch {epoch}, iteration '
               f'{it} of {old.get("max_iters", "?")} -> iteration {new_it} '
               f'of {new["max_iters"]}'
               + (f' (skipping the {skip} batch(es) of epoch {epoch + 1} '
                  'already trained)' if skip else '')) if new['by_epoch'] \
            else (f'iteration-based run: it continues at iteration {it} of '
                  f'{new["max_iters"]}, which now sees '
                  f'{new["total_batch"]} samples per step instead of '
                  f'{old.get("total_batch")}')
        scaled = (self.auto_scale_lr or {}).get('enable', False)
        lrs = sorted(
            set(scheduled_values(self.optim_wrapper)), reverse=True)[:3]
        self.logger.warning(
            f'resume from {name} at another batch: total batch '
            f'{describe(old)} -> {describe(new)}; {how}; lr, warm-up and '
            'teacher momentum continue from the same point of the run' +
            (', lr scaled for the new total batch (auto_scale_lr)'
             if scaled else ', lr NOT rescaled (no --auto-scale-lr)') +
            f'; lr now {", ".join(f"{v:.6g}" for v in lrs)}')

    # -- learning-rate scaling ---------------------------------------------
    def scale_lr(self, optim_wrapper, auto_scale_lr=None) -> None:
        """mmengine's linear scaling (``auto_scale_lr.enable``) on the
        total batch per optimizer step (processes x batch x
        ``accumulative_counts``), logged with the lr before and after;
        without it, a warning when the total batch is not the one the lr is
        for."""
        before = configured_lrs(optim_wrapper)
        k = accumulative_counts(optim_wrapper)
        if auto_scale_lr and auto_scale_lr.get('enable', False):
            if 'base_batch_size' not in auto_scale_lr:
                raise KeyError('auto_scale_lr.enable=True needs '
                               'auto_scale_lr.base_batch_size')
            if _is_built(self.param_schedulers):
                raise RuntimeError('scale_lr must run before the parameter '
                                   'schedulers are built (they keep the '
                                   'initial lr)')
            batch = loader_batch_size(self._train_dataloader) \
                if not isinstance(self._train_dataloader, dict) \
                else self._train_dataloader['batch_size']
            ratio = self.world_size * batch * k / \
                auto_scale_lr['base_batch_size']
            for w in (optim_wrapper.values() if isinstance(
                    optim_wrapper, OptimWrapperDict) else [optim_wrapper]):
                for group in w.optimizer.param_groups:
                    group['lr'] = group['lr'] * ratio
        check_lr_scaling(auto_scale_lr, self.world_size,
                         self.train_dataloader.batch_size, before,
                         configured_lrs(optim_wrapper), k)


@LOOPS.register_module()
class ResumableEpochBasedTrainLoop(EpochBasedTrainLoop):
    """mmengine's ``EpochBasedTrainLoop`` that resumes inside an epoch.

    mmengine restarts a resumed epoch from its first batch while keeping
    the iteration counter, so a checkpoint written inside an epoch makes
    the run overrun ``max_iters`` (schedules past their end). The runner
    sets ``skip_batches`` to the batches of that epoch already trained;
    they are loaded and dropped (as mmengine's ``IterBasedTrainLoop``
    does), so the data order and the per-sample augmentations stay those
    of the uninterrupted run. :class:`AirlRunner` uses it for every
    config that names ``EpochBasedTrainLoop``.
    """

    skip_batches = 0

    def run_epoch(self) -> None:
        skip, self.skip_batches = self.skip_batches, 0
        if not skip:
            return super().run_epoch()
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        for idx, data_batch in enumerate(self.dataloader):
            if idx >= skip:
                self.run_iter(idx, data_batch)
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1


def _is_built(schedulers) -> bool:
    """Whether any parameter scheduler is built already (as mmengine's
    ``scale_lr`` checks)."""
    if isinstance(schedulers, dict):
        return 'type' not in schedulers and any(
            _is_built(s) for s in schedulers.values())
    if isinstance(schedulers, list):
        return any(_is_built(s) for s in schedulers)
    return hasattr(schedulers, 'last_step')


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


def check_lr_scaling(auto_scale_lr: Optional[dict],
                     world_size: int,
                     batch_size: Optional[int],
                     before: list,
                     after: list,
                     accumulative_counts: int = 1) -> None:
    """Log the lr scaling, or warn that the total batch is not the base."""
    if not auto_scale_lr or 'base_batch_size' not in auto_scale_lr \
            or batch_size is None:
        return
    k = accumulative_counts
    base, total = auto_scale_lr['base_batch_size'], world_size * batch_size * k
    how = f'{world_size} process(es) x {batch_size}' + (f' x {k} accumulated'
                                                        if k > 1 else '')
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
