# BYOL with LARS (Table 2): batch 4096 (16 GPUs x 256), lr 4.8, wd 1e-6,
# BN and bias parameters excluded from LARS adaptation and weight decay;
# 10-epoch warm-up then cosine (inherited).
_base_ = [
    './byol_r50_200e_sgd.py', './_base_/schedules/lars_bn-bias-excluded.py'
]

optim_wrapper = {{_base_.lars_optim_wrapper}}
train_dataloader = dict(batch_size=256)
auto_scale_lr = dict(base_batch_size=4096)
