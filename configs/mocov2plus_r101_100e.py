# Table 7: MoCo v2+ with ResNet-101, 100 epochs (10 warm-up + 90 cosine).
_base_ = [
    '_base_/models/mocov2plus_r50.py',
    '_base_/datasets/imagenet_byol-sym.py',
    '_base_/schedules/sgd_coslr-100e.py',
    '_base_/default_runtime.py',
]

model = dict(backbone=dict(depth=101), neck=dict(in_channels=2048))
custom_hooks = [dict(type='MomentumAscendingHook', base_momentum=0.99)]
