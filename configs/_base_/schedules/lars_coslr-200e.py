# LARS for batch 4096 (lr 0.3 x 4096 / 256 = 4.8, wd 1e-6, momentum 0.9,
# eta 0.001); every norm parameter and every bias: no weight decay, no LARS
# adaptation (found by module type and shape). 10-epoch linear warm-up,
# then cosine to 0 at the end of the run; 200 epochs.
_base_ = './lars_bn-bias-excluded.py'

# Its parts, not the whole: the whole carries the _delete_ that replaces a
# base's SGD optim_wrapper, which would stay in this one (nothing to
# replace here) and reach OptimWrapper as an argument.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer={{_base_.lars_optim_wrapper.optimizer}},
    constructor={{_base_.lars_optim_wrapper.constructor}},
    paramwise_cfg={{_base_.lars_optim_wrapper.paramwise_cfg}})

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=10,
         convert_to_iter_based=True),
    # no end / T_max: the Runner ends the cosine with the run
    # (end = train_cfg.max_epochs, T_max = end - begin), so a config
    # or --cfg-options that changes max_epochs moves it too
    dict(type='CosineAnnealingLR', by_epoch=True, begin=10,
         convert_to_iter_based=True),
]

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=200)
# Total batch the lr above is for: 16 GPUs x 256.
auto_scale_lr = dict(base_batch_size=4096)
