# MoCo v2 (Fig. 2, first rung): ResNet-50 with BN + ShuffleBN in the teacher,
# MLP projector 2048-2048-128 without BN, fixed momentum 0.999, asymmetric
# InfoNCE (t = 0.2) against a queue of 65,536 keys.
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
