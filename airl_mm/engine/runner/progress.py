"""Resume at another total batch: carry the run's progress over.

A checkpoint counts iterations, whose meaning depends on the total batch
(processes x per-process batch) and the dataset: with mmengine alone, a run
resumed on fewer GPUs keeps the iteration counter while every schedule
recomputed its length from the new iterations per epoch, so the teacher
momentum jumps back and never reaches 1, and the lr reaches its end early.

Here progress is the fraction of the run done, counted in epochs (the
samples seen): :func:`run_progress` records what an iteration means in
every checkpoint (``meta['progress']``); on resume, :func:`carry_over` maps
the checkpoint's iteration to the same point of the run in the new
iterations, and :func:`replay_schedules` puts every parameter scheduler
(lr, warm-up, momentum, weight decay) where an uninterrupted run at the new
batch would have it, with the lr scaled for the NEW total batch when
``auto_scale_lr`` is enabled.
"""
import copy
import math
import warnings
from typing import List, Optional, Tuple

from mmengine.optim import OptimWrapperDict
from mmengine.runner import EpochBasedTrainLoop

PROGRESS_KEY = 'progress'


def loader_batch_size(loader) -> Optional[int]:
    """Per-process batch of a built dataloader (also with a batch sampler,
    e.g. mmdet's ``AspectRatioBatchSampler``)."""
    if getattr(loader, 'batch_size', None) is not None:
        return loader.batch_size
    return getattr(getattr(loader, 'batch_sampler', None), 'batch_size', None)


def run_progress(runner) -> dict:
    """What one iteration of ``runner``'s training means.

    Returns:
        dict: ``world_size``, ``batch_size`` (per process),
        ``accumulative_counts``, ``total_batch`` (samples per optimizer
        step), ``iters_per_epoch``, ``max_iters``, ``by_epoch``.
    """
    from ..hooks.teacher_update import accumulative_counts
    loop = runner.train_loop
    loader = loop.dataloader
    batch = loader_batch_size(loader)
    k = accumulative_counts(runner.optim_wrapper)
    return dict(
        world_size=runner.world_size,
        batch_size=batch,
        accumulative_counts=k,
        total_batch=None if batch is None else runner.world_size * batch * k,
        iters_per_epoch=len(loader),
        max_iters=loop.max_iters,
        by_epoch=isinstance(loop, EpochBasedTrainLoop))


def describe(p: dict) -> str:
    """``'64 (2 process(es) x 16 x 2 accumulated), 25 iterations/epoch'``"""
    acc = p.get('accumulative_counts', 1) or 1
    how = f"{p.get('world_size', '?')} process(es) x {p.get('batch_size')}"
    if acc > 1:
        how += f' x {acc} accumulated'
    total = p.get('total_batch')
    return f"{total if total is not None else '?'} ({how}), " \
        f"{p.get('iters_per_epoch')} iterations/epoch"


def changed(old: dict, new: dict) -> bool:
    """Whether an iteration means something else now."""
    keys = ('world_size', 'batch_size', 'accumulative_counts',
            'iters_per_epoch')
    return any(old.get(k) is not None and old.get(k) != new[k] for k in keys)


