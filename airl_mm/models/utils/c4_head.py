"""The RoI head of the C4 detectors: ResNet stage 5 + one extra norm.

MoCo's detectron2 benchmarks (and the authors' release) run res5 on each
RoI and add a BN after it (``Res5ROIHeadsExtraNorm``: fine-tuning with
SyncBN is easier). mmselfsup's ``ResLayerExtraNorm`` is that module, but,
like mmdet's ``ResLayer``, it hard-codes the width of a standard ResNet
(64 base channels); this one takes the backbone's ``base_channels`` too, so
the embedded transfer demo can run the same config on its narrow
ResNet-18. With the default width it is ``ResLayerExtraNorm`` exactly (same
tensors, same names: ``layer4.*`` and ``norm.*``).

Registered in mmdet's MODELS by ``import airl_mm.models`` (as mmpretrain
registers ``ResLayerExtraNorm`` from its ``models/utils``), so the C4
benchmark configs need no import beyond ``airl_mm.register``.
"""
from mmcv.cnn import build_norm_layer
from mmdet.models.backbones import ResNet
from mmdet.models.layers import ResLayer as _ResLayer
from mmdet.models.roi_heads.shared_heads import ResLayer
from mmdet.registry import MODELS


@MODELS.register_module()
class C4SharedHead(ResLayer):
    """ResNet stage ``stage + 1`` followed by a norm layer.

    Args:
        depth (int): ResNet depth (18, 34, 50, 101, 152).
        stage (int): Index of the ResNet stage run on the RoIs (3: res5).
        base_channels (int): Width of the backbone's first stage (64 for a
            standard ResNet). Defaults to 64.
        stride, dilation, style, norm_cfg, norm_eval, with_cp, dcn,
        init_cfg: as mmdet's ``ResLayer`` shared head.
    """

    def __init__(self,
                 depth: int,
                 stage: int = 3,
                 base_channels: int = 64,
                 stride: int = 2,
                 dilation: int = 1,
                 style: str = 'pytorch',
                 norm_cfg: dict = dict(type='BN', requires_grad=True),
                 norm_eval: bool = True,
                 with_cp: bool = False,
                 dcn=None,
                 init_cfg=None) -> None:
        super().__init__(
            depth,
            stage=stage,
            stride=stride,
            dilation=dilation,
            style=style,
            norm_cfg=norm_cfg,
            norm_eval=norm_eval,
            with_cp=with_cp,
            dcn=dcn,
            init_cfg=init_cfg)
        block, stage_blocks = ResNet.arch_settings[depth]
        if base_channels != 64:  # the parent built the standard width
            self.add_module(
                f'layer{stage + 1}',
                _ResLayer(
                    block,
                    base_channels * 2**(stage - 1) * block.expansion,
                    base_channels * 2**stage,
                    stage_blocks[stage],
                    stride=stride,
                    dilation=dilation,
                    style=style,
                    with_cp=with_cp,
                    norm_cfg=norm_cfg,
                    dcn=dcn))
        self.norm = build_norm_layer(
            norm_cfg, base_channels * 2**stage * block.expansion)[1]

    def forward(self, x):
        x = getattr(self, f'layer{self.stage + 1}')(x)
        return self.norm(x)
