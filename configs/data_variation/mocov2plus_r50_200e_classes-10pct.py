# Data variation (Appendix B.2, Fig. 8): MoCo v2+ pre-trained on 10 % of
# ImageNet's classes (100 of 1,000, every image of each; a seeded uniform
# draw: airl_mm.datasets.ClassSubset) for as many ITERATIONS as the 100 %
# run (configs/mocov2plus_r50_200e.py: 200 epochs x 1,251 iterations at
# batch 1024, drop_last). Epochs = iteration_preserving_epochs(200,
# 1281167, round(0.1 * 1281167), 1024, drop_last=True) = 2002, the nominal
# subset size (the drawn classes hold a few per cent more or fewer images;
# ClassSubset logs the real size). The warm-up keeps its share (10/200).
_base_ = '../mocov2plus_r50_200e.py'

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ClassSubset',
        ratio=0.1,
        seed=0,
        dataset={{_base_.train_dataloader.dataset}}))

max_epochs = 2002
warmup_epochs = 100
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0,
         end=warmup_epochs, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - warmup_epochs,
         by_epoch=True, begin=warmup_epochs, end=max_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)
# as many checkpoints as the 100 % run (every 10 of its epochs)
default_hooks = dict(checkpoint=dict(interval=100))
