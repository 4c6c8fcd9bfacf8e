# Table 7: BYOL (SGD) with ResNet-18, 100 epochs (10 warm-up + 90 cosine).
_base_ = [
    '_base_/models/byol_r50.py',
    '_base_/datasets/imagenet_byol-sym.py',
    '_base_/schedules/sgd_coslr-100e.py',
    '_base_/default_runtime.py',
]

model = dict(backbone=dict(depth=18), neck=dict(in_channels=512))
custom_hooks = [dict(type='MomentumAscendingHook', base_momentum=0.99)]
