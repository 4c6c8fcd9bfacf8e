# Table 5 of Huang et al.: BYOL's symmetric augmentations with solarization,
# the same on both views: crop (0.08, 1), flip 0.5, colour jitter 0.8
# (0.4, 0.4, 0.2, 0.1), grey 0.2, blur 0.5 with sigma in (0.1, 2), solarize
# 0.2 at 128; 8 GPUs x 128. airl_mm's fast transforms
# (airl_mm/datasets/transforms): the arguments and random draws of
# mmselfsup's / mmcv's own (./imagenet_byol-sym_reference.py), the pixel
# maths in OpenCV on the 224x224 crop (about 3x the images/s per core;
# docs/speed.md). Steps are named so that the Fig. 5 ablations can drop them
# one by one ({{_base_.crop}} etc.).
_base_ = 'mmselfsup::selfsup/_base_/datasets/imagenet_mocov2.py'

load = dict(type='LoadImageFromFile')
crop = dict(
    type='FastRandomResizedCrop',
    size=224,
    scale=(0.08, 1.),
    backend='pillow')
flip = dict(type='FastRandomFlip', prob=0.5)
jitter = dict(
    type='RandomApply',
    transforms=[
        dict(
            type='FastColorJitter',
            brightness=0.4,
            contrast=0.4,
            saturation=0.2,
            hue=0.1)
    ],
    prob=0.8)
gray = dict(
    type='FastRandomGrayscale',
    prob=0.2,
    keep_channels=True,
    channel_weights=(0.114, 0.587, 0.2989))
blur = dict(
    type='FastRandomGaussianBlur', sigma_min=0.1, sigma_max=2.0, prob=0.5)
solarize = dict(type='FastRandomSolarize', threshold=128, prob=0.2)
pack = dict(type='PackSelfSupInputs', meta_keys=['img_path'])

view_pipeline = [crop, flip, jitter, gray, blur, solarize]
train_dataloader = dict(
    batch_size=128,
    num_workers=8,
    # Loading a base config across packages tags its dicts with _scope_;
    # mmengine 0.10.7 passes that tag on to the collate function.
    collate_fn=dict(_delete_=True, type='default_collate'),
    dataset=dict(pipeline=[
        load,
        dict(type='MultiView', num_views=2, transforms=[view_pipeline]), pack
    ]))
