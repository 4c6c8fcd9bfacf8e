"""The effective (LARS) learning rate of chosen layers, as the step uses it."""
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.hooks import Hook
from mmpretrain.utils import get_ori_model
from mmselfsup.registry import HOOKS

from ..optimizers.lars_constructor import (excluded_by_type, owned_parameters,
                                           under)
from .collapse_monitor import logged_after, logger_interval, submodule


def effective_lr(param: torch.Tensor,
                 grad: torch.Tensor,
                 group: dict,
                 eps: float = 1e-8) -> float:
    """The rate mmselfsup's LARS applies to ``param`` in ``group``.

    ``lr * eta * |w| / (|g| + wd * |w| + eps)`` for a LARS-adapted group
    (one with ``eta`` and no ``lars_exclude``), ``lr`` otherwise, and
    ``lr`` when ``|w|`` or ``|g|`` is 0 (as LARS itself).
    """
    lr = float(group['lr'])
    if 'eta' not in group or group.get('lars_exclude', False):
        return lr
    w = float(torch.norm(param.detach()))
    g = float(torch.norm(grad.detach()))
    if w == 0 or g == 0:
        return lr
    return lr * float(group['eta']) * w / (
        g + float(group['weight_decay']) * w + eps)


def layer_aliases(
        layers: Union[Sequence[str], Dict[str, str]]) -> Dict[str, str]:
    """``{alias: module path}``; a list names each by its last component
    (``'backbone.layer1'`` -> ``'layer1'``)."""
    if isinstance(layers, dict):
        return dict(layers)
    if isinstance(layers, str):
        raise TypeError(f'layers must be a list or dict of module paths, '
                        f'got {layers!r}')
    aliases = {path.rsplit('.', 1)[-1]: path for path in layers}
    if len(aliases) != len(layers):
        raise ValueError(f'layers {list(layers)} end in the same name; give '
                         'a dict {alias: module path} instead')
    return aliases


@HOOKS.register_module()
class LayerwiseLRHook(Hook):
    """Log each chosen layer's effective learning rate at the step.

    A step pre-hook on the optimizer reads the weights and gradients the
    step is about to use and logs, for each layer, the mean over its
    adapted weight tensors (conv / linear weights; norm and bias parameters
    are left out, as LARS leaves them) of :func:`effective_lr`:
    ``lr * eta * |w| / (|g| + wd * |w|)`` where LARS adapts them, ``lr``
    where it does not (plain SGD, or groups with ``lars_exclude``). Keys are
    ``lr/<alias>``, e.g. ``lr/layer1``: the BYOL appendix's "the LARS rate
    explodes in layer1 during collapse" curve.

    Args:
        layers (list[str] | dict[str, str]): Module paths of the layers
            (``['backbone.layer1', 'backbone.layer2', 'neck']``), or a dict
            ``{alias: path}``. Defaults to the ResNet stages and the neck.
        interval (int, optional): On the iterations a LoggerHook with this
            interval logs; the LoggerHook's own interval when None.
            Defaults to None.
    """

    priority = 'NORMAL'

    def __init__(self,
                 layers: Union[Sequence[str],
                               Dict[str, str]] = ('backbone.conv1',
                                                  'backbone.layer1',
                                                  'backbone.layer2',
                                                  'backbone.layer3',
                                                  'backbone.layer4', 'neck'),
                 interval: Optional[int] = None) -> None:
        self.layers = layer_aliases(layers)
        if interval is not None and interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        self.interval = interval
        self._due = False
        self._handle = None
        self._runner = None
        self._params: Dict[str, List[nn.Parameter]] = {}

    def before_train(self, runner) -> None:
        if self.interval is None:
            self.interval = logger_interval(runner)
        model = get_ori_model(runner.model)
        for path in self.layers.values():
            submodule(model, path, 'LayerwiseLRHook.layers')
        owners = owned_parameters(model)
        for alias, path in self.layers.items():
            self._params[alias] = [
                p for p in model.parameters()
                if under(owners[id(p)][0], [path])
                and not excluded_by_type(owners[id(p)][2], p)
            ]
        self._runner = runner
        optimizer = runner.optim_wrapper.optimizer
        self._handle = optimizer.register_step_pre_hook(self._log)

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch=None) -> None:
        self._due = logged_after(runner, batch_idx, self.interval)

    def _log(self, optimizer, args, kwargs) -> None:
        if not self._due:
            return
        self._due = False
        rates = self.rates(optimizer)
        for alias, rate in rates.items():
            self._runner.message_hub.update_scalar(f'train/lr/{alias}', rate)

    def rates(self, optimizer: torch.optim.Optimizer) -> Dict[str, float]:
        """Each layer's mean effective rate for the current gradients."""
        group_of = {
            id(p): g
            for g in optimizer.param_groups
            for p in g['params']
        }
        eps = getattr(optimizer, 'eps', 1e-8)
        rates = {}
        for alias, params in self._params.items():
            values = [
                effective_lr(p, p.grad, group_of[id(p)], eps) for p in params
                if p.grad is not None and id(p) in group_of
            ]
            if values:
                rates[alias] = sum(values) / len(values)
        return rates

    def after_train(self, runner) -> None:
        if self._handle is not None:
            self._handle.remove()
            self._handle = None
