# Long-tailed CIFAR-100 (rho = 100; Fig. 4), fine-tuning: the CIFAR-10-LT
# fine-tuning recipe (our choice, docs/classification_audit.md) on
# CIFAR-100-LT.
_base_ = './finetune_r50_cifar10lt.py'

data_preprocessor = dict(num_classes=100)
model = dict(head=dict(num_classes=100))

data_root = 'data/cifar100'
train_dataloader = dict(
    dataset=dict(type='CIFAR100LT', data_root=data_root))
val_dataloader = dict(dataset=dict(type='OfflineCIFAR100',
                                   data_root=data_root))
test_dataloader = val_dataloader
