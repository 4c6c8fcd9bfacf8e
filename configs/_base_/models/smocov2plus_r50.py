# S-MoCo v2+ (Table 4): MoCo v2+ whose teacher has a (momentum) predictor
# too. As the authors' code ('mcv2p' MLP), the last Linear of the projector
# and of the predictor have no bias in this variant.
_base_ = './mocov2plus_r50.py'

model = dict(
    teacher_predictor=True,
    neck=dict(with_last_bias=False),
    predictor=dict(with_last_bias=False))
