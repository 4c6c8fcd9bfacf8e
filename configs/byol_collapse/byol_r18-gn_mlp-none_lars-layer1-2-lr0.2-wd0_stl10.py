# BYOL appendix: no BN anywhere, LARS on the encoder's layer1 and layer2
# only; every other parameter is updated by plain SGD with momentum at the
# same lr (LARS' excluded groups).
_base_ = './byol_r18-gn_mlp-none_lars-lr0.2-wd0_stl10.py'

optim_wrapper = dict(
    paramwise_cfg=dict(lars_modules=['backbone.layer1', 'backbone.layer2']))
