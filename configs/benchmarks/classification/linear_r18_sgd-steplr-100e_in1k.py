# Tab. 7, ResNet-18: the ImageNet SGD linear protocol of
# linear_r50_sgd-steplr-100e_in1k.py on a ResNet-18 backbone (basic blocks,
# 512 pooled features into the linear layer); for mocov2*_r18_100e.py and
# byol_r18_100e_sgd.py. Only the depth-related fields change.
_base_ = './linear_r50_sgd-steplr-100e_in1k.py'

model = dict(backbone=dict(depth=18), head=dict(in_channels=512))
