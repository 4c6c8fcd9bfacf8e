# LARS for batch 4096 (lr 0.3 x 4096 / 256 = 4.8, wd 1e-6, momentum 0.9);
# every norm-layer parameter and every bias: no weight decay, no LARS
# adaptation. LARSOptimWrapperConstructor finds them by module type (BN,
# SyncBN, GN, LN, whatever their names: bn1, gn1, downsample.1) and shape
# (every 1-D parameter), not by name fragments.
# Named so that a config swaps it in with
#     optim_wrapper = {{_base_.lars_optim_wrapper}}
lars_optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='LARS', lr=4.8, momentum=0.9, weight_decay=1e-6),
    constructor='LARSOptimWrapperConstructor',
    paramwise_cfg=dict(norm_bias_decay_mult=0.))
