# Linear evaluation on ImageNet-1k for LARS pre-trainings (Tab. 2): the SGD
# protocol's frozen backbone, data and head, with SGD + Nesterov, lr 0.8,
# momentum 0.9, weight decay 0, batch 1024 (8 GPUs x 128), cosine to 0 over
# 80 epochs, stepped every iteration as in the authors' code (mmengine steps
# a by-epoch scheduler once per epoch unless convert_to_iter_based).
# The authors' code uses lr 0.2 here; to follow it, add
# --cfg-options optim_wrapper.optimizer.lr=0.2 (docs/classification_audit.md).
_base_ = './linear_r50_sgd-steplr-100e_in1k.py'

train_dataloader = dict(batch_size=128)
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.8, momentum=0.9, nesterov=True, weight_decay=0.))
param_scheduler = [
    # no end / T_max: the cosine ends with the run (mmengine: end =
    # train_cfg.max_epochs), also when max_epochs is overridden
    dict(type='CosineAnnealingLR', eta_min=0., by_epoch=True, begin=0,
         convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=80)
auto_scale_lr = dict(base_batch_size=1024)
