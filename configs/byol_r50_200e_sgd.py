# BYOL with MoCo v2+'s optimisation (Table 2): SGD lr 0.12 (batch 1024),
# wd 1e-4, warm-up + cosine, momentum 0.99 -> 1 (MomentumAscendingHook),
# SyncBN, 2048-4096-256 projector, 256-4096-256 predictor, and the paper's
# symmetric Table-5 augmentations (byol_r50_200e_sgd_asym-aug.py: BYOL's own
# asymmetric pair).
_base_ = [
    '_base_/models/byol_r50.py',
    '_base_/datasets/imagenet_byol-sym.py',
    '_base_/schedules/sgd_coslr-200e.py',
    '_base_/default_runtime.py',
]

custom_hooks = [dict(type='MomentumAscendingHook', base_momentum=0.99)]
