# MoCo v2+ (Fig. 2, last rung): SyncBN everywhere, BN in the projector's
# hidden layer (2048-4096-256), an asymmetric predictor on the student
# (256-4096-256), teacher momentum 0.99 (raised to 1 by MomentumAscendingHook
# in the config), symmetric InfoNCE L(q1, k2) + L(q2, k1), t = 0.2, queue
# 65,536.

# Linear-BN-ReLU-Linear with biases (the authors' 'byol' MLP), used by the
# projector and the predictor. Names starting with '__' stay out of the
# resolved config.
__mlp = dict(
    type='NonLinearNeck',
    num_layers=2,
    with_bias=True,
    with_last_bn=False,
    with_last_bias=True,
    norm_cfg=dict(type='SyncBN'))
model = dict(
    type='MoCoV2Plus',
    queue_len=65536,
    feat_dim=256,
    base_momentum=0.99,
    symmetric_loss=True,
    shuffle_bn=False,
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
        **__mlp,
        in_channels=2048,
        hid_channels=4096,
        out_channels=256,
        with_avg_pool=True),
    predictor=dict(
        **__mlp,
        in_channels=256,
        hid_channels=4096,
        out_channels=256,
        with_avg_pool=False),
    head=dict(type='SymmetricContrastiveHead', temperature=0.2))
