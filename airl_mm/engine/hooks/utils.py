"""Helpers shared by the hooks (and the LARS constructor)."""
import torch.nn as nn
from mmengine.model import is_model_wrapper


def get_ori_model(model: nn.Module) -> nn.Module:
    """The model inside a DDP-style wrapper, or ``model`` itself.

    The one unwrap of the package; the same as mmpretrain's
    ``mmpretrain.utils.get_ori_model`` (mmengine's :func:`is_model_wrapper`
    knows every registered wrapper: DDP, FSDP, mmengine's own).

    Args:
        model (nn.Module): The runner's model, wrapped or not.

    Returns:
        nn.Module: ``model.module`` for a wrapper, else ``model``.
    """
    return model.module if is_model_wrapper(model) else model
