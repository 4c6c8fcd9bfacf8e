# Table 7: MoCo v2 with ResNet-18, 100 epochs (10 warm-up + 90 cosine).
_base_ = [
    '_base_/models/mocov2_r50.py',
    '_base_/datasets/imagenet_mocov2.py',
    '_base_/schedules/sgd_coslr-100e.py',
    '_base_/default_runtime.py',
]

model = dict(backbone=dict(depth=18), neck=dict(in_channels=512))
