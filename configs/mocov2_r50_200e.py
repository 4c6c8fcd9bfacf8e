# MoCo v2 baseline of Huang et al. (Fig. 2, first rung): ShuffleBN, MLP
# projector 2048-2048-128 without BN, fixed momentum 0.999, InfoNCE t=0.2,
# queue 65536, MoCo v2 augmentations; SGD lr 0.12 (batch 1024), warm-up+cos.
_base_ = [
    '_base_/datasets/imagenet_mocov2.py',
    '_base_/schedules/sgd_warmup10e-coslr-200e.py',
    '_base_/default_runtime.py',
]

model = dict(
    type='MoCoV2Plus',
    queue_len=65536,
    feat_dim=128,
    base_momentum=0.999,
    symmetric_loss=False,
    shuffle_bn=True,
    data_preprocessor=dict(
        mean=(123.675, 116.28, 103.53),
        std=(58.395, 57.12, 57.375),
        bgr_to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=50,
        in_channels=3,
        out_indices=[4],
        norm_cfg=dict(type='BN')),
    neck=dict(
        type='MoCoV2Neck',
        in_channels=2048,
        hid_channels=2048,
        out_channels=128,
        with_avg_pool=True),
    head=dict(type='SymmetricContrastiveHead', temperature=0.2))
