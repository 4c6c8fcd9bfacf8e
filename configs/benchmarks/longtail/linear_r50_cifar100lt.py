# Long-tailed CIFAR-100 (Cao et al. 2019, rho = 100; the paper's Fig. 4),
# linear evaluation: the CIFAR-100 linear protocol trained on CIFAR-100-LT's
# 10,847 images, tested on the balanced 10,000. rho = 10:
# --cfg-options train_dataloader.dataset.imbalance_ratio=10
_base_ = '../classification/linear_r50_sgd-steplr-100e_cifar100.py'

train_dataloader = dict(
    dataset=dict(type='CIFAR100LT', imbalance_ratio=100, seed=0))
