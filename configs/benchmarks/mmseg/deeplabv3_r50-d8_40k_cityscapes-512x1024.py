# DeepLab-v3, ResNet-50 output stride 8, Cityscapes train_fine -> val:
# crop 512x1024, test on the whole 1024x2048 image, 40k iterations, total
# batch 8 (2 images x 4 GPUs), as the paper's section 3.2 (the authors'
# release differs: see docs/transfer_audit.md). On mmseg's own config; what
# differs from it, and why:
# - plain ResNet (7x7 stem), not ResNetV1c (deep stem, keys stem.*): our
#   torchvision-style weights do not fit V1c; and no model-level
#   `pretrained` (with init_cfg on the backbone mmseg raises);
# - our checkpoint through the backbone's init_cfg (set by the launcher),
#   SyncBN and nothing frozen, pytorch style;
# - no weight decay on norm layers, PreciseBN before evaluation.
# mmseg's base already normalises RGB input with ImageNet mean/std.
_base_ = 'mmseg::deeplabv3/deeplabv3_r50-d8_4xb2-40k_cityscapes-512x1024.py'
custom_imports = dict(imports=['airl_mm.register'], allow_failed_imports=False)

norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    pretrained=None,
    backbone=dict(
        type='ResNet',
        depth=50,
        norm_cfg=norm_cfg,
        norm_eval=False,
        frozen_stages=-1,
        style='pytorch',
        init_cfg=dict(
            type='Pretrained', checkpoint=None, prefix='backbone.')))

# Total batch 8 whatever the GPU count: the launcher sets the per-process
# batch to base_batch_size // world size.
auto_scale_lr = dict(enable=False, base_batch_size=8)
train_dataloader = dict(batch_size=2)

max_iters = 40000
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
optim_wrapper = dict(paramwise_cfg=dict(norm_decay_mult=0.))
# 200 iterations x 8 images
custom_hooks = [dict(type='mmselfsup.PreciseBNHook', num_samples=1600)]
