# BYOL appendix: no BN anywhere, LARS on the projector and predictor MLPs
# only; the encoder is updated by plain SGD with momentum.
_base_ = './byol_r18-gn_mlp-none_lars-lr0.2-wd0_stl10.py'

optim_wrapper = dict(
    paramwise_cfg=dict(lars_modules=['neck', 'head.predictor']))
