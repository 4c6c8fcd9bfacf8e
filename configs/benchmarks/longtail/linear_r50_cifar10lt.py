# Long-tailed CIFAR-10 (Cao et al. 2019, rho = 100; the paper's Fig. 4),
# linear evaluation: the CIFAR-100 linear protocol (frozen ResNet-50, lr 30,
# batch 256, x0.1 at 60/80, 100 epochs, images resized to 224) trained on
# CIFAR-10-LT's 12,406 images and tested on the balanced 10,000. rho = 10:
# --cfg-options train_dataloader.dataset.imbalance_ratio=10
_base_ = '../classification/linear_r50_sgd-steplr-100e_cifar100.py'

data_preprocessor = dict(num_classes=10)
model = dict(head=dict(num_classes=10))

data_root = 'data/cifar10'
train_dataloader = dict(
    dataset=dict(
        type='CIFAR10LT', data_root=data_root, imbalance_ratio=100, seed=0))
val_dataloader = dict(dataset=dict(type='OfflineCIFAR10',
                                   data_root=data_root))
test_dataloader = val_dataloader
