# SGD of MoCo v2 / v2+: lr 0.03 x 1024 / 256 = 0.12, 10-epoch linear warm-up,
# then cosine to 0 at the end of the run; 200 epochs.
optimizer = dict(type='SGD', lr=0.12, weight_decay=1e-4, momentum=0.9)
optim_wrapper = dict(type='OptimWrapper', optimizer=optimizer)

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
# Total batch the lr above is for: 8 GPUs x 128.
auto_scale_lr = dict(base_batch_size=1024)
