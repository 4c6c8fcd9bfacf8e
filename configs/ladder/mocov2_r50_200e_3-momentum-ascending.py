# Fig. 2, rung 3: teacher momentum rising 0.99 -> 1 on a cosine (per iter).
_base_ = './mocov2_r50_200e_2-predictor.py'

model = dict(base_momentum=0.99)
custom_hooks = [dict(type='MomentumAscendingHook', base_momentum=0.99)]
