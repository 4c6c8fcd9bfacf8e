# ResNet-18 encoders of the BYOL appendix's normalisation study, as
# variables a config puts in place with
#     model = dict(backbone={{_base_.resnet18_gn}})
# (the BN and GN ones set every key but conv_cfg, ResNet's default None:
# merged onto each other they replace each other; GN + WS adds ConvWS).
# BN: SyncBN, as the released configs (BN on a CPU run).
resnet18_bn = dict(
    type='ResNet',
    depth=18,
    in_channels=3,
    out_indices=[4],
    norm_cfg=dict(type='SyncBN', requires_grad=True))
# GroupNorm, 32 groups: no batch statistics anywhere in the encoder.
resnet18_gn = dict(
    type='ResNet',
    depth=18,
    in_channels=3,
    out_indices=[4],
    norm_cfg=dict(type='GN', num_groups=32, requires_grad=True))
# GroupNorm + weight standardisation (mmcv's ConvWS: each conv's weight is
# standardised per output channel before use).
resnet18_gn_ws = dict(
    type='ResNet',
    depth=18,
    in_channels=3,
    out_indices=[4],
    conv_cfg=dict(type='ConvWS'),
    norm_cfg=dict(type='GN', num_groups=32, requires_grad=True))
