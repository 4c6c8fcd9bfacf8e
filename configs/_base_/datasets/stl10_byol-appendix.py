# STL-10 (binary release, data/stl10_binary) with the BYOL appendix's
# augmentations, the same on both views: crop 96 px of scale (0.2, 1),
# flip 0.5, colour jitter 0.8 at strength s = 0.5 (0.4, 0.4, 0.4, 0.1),
# grey 0.2, Gaussian blur 0.5 with sigma in (0.1, 2); ImageNet mean/std in
# the model's preprocessor. Pre-training on unlabeled + train (105,000).
data_root = 'data/stl10_binary'

crop = dict(type='RandomResizedCrop', size=96, scale=(0.2, 1.),
            backend='pillow')
flip = dict(type='RandomFlip', prob=0.5)
jitter = dict(
    type='RandomApply',
    transforms=[
        dict(type='ColorJitter', brightness=0.4, contrast=0.4,
             saturation=0.4, hue=0.1)
    ],
    prob=0.8)
gray = dict(
    type='RandomGrayscale',
    prob=0.2,
    keep_channels=True,
    channel_weights=(0.114, 0.587, 0.2989))
blur = dict(type='RandomGaussianBlur', sigma_min=0.1, sigma_max=2.0, prob=0.5)
view_pipeline = [crop, flip, jitter, gray, blur]

train_dataloader = dict(
    batch_size=256,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='STL10',
        data_root=data_root,
        split=('unlabeled', 'train'),
        pipeline=[
            dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
            dict(type='PackSelfSupInputs', meta_keys=['img_shape'])
        ]))

# The online kNN's splits (OnlineKNNHook): train images as neighbours, the
# test set scored; no augmentation.
knn_memory = dict(type='STL10', data_root=data_root, split='train',
                  pipeline=[dict(type='PackSelfSupInputs', meta_keys=[])])
knn_query = dict(type='STL10', data_root=data_root, split='test',
                 pipeline=[dict(type='PackSelfSupInputs', meta_keys=[])])
