# The demo's linear evaluation (make demo): the ImageNet linear protocol,
# configs/benchmarks/classification/linear_r50_sgd-steplr-100e_in1k.py,
# shrunk to the embedded digits: the demo's frozen half-width ResNet-18
# (all stages frozen, BN in eval mode, global-pooled last stage), a linear
# layer trained on the 4,000 training digits with SGD, momentum 0.9, weight
# decay 0, x0.1 at 60 % and 80 % of the epochs; tested on the 1,000
# held-out digits. Shrunk: 5 epochs instead of 100 (seconds on CPU), batch
# 64 with lr 30 x 64 / 256 = 7.5 (the linear scaling rule; 4x the steps of
# batch 256 for the same compute), 32x32 digits neither cropped nor flipped.
_base_ = '../benchmarks/classification/linear_r50_sgd-steplr-100e_in1k.py'

data_preprocessor = dict(
    num_classes=10, mean=(33.3, 33.3, 33.3), std=(78.6, 78.6, 78.6),
    to_rgb=False)
model = dict(
    backbone=dict(depth=18, stem_channels=32, base_channels=32),
    head=dict(num_classes=10, in_channels=256, topk=(1, )))

train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    dataset=dict(
        _delete_=True,
        type='mmselfsup.MNISTDigits',
        split='train',
        pipeline=[dict(type='PackInputs')]))
val_dataloader = dict(
    batch_size=500,
    num_workers=0,
    dataset=dict(
        _delete_=True,
        type='mmselfsup.MNISTDigits',
        split='test',
        pipeline=[dict(type='PackInputs')]))
test_dataloader = val_dataloader
val_evaluator = dict(topk=(1, ))
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(lr=7.5))
max_epochs = 5
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[3, 4], gamma=0.1)
]
# evaluate once, at the end
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)
