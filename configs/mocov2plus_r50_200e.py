# MoCo v2+ (Huang et al. 2022, Fig. 2 last rung): rung 4 + BYOL's symmetric
# augmentations with solarization (Table 5), the same on both views.
_base_ = './ladder/mocov2_r50_200e_4-symmetric-loss.py'

# Named steps, so the Fig. 5 ablations can drop them one by one.
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
train_dataloader = dict(dataset=dict(pipeline=[
    load,
    dict(type='MultiView', num_views=2, transforms=[view_pipeline]), pack
]))
