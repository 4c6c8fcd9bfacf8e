# MoCo v2+ with LARS (Table 2): batch 4096 (16 GPUs x 256), lr 0.3 x 4096 /
# 256 = 4.8, wd 1e-6; BN and bias parameters are excluded from LARS
# adaptation and weight decay; 10-epoch warm-up then cosine (inherited).
_base_ = './mocov2plus_r50_200e.py'

train_dataloader = dict(batch_size=256)
optim_wrapper = dict(
    optimizer=dict(
        _delete_=True, type='LARS', lr=4.8, momentum=0.9, weight_decay=1e-6),
    paramwise_cfg=dict(
        custom_keys={
            'bn': dict(decay_mult=0, lars_exclude=True),
            'bias': dict(decay_mult=0, lars_exclude=True),
            # the BN of a ResNet downsample branch is named 'downsample.1'
            'downsample.1': dict(decay_mult=0, lars_exclude=True),
        }))
auto_scale_lr = dict(base_batch_size=4096)
