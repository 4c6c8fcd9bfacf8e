# BYOL's own asymmetric pair (Grill et al. 2020; mmselfsup's BYOL configs and
# the authors' exp/byol.py): as Table 5 but blur 1.0 / 0.1 and solarize
# 0 / 0.2 on views 1 / 2. A named variant; the paper uses the symmetric set.
# Fast transforms, as ./imagenet_byol-sym.py.
_base_ = './imagenet_byol-sym.py'

blur1 = dict(
    type='FastRandomGaussianBlur', sigma_min=0.1, sigma_max=2.0, prob=1.)
blur2 = dict(
    type='FastRandomGaussianBlur', sigma_min=0.1, sigma_max=2.0, prob=.1)
solarize1 = dict(type='FastRandomSolarize', threshold=128, prob=0.)
solarize2 = dict(type='FastRandomSolarize', threshold=128, prob=0.2)
view_pipeline1 = [
    {{_base_.crop}}, {{_base_.flip}}, {{_base_.jitter}}, {{_base_.gray}},
    blur1, solarize1
]
view_pipeline2 = [
    {{_base_.crop}}, {{_base_.flip}}, {{_base_.jitter}}, {{_base_.gray}},
    blur2, solarize2
]
train_dataloader = dict(dataset=dict(pipeline=[
    {{_base_.load}},
    dict(
        type='MultiView',
        num_views=[1, 1],
        transforms=[view_pipeline1, view_pipeline2]), {{_base_.pack}}
]))
