# BYOL with MoCo v2+'s optimisation (Table 2): SGD lr 0.12 (batch 1024),
# wd 1e-4, warm-up + cosine, momentum 0.99 -> 1 (MomentumAscendingHook,
# inherited), SyncBN, 2048-4096-256 projector, 256-4096-256 predictor.
# Augmentations: BYOL's asymmetric pair (blur 1.0 / 0.1, solarization
# 0 / 0.2), as the authors' code (exp/byol.py); see docs/config_audit.md.
_base_ = './mocov2plus_r50_200e.py'

model = dict(
    _delete_=True,
    type='BYOL',
    base_momentum=0.99,
    data_preprocessor=dict(
        mean=(123.675, 116.28, 103.53),
        std=(58.395, 57.12, 57.375),
        bgr_to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=50,
        in_channels=3,
        out_indices=[4],
        norm_cfg=dict(type='SyncBN')),
    neck=dict(
        type='NonLinearNeck',
        in_channels=2048,
        hid_channels=4096,
        out_channels=256,
        num_layers=2,
        with_bias=True,
        with_last_bn=False,
        with_last_bias=True,
        with_avg_pool=True,
        norm_cfg=dict(type='SyncBN')),
    head=dict(
        type='LatentPredictHead',
        predictor=dict(
            type='NonLinearNeck',
            in_channels=256,
            hid_channels=4096,
            out_channels=256,
            num_layers=2,
            with_bias=True,
            with_last_bn=False,
            with_last_bias=True,
            with_avg_pool=False,
            norm_cfg=dict(type='SyncBN')),
        loss=dict(type='CosineSimilarityLoss')))

blur1 = dict(type='RandomGaussianBlur', sigma_min=0.1, sigma_max=2.0, prob=1.)
blur2 = dict(type='RandomGaussianBlur', sigma_min=0.1, sigma_max=2.0, prob=.1)
solarize1 = dict(type='RandomSolarize', threshold=128, prob=0.)
solarize2 = dict(type='RandomSolarize', threshold=128, prob=0.2)
view_pipeline1 = [
    {{_base_.crop}}, {{_base_.flip}}, {{_base_.jitter}}, {{_base_.gray}},
    blur1, solarize1
]
view_pipeline2 = [
    {{_base_.crop}}, {{_base_.flip}}, {{_base_.jitter}}, {{_base_.gray}},
    blur2, solarize2
]
train_dataloader = dict(dataset=dict(pipeline=[
    {{_base_.load}},
    dict(
        type='MultiView',
        num_views=[1, 1],
        transforms=[view_pipeline1, view_pipeline2]), {{_base_.pack}}
]))
