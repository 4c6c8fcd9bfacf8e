# BYOL (mmselfsup's) with MoCo v2+'s networks: ResNet-50 with SyncBN,
# projector 2048-4096-256 and predictor 256-4096-256 (BN in the hidden layer),
# normalised L2 (cosine) loss, teacher momentum 0.99 (raised to 1 by
# MomentumAscendingHook in the config).
model = dict(
    type='BYOL',
    base_momentum=0.99,
    data_preprocessor=dict(
        mean=(123.675, 116.28, 103.53),
        std=(58.395, 57.12, 57.375),
        bgr_to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=50,
        in_channels=3,
        out_indices=[4],
        norm_cfg=dict(type='SyncBN')),
    neck=dict(
        type='NonLinearNeck',
        num_layers=2,
        with_bias=True,
        with_last_bn=False,
        with_last_bias=True,
        norm_cfg=dict(type='SyncBN'),
        in_channels=2048,
        hid_channels=4096,
        out_channels=256,
        with_avg_pool=True),
    head=dict(
        type='LatentPredictHead',
        predictor=dict(
            type='NonLinearNeck',
            num_layers=2,
            with_bias=True,
            with_last_bn=False,
            with_last_bias=True,
            norm_cfg=dict(type='SyncBN'),
            in_channels=256,
            hid_channels=4096,
            out_channels=256,
            with_avg_pool=False),
        loss=dict(type='CosineSimilarityLoss')))
