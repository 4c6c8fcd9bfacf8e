# Tab. 7, ResNet-101: faster-rcnn_r50-c4_24k_voc0712.py on a ResNet-101. Only
# the depth changes, in the backbone (23 blocks in res4) AND in res5 on the
# RoIs (the C4 shared head, from the checkpoint too); the widths are
# ResNet-50's (1024 out of res4, 2048 out of res5).
_base_ = './faster-rcnn_r50-c4_24k_voc0712.py'

model = dict(
    backbone=dict(depth=101), roi_head=dict(shared_head=dict(depth=101)))
