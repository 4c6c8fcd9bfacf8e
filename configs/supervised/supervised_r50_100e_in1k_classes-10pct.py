# Data variation, supervised (Appendix B.2, Fig. 8's "Supervised" rows):
# the supervised ResNet-50 baseline on 10 % of ImageNet's classes (the
# MoCo v2+ runs' draw: ClassSubset ratio 0.1, seed 0) for as many ITERATIONS
# as the 100 % run (100 epochs x 5,005 iterations at batch 256, last batch
# kept): epochs = iteration_preserving_epochs(100, 1281167,
# round(0.1 * 1281167), 256) = 999; the x0.1 steps keep their place (30, 60,
# 90 % of training), validation and checkpoints their count (100 and 10).
_base_ = './supervised_r50_100e_in1k.py'

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='mmselfsup.ClassSubset',
        ratio=0.1,
        seed=0,
        dataset={{_base_.train_dataloader.dataset}}))

max_epochs = 999
param_scheduler = dict(milestones=[300, 599, 899])
train_cfg = dict(max_epochs=max_epochs, val_interval=10)
default_hooks = dict(checkpoint=dict(interval=100))
