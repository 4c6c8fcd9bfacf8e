# The collapse demo: no BN anywhere, LARS (eta 1e-3) on the encoder's
# layer1 and layer2 only, plain SGD with momentum elsewhere, lr 0.2.
_base_ = './byol_r18-w32-gn_mlp-none_sgd-lr0.2_mnist.py'

optim_wrapper = dict(
    optimizer=dict(type='LARS', eta=1e-3),
    constructor='LARSOptimWrapperConstructor',
    paramwise_cfg=dict(lars_modules=['backbone.layer1', 'backbone.layer2']))
