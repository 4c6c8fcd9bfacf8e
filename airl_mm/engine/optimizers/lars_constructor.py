"""LARS on chosen modules, its exclusions found by type and shape."""
from typing import Iterable, List, Optional, Sequence

import torch.nn as nn
from mmengine.optim import DefaultOptimWrapperConstructor
from mmpretrain.utils import get_ori_model
from mmselfsup.registry import OPTIM_WRAPPER_CONSTRUCTORS

# Every torch normalisation layer with parameters: BN (and SyncBN), IN,
# GroupNorm, LayerNorm (and subclasses such as mmpretrain's LayerNorm2d).
NORM_TYPES = (nn.modules.batchnorm._NormBase, nn.GroupNorm, nn.LayerNorm)


def excluded_by_type(module: nn.Module, param: nn.Parameter) -> bool:
    """Whether LARS leaves ``param`` of ``module`` alone (no adaptation).

    Norm-layer parameters (found by the module's type, whatever its name:
    ``bn1``, ``gn1``, ``downsample.1``) and every parameter of at most one
    dimension (biases, scales) are excluded; conv and linear weights (2-D and
    up, weight-standardised ones included) are adapted.
    """
    return isinstance(module, NORM_TYPES) or param.ndim <= 1


def owned_parameters(model: nn.Module) -> dict:
    """``id(param) -> (module path, param name, module)`` for every
    parameter, by the module that holds it directly."""
    owners = {}
    for path, module in model.named_modules():
        for name, p in module.named_parameters(recurse=False):
            owners.setdefault(id(p), (path, name, module))
    return owners


def under(path: str, prefixes: Iterable[str]) -> bool:
    """Whether module ``path`` is one of ``prefixes`` or inside one."""
    return any(path == p or path.startswith(p + '.') for p in prefixes)


def check_module_paths(model: nn.Module, paths: Sequence[str],
                       field: str) -> None:
    """Raise ValueError naming ``field`` if a path names no module."""
    names = dict(model.named_modules())
    missing = [p for p in paths if p not in names]
    if missing:
        top = sorted(n for n in names if n and '.' not in n)
        raise ValueError(f'{field}: no module named {missing} in '
                         f'{type(model).__name__} (module paths as in '
                         f'model.named_modules(), e.g. {top})')


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class LARSOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """One parameter group per parameter, each flagged for mmselfsup's LARS.

    A group gets ``lars_exclude=True`` (LARS' local rate 1, i.e. SGD with
    momentum at the group's lr) when its parameter

    - belongs to a norm layer (by module type) or has at most one dimension
      (biases), see :func:`excluded_by_type`; those also get the weight
      decay ``base_wd * norm_bias_decay_mult``; or
    - lies outside ``lars_modules`` when that is given.

    Everything else is LARS-adapted. mmengine's ``paramwise_cfg`` options
    (``custom_keys``, ``bias_lr_mult``...) apply as usual first, except that
    the two rules above decide ``lars_exclude`` and the norm/bias decay.

    Extra ``paramwise_cfg`` keys:

    - ``lars_modules`` (list[str], optional): module paths (as in
      ``model.named_modules()``, e.g. ``['backbone.layer1',
      'backbone.layer2']`` or ``['neck', 'head.predictor']``) whose weights
      LARS adapts; None (default) for every module.
    - ``norm_bias_decay_mult`` (float): weight-decay multiplier of the
      parameters excluded by type. Defaults to 0.

    Example:
        >>> optim_wrapper = dict(
        ...     type='OptimWrapper',
        ...     optimizer=dict(type='LARS', lr=0.2, momentum=0.9,
        ...                    weight_decay=0.),
        ...     constructor='LARSOptimWrapperConstructor',
        ...     paramwise_cfg=dict(
        ...         lars_modules=['backbone.layer1', 'backbone.layer2']))
    """

    def __init__(self,
                 optim_wrapper_cfg: dict,
                 paramwise_cfg: Optional[dict] = None) -> None:
        paramwise_cfg = dict(paramwise_cfg or {})
        lars_modules = paramwise_cfg.pop('lars_modules', None)
        if lars_modules is not None:
            if isinstance(
                    lars_modules,
                    str) or not all(isinstance(m, str) for m in lars_modules):
                raise TypeError('paramwise_cfg.lars_modules must be a list of '
                                f'module paths, got {lars_modules!r}')
            lars_modules = list(lars_modules)
        self.lars_modules: Optional[List[str]] = lars_modules
        self.norm_bias_decay_mult = float(
            paramwise_cfg.pop('norm_bias_decay_mult', 0.))
        # Kept in paramwise_cfg (mmengine ignores them), which also makes it
        # non-empty: mmengine then builds one group per parameter.
        paramwise_cfg.update(
            lars_modules=lars_modules,
            norm_bias_decay_mult=self.norm_bias_decay_mult)
        super().__init__(optim_wrapper_cfg, paramwise_cfg)

    def add_params(self,
                   params: List[dict],
                   module: nn.Module,
                   prefix: str = '',
                   is_dcn_module=None) -> None:
        """mmengine's groups, then (at the root call) the LARS flags."""
        super().add_params(params, module, prefix, is_dcn_module)
        if not prefix:  # mmengine recursed with prefixes: all groups exist
            self.flag_groups(params, module)

    def flag_groups(self, groups: List[dict], model: nn.Module) -> None:
        """Set ``lars_exclude`` (and the norm/bias decay) on ``groups``."""
        model = get_ori_model(model)
        if self.lars_modules is not None:
            check_module_paths(model, self.lars_modules,
                               'paramwise_cfg.lars_modules')
        owners = owned_parameters(model)
        for group in groups:
            if len(group['params']) != 1:  # mmengine: one param per group
                raise RuntimeError('expected one parameter per group')
            path, _, module = owners[id(group['params'][0])]
            by_type = excluded_by_type(module, group['params'][0])
            outside = (
                self.lars_modules is not None
                and not under(path, self.lars_modules))
            group['lars_exclude'] = by_type or outside
            if by_type and self.base_wd is not None:
                group['weight_decay'] = (
                    self.base_wd * self.norm_bias_decay_mult)
