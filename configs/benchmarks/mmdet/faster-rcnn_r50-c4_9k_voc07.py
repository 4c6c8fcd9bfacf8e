# Faster R-CNN R50-C4 on VOC2007 trainval -> VOC2007 test, 9k iterations
# (steps 6,750 / 8,250): the VOC07+12 benchmark with the 2007 data only
# (difficult objects trained on, ignored in evaluation, as there).
_base_ = './faster-rcnn_r50-c4_24k_voc0712.py'

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='VOCTrainDifficultDataset',
        data_root={{_base_.data_root}},
        ann_file='VOC2007/ImageSets/Main/trainval.txt',
        data_prefix=dict(sub_data_root='VOC2007/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=32),
        pipeline={{_base_.train_pipeline}}))

max_iters = 9000
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=100),
    dict(type='MultiStepLR', begin=0, end=max_iters, by_epoch=False,
         milestones=[6750, 8250], gamma=0.1)
]
default_hooks = dict(checkpoint=dict(interval=3000))
