# The collapse demo: no BN anywhere (GN encoder, MLPs without norm), SGD.
_base_ = './byol_r18-w32-gn_mlp-bn_sgd-lr0.2_mnist.py'

model = dict(
    neck=dict(norm_cfg=None), head=dict(predictor=dict(norm_cfg=None)))
