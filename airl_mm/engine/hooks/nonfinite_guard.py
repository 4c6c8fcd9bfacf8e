"""Stop at the first non-finite loss; never checkpoint poisoned weights."""
import logging
import math
from typing import Dict, List, Optional

import torch
from mmengine.dist import all_reduce, get_world_size
from mmengine.hooks import CheckpointHook, Hook
from mmengine.logging import print_log
from mmengine.optim import AmpOptimWrapper, OptimWrapperDict
from mmpretrain.utils import get_ori_model
from mmselfsup.registry import HOOKS


class NonFiniteLossError(FloatingPointError):
    """Training met a non-finite loss (or gradient norm)."""


def _is_finite(value) -> bool:
    if isinstance(value, torch.Tensor):
        return bool(torch.isfinite(value.detach()).all())
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return True  # not a number: nothing to check


def non_finite_terms(log_vars: Optional[Dict]) -> Dict[str, float]:
    """The entries of a train step's ``log_vars`` that are NaN or inf."""
    out = {}
    for k, v in (log_vars or {}).items():
        if not _is_finite(v):
            out[k] = float(v.detach().float().mean()) if isinstance(
                v, torch.Tensor) else float(v)
    return out


def state_is_finite(model: torch.nn.Module) -> bool:
    """Whether every floating tensor of ``model.state_dict()`` is finite."""
    model = get_ori_model(model)
    return all(
        bool(torch.isfinite(t).all()) for t in model.state_dict().values()
        if torch.is_tensor(t) and t.is_floating_point())


def _device(model: torch.nn.Module) -> torch.device:
    return next(iter(model.parameters())).device


def _wrappers(optim_wrapper) -> List:
    return list(optim_wrapper.values()) if isinstance(
        optim_wrapper, OptimWrapperDict) else [optim_wrapper]


