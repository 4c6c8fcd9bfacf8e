# BYOL (SGD, as byol_r50_200e_sgd.py) with BYOL's own asymmetric pair of
# augmentations (blur 1.0 / 0.1, solarize 0 / 0.2), as the authors' code
# (exp/byol.py) and mmselfsup's BYOL. The paper uses the symmetric set.
_base_ = [
    '_base_/models/byol_r50.py',
    '_base_/datasets/imagenet_byol-asym.py',
    '_base_/schedules/sgd_coslr-200e.py',
    '_base_/default_runtime.py',
]

custom_hooks = [dict(type='MomentumAscendingHook', base_momentum=0.99)]
