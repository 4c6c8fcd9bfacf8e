# The demo's MoCo v2 baseline: the MoCo v2+ demo (same data, backbone and
# budget) with every Fig. 2 rung undone, i.e. configs/mocov2_r50_200e.py's
# model at the demo's scale, so the ladder's two ends can be compared.
_base_ = './mocov2plus_r18-w32_mnist.py'

model = dict(
    shuffle_bn=True,  # rung 1: ShuffleBN, plain BN, projector without BN
    backbone=dict(norm_cfg=dict(type='BN')),
    neck=dict(
        _delete_=True,
        type='MoCoV2Neck',
        in_channels=256,
        hid_channels=256,
        out_channels=128),
    feat_dim=128,
    predictor=None,  # rung 2
    base_momentum=0.999,  # rung 3 (and no MomentumAscendingHook below)
    symmetric_loss=False)  # rung 4
custom_hooks = []

# MoCo v2's augmentations (not Table 5) at the demo's scale.
view_pipeline = [
    {{_base_.crop}},
    dict(
        type='RandomApply',
        prob=0.8,
        transforms=[
            dict(type='ColorJitter', brightness=0.4, contrast=0.4,
                 saturation=0.4, hue=0.1)
        ]), {{_base_.gray}}, {{_base_.blur}}
]
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
    dict(type='PackSelfSupInputs', meta_keys=['img_shape'])
]))
