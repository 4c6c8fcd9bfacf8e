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


def tiny_moco(**kwargs):
    """mmselfsup's MoCo (v2 neck) with the tiny backbone, 8-d keys."""
    cfg = dict(
        type='MoCo',
        queue_len=16,
        feat_dim=8,
        backbone=copy.deepcopy(TINY_BACKBONE),
        neck=dict(
            type='MoCoV2Neck', in_channels=32, hid_channels=16,
            out_channels=8),
        head=dict(
            type='ContrastiveHead',
            loss=dict(type='mmcls.CrossEntropyLoss'),
            temperature=0.2))
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def tiny_byol(**kwargs):
    """mmselfsup's BYOL with the tiny backbone, 8-d projections."""
    cfg = dict(
        type='BYOL',
        backbone=copy.deepcopy(TINY_BACKBONE),
        neck=mlp(32),
        head=dict(
            type='LatentPredictHead',
            predictor=mlp(8, avg_pool=False),
            loss=dict(type='CosineSimilarityLoss')))
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    model.init_weights()
    return model