@HOOKS.register_module()
class NonFiniteGuardHook(Hook):
    """Stop training at the first non-finite loss, before it reaches the
    weights.

    The loss of each step is checked before its backward pass (all ranks
    agree: the flag is summed over them); with gradient clipping on, the
    gradient norm is checked before the optimizer step. A bad step is not
    applied (no backward, no update). With ``max_skips = 0`` (default) the
    run then stops with :class:`NonFiniteLossError` naming the iteration,
    the epoch and every non-finite loss term; since it raises before the
    checkpoint hook runs, no checkpoint of that step is written. With
    ``max_skips = N`` up to N bad steps in a row are skipped (logged) and
    the model's state (teacher, queue, BN statistics) is put back as it was
    before the step; the N+1-th stops the run. Under AMP an infinite
    gradient norm is the loss scaler's business (it skips that step
    itself) and is not counted; a non-finite loss is.

    Args:
        max_skips (int): Bad steps in a row to skip before stopping.
            Defaults to 0.
        check_grad_norm (bool): Check the gradient norm when the optimizer
            wrapper clips gradients. Defaults to True.
        enable (bool): False turns the guard off (a default hook cannot be
            removed with None). Defaults to True.
    """

    priority = 'ABOVE_NORMAL'  # before the checkpoint and logger hooks

    def __init__(self,
                 max_skips: int = 0,
                 check_grad_norm: bool = True,
                 enable: bool = True) -> None:
        if max_skips < 0:
            raise ValueError(f'max_skips must be >= 0, got {max_skips}')
        self.max_skips = max_skips
        self.check_grad_norm = check_grad_norm
        self.enable = enable
        self.bad_in_a_row = 0
        self.skipped = 0
        self._reason: Optional[str] = None
        self._snapshot: Optional[dict] = None

    # -- wrapping the optimizer wrapper --------------------------------------
    def before_train(self, runner) -> None:
        if not self.enable:
            print_log(
                'NonFiniteGuardHook is off: a NaN/inf loss will not '
                'stop training',
                logger='current',
                level=logging.WARNING)
            return
        for wrapper in _wrappers(runner.optim_wrapper):
            if getattr(wrapper, '_nonfinite_guard', None) is self:
                continue
            wrapper._nonfinite_guard = self
            self._wrap_update_params(wrapper)
            if self.check_grad_norm and wrapper.clip_grad_kwargs and \
                    not isinstance(wrapper, AmpOptimWrapper):
                self._wrap_clip_grad(wrapper)

    def _wrap_update_params(self, wrapper) -> None:
        update_params = wrapper.update_params

        def guarded(loss, *args, **kwargs):
            bad = torch.tensor(
                0. if _is_finite(loss) else 1., device=loss.device)
            if get_world_size() > 1:  # every rank skips, or none
                all_reduce(bad, op='sum')
            if bad.item() > 0:
                self._reason = self._reason or 'loss'
                wrapper.zero_grad()
                return None
            return update_params(loss, *args, **kwargs)

        wrapper.update_params = guarded

    def _wrap_clip_grad(self, wrapper) -> None:
        clip_grad = wrapper._clip_grad

        def guarded():
            clip_grad()
            hub = wrapper.message_hub
            if 'train/grad_norm' in hub.log_scalars:
                norm = hub.get_scalar('train/grad_norm').current()
                if not math.isfinite(norm):
                    self._reason = self._reason or f'grad_norm={norm}'
                    # no gradient, no update (SGD, LARS, Adam... skip
                    # parameters whose grad is None)
                    for group in wrapper.optimizer.param_groups:
                        for p in group['params']:
                            p.grad = None

        wrapper._clip_grad = guarded

    # -- per iteration -------------------------------------------------------
    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch=None) -> None:
        self._reason = None
        # kept to undo the forward pass (teacher, queue, BN) of a skipped step
        if self.enable and self.max_skips > 0:
            model = get_ori_model(runner.model)
            self._snapshot = {
                k: v.detach().clone()
                for k, v in model.state_dict().items()
            }

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        if not self.enable:
            return
        terms = non_finite_terms(outputs)
        if self._reason is None and not terms:
            self.bad_in_a_row = 0
            self._snapshot = None
            return
        self.bad_in_a_row += 1
        what = ', '.join(f'{k}={v}' for k, v in terms.items()) or \
            self._reason
        where = (f'iteration {runner.iter + 1} (epoch {runner.epoch + 1}, '
                 f'batch {batch_idx + 1})')
        if self.bad_in_a_row > self.max_skips:
            last = runner.message_hub.get_info('last_ckpt')
            raise NonFiniteLossError(
                f'non-finite loss at {where}: {what}. Training stopped; the '
                'step was not applied and no checkpoint of it was written' +
                (f'; last checkpoint: {last}' if last else '') +
                (f' ({self.bad_in_a_row} bad steps in a row, max_skips='
                 f'{self.max_skips})' if self.max_skips else '') + '.')
        self.skipped += 1
        if self._snapshot is not None:
            get_ori_model(runner.model).load_state_dict(self._snapshot)
            self._snapshot = None
        print_log(
            f'skipped a non-finite step at {where}: {what} '
            f'({self.bad_in_a_row} in a row, max_skips={self.max_skips})',
            logger='current',
            level=logging.WARNING)


@HOOKS.register_module()
class FiniteCheckpointHook(CheckpointHook):
    """mmengine's :class:`~mmengine.hooks.CheckpointHook` that never writes
    a model state holding NaN or inf (it logs an error instead), so that
    checkpoint rotation (``max_keep_ckpts``) can never delete the last
    checkpoint whose weights are finite. Same arguments."""

    def _save_checkpoint_with_step(self, runner, step, meta):
        finite = torch.tensor(float(state_is_finite(runner.model)))
        if get_world_size() > 1:  # all ranks decide alike (saving gathers)
            finite = finite.to(_device(runner.model))
            all_reduce(finite, op='min')
        if finite.item() < 1:
            last = runner.message_hub.get_info('last_ckpt')
            print_log(
                f'checkpoint of step {step} NOT written: the model state '
                'holds NaN or inf; the last finite checkpoint is kept' +
                (f' ({last})' if last else ''),
                logger='current',
                level=logging.ERROR)
            return
        super()._save_checkpoint_with_step(runner, step, meta)
