# Mask R-CNN R50-FPN on COCO train2017 -> val2017, 90k iterations (1x):
# MoCo's detectron2 protocol as the authors released it, on mmdet's own
# Mask R-CNN FPN: SyncBN in the backbone, the FPN and the heads (4conv1fc
# box head, as the authors' release), our torchvision-style ResNet-50 with
# nothing frozen, no norm weight decay, PreciseBN.
# mmdet's FPN base already normalises RGB input with ImageNet mean/std
# inside model (asserted by tests/benchmarks).
# Train shorter side 640-800 (step 32), test 800; lr 0.02, warm-up 1,000
# iterations, steps 60k / 80k.
_base_ = 'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py'
custom_imports = dict(imports=['airl_mm.register'], allow_failed_imports=False)

norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    backbone=dict(
        frozen_stages=-1,
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        init_cfg=dict(
            type='Pretrained', checkpoint=None, prefix='backbone.')),
    neck=dict(norm_cfg=norm_cfg),
    roi_head=dict(
        bbox_head=dict(type='Shared4Conv1FCBBoxHead', norm_cfg=norm_cfg),
        mask_head=dict(norm_cfg=norm_cfg)))

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args={{_base_.backend_args}}),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(
        type='RandomChoiceResize',
        scales=[(1333, 640), (1333, 672), (1333, 704), (1333, 736),
                (1333, 768), (1333, 800)],
        keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
# Total batch 16 whatever the GPU count (see the VOC benchmark).
auto_scale_lr = dict(enable=False, base_batch_size=16)
train_dataloader = dict(
    batch_size=2,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(pipeline=train_pipeline))

max_iters = 90000
train_cfg = dict(
    _delete_=True,
    type='IterBasedTrainLoop',
    max_iters=max_iters,
    val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=1000),
    dict(type='MultiStepLR', begin=0, end=max_iters, by_epoch=False,
         milestones=[60000, 80000], gamma=0.1)
]
optim_wrapper = dict(
    optimizer=dict(lr=0.02, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(norm_decay_mult=0.))
custom_hooks = [dict(type='mmselfsup.PreciseBNHook', num_samples=3200)]
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=10000))
log_processor = dict(by_epoch=False)
