# Fig. 2, rung 4: symmetric loss L(q1, k2) + L(q2, k1).
_base_ = './mocov2_r50_200e_3-momentum-ascending.py'

model = dict(symmetric_loss=True)
