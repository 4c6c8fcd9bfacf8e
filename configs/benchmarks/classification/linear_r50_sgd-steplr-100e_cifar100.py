# Linear evaluation on CIFAR-100 (the paper's Fig. 2 "CIFAR-100 Acc"): the
# ImageNet SGD protocol (frozen backbone, lr 30, batch 256, x0.1 at 60/80,
# 100 epochs) on CIFAR-100's 50,000 / 10,000 images, RESIZED TO 224 so the
# ImageNet-trained backbone sees objects at its scale: train
# RandomResizedCrop 224 of the 32x32 image + flip, test the whole image
# resized to 224 (docs/classification_audit.md). data_root holds the python
# version of CIFAR-100 (cifar-100-python/), read without download.
_base_ = './linear_r50_sgd-steplr-100e_in1k.py'

data_preprocessor = dict(
    num_classes=100,
    # CIFAR-100 images are RGB already; ImageNet's mean/std, as the
    # backbone was pre-trained with them
    to_rgb=False)
model = dict(head=dict(num_classes=100, topk=(1, 5)))

dataset_type = 'OfflineCIFAR100'
data_root = 'data/cifar100'
train_pipeline = [
    dict(type='RandomResizedCrop', scale=224, backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='Resize', scale=224, backend='pillow'),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        split='train',
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        split='test',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
