# Fig. 6 (pre-training length, "Supervised"): the supervised ResNet-50
# (supervised_r50_100e_in1k.py) for 500 epochs. Only the length changes:
# the x0.1 steps keep their place (30, 60, 90 % of training), validation and
# checkpoints their count (100 and 10), as in the data-variation configs.
_base_ = './supervised_r50_100e_in1k.py'

param_scheduler = dict(milestones=[150, 300, 450])
train_cfg = dict(max_epochs=500, val_interval=5)
default_hooks = dict(checkpoint=dict(interval=50))
