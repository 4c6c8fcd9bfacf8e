"""Hooks used by the end-to-end tests (loaded through custom_imports)."""
import json
import os
import os.path as osp
import signal

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmselfsup.registry import HOOKS


def _model(runner):
    return runner.model.module if is_model_wrapper(runner.model) \
        else runner.model


@HOOKS.register_module()
class CrashAfterIterHook(Hook):
    """Simulate a crash after ``iters`` iterations (after checkpointing);
    never when ``iters`` is 0. With ``sigkill`` the process SIGKILLs itself
    (no exception, no cleanup: as a preempted job)."""

    priority = 'LOWEST'

    def __init__(self, iters: int = 0, sigkill: bool = False) -> None:
        self.iters = iters
        self.sigkill = sigkill

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None) -> None:
        if self.iters and runner.iter + 1 >= self.iters:
            if self.sigkill:
                os.kill(os.getpid(), signal.SIGKILL)
            raise RuntimeError(f'simulated crash after {self.iters} iters')


@HOOKS.register_module()
class PoisonInputsHook(Hook):
    """Multiply the inputs of the given (1-based) iterations by NaN, so
    that their loss is NaN."""

    priority = 'LOWEST'

    def __init__(self, iters=()) -> None:
        self.iters = set(iters)

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        if runner.iter + 1 in self.iters:
            views = data_batch['inputs']
            for i, view in enumerate(views):  # uint8: replaced, as floats
                views[i] = view.float() * float('nan')


@HOOKS.register_module()
class RecordStateHook(Hook):
    """Dump what the tests compare: state at the start of training (after
    any resume), the teacher momentum of each iteration, and each rank's
    final parameters and queue."""

    priority = 'LOWEST'

    def __init__(self) -> None:
        self.momenta = {}

    def _path(self, runner, name):
        return osp.join(runner.work_dir, f'{name}_rank{get_rank()}')

    def before_train(self, runner) -> None:
        model = _model(runner)
        torch.save(
            {
                'iter': runner.iter,
                'state_dict': {
                    k: v.clone()
                    for k, v in model.state_dict().items()
                },
                'optimizer': runner.optim_wrapper.state_dict(),
            },
            self._path(runner, 'start') + '.pth')

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None) -> None:
        hub = runner.message_hub
        if 'train/teacher_momentum' in hub.log_scalars:
            self.momenta[runner.iter] = hub.get_scalar(
                'train/teacher_momentum').current()
        with open(self._path(runner, 'momenta') + '.json', 'w') as f:
            json.dump(self.momenta, f)

    def after_run(self, runner) -> None:
        model = _model(runner)
        torch.save({
            k: v.clone()
            for k, v in model.state_dict().items()
        },
                   self._path(runner, 'final') + '.pth')
