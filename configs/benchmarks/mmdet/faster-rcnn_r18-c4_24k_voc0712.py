# Tab. 7, ResNet-18: faster-rcnn_r50-c4_24k_voc0712.py on a ResNet-18 (basic
# blocks). Only the depth and the widths it implies change: res4 gives 256
# channels (RPN, RoI features), res5 on the RoIs (the C4 shared head, also
# ResNet-18 stage 5 from the checkpoint) 512 (its extra norm, box head).
_base_ = './faster-rcnn_r50-c4_24k_voc0712.py'

model = dict(
    backbone=dict(depth=18),
    rpn_head=dict(in_channels=256, feat_channels=256),
    roi_head=dict(
        shared_head=dict(depth=18),
        bbox_roi_extractor=dict(out_channels=256),
        bbox_head=dict(in_channels=512)))
