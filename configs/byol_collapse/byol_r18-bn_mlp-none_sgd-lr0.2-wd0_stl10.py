# BYOL appendix: the reference run with NO normalisation in the projector
# and predictor MLPs (the encoder keeps its BN).
_base_ = './byol_r18-bn_mlp-bn_sgd-lr0.2-wd0_stl10.py'

model = dict(
    neck=dict(norm_cfg=None), head=dict(predictor=dict(norm_cfg=None)))
