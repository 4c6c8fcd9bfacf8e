# Data variation (Appendix B.2, Fig. 8): MoCo v2+ on 50 % of ImageNet's
# classes; epochs keep the 100 % run's iterations (see the 10 % config):
# iteration_preserving_epochs(200, 1281167, round(0.5 * 1281167), 1024,
# drop_last=True) = 400.
_base_ = './mocov2plus_r50_200e_classes-10pct.py'

train_dataloader = dict(dataset=dict(ratio=0.5))

max_epochs = 400
warmup_epochs = 20
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0,
         end=warmup_epochs, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - warmup_epochs,
         by_epoch=True, begin=warmup_epochs, end=max_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)
default_hooks = dict(checkpoint=dict(interval=20))
