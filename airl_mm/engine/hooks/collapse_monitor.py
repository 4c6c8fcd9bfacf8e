"""Is my run collapsing? Collapse metrics of the step's own projections."""
import logging
import math
from typing import Dict, List, Optional

import torch
import torch.nn as nn
from mmengine.hooks import Hook, LoggerHook
from mmengine.logging import print_log
from mmpretrain.utils import get_ori_model
from mmselfsup.registry import HOOKS

from ...analysis.collapse import collapse_metrics
from .teacher_update import teacher_emas


def submodule(model: nn.Module, path: str, field: str) -> nn.Module:
    """``model``'s module at ``path``; ValueError naming ``field`` if none."""
    try:
        return model.get_submodule(path)
    except AttributeError:
        top = sorted(n for n, _ in model.named_children())
        raise ValueError(f'{field}={path!r}: {type(model).__name__} has no '
                         f'such module (children: {top})') from None


def logger_hook(runner) -> Optional[LoggerHook]:
    """The runner's LoggerHook, if any."""
    for hook in runner.hooks:
        if isinstance(hook, LoggerHook):
            return hook
    return None


def logger_interval(runner, default: int = 50) -> int:
    """The interval of the runner's LoggerHook (the default without one)."""
    hook = logger_hook(runner)
    return default if hook is None else hook.interval


def logged_after(runner, batch_idx: int, interval: int) -> bool:
    """Whether a LoggerHook with ``interval`` logs after this iteration.

    Its rule: every ``interval`` iterations of the loop's own count
    (``batch_idx``: within the epoch for epoch-based loops), plus the last
    one of an epoch unless ``ignore_last``. Scalars other than losses are
    logged as their latest value, so a hook that updates them on exactly
    these iterations has every logged value fresh.
    """
    if (batch_idx + 1) % interval == 0:
        return True
    hook = logger_hook(runner)
    ignore_last = True if hook is None else hook.ignore_last
    try:
        length = len(runner.train_dataloader)
    except (AttributeError, TypeError):
        return False
    return batch_idx + 1 == length and (not ignore_last or length <= interval)


def first_tensor(output) -> torch.Tensor:
    """The embedding in a module's output: mmselfsup necks return
    ``[z]`` (a list or tuple); plain modules a tensor."""
    while isinstance(output, (list, tuple)):
        output = output[0]
    return output


@HOOKS.register_module()
class CollapseMonitorHook(Hook):
    """Log collapse metrics of the student's and teacher's projections.

    No extra forward pass: forward hooks on the student module (``neck``,
    the projector, by default) and on the EMA teacher record the outputs the
    training step itself computes, in call order (one per view), and only
    on the iterations that are logged. Works with every model whose student
    is a submodule and whose teacher is an mmengine ``BaseAveragedModel``:
    :class:`MoCoV2Plus`, mmselfsup's ``MoCo`` (one view per network) and
    ``BYOL`` (two each).

    Logged (see :func:`airl_mm.analysis.collapse.collapse_metrics`):
    ``z_std``, ``neg_cos``, ``rank`` and, with two views, ``pos_cos`` for
    the student; the same with a ``teacher_`` prefix for the teacher; and
    ``z_std_ratio`` (``z_std * sqrt(d)``: about 1 spread, 0 collapsed).
    Each process computes on its own batch; the LoggerHook prints rank 0's.

    Args:
        interval (int, optional): On the iterations a LoggerHook with this
            interval logs (:func:`logged_after`); the LoggerHook's own
            interval when None, so that every logged value is this
            iteration's. Defaults to None.
        student (str): Module path of the student output to watch, e.g.
            ``'neck'`` (projections) or ``'predictor'`` (MoCoV2Plus) /
            ``'head.predictor'`` (BYOL). Defaults to ``'neck'``.
        teacher (bool): Also watch the EMA teacher (if the model has one).
            Defaults to True.
        warn_std_ratio (float, optional): Warn (once per crossing) when the
            student's ``z_std * sqrt(d)`` falls below this, e.g. 0.1.
            Defaults to None (no warning).
    """

    priority = 'NORMAL'

    def __init__(self,
                 interval: Optional[int] = None,
                 student: str = 'neck',
                 teacher: bool = True,
                 warn_std_ratio: Optional[float] = None) -> None:
        if interval is not None and interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        self.interval = interval
        self.student = student
        self.teacher = teacher
        self.warn_std_ratio = warn_std_ratio
        self._outputs: Dict[str, List[torch.Tensor]] = {}
        self._recording = False
        self._handles: list = []
        self._warned = False

    def before_train(self, runner) -> None:
        if self.interval is None:
            self.interval = logger_interval(runner)
        model = get_ori_model(runner.model)
        watched = {
            '': submodule(model, self.student, 'CollapseMonitorHook.student')
        }
        if self.teacher:
            emas = teacher_emas(model)
            if emas:
                watched['teacher_'] = emas[0]
        for prefix, module in watched.items():
            self._handles.append(
                module.register_forward_hook(self._recorder(prefix)))

    def _recorder(self, prefix: str):

        def record(module, args, output) -> None:
            if self._recording:
                self._outputs.setdefault(prefix, []).append(
                    first_tensor(output).detach())

        return record

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch=None) -> None:
        self._outputs = {}
        self._recording = logged_after(runner, batch_idx, self.interval)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        if not self._recording:
            return
        self._recording = False
        outputs, self._outputs = self._outputs, {}
        for prefix, views in outputs.items():
            metrics = collapse_metrics(views)
            dim = views[0].flatten(1).shape[1]
            metrics['z_std_ratio'] = metrics['z_std'] * math.sqrt(dim)
            for key, value in metrics.items():
                runner.message_hub.update_scalar(f'train/{prefix}{key}', value)
            if prefix == '':
                self._maybe_warn(runner, metrics['z_std_ratio'])

    def _maybe_warn(self, runner, ratio: float) -> None:
        if self.warn_std_ratio is None:
            return
        low = ratio < self.warn_std_ratio
        if low and not self._warned:
            print_log(
                f'CollapseMonitorHook: iteration {runner.iter + 1}: the '
                f'student projections are collapsing: z_std * sqrt(d) = '
                f'{ratio:.4f} < {self.warn_std_ratio} (about 1 when spread)',
                logger='current',
                level=logging.WARNING)
        self._warned = low

    def after_train(self, runner) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []
