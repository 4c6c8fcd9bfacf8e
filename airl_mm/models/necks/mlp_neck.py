"""An MLP neck (projector / predictor) whose normalisation is a choice."""
import copy
from typing import List, Optional, Union

import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmselfsup.models.necks import NonLinearNeck
from mmselfsup.registry import MODELS

# mmcv norm types that accept an ``affine`` argument.
_AFFINE_NORMS = ('BN', 'BN1d', 'BN2d', 'BN3d', 'SyncBN', 'GN', 'IN', 'IN1d',
                 'IN2d', 'IN3d')


@MODELS.register_module()
class MLPNeck(NonLinearNeck):
    """mmselfsup's :class:`NonLinearNeck` with its norm layers optional.

    ``fc-norm-[relu-fc-norm]``, built and run by ``NonLinearNeck`` itself, so
    with a BN ``norm_cfg`` it is that neck: same modules, same parameter
    names (``fc0``, ``bn0``, ...), same initialisation and output. Other
    choices (the BYOL appendix's normalisation ablation):

    - ``norm_cfg=None``: no normalisation at all (every ``bn*`` becomes an
      :class:`nn.Identity`, with no parameters or buffers);
    - ``dict(type='GN', num_groups=G)``: GroupNorm over the features;
    - ``dict(type='LN')``: LayerNorm over the features.

    The layers keep NonLinearNeck's names (``bn0``...) whatever the norm, so
    a checkpoint's keys say which layer, not which norm.

    Args:
        in_channels (int): Input features.
        hid_channels (int): Hidden features.
        out_channels (int): Output features.
        num_layers (int): Linear layers. Defaults to 2.
        with_bias (bool): Bias in the linear layers but the last. Defaults to
            False.
        with_last_bn (bool): A norm layer after the last linear layer.
            Defaults to True.
        with_last_bn_affine (bool): Learnable affine parameters in that last
            norm. Defaults to True.
        with_last_bias (bool): Bias in the last linear layer. Defaults to
            False.
        with_avg_pool (bool): Global average pooling of the input first.
            Defaults to True.
        vit_backbone (bool): The input is a ViT's output (NonLinearNeck's
            option). Defaults to False.
        norm_cfg (dict, optional): mmcv norm config, or None for no norm.
            Defaults to ``dict(type='SyncBN')`` (as NonLinearNeck).
        init_cfg (dict | list[dict], optional): Initialisation config;
            NonLinearNeck's (norm weights 1) when not given.
    """

    def __init__(self,
                 in_channels: int,
                 hid_channels: int,
                 out_channels: int,
                 num_layers: int = 2,
                 with_bias: bool = False,
                 with_last_bn: bool = True,
                 with_last_bn_affine: bool = True,
                 with_last_bias: bool = False,
                 with_avg_pool: bool = True,
                 vit_backbone: bool = False,
                 norm_cfg: Optional[dict] = dict(type='SyncBN'),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        if norm_cfg is not None:
            norm_cfg = copy.deepcopy(dict(norm_cfg))
            if 'type' not in norm_cfg:
                raise ValueError(f'MLPNeck: norm_cfg needs a type, got '
                                 f'{norm_cfg}')
        # Norms taking 'affine' are built by NonLinearNeck itself; others
        # (LN, none) replace BN placeholders below, so its forward (the one
        # that runs) and its layer names stay.
        native = norm_cfg is not None and norm_cfg['type'] in _AFFINE_NORMS
        kwargs = {} if init_cfg is None else dict(init_cfg=init_cfg)
        super().__init__(
            in_channels=in_channels,
            hid_channels=hid_channels,
            out_channels=out_channels,
            num_layers=num_layers,
            with_bias=with_bias,
            with_last_bn=with_last_bn,
            with_last_bn_affine=with_last_bn_affine,
            with_last_bias=with_last_bias,
            with_avg_pool=with_avg_pool,
            vit_backbone=vit_backbone,
            norm_cfg=norm_cfg if native else dict(type='BN1d'),
            **kwargs)
        self.norm_cfg = norm_cfg
        if not native:
            names = ['bn0'] + [n for n in self.bn_names if n]
            last = f'bn{num_layers - 1}' if with_last_bn else None
            for name in names:
                setattr(
                    self, name,
                    self._norm(norm_cfg,
                               getattr(self, name).num_features,
                               with_last_bn_affine or name != last))

    @staticmethod
    def _norm(norm_cfg: Optional[dict], channels: int,
              affine: bool) -> nn.Module:
        """A norm layer that is not built with an ``affine`` argument."""
        if norm_cfg is None:
            return nn.Identity()
        cfg = dict(norm_cfg)
        if not affine:
            if cfg['type'] != 'LN':
                raise ValueError(
                    f"MLPNeck: with_last_bn_affine=False needs a norm with "
                    f"an 'affine' option ({', '.join(_AFFINE_NORMS)}) or "
                    f"LN, got {cfg['type']!r}")
            cfg['elementwise_affine'] = False
        return build_norm_layer(cfg, channels)[1]
