# Fig. 2, rung 2: an asymmetric predictor on the student. From here on the
# projector is 2048-4096-256 and the predictor 256-4096-256 (authors' code).
_base_ = './mocov2_r50_200e_1-syncbn.py'

model = dict(
    feat_dim=256,
    neck=dict(hid_channels=4096, out_channels=256),
    predictor=dict(
        type='NonLinearNeck',
        in_channels=256,
        hid_channels=4096,
        out_channels=256,
        num_layers=2,
        with_bias=True,
        with_last_bn=False,
        with_last_bias=True,
        with_avg_pool=False,
        norm_cfg=dict(type='SyncBN')))
