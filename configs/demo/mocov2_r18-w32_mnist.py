# The demo's MoCo v2 baseline (first rung of Fig. 2), same data, backbone and
# budget as mocov2plus_r18-w32_mnist.py, to compare the ladder's two ends.
_base_ = '../mocov2_r18_100e.py'

model = dict(
    queue_len=256,  # small: 4,000 images, 10 classes
    data_preprocessor=dict(mean=(33.3, 33.3, 33.3), std=(78.6, 78.6, 78.6)),
    backbone=dict(stem_channels=32, base_channels=32),
    neck=dict(in_channels=256, hid_channels=256))

# MoCo v2's steps for 32x32 digits: no mirroring, blur sigma scaled down.
view_pipeline = [
    dict(type='RandomResizedCrop', size=32, scale=(0.5, 1.), backend='cv2'),
    dict(
        type='RandomApply',
        transforms=[
            dict(
                type='ColorJitter',
                brightness=0.4,
                contrast=0.4,
                saturation=0.4,
                hue=0.1)
        ],
        prob=0.8),
    dict(
        type='RandomGrayscale',
        prob=0.2,
        keep_channels=True,
        channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='RandomGaussianBlur', sigma_min=0.1, sigma_max=1.0, prob=0.5),
]
train_dataloader = dict(
    _delete_=True,
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='MNISTDigits',
        split='train',
        pipeline=[
            dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
            dict(type='PackSelfSupInputs', meta_keys=['img_shape'])
        ]))

max_epochs = 30
optim_wrapper = dict(optimizer=dict(lr=0.03))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - 1, by_epoch=True,
         begin=1, end=max_epochs, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)
auto_scale_lr = dict(base_batch_size=64)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)
