# Fig. 2, rung 1: SyncBN instead of ShuffleBN, and BN in the projector's
# hidden layer (Linear-BN-ReLU-Linear, biases as the authors' code).
_base_ = '../mocov2_r50_200e.py'

model = dict(
    shuffle_bn=False,
    backbone=dict(norm_cfg=dict(type='SyncBN')),
    neck=dict(
        _delete_=True,
        type='NonLinearNeck',
        in_channels=2048,
        hid_channels=2048,
        out_channels=128,
        num_layers=2,
        with_bias=True,
        with_last_bn=False,
        with_last_bias=True,
        with_avg_pool=True,
        norm_cfg=dict(type='SyncBN')))
