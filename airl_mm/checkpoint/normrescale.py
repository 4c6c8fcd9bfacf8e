"""NormRescale (eq. 3 of Huang et al. 2022): w* = ||w_S|| * w_L / ||w_L||.

LARS-trained backbones carry far larger weight norms than SGD-trained ones;
rescaling every tensor of the LARS model to the norm of its counterpart in
an SGD-trained anchor (or by a constant) lets SGD fine-tuning recipes work.
"""
import math
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Optional, Tuple

import torch

from .formats import describe_resnet, show_keys
from .io import CheckpointError

StateDict = Dict[str, torch.Tensor]
SCOPES = ('all', 'weights')


@dataclass
class RescaleRow:
    """One line of the report."""

    name: str
    norm_lars: float
    norm_anchor: Optional[float]
    factor: float
    rescaled: bool


def is_bn_param(name: str, sd: StateDict) -> bool:
    """BN affine parameters: their module also has ``running_mean``."""
    module, _, leaf = name.rpartition('.')
    return leaf in ('weight', 'bias') and f'{module}.running_mean' in sd


def in_scope(name: str, tensor: torch.Tensor, sd: StateDict,
             scope: str) -> bool:
    """Whether NormRescale touches this tensor.

    ``'all'`` (the authors' code): every floating-point tensor, i.e.
    weights, biases, BN affine parameters and running statistics.
    ``'weights'``: conv/linear weights and BN affine parameters only.
    Integer buffers (``num_batches_tracked``) are never touched.
    """
    if not tensor.is_floating_point():
        return False
    if scope == 'all':
        return True
    if scope == 'weights':
        return (name.endswith('.weight') and tensor.dim() > 1) or \
            is_bn_param(name, sd)
    raise ValueError(f'scope must be one of {SCOPES}, got {scope!r}')


def check_compatible(lars: StateDict, anchor: StateDict) -> None:
    """Same keys and shapes, or a CheckpointError listing the differences."""
    only_l = sorted(set(lars) - set(anchor))
    only_a = sorted(set(anchor) - set(lars))
    if only_l or only_a:

        def show(keys):  # natural order: layer3.6 before layer3.10
            return show_keys(keys, 10)

        parts = []
        if only_l:
            parts.append(f'{len(only_l)} only in the LARS model: '
                         f'{show(only_l)}')
        if only_a:
            parts.append(f'{len(only_a)} only in the anchor: '
                         f'{show(only_a)}')
        raise CheckpointError('the backbones do not match: ' +
                              '; '.join(parts) + _architectures(lars, anchor))
    bad = [
        f'{k} {tuple(lars[k].shape)} vs {tuple(anchor[k].shape)}' for k in lars
        if lars[k].shape != anchor[k].shape
    ]
    if bad:
        raise CheckpointError('shape mismatch (LARS vs anchor): ' +
                              '; '.join(bad[:10]) +
                              _architectures(lars, anchor))


def _architectures(lars: StateDict, anchor: StateDict) -> str:
    """The depth and widths of both, so that a deeper or wider network on
    either side is named as such (the rescaled file feeds the anchor's
    architecture)."""
    return (f' (the LARS model is a ResNet of {describe_resnet(lars)}; the '
            f'anchor a ResNet of {describe_resnet(anchor)})')


def _finite_norm(name: str, t: torch.Tensor, which: str) -> float:
    if not torch.isfinite(t).all():
        raise CheckpointError(f'{which} tensor {name} has non-finite values '
                              '(nan/inf)')
    return float(t.double().norm())


def normrescale(
    lars: StateDict,
    anchor: Optional[StateDict] = None,
    constant: Optional[float] = None,
    scope: str = 'all',
    progress: Callable[[Iterable], Iterable] = iter
) -> Tuple[StateDict, List[RescaleRow]]:
    """Rescale the LARS-trained backbone ``lars``.

    Args:
        lars (dict): Canonical backbone state dict (LARS-trained).
        anchor (dict, optional): SGD-trained backbone with the same keys:
            ``w* = ||w_S|| * w_L / ||w_L||`` (Frobenius norm per tensor).
        constant (float, optional): Instead of an anchor: ``w* = c * w_L``.
        scope (str): ``'all'`` or ``'weights'`` (see :func:`in_scope`).
        progress (callable): Wraps the tensor iteration (e.g. tqdm).

    Returns:
        The rescaled state dict (new tensors, same dtypes) and one
        :class:`RescaleRow` per tensor.

    Raises:
        CheckpointError: mismatched keys or shapes, a non-finite tensor, or
            a zero-norm LARS tensor whose anchor is not zero (a zero tensor
            with a zero anchor stays zero). Nothing is returned half-done.
    """
    if (anchor is None) == (constant is None):
        raise ValueError('give exactly one of anchor and constant')
    if constant is not None and not (math.isfinite(constant) and constant > 0):
        raise ValueError(f'constant must be a finite number > 0, got '
                         f'{constant}')
    if scope not in SCOPES:
        raise ValueError(f'scope must be one of {SCOPES}, got {scope!r}')
    if anchor is not None:
        check_compatible(lars, anchor)
    out, rows = {}, []
    for name in progress(list(lars)):
        w_l = lars[name]
        if not in_scope(name, w_l, lars, scope):
            out[name] = w_l.clone()
            rows.append(RescaleRow(name, float('nan'), None, 1.0, False))
            continue
        n_l = _finite_norm(name, w_l, 'LARS')
        if anchor is None:
            factor, n_s = float(constant), None
        else:
            n_s = _finite_norm(name, anchor[name], 'anchor')
            if n_l == 0.0 and n_s != 0.0:
                raise CheckpointError(
                    f'LARS tensor {name} has zero norm: it cannot be '
                    f'rescaled to the anchor norm ({n_s:.4g}); use --scope '
                    'weights or fix the input')
            # 0 -> 0 when both are zero (untrained BN bias): no division
            factor = n_s / n_l if n_l else 1.0
        out[name] = (w_l.double() * factor).to(w_l.dtype)
        rows.append(RescaleRow(name, n_l, n_s, factor, True))
    return out, rows
