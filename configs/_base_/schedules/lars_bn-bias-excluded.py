# LARS for batch 4096 (lr 0.3 x 4096 / 256 = 4.8, wd 1e-6, momentum 0.9);
# every BN parameter and every bias: no weight decay, no LARS adaptation.
# Named so that a config swaps it in with
#     optim_wrapper = {{_base_.lars_optim_wrapper}}
lars_optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='LARS', lr=4.8, momentum=0.9, weight_decay=1e-6),
    paramwise_cfg=dict(
        custom_keys={
            'bn': dict(decay_mult=0, lars_exclude=True),
            'bias': dict(decay_mult=0, lars_exclude=True),
            # the BN of a ResNet downsample branch is named 'downsample.1'
            'downsample.1': dict(decay_mult=0, lars_exclude=True),
        }))
