# S-MoCo v2+ (Table 4): the teacher has a (momentum) predictor too.
_base_ = './mocov2plus_r50_200e.py'

model = dict(teacher_predictor=True)
