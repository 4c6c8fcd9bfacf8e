# MoCo v2 augmentations (crop 0.2-1, jitter 0.8 (0.4, 0.4, 0.4, 0.1),
# grey 0.2, blur 0.5, flip 0.5), as mmselfsup ships them; 8 GPUs x 128.
_base_ = 'mmselfsup::selfsup/_base_/datasets/imagenet_mocov2.py'

train_dataloader = dict(
    batch_size=128,
    num_workers=8,
    # Loading a base config across packages tags its dicts with _scope_;
    # mmengine 0.10.7 passes that tag on to the collate function.
    collate_fn=dict(_delete_=True, type='default_collate'))
