# The NormRescale demo's ONE fixed SGD fine-tuning recipe (mmcls): the
# pre-trained half-width ResNet-18 + a linear head, fine-tuned end to end on
# 1,000 labelled digits (100 per class), evaluated on the 1,000 held-out.
# demo/normrescale_demo.py sets model.backbone.init_cfg.checkpoint.
default_scope = 'mmcls'
custom_imports = dict(imports=['airl_mm.register'], allow_failed_imports=False)

model = dict(
    type='ImageClassifier',
    data_preprocessor=dict(
        type='ClsDataPreprocessor',
        mean=(33.3, 33.3, 33.3),
        std=(78.6, 78.6, 78.6),
        num_classes=10),
    backbone=dict(
        type='ResNet',
        depth=18,
        stem_channels=32,
        base_channels=32,
        out_indices=(3, ),
        init_cfg=dict(type='Pretrained', checkpoint=None,
                      prefix='backbone.')),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=256,
        loss=dict(type='CrossEntropyLoss'),
        topk=(1, )))

train_dataloader = dict(
    batch_size=64,
    num_workers=1,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='mmselfsup.MNISTDigits',
        split='train',
        per_class=100,
        pipeline=[
            dict(type='RandomResizedCrop', scale=32,
                 crop_ratio_range=(0.6, 1.0), backend='cv2'),
            dict(type='PackClsInputs')
        ]))
val_dataloader = dict(
    batch_size=256,
    num_workers=1,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='mmselfsup.MNISTDigits',
        split='test',
        pipeline=[dict(type='PackClsInputs')]))
val_evaluator = dict(type='Accuracy', topk=(1, ))

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=15, by_epoch=True)]
train_cfg = dict(by_epoch=True, max_epochs=15, val_interval=15)
val_cfg = dict()

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=-1),
    sampler_seed=dict(type='DistSamplerSeedHook'))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
log_level = 'INFO'
randomness = dict(seed=0)
