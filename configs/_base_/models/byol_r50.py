# BYOL (mmselfsup's) with MoCo v2+'s networks: ResNet-50 with SyncBN,
# projector 2048-4096-256 and predictor 256-4096-256 (BN in the hidden layer),
# normalised L2 (cosine) loss, teacher momentum 0.99 (raised to 1 by
# MomentumAscendingHook in the config).
_base_ = './mocov2plus_r50.py'

model = dict(
    _delete_=True,
    type='BYOL',
    base_momentum=0.99,
    data_preprocessor={{_base_.model.data_preprocessor}},
    backbone={{_base_.model.backbone}},
    neck={{_base_.model.neck}},
    head=dict(
        type='LatentPredictHead',
        predictor={{_base_.model.predictor}},
        loss=dict(type='CosineSimilarityLoss')))
