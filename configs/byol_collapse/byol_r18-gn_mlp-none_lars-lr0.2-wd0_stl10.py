# BYOL appendix: no BN anywhere, LARS (lr 0.2, momentum 0.9, eta 1e-3, no
# weight decay) instead of SGD; norm parameters and biases excluded from
# the adaptation (by type and shape) as usual.
_base_ = './byol_r18-gn_mlp-none_sgd-lr0.2-wd0_stl10.py'

optim_wrapper = dict(
    optimizer=dict(type='LARS', eta=1e-3),
    constructor='LARSOptimWrapperConstructor')
