"""Tiny models for CPU tests (real classes, small widths)."""
import copy

from mmselfsup.registry import MODELS

TINY_BACKBONE = dict(
    type='ResNet',
    depth=18,
    stem_channels=4,
    base_channels=4,
    out_indices=[4],
    norm_cfg=dict(type='BN'))


def mlp(in_ch, hid=16, out=8, avg_pool=True):
    return dict(
        type='NonLinearNeck',
        in_channels=in_ch,
        hid_channels=hid,
        out_channels=out,
        num_layers=2,
        with_bias=True,
        with_last_bn=False,
        with_last_bias=True,
        with_avg_pool=avg_pool,
        norm_cfg=dict(type='BN1d'))


def tiny_mocov2plus(predictor=True, **kwargs):
    """MoCoV2Plus with a 4-channel ResNet-18 (32-d output), 8-d keys."""
    cfg = dict(
        type='MoCoV2Plus',
        backbone=copy.deepcopy(TINY_BACKBONE),
        neck=mlp(32),
        head=dict(type='SymmetricContrastiveHead'),
        queue_len=16,
        feat_dim=8)
    if predictor:
        cfg['predictor'] = mlp(8, avg_pool=False)
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    model.init_weights()
    return model
