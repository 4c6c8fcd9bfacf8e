# The collapse demo (make collapse-demo): BYOL with a GroupNorm ResNet-18
# under SGD lr 0.2, BN in the MLPs, on the embedded MNIST digits (4,000
# train, 32x32); minutes on CPU. The appendix's GN/MLP-BN config shrunk:
# half-width ResNet-18 (GN with 8 groups), MLPs 256-512-128 / 128-512-128,
# batch 64, digit-sized augmentations; diagnostics every 10 iterations, the
# online kNN (1,000 labelled train digits -> 1,000 held-out) every epoch.
_base_ = '../byol_r18-gn_mlp-bn_sgd-lr0.2-wd0_stl10.py'

model = dict(
    data_preprocessor=dict(mean=(33.3, 33.3, 33.3), std=(78.6, 78.6, 78.6)),
    backbone=dict(stem_channels=32, base_channels=32,
                  norm_cfg=dict(num_groups=8)),
    neck=dict(in_channels=256, hid_channels=512, out_channels=128),
    head=dict(predictor=dict(in_channels=128, hid_channels=512,
                             out_channels=128)))

# Digits are 32x32 and must not be mirrored.
crop = dict(type='RandomResizedCrop', size=32, scale=(0.5, 1.), backend='cv2')
blur = dict(type='RandomGaussianBlur', sigma_min=0.1, sigma_max=1.0, prob=0.5)
view_pipeline = [crop, {{_base_.jitter}}, {{_base_.gray}}, blur]
train_dataloader = dict(
    batch_size=64,
    num_workers=1,
    dataset=dict(
        _delete_=True,
        type='MNISTDigits',
        split='train',
        pipeline=[
            dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
            dict(type='PackSelfSupInputs', meta_keys=['img_shape'])
        ]))

max_epochs = 6
param_scheduler = [
    # ends with the run (end = train_cfg.max_epochs, T_max = end - begin)
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0,
         convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=max_epochs)
auto_scale_lr = dict(base_batch_size=64)

knn = dict(type='OnlineKNNHook', interval=1, k=20, temperature=0.07,
           before_training=True,
           memory=dict(type='MNISTDigits', split='train', per_class=100,
                       pipeline=[dict(type='PackSelfSupInputs',
                                      meta_keys=[])]),
           query=dict(type='MNISTDigits', split='test',
                      pipeline=[dict(type='PackSelfSupInputs',
                                     meta_keys=[])]))
custom_hooks = [
    dict(type='MomentumAscendingHook', base_momentum=0.99),
    dict(type='CollapseMonitorHook', student='neck', warn_std_ratio=0.1),
    dict(type='LayerwiseLRHook',
         layers=['backbone.conv1', 'backbone.layer1', 'backbone.layer2',
                 'backbone.layer3', 'backbone.layer4', 'neck',
                 'head.predictor']),
    knn,
]
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)
