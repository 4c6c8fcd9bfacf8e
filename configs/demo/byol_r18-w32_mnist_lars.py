# The transfer demo's BYOL-LARS backbone: BYOL (mmselfsup's, with MoCo
# v2+'s networks as configs/_base_/models/byol_r50.py) under the paper's
# LARS recipe, on the embedded digits with the MoCo v2+ demo's data,
# augmentations, backbone, MLP widths and schedule; only the method differs
# from configs/demo/mocov2plus_r18-w32_mnist_lars.py.
_base_ = './mocov2plus_r18-w32_mnist_lars.py'

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
