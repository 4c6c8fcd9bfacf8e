# Table 5's symmetric BYOL augmentations (./imagenet_byol-sym_reference.py)
# with airl_mm's fast transforms (airl_mm/datasets/transforms): the same
# arguments and random draws, the pixel maths in OpenCV on the 224x224 crop
# (about 3x the images/s per core; docs/speed.md). The step names stay, so
# the Fig. 5 ablations still drop steps with {{_base_.crop}} etc.
_base_ = './imagenet_byol-sym_reference.py'

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

view_pipeline = [crop, flip, jitter, gray, blur, solarize]
train_dataloader = dict(dataset=dict(pipeline=[
    {{_base_.load}},
    dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
    {{_base_.pack}}
]))
