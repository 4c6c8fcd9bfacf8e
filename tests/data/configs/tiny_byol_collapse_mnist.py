# The collapse demo's LARS run (no BN anywhere, LARS on layer1 + layer2) with
# all three diagnostics hooks, shrunk for CPU tests: 8-channel GN ResNet-18,
# 32 MNIST digits, batches of 8 per process, one epoch, log every iteration,
# the online kNN on 20 + 20 digits before training and after the epoch.
_base_ = ('../../../configs/byol_collapse/mnist_demo/'
          'byol_r18-w32-gn_mlp-none_lars-layer1-2-lr0.2_mnist.py')

model = dict(
    backbone=dict(
        stem_channels=8, base_channels=8, norm_cfg=dict(num_groups=4)),
    neck=dict(in_channels=64, hid_channels=16, out_channels=8),
    head=dict(predictor=dict(in_channels=8, hid_channels=16, out_channels=8)))
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(indices=32))
max_epochs = 1
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=1,
        by_epoch=True,
        begin=0,
        end=1,
        convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=1)
knn = dict(
    type='OnlineKNNHook',
    interval=1,
    k=5,
    before_training=True,
    memory=dict(
        type='MNISTDigits',
        split='train',
        per_class=2,
        pipeline=[dict(type='PackSelfSupInputs', meta_keys=[])]),
    query=dict(
        type='MNISTDigits',
        split='test',
        indices=20,
        pipeline=[dict(type='PackSelfSupInputs', meta_keys=[])]))
custom_hooks = [
    dict(type='CollapseMonitorHook', student='neck'),
    dict(
        type='LayerwiseLRHook',
        layers=['backbone.layer1', 'backbone.layer3', 'neck']),
    knn,
]
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=10))
