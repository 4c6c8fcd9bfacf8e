"""Rebuild a ResNet from a checkpoint and read its stem/stage outputs."""
from contextlib import contextmanager
from typing import Dict, Iterator, List

import torch
import torch.nn as nn

from ..checkpoint.formats import resnet_arch
from ..checkpoint.io import CheckpointError

STAGES = ('stem', 'layer1', 'layer2', 'layer3', 'layer4')


def build_resnet(sd: Dict[str, torch.Tensor]) -> nn.Module:
    """An mmselfsup ResNet with the depth/widths of ``sd``, loaded, eval."""
    from mmselfsup.registry import MODELS

    from ..compat import import_hosts
    import_hosts()  # building in mmselfsup's scope imports its models
    depth, kwargs = resnet_arch(sd)
    model = MODELS.build(
        dict(
            type='mmselfsup.ResNet',
            depth=depth,
            out_indices=[4],
            norm_cfg=dict(type='BN'),
            **kwargs))
    missing, unexpected = model.load_state_dict(sd, strict=False)
    missing = [k for k in missing if not k.endswith('num_batches_tracked')]
    if missing or unexpected:
        raise CheckpointError(
            f'backbone does not fit a ResNet-{depth}: missing '
            f'{missing[:5]}, unexpected {unexpected[:5]}')
    model.eval()  # mmcls ResNet.train() returns None: no chaining
    return model


@contextmanager
def stage_outputs(
        model: nn.Module,
        spatial: bool = False) -> Iterator[Dict[str, List[torch.Tensor]]]:
    """Collect stem (after max-pool) and stage outputs of each forward.

    Yields a dict filled on every forward: stage -> latest ``(n, d)``
    features, global-average-pooled unless ``spatial`` (then flattened).
    """
    store: Dict[str, torch.Tensor] = {}
    handles = []

    def tap(name):

        def hook(module, inputs, output):
            out = output.flatten(1) if spatial else output.mean(dim=(2, 3))
            store[name] = out.detach()

        return hook

    mods = {
        'stem': model.maxpool,
        'layer1': model.layer1,
        'layer2': model.layer2,
        'layer3': model.layer3,
        'layer4': model.layer4
    }
    for name in STAGES:
        handles.append(mods[name].register_forward_hook(tap(name)))
    try:
        yield store
    finally:
        for h in handles:
            h.remove()
