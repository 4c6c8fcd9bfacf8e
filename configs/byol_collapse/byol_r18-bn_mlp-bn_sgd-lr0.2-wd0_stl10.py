# The BYOL appendix's reference run: BYOL, ResNet-18 with BN, BN in the
# hidden layer of both MLPs (projector 512-4096-256, predictor
# 256-4096-256), SGD lr 0.2 (batch 256), momentum 0.9, no weight decay,
# cosine over 100 epochs; STL-10 96-px crops with the appendix's
# augmentations. The other configs of this folder each change one thing.
# Diagnostics: collapse metrics and layer-wise rates at every log line, the
# online kNN on STL-10 train -> test every 10 epochs.
_base_ = [
    '../_base_/models/byol_r50.py',
    '../_base_/models/resnet18_encoders.py',
    '../_base_/datasets/stl10_byol-appendix.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone={{_base_.resnet18_bn}},
    # MLPNeck with BN is NonLinearNeck (same modules and numbers); it can
    # also drop the norm (norm_cfg=None), which the ablations below do.
    neck=dict(type='MLPNeck', in_channels=512),
    head=dict(predictor=dict(type='MLPNeck')))

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=0.))
max_epochs = 100
param_scheduler = [
    # ends with the run (end = train_cfg.max_epochs, T_max = end - begin)
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0,
         convert_to_iter_based=True)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
auto_scale_lr = dict(base_batch_size=256)

custom_hooks = [
    dict(type='MomentumAscendingHook', base_momentum=0.99),
    dict(type='CollapseMonitorHook', student='neck', warn_std_ratio=0.1),
    dict(type='LayerwiseLRHook',
         layers=['backbone.conv1', 'backbone.layer1', 'backbone.layer2',
                 'backbone.layer3', 'backbone.layer4', 'neck',
                 'head.predictor']),
    dict(type='OnlineKNNHook', memory={{_base_.knn_memory}},
         query={{_base_.knn_query}}, interval=10, k=200, temperature=0.1),
]
