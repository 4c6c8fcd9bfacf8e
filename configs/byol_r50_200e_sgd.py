# BYOL with MoCo v2+'s optimisation (Table 2): SGD lr 0.12 (batch 1024),
# wd 1e-4, warm-up + cosine, momentum 0.99 -> 1 (MomentumAscendingHook,
# inherited), SyncBN, 2048-4096-256 projector, 256-4096-256 predictor.
# Augmentations: BYOL's asymmetric pair (blur 1.0 / 0.1, solarization
# 0 / 0.2), as the authors' code (exp/byol.py); see docs/config_audit.md.
_base_ = './mocov2plus_r50_200e.py'

model = dict(
    _delete_=True,
    type='BYOL',
    base_momentum=0.99,
    data_preprocessor={{_base_.model.data_preprocessor}},
    backbone={{_base_.model.backbone}},  # ResNet-50, SyncBN
    neck={{_base_.model.neck}},  # 2048-4096-256, BN in the hidden layer
    head=dict(
        type='LatentPredictHead',
        predictor={{_base_.model.predictor}},  # 256-4096-256
        loss=dict(type='CosineSimilarityLoss')))

blur1 = dict(type='RandomGaussianBlur', sigma_min=0.1, sigma_max=2.0, prob=1.)
blur2 = dict(type='RandomGaussianBlur', sigma_min=0.1, sigma_max=2.0, prob=.1)
solarize1 = dict(type='RandomSolarize', threshold=128, prob=0.)
solarize2 = dict(type='RandomSolarize', threshold=128, prob=0.2)
view_pipeline1 = [
    {{_base_.crop}}, {{_base_.flip}}, {{_base_.jitter}}, {{_base_.gray}},
    blur1, solarize1
]
view_pipeline2 = [
    {{_base_.crop}}, {{_base_.flip}}, {{_base_.jitter}}, {{_base_.gray}},
    blur2, solarize2
]
train_dataloader = dict(dataset=dict(pipeline=[
    {{_base_.load}},
    dict(
        type='MultiView',
        num_views=[1, 1],
        transforms=[view_pipeline1, view_pipeline2]), {{_base_.pack}}
]))
