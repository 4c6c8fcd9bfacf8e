"""Teacher momentum rising from m0 to 1 on a cosine (MoCo v2+, BYOL)."""
import math
from typing import Optional

import torch.nn as nn
from mmengine.model import ExponentialMovingAverage
from mmselfsup.models.utils import CosineEMA
from mmselfsup.registry import HOOKS

from .teacher_update import (TeacherUpdateHook, accumulative_counts,
                             teacher_emas)


def ascending_momentum(k: int,
                       total: int,
                       base: float = 0.99,
                       end: float = 1.0) -> float:
    """``m_k = end - (end - base) * (cos(pi * k / K) + 1) / 2``.

    With ``end = 1`` this is the paper's ``1 - (1 - m0)(cos(pi k/K) + 1)/2``:
    ``m_0 = base``, ``m_{K/2} = (base + end) / 2``, ``m_K = end``.
    """
    if total <= 0:
        raise ValueError(f'total iterations must be > 0, got {total}')
    k = min(max(k, 0), total)
    return end - (end - base) * (math.cos(math.pi * k / total) + 1) / 2


def set_teacher_momentum(model: nn.Module, m: float) -> int:
    """Make every EMA teacher in ``model`` use ``teacher <- m t + (1-m) s``.

    Conventions differ: mmengine's :class:`ExponentialMovingAverage` (used by
    :class:`MoCoV2Plus` and mmselfsup's ``MoCo``) stores ``momentum = 1 - m``;
    mmselfsup's :class:`CosineEMA` (``BYOL``) stores ``m`` and anneals it
    itself from ``momentum`` to ``end_momentum``, so both are set to ``m``,
    which pins its own schedule to this one. Returns how many were set.
    """
    emas = teacher_emas(model)
    for ema in emas:
        if isinstance(ema, CosineEMA):
            ema.momentum = ema.end_momentum = m
        elif isinstance(ema, ExponentialMovingAverage):
            ema.momentum = 1.0 - m
        else:
            raise TypeError(f'{type(ema).__name__} has no momentum to set')
    return len(emas)


@HOOKS.register_module()
class MomentumAscendingHook(TeacherUpdateHook):
    """Set the teacher momentum before each iteration (Huang et al. 2022).

    ``m_j = 1 - (1 - m0) (cos(pi j / K) + 1) / 2`` with ``j`` the optimizer
    steps taken and ``K`` those of the whole run (``K = max_iters`` and
    ``j`` the iteration without gradient accumulation; ``iter // k`` and
    ``ceil(max_iters / k)`` with ``accumulative_counts = k``). Both come
    from the runner, so a resumed run continues the same curve, also at
    another total batch (:class:`~airl_mm.engine.runner.AirlRunner` carries
    the progress over). ``m`` is the weight of the teacher: ``teacher <- m *
    teacher + (1 - m) * student``, applied once per optimizer step
    (:class:`TeacherUpdateHook`). Logged as ``teacher_momentum`` every
    iteration.

    Args:
        base_momentum (float): ``m0``. Defaults to 0.99.
        end_momentum (float): Value at ``j = K``. Defaults to 1.
        total_iters (int, optional): ``K`` in iterations, for a curve that
            ends before the run; the run's length when None (the paper).
            Defaults to None.
    """

    def __init__(self,
                 base_momentum: float = 0.99,
                 end_momentum: float = 1.0,
                 total_iters: Optional[int] = None) -> None:
        if not 0.0 < base_momentum <= end_momentum <= 1.0:
            raise ValueError('need 0 < base_momentum <= end_momentum <= 1, '
                             f'got {base_momentum}, {end_momentum}')
        self.base_momentum = base_momentum
        self.end_momentum = end_momentum
        self.total_iters = total_iters

    def before_train(self, runner) -> None:
        if not teacher_emas(runner.model):
            raise RuntimeError(
                'MomentumAscendingHook: the model '
                f'({type(runner.model).__name__}) has no EMA teacher')
        super().before_train(runner)

    def teacher_momentum(self, runner, j: int, total: int) -> None:
        if self.total_iters is not None:  # a length given in iterations
            total = math.ceil(self.total_iters /
                              accumulative_counts(runner.optim_wrapper))
        m = ascending_momentum(j, total, self.base_momentum, self.end_momentum)
        set_teacher_momentum(runner.model, m)
        runner.message_hub.update_scalar('train/teacher_momentum', m)
