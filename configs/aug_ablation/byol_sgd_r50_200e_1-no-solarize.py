# Fig. 5, cumulative augmentation removal, step 1: no solarization
# (on both views; earlier steps' removals kept).
_base_ = '../byol_r50_200e_sgd.py'

view_pipeline1 = [
    {{_base_.crop}}, {{_base_.flip}}, {{_base_.jitter}}, {{_base_.gray}},
    {{_base_.blur1}}
]
view_pipeline2 = [
    {{_base_.crop}}, {{_base_.flip}}, {{_base_.jitter}}, {{_base_.gray}},
    {{_base_.blur2}}
]
train_dataloader = dict(dataset=dict(pipeline=[
    {{_base_.load}},
    dict(
        type='MultiView',
        num_views=[1, 1],
        transforms=[view_pipeline1, view_pipeline2]),
    {{_base_.pack}}
]))
