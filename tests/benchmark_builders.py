"""Tiny inputs for the classification benchmark tests: a ResNet-50
pre-training checkpoint a quarter as wide, and the config overrides that
shrink a benchmark to it (sizes and iterations only)."""
from pathlib import Path
from typing import Dict, Optional

import torch

from airl_mm.checkpoint import save_checkpoint_file

# a quarter of ResNet-50's width: 16-channel stem, stage 5 gives 512
WIDTH = {
    'model.backbone.stem_channels': 16,
    'model.backbone.base_channels': 16,
    'model.head.in_channels': 512
}
IMAGENET_SIZE = {
    'train_dataloader.dataset.pipeline.1.scale': 32,
    'val_dataloader.dataset.pipeline.1.scale': 36,
    'val_dataloader.dataset.pipeline.2.crop_size': 32,
}
CIFAR_SIZE = {
    'train_dataloader.dataset.pipeline.0.scale': 32,
    'val_dataloader.dataset.pipeline.0.scale': 32,
}


def resnet50_state(seed: int = 0) -> Dict[str, torch.Tensor]:
    """A quarter-width ResNet-50 state dict whose BN statistics are far
    from the defaults (so any update would show)."""
    from mmpretrain.models import ResNet
    torch.manual_seed(seed)
    net = ResNet(depth=50, stem_channels=16, base_channels=16)
    net.init_weights()
    sd = {}
    for k, v in net.state_dict().items():
        if k.endswith('running_mean'):
            v = torch.randn_like(v)
        elif k.endswith('running_var'):
            v = torch.rand_like(v) + 0.5
        sd[k] = v
    return sd


def save_mocov2plus_checkpoint(path: Path, sd: Dict[str, torch.Tensor]):
    """``sd`` as the student of a MoCoV2Plus checkpoint whose teacher
    differs (every float tensor + 1)."""
    teacher = {k: v + 1 if v.is_floating_point() else v for k, v in sd.items()}
    save_checkpoint_file(
        {
            'state_dict': {
                **{
                    'backbone.' + k: v
                    for k, v in sd.items()
                },
                **{
                    'teacher.module.0.' + k: v
                    for k, v in teacher.items()
                }
            }
        }, path)
    return path


def classification_overrides(kind: str,
                             root: Path,
                             train_images: Optional[int] = None,
                             val_images: Optional[int] = None) -> dict:
    """``--cfg-options`` of a classification benchmark on tiny data:
    ``kind`` 'imagenet' (folder + meta/*.txt) or 'cifar' (pickles)."""
    opts = dict(IMAGENET_SIZE if kind == 'imagenet' else CIFAR_SIZE, **WIDTH)
    for loader, batch in (('train_dataloader', 4), ('val_dataloader', 50)):
        opts.update({
            f'{loader}.dataset.data_root': str(root),
            f'{loader}.batch_size': batch,
            f'{loader}.num_workers': 0
        })
    if train_images:  # the first N images of the (long-tailed) train list
        opts['train_dataloader.dataset.indices'] = train_images
    if val_images:
        opts['val_dataloader.dataset.indices'] = val_images
    # the launcher's final test runs on test_dataloader, which the configs
    # copy from val_dataloader when they are parsed: override it the same
    opts.update({
        'test' + k[3:]: v
        for k, v in list(opts.items()) if k.startswith('val_dataloader.')
    })
    opts.update({
        'train_cfg.max_epochs': 1,
        'default_hooks.logger.interval': 1,
        'default_hooks.checkpoint.interval': -1,
        'env_cfg.dist_cfg.backend': 'gloo'
    })
    return opts
