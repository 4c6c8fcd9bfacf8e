# Mask R-CNN R50-C4 on COCO train2017 -> val2017, 90k iterations (1x):
# MoCo's detectron2 protocol as the authors released it, on mmdet's own C4
# Mask R-CNN. As the VOC C4 benchmark (see faster-rcnn_r50-c4_24k_voc0712.py
# for why each change): our torchvision-style ResNet-50 with SyncBN and
# nothing frozen, res5 + extra norm on the RoIs initialised from our
# checkpoint too, the RGB/ImageNet preprocessor inside model, no norm weight
# decay, PreciseBN; anchors crossing the image border are kept.
# Train shorter side 640-800 (step 32), test 800; lr 0.02, warm-up 1,000
# iterations, steps 60k / 80k.
_base_ = 'mmdet::mask_rcnn/mask-rcnn_r50-caffe-c4_1x_coco.py'
# airl_mm.register registers C4SharedHead (airl_mm/models/utils/c4_head.py)
custom_imports = dict(imports=['airl_mm.register'], allow_failed_imports=False)

norm_cfg = dict(type='SyncBN', requires_grad=True)
backbone_init = dict(type='Pretrained', checkpoint=None, prefix='backbone.')
model = dict(
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_mask=True,
        pad_size_divisor=32),
    backbone=dict(
        frozen_stages=-1,
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        init_cfg=backbone_init),
    roi_head=dict(
        shared_head=dict(
            _delete_=True,
            type='C4SharedHead',
            depth=50,
            stage=3,
            stride=2,
            style='pytorch',
            norm_cfg=norm_cfg,
            norm_eval=False,
            init_cfg=backbone_init)),
    train_cfg=dict(rpn=dict(allowed_border=-1)))

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
