"""Mixed precision and channels_last for any pre-training config.

``tools/train.py --amp`` switches a config's ``OptimWrapper`` to
:class:`AutocastOptimWrapper` (bf16 autocast, on CPU or CUDA, no loss
scaling: bf16 has fp32's range) or, where the GPU has no bf16, to
:class:`AmpFp32LossOptimWrapper` (mmengine's fp16 ``AmpOptimWrapper`` with
dynamic loss scaling). Both run the model's loss ``head`` in fp32: its
floating-point inputs are cast to fp32 and autocast is off inside it, so
the InfoNCE / cosine losses and their softmax see fp32 logits whatever
the backbone ran in. ``--channels-last`` sets ``channels_last = True``,
which :class:`~airl_mm.engine.runner.AirlRunner` applies to the model
(before any DDP wrapper) with :func:`to_channels_last`.
"""
import functools
from contextlib import contextmanager
from typing import Any, Sequence, Union

import torch
from mmengine.optim import AmpOptimWrapper, OptimWrapper
from mmpretrain.utils import get_ori_model
from mmselfsup.registry import OPTIM_WRAPPERS
from torch import nn

FP32_MODULES = ('head', )


def _to_fp32(x: Any) -> Any:
    """``x`` with every floating tensor (also in lists/tuples/dicts) fp32."""
    if torch.is_tensor(x):
        return x.float() if x.is_floating_point() else x
    if isinstance(x, (list, tuple)):
        return type(x)(_to_fp32(v) for v in x)
    if isinstance(x, dict):
        return {k: _to_fp32(v) for k, v in x.items()}
    return x


def _any_cuda(x: Any) -> bool:
    """Whether ``x`` holds a CUDA tensor (also in lists/tuples/dicts)."""
    if torch.is_tensor(x):
        return x.is_cuda
    if isinstance(x, (list, tuple)):
        return any(_any_cuda(v) for v in x)
    if isinstance(x, dict):
        return any(_any_cuda(v) for v in x.values())
    return False


def keep_fp32(model: nn.Module,
              names: Sequence[str] = FP32_MODULES) -> nn.Module:
    """Make the named submodules of ``model`` run in fp32 under autocast.

    Their ``forward`` is wrapped on the instance (state dicts, hooks and
    checkpoints stay as they are); missing names are skipped. Idempotent.

    Args:
        model (nn.Module): The model (a DDP-style wrapper is unwrapped).
        names (Sequence[str]): Attribute names of the submodules.

    Returns:
        nn.Module: ``model``.
    """
    inner = get_ori_model(model)
    for name in names:
        sub = getattr(inner, name, None)
        if isinstance(sub,
                      nn.Module) and not getattr(sub, '_airl_fp32', False):
            sub.forward = _fp32_forward(sub.forward)
            sub._airl_fp32 = True
    return model


def _fp32_forward(forward):
    """``forward`` with fp32 inputs and autocast off."""

    @functools.wraps(forward)
    def wrapped(*args, **kwargs):
        cuda = _any_cuda(args) or _any_cuda(kwargs)
        with torch.autocast(
                device_type='cuda' if cuda else 'cpu', enabled=False):
            return forward(*_to_fp32(args), **_to_fp32(kwargs))

    return wrapped


def to_channels_last(model: nn.Module) -> nn.Module:
    """Store the 4-D weights of ``model`` channels_last (NHWC).

    Convolutions then run NHWC on their inputs too (PyTorch picks the
    layout from the weight), which tensor cores and oneDNN prefer.
    """
    return model.to(memory_format=torch.channels_last)


def _device_type(model: nn.Module) -> str:
    for p in model.parameters():
        return p.device.type
    return 'cpu'


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose forward runs under ``torch.autocast``.

    For bf16 (the default), on CPU or CUDA: no gradient scaling is needed.
    The ``fp32_modules`` of the model (the loss head) run in fp32.

    Args:
        dtype (str | torch.dtype): Autocast dtype. Defaults to bfloat16.
        fp32_modules (Sequence[str]): Submodules kept in fp32.
        **kwargs: ``OptimWrapper`` arguments.
    """

    def __init__(self,
                 dtype: Union[str, torch.dtype] = 'bfloat16',
                 fp32_modules: Sequence[str] = FP32_MODULES,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(dtype, str):
            if not isinstance(getattr(torch, dtype, None), torch.dtype):
                raise ValueError(f'AutocastOptimWrapper: unknown dtype '
                                 f'{dtype!r}')
            dtype = getattr(torch, dtype)
        self.cast_dtype = dtype
        self.fp32_modules = tuple(fp32_modules)

    @contextmanager
    def optim_context(self, model: nn.Module):
        keep_fp32(model, self.fp32_modules)
        with super().optim_context(model), torch.autocast(
                device_type=_device_type(model), dtype=self.cast_dtype):
            yield


@OPTIM_WRAPPERS.register_module()
class AmpFp32LossOptimWrapper(AmpOptimWrapper):
    """mmengine's ``AmpOptimWrapper`` (fp16 + loss scaling, CUDA) with the
    loss head kept in fp32 as :class:`AutocastOptimWrapper` does."""

    def __init__(self,
                 fp32_modules: Sequence[str] = FP32_MODULES,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.fp32_modules = tuple(fp32_modules)

    @contextmanager
    def optim_context(self, model: nn.Module):
        keep_fp32(model, self.fp32_modules)
        with super().optim_context(model):
            yield


def amp_dtype(requested: str = 'auto') -> str:
    """The autocast dtype ``--amp`` uses: bf16 on CPU and on GPUs that
    support it, fp16 (with loss scaling) on other GPUs."""
    if requested not in ('auto', 'bfloat16', 'float16'):
        raise ValueError(f'--amp-dtype must be auto, bfloat16 or float16, '
                         f'got {requested!r}')
    if requested != 'auto':
        return requested
    if torch.cuda.is_available() and not torch.cuda.is_bf16_supported():
        return 'float16'
    return 'bfloat16'


def amp_optim_wrapper(optim_wrapper: dict, dtype: str = 'auto') -> dict:
    """``optim_wrapper`` config switched to mixed precision.

    Args:
        optim_wrapper (dict): The config's ``optim_wrapper``.
        dtype (str): ``auto``, ``bfloat16`` or ``float16``.

    Returns:
        dict: The switched config (a copy).

    Raises:
        ValueError: for a wrapper type other than ``OptimWrapper``.
        RuntimeError: for float16 without CUDA.
    """
    dtype = amp_dtype(dtype)
    wrapper = optim_wrapper.get('type', 'OptimWrapper')
    if wrapper in ('AmpOptimWrapper', 'AutocastOptimWrapper',
                   'AmpFp32LossOptimWrapper'):
        return dict(optim_wrapper)  # the config chose already
    if wrapper != 'OptimWrapper':
        raise ValueError(f'--amp: optim_wrapper.type is {wrapper!r}; '
                         'only OptimWrapper can be switched')
    out = dict(optim_wrapper)
    if dtype == 'float16':
        if not torch.cuda.is_available():
            raise RuntimeError('--amp-dtype float16 needs a CUDA device; '
                               'on CPU use bfloat16')
        out.update(
            type='AmpFp32LossOptimWrapper',
            dtype='float16',
            loss_scale='dynamic')
    else:
        out.update(type='AutocastOptimWrapper', dtype=dtype)
    return out
