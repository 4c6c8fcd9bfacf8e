# Table 7: ResNet-101, 100 epochs (10 warm-up + 90 cosine).
_base_ = './mocov2plus_r50_200e.py'

model = dict(backbone=dict(depth=101), neck=dict(in_channels=2048))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=10,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=90, by_epoch=True, begin=10,
         end=100, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=100)
