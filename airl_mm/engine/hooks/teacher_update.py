"""One teacher update per optimizer step, under gradient accumulation too.

MoCo, BYOL and :class:`~airl_mm.models.MoCoV2Plus` update their EMA teacher
inside ``loss()``, i.e. once per *iteration*. With
``optim_wrapper.accumulative_counts = k`` mmengine steps the optimizer once
every ``k`` iterations, so an ungated teacher would move ``k`` times toward
the same student: an effective momentum of ``m ** k`` (0.99 -> 0.980 for
``k = 2``). :class:`TeacherUpdateHook` lets the teacher update only on the
first iteration of each accumulation window, where the student has just
taken its optimizer step; the teacher then is the EMA of the student
snapshots after each optimizer step, as with the total batch in one step.
"""
import math
from typing import List, Tuple

import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.model import BaseAveragedModel
from mmengine.optim import OptimWrapperDict
from mmpretrain.utils import get_ori_model
from mmselfsup.models.utils import CosineEMA
from mmselfsup.registry import HOOKS


def teacher_emas(model: nn.Module) -> List[BaseAveragedModel]:
    """Every EMA teacher inside ``model`` (MoCoV2Plus, MoCo, BYOL...)."""
    return [
        m for m in get_ori_model(model).modules()
        if isinstance(m, BaseAveragedModel)
    ]


def accumulative_counts(optim_wrapper) -> int:
    """``k`` of ``optim_wrapper.accumulative_counts`` (1 without it).

    Raises:
        ValueError: the optimizers of an ``OptimWrapperDict`` accumulate
            over different numbers of iterations (no single optimizer
            step to move the teacher at).
    """
    wrappers = list(optim_wrapper.values()) if isinstance(
        optim_wrapper, OptimWrapperDict) else [optim_wrapper]
    counts = {int(getattr(w, '_accumulative_counts', 1)) for w in wrappers}
    if len(counts) != 1:
        raise ValueError('optim_wrapper: its optimizers accumulate over '
                         f'different accumulative_counts {sorted(counts)}; '
                         'the teacher needs one optimizer step to follow')
    return counts.pop()


def optimizer_step_progress(runner) -> Tuple[int, int, bool]:
    """``(j, K, first)`` for the runner's current iteration.

    ``j`` is the number of optimizer steps taken before this iteration's
    window, ``K = ceil(max_iters / k)`` the optimizer steps of the whole run
    and ``first`` whether this iteration opens an accumulation window
    (mmengine's windows are ``[j k, (j + 1) k)`` in the iteration count,
    :meth:`mmengine.optim.OptimWrapper.should_update`). ``k = 1``: ``j`` is
    the iteration, ``K`` ``max_iters`` and every iteration is first.
    """
    wrapper = getattr(runner, 'optim_wrapper', None)
    k = 1 if wrapper is None else accumulative_counts(wrapper)
    return runner.iter // k, math.ceil(runner.max_iters / k), \
        runner.iter % k == 0


def _skip_update(model: nn.Module) -> None:
    """Stands for ``update_parameters`` on iterations inside a window."""


@HOOKS.register_module()
class TeacherUpdateHook(Hook):
    """Gate every EMA teacher to one update per optimizer step.

    Before each training iteration, the teachers' ``update_parameters`` is
    left in place on the first iteration of an accumulation window and
    replaced by a no-op on the others (restored after the iteration), so
    ``teacher.steps`` counts optimizer steps. mmselfsup's
    :class:`~mmselfsup.models.utils.CosineEMA` (BYOL) anneals its own
    momentum with ``steps / max_iters``, which no longer match once updates
    are per optimizer step (or after a resume at another batch); this hook
    drives it on the optimizer-step progress ``j / K`` with its configured
    ``momentum -> end_momentum``. :class:`MomentumAscendingHook` is this hook
    with the paper's schedule for every teacher.

    :class:`~airl_mm.engine.runner.AirlRunner` adds this hook to every run
    whose model holds an EMA teacher and which registers neither it nor a
    subclass, so MoCo (constant momentum) and BYOL are gated too.
    """

    priority = 'NORMAL'

    def before_train(self, runner) -> None:
        # CosineEMA's own start/end, read before anything pins them
        self._cosine = [(ema, float(ema.momentum), float(ema.end_momentum))
                        for ema in teacher_emas(runner.model)
                        if isinstance(ema, CosineEMA)]

    def teacher_momentum(self, runner, j: int, total: int) -> None:
        """Set the teachers' momentum for the ``j``-th of ``total``
        optimizer steps (here: drive CosineEMA teachers only)."""
        for ema, base, end in getattr(self, '_cosine', []):
            m = end - (end - base) * (math.cos(math.pi * j / total) + 1) / 2
            ema.momentum = ema.end_momentum = m

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch=None) -> None:
        j, total, first = optimizer_step_progress(runner)
        self.teacher_momentum(runner, j, total)
        for ema in teacher_emas(runner.model):
            if first:
                ema.__dict__.pop('update_parameters', None)
            else:
                ema.update_parameters = _skip_update

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        for ema in teacher_emas(runner.model):
            ema.__dict__.pop('update_parameters', None)
