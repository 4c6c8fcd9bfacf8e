# BYOL appendix: no BN anywhere, with weight standardisation (mmcv ConvWS)
# on every conv of the GroupNorm encoder.
_base_ = './byol_r18-gn_mlp-none_sgd-lr0.2-wd0_stl10.py'

model = dict(backbone={{_base_.resnet18_gn_ws}})
