# The 100-epoch schedule of Table 7 (10 warm-up + 90 cosine epochs), named
# so that a 200-epoch config swaps it in:
#     param_scheduler = {{_base_.param_scheduler_100e}}
param_scheduler_100e = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=10,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=90, by_epoch=True, begin=10,
         end=100, convert_to_iter_based=True),
]
