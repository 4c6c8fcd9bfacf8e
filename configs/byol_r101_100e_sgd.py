# Table 7: ResNet-101, 100 epochs (10 warm-up + 90 cosine).
_base_ = [
    './byol_r50_200e_sgd.py', './_base_/schedules/warmup10e-coslr-100e.py'
]

model = dict(backbone=dict(depth=101), neck=dict(in_channels=2048))
param_scheduler = {{_base_.param_scheduler_100e}}
train_cfg = dict(max_epochs=100)
