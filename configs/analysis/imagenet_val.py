# Data for tools/analysis/cka.py: ImageNet val, resize 256, centre 224.
default_scope = 'mmselfsup'
custom_imports = dict(imports=['airl_mm.register'], allow_failed_imports=False)
model = dict(
    data_preprocessor=dict(
        mean=(123.675, 116.28, 103.53),
        std=(58.395, 57.12, 57.375),
        bgr_to_rgb=True))
test_dataloader = dict(
    batch_size=64,
    dataset=dict(
        type='mmcls.ImageNet',
        data_root='data/imagenet/',
        ann_file='meta/val.txt',
        data_prefix=dict(img_path='val/'),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='mmcls.ResizeEdge', scale=256, edge='short'),
            dict(type='mmcls.CenterCrop', crop_size=224),
            dict(type='PackSelfSupInputs', meta_keys=['img_path'])
        ]))
