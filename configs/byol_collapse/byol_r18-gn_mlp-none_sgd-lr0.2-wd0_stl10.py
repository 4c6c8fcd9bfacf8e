# BYOL appendix: no batch normalisation anywhere (GroupNorm encoder, MLPs
# without norm) under SGD lr 0.2, no weight decay: the run that collapses.
# The weight-decay, weight-standardisation and LARS configs change this one.
_base_ = './byol_r18-gn_mlp-bn_sgd-lr0.2-wd0_stl10.py'

model = dict(
    neck=dict(norm_cfg=None), head=dict(predictor=dict(norm_cfg=None)))
