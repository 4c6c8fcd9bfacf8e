# MoCo v2 baseline of Huang et al. (Fig. 2, first rung): ShuffleBN, MLP
# projector 2048-2048-128 without BN, fixed momentum 0.999, InfoNCE t=0.2,
# queue 65536, MoCo v2 augmentations; SGD lr 0.12 (batch 1024), warm-up+cos.
_base_ = [
    '_base_/models/mocov2_r50.py',
    '_base_/datasets/imagenet_mocov2.py',
    '_base_/schedules/sgd_coslr-200e.py',
    '_base_/default_runtime.py',
]
