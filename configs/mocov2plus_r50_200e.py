# MoCo v2+ (Huang et al. 2022; the end of the Fig. 2 ladder): SyncBN with BN
# in the projector, an asymmetric predictor, momentum 0.99 -> 1 (cosine),
# symmetric InfoNCE, BYOL's symmetric augmentations with solarization
# (Table 5); SGD lr 0.12 (batch 1024), warm-up + cosine, 200 epochs.
# configs/ladder/ reaches the same recipe one change at a time.
_base_ = [
    '_base_/models/mocov2plus_r50.py',
    '_base_/datasets/imagenet_byol-sym.py',
    '_base_/schedules/sgd_coslr-200e.py',
    '_base_/default_runtime.py',
]

custom_hooks = [dict(type='MomentumAscendingHook', base_momentum=0.99)]
