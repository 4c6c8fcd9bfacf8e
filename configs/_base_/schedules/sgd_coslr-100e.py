# Table 7's 100 epochs: SGD as the 200-epoch schedule (lr 0.12 for batch
# 1024, wd 1e-4, momentum 0.9), 10-epoch linear warm-up, then cosine to 0.
optimizer = dict(type='SGD', lr=0.12, weight_decay=1e-4, momentum=0.9)
optim_wrapper = dict(type='OptimWrapper', optimizer=optimizer)

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=10,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=90, by_epoch=True, begin=10,
         end=100, convert_to_iter_based=True),
]

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100)
# Total batch the lr above is for: 8 GPUs x 128.
auto_scale_lr = dict(base_batch_size=1024)
