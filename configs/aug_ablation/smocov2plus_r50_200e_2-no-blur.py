# Fig. 5, cumulative removal of augmentations, step 2: no Gaussian blur
# (from both views; the earlier steps' removals are kept).
# S-MoCo v2+ = MoCo v2+ with a teacher predictor (as in
# ../smocov2plus_r50_200e.py): that change on the MoCo v2+ step.
_base_ = './mocov2plus_r50_200e_2-no-blur.py'

model = dict(
    teacher_predictor=True,
    neck=dict(with_last_bias=False),
    predictor=dict(with_last_bias=False))
