# Fig. 5, cumulative removal of augmentations, step 4: no colour jitter
# (from both views; the earlier steps' removals are kept).
_base_ = './byol_sgd_r50_200e_3-no-gray.py'

view_pipeline = [{{_base_.crop}}, {{_base_.flip}}]
train_dataloader = dict(dataset=dict(pipeline=[
    {{_base_.load}},
    dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
    {{_base_.pack}}
]))
