# The reference of ./imagenet_byol-sym.py: the same Table-5 steps with
# mmselfsup's / mmcv's own transforms (PIL and float64 NumPy), for speed and
# distribution comparisons (tests/datasets/transforms/test_fast_augment.py).
_base_ = './imagenet_byol-sym.py'

crop = dict(
    type='RandomResizedCrop',
    size=224,
    scale=(0.08, 1.),
    backend='pillow')
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
blur = dict(
    type='RandomGaussianBlur', sigma_min=0.1, sigma_max=2.0, prob=0.5)
solarize = dict(type='RandomSolarize', threshold=128, prob=0.2)

view_pipeline = [crop, flip, jitter, gray, blur, solarize]
train_dataloader = dict(dataset=dict(pipeline=[
    {{_base_.load}},
    dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
    {{_base_.pack}}
]))
