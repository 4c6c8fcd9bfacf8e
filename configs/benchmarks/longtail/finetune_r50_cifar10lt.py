# Long-tailed CIFAR-10 (rho = 100; Fig. 4), fine-tuning: every layer of the
# pre-trained ResNet-50 and a new linear head trained end to end on
# CIFAR-10-LT (images resized to 224, as in the linear protocol), tested on
# the balanced 10,000. The paper gives no fine-tuning hyper-parameters; the
# ones below are OUR CHOICE (docs/classification_audit.md): plain cross-
# entropy (no re-weighting, so the long tail shows), SGD momentum 0.9, lr 0.05
# for batch 256 (8 GPUs x 32), weight decay 5e-4, 5 warm-up epochs then
# cosine to 0, 100 epochs, BN trained (batch statistics).
_base_ = './linear_r50_cifar10lt.py'

model = dict(backbone=dict(frozen_stages=-1, norm_eval=False))
# BN is trained: no ragged last batch of a few images per epoch
train_dataloader = dict(drop_last=True)

ft_epochs = 100
ft_warmup_epochs = 5
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0,
         end=ft_warmup_epochs, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=ft_epochs - ft_warmup_epochs,
         eta_min=0., by_epoch=True, begin=ft_warmup_epochs, end=ft_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=ft_epochs)
