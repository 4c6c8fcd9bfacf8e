# The tiny MoCo v2+ run epoch by epoch with two persistent data-loading
# workers: 3 epochs of 4 iterations, a checkpoint every epoch.
_base_ = './tiny_mocov2plus_mnist.py'

train_dataloader = dict(num_workers=2, persistent_workers=True)
train_cfg = dict(_delete_=True, type='EpochBasedTrainLoop', max_epochs=3)
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=3,
        by_epoch=True,
        begin=0,
        end=3,
        convert_to_iter_based=True)
]
default_hooks = dict(
    checkpoint=dict(by_epoch=True, interval=1, max_keep_ckpts=3))
log_processor = dict(by_epoch=True)
