# BYOL's symmetric augmentations with solarization (Table 5 of Huang et al.),
# the same on both views: crop (0.08, 1), flip 0.5, colour jitter 0.8
# (0.4, 0.4, 0.2, 0.1), grey 0.2, blur 0.5 with sigma in (0.1, 2), solarize
# 0.2 at 128. 8 GPUs x 128. Steps are named so that the Fig. 5 ablations can
# drop them one by one. This is the reference: mmselfsup's / mmcv's own
# transforms (PIL and float64 NumPy). ./imagenet_byol-sym.py, what the
# configs use, swaps in the fast transforms with the same draws.
_base_ = 'mmselfsup::selfsup/_base_/datasets/imagenet_mocov2.py'

load = dict(type='LoadImageFromFile')
crop = dict(
    type='RandomResizedCrop', size=224, scale=(0.08, 1.), backend='pillow')
flip = dict(type='RandomFlip', prob=0.5)
jitter = dict(
    type='RandomApply',
    transforms=[
        dict(
            type='ColorJitter',
            brightness=0.4,
            contrast=0.4,
            saturation=0.2,
            hue=0.1)
    ],
    prob=0.8)
gray = dict(
    type='RandomGrayscale',
    prob=0.2,
    keep_channels=True,
    channel_weights=(0.114, 0.587, 0.2989))
blur = dict(type='RandomGaussianBlur', sigma_min=0.1, sigma_max=2.0, prob=0.5)
solarize = dict(type='RandomSolarize', threshold=128, prob=0.2)
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
