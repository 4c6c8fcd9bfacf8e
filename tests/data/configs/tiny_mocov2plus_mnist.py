# MoCo v2+ (the real config) shrunk for CPU tests: 4-channel ResNet-18,
# 32 MNIST digits, batches of 8, 4 iterations, SyncBN as configured.
_base_ = '../../../configs/mocov2plus_r50_200e.py'

custom_imports = dict(imports=['airl_mm.register', 'helper_hooks'])
model = dict(
    queue_len=32,
    feat_dim=8,
    data_preprocessor=dict(mean=(33.3, ) * 3, std=(78.6, ) * 3),
    backbone=dict(depth=18, stem_channels=4, base_channels=4),
    neck=dict(in_channels=32, hid_channels=16, out_channels=8),
    predictor=dict(in_channels=8, hid_channels=16, out_channels=8))
train_dataloader = dict(
    _delete_=True,
    batch_size=8,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='MNISTDigits',
        split='train',
        indices=32,
        pipeline=[
            dict(
                type='MultiView',
                num_views=2,
                transforms=[[
                    dict(type='RandomResizedCrop', size=32, backend='cv2'),
                    {{_base_.solarize}}
                ]]),
            dict(type='PackSelfSupInputs', meta_keys=['img_shape'])
        ]))
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=4)
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=4, by_epoch=False, begin=0, end=4)
]
optim_wrapper = dict(optimizer=dict(lr=0.05))
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(by_epoch=False, interval=2, max_keep_ckpts=3))
custom_hooks = [
    dict(type='MomentumAscendingHook', base_momentum=0.99),
    dict(type='RecordStateHook'),
    dict(type='CrashAfterIterHook', iters=0)  # tests set iters to crash
]
log_processor = dict(by_epoch=False)
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)
