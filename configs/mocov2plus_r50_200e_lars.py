# MoCo v2+ with LARS (Table 2): batch 4096 (16 GPUs x 256), lr 4.8, wd 1e-6,
# BN and bias parameters excluded from LARS adaptation and weight decay;
# 10-epoch warm-up then cosine.
_base_ = [
    '_base_/models/mocov2plus_r50.py',
    '_base_/datasets/imagenet_byol-sym.py',
    '_base_/schedules/lars_coslr-200e.py',
    '_base_/default_runtime.py',
]

custom_hooks = [dict(type='MomentumAscendingHook', base_momentum=0.99)]
train_dataloader = dict(batch_size=256)
