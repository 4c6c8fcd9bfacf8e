# Faster R-CNN R50-C4 on VOC07+12 trainval -> VOC07 test, 24k iterations:
# MoCo's detectron2 protocol as the authors released it (det/), on mmdet's
# own C4 VOC config. What differs from that host config, and why:
# - our torchvision-style ResNet-50 (pytorch style, RGB, ImageNet mean/std),
#   SyncBN everywhere in it and nothing frozen (MoCo's protocol);
# - res5 on the RoIs (shared_head) is ALSO initialised from our checkpoint
#   (the host points it at a caffe URL), plus MoCo's extra norm after it;
# - the data preprocessor is overridden INSIDE model: the host's caffe one
#   would otherwise keep running (a top-level data_preprocessor is ignored
#   when the base model has one);
# - no weight decay on norm layers, PreciseBN before evaluation (detectron2);
# - "difficult" objects are training targets, as in detectron2 (mmdet's
#   VOCDataset drops them from training); the VOC07 test set still ignores
#   them in evaluation (airl_mm/benchmarks/voc_difficult.py);
# - AP, AP50 and AP75 (VOC07 11-point AP averaged over IoU 0.50:0.95).
# tools/benchmarks/dist_mmdet.sh fills both init_cfg checkpoints.
_base_ = 'mmdet::pascal_voc/faster-rcnn_r50-caffe-c4_ms-18k_voc0712.py'
# airl_mm.register registers C4SharedHead (airl_mm/models/utils/c4_head.py)
custom_imports = dict(
    imports=['airl_mm.register', 'airl_mm.benchmarks.voc_difficult'],
    allow_failed_imports=False)

norm_cfg = dict(type='SyncBN', requires_grad=True)
# Set by the launcher (airl_mm.benchmarks.benchmark_config): the backbone
# file it converts from the pre-training checkpoint.
backbone_init = dict(type='Pretrained', checkpoint=None, prefix='backbone.')
model = dict(
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
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
            init_cfg=backbone_init),
        bbox_head=dict(num_classes=20)),
    # detectron2 RPN.BOUNDARY_THRESH=-1: anchors crossing the border kept
    train_cfg=dict(rpn=dict(allowed_border=-1)))

# Total batch 16 (2 images x 8 GPUs). The launcher sets the per-process
# batch to base_batch_size // world size for any GPU count, so lr 0.02
# always meets a batch of 16 (no automatic lr scaling).
auto_scale_lr = dict(enable=False, base_batch_size=16)
train_dataloader = dict(
    batch_size=2,
    num_workers=4,
    dataset=dict(
        # one metainfo for VOC2007+VOC2012 (they differ only in
        # dataset_type; otherwise a list of both ends up in dataset_meta
        # and checkpoints)
        ignore_keys=['dataset_type'],
        # the host's two VOCDataset, training on difficult objects
        datasets=[
            dict(
                type='VOCTrainDifficultDataset',
                data_root={{_base_.data_root}},
                ann_file=f'VOC{year}/ImageSets/Main/trainval.txt',
                data_prefix=dict(sub_data_root=f'VOC{year}/'),
                filter_cfg=dict(filter_empty_gt=True, min_size=32),
                pipeline={{_base_.train_pipeline}},
                backend_args={{_base_.backend_args}})
            for year in ('2007', '2012')
        ]))

max_iters = 24000
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=100),
    dict(type='MultiStepLR', begin=0, end=max_iters, by_epoch=False,
         milestones=[18000, 22000], gamma=0.1)
]
optim_wrapper = dict(
    optimizer=dict(lr=0.02, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(norm_decay_mult=0.))

# detectron2 PRECISE_BN: 200 iterations x 16 images, before evaluating
custom_hooks = [dict(type='mmselfsup.PreciseBNHook', num_samples=3200)]
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=4000))

val_evaluator = dict(
    type='VOCMetric',
    metric='mAP',
    eval_mode='11points',  # detectron2 uses the VOC07 metric on VOC2007
    iou_thrs=[0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95])
test_evaluator = val_evaluator
