# Tab. 7, ResNet-101: the ImageNet SGD linear protocol of
# linear_r50_sgd-steplr-100e_in1k.py on a ResNet-101 backbone (2048 pooled
# features, as ResNet-50); for mocov2*_r101_100e.py and byol_r101_100e_sgd.py.
# Only the depth changes.
_base_ = './linear_r50_sgd-steplr-100e_in1k.py'

model = dict(backbone=dict(depth=101))