def infer_old_progress(meta: dict, new: dict) -> Optional[dict]:
    """The iterations per epoch of a checkpoint written without
    ``meta['progress']`` (epoch-based runs resumed at an epoch end)."""
    epoch, it = meta.get('epoch', 0), meta.get('iter', 0)
    if new['by_epoch'] and epoch > 0 and it % epoch == 0:
        return dict(iters_per_epoch=it // epoch, by_epoch=True)
    return None


class ResumeMismatchError(RuntimeError):
    """A resume whose progress cannot be carried over."""


def carry_over(old: dict, new: dict, epoch: int, it: int,
               source: str) -> Tuple[int, int]:
    """The checkpoint's iteration ``it`` (in epoch ``epoch``) in the new
    run's iterations.

    Epoch-based: ``epoch * new_ipe`` plus the part of the epoch done, scaled
    to the new iterations per epoch; that part is also the number of
    batches of the resumed epoch to skip (mmengine would restart the epoch
    and overrun ``max_iters``). Iteration-based: unchanged (progress is
    ``iter / max_iters`` already).

    Returns:
        tuple: ``(new iteration, batches to skip in the resumed epoch)``.

    Raises:
        ResumeMismatchError: the checkpoint's iteration lies outside its
            epoch (a checkpoint of another run or another dataset).
    """
    if not new['by_epoch']:
        return it, 0
    old_ipe, new_ipe = old['iters_per_epoch'], new['iters_per_epoch']
    done = it - epoch * old_ipe
    if not 0 <= done <= old_ipe:
        raise ResumeMismatchError(
            f'resume from {source}: iteration {it} is not in epoch {epoch} '
            f'at {old_ipe} iterations per epoch; the checkpoint does not '
            'belong to this run. Start it with --cfg-options load_from=... '
            '(weights only) instead of --resume')
    skip = round(done * new_ipe / old_ipe)
    if skip >= new_ipe:  # a checkpoint at the very end of its epoch
        return (epoch + 1) * new_ipe, 0
    return epoch * new_ipe + skip, skip


def _wrappers(optim_wrapper) -> list:
    return list(optim_wrapper.values()) if isinstance(
        optim_wrapper, OptimWrapperDict) else [optim_wrapper]


def _flat_schedulers(param_schedulers) -> list:
    if param_schedulers is None:
        return []
    if isinstance(param_schedulers, dict):
        return [s for v in param_schedulers.values() for s in v]
    return list(param_schedulers)


def snapshot_schedules(optim_wrapper, param_schedulers) -> Optional[dict]:
    """The built optimizer hyper-parameters and scheduler states of a run
    that has not stepped yet (lr already scaled for its total batch)."""
    schedulers = _flat_schedulers(param_schedulers)
    if any(isinstance(s, dict) for s in schedulers):
        return None  # not built: nothing to put back
    groups = [[{
        k: copy.deepcopy(v)
        for k, v in g.items() if k != 'params'
    } for g in w.optimizer.param_groups] for w in _wrappers(optim_wrapper)]
    return dict(
        groups=groups,
        schedulers=[copy.deepcopy(s.state_dict()) for s in schedulers])


def replay_schedules(optim_wrapper, param_schedulers, fresh: dict, iters: int,
                     epochs: int) -> None:
    """Put every scheduler where an uninterrupted run would have it.

    Restores the fresh (never stepped) hyper-parameters and scheduler
    states, then steps the iteration-based schedulers ``iters`` times and
    the epoch-based ones ``epochs`` times, in the order mmengine's
    ``ParamSchedulerHook`` steps them. Exact: the same arithmetic as a run
    that never stopped. Optimizer state (momentum buffers) is kept.
    """
    schedulers = _flat_schedulers(param_schedulers)
    names = {s.param_name for s in schedulers}
    for w, groups in zip(_wrappers(optim_wrapper), fresh['groups']):
        for g, f in zip(w.optimizer.param_groups, groups):
            for name in names:
                for key in (name, f'initial_{name}'):
                    if key in f:
                        g[key] = copy.deepcopy(f[key])
    for s, state in zip(schedulers, fresh['schedulers']):
        s.load_state_dict(copy.deepcopy(state))
    by_iter = [s for s in schedulers if not s.by_epoch]
    by_epoch = [s for s in schedulers if s.by_epoch]
    with warnings.catch_warnings():  # "scheduler.step() before optimizer"
        warnings.simplefilter('ignore')
        for _ in range(iters):
            for s in by_iter:
                s.step()
        for _ in range(epochs):
            for s in by_epoch:
                s.step()


def scheduled_values(optim_wrapper) -> List[float]:
    """The lr of every parameter group (for the log)."""
    return [
        g['lr'] for w in _wrappers(optim_wrapper)
        for g in w.optimizer.param_groups
    ]


def fraction(it: int, max_iters: int) -> float:
    return it / max_iters if max_iters else math.nan


def schedule_length_problems(schedulers: list, max_epochs: Optional[int],
                             max_iters: int) -> List[str]:
    """Schedulers whose range does not fit the run.

    Configs often write a schedule's length from a template
    (``end=max_epochs``, ``T_max=max_epochs - 1``) when the file is read;
    ``--cfg-options train_cfg.max_epochs=N`` then changes the run and not
    the schedule. Returned, one line each: a scheduler that ends after the
    run (never finishes: a cosine that never reaches its end) and a cosine
    whose ``T_max`` reaches past the run. Units: iterations for
    iteration-based and converted schedulers, epochs otherwise.
    """
    out = []
    for i, s in enumerate(schedulers):
        length = max_epochs if s.by_epoch else max_iters
        unit = 'epoch' if s.by_epoch else 'iteration'
        if length is None or s.end >= 1 << 30:  # no end set: mmengine's INF
            continue
        name = f'param_scheduler[{i}] ({type(s).__name__})'
        if s.end > length:
            out.append(f'{name} ends at {unit} {s.end}, after the run '
                       f'({length} {unit}s): it never finishes')
        t_max = getattr(s, 'T_max', None)
        if t_max is not None and s.begin + t_max > length \
                and s.end <= length:
            out.append(f'{name} has T_max {t_max} from {unit} {s.begin}: '
                       f'its cosine reaches past the run ({length} {unit}s)')
    return out
