# BYOL appendix: the reference run with a GroupNorm encoder (32 groups);
# the MLPs keep their BN.
_base_ = './byol_r18-bn_mlp-bn_sgd-lr0.2-wd0_stl10.py'

model = dict(backbone={{_base_.resnet18_gn}})
