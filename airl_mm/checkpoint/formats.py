"""Checkpoint formats: detect one, take its ResNet backbone, write another.

Every format is mapped to ONE naming, the torchvision/mmcls ResNet names
without prefix (``conv1.weight``, ``bn1.running_mean``,
``layer1.0.conv2.weight``, ``layer1.0.downsample.1.bias``...; no ``fc``).
mmcls, mmdet, mmseg and mmselfsup ResNets use these very names under a
``backbone.`` prefix, so mapping is a matter of prefixes, plus the stage and
block renaming of detectron2.
"""
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Dict, Mapping, Optional, Tuple

import torch

from .io import CheckpointError

StateDict = Dict[str, torch.Tensor]

# (format name, student prefix, teacher prefix); first match wins.
PREFIXED_FORMATS = (
    ('airl_mm MoCoV2Plus', 'backbone.', 'teacher.module.0.'),
    ('mmselfsup MoCo', 'backbone.', 'encoder_k.module.0.'),
    ('mmselfsup BYOL', 'backbone.', 'target_net.module.0.'),
    ('MoCo (facebookresearch)', 'module.encoder_q.', 'module.encoder_k.'),
    ('MoCo (single GPU)', 'encoder_q.', 'encoder_k.'),
    ('revisitAIRL', 'module.online_encoder.', 'module.target_encoder.'),
    ('revisitAIRL', 'online_encoder.', 'target_encoder.'),
    ('backbone-only (mmdet/mmcls)', 'backbone.', None),
)
HEAD_PREFIXES = ('fc.', 'head.', 'classifier.')


@dataclass
class Backbone:
    """A ResNet backbone in canonical names and where it came from."""

    state_dict: StateDict
    format: str
    branch: str
    source_prefix: str


def state_dict_of(ckpt: object, path: str = 'checkpoint') -> StateDict:
    """The tensor dict inside a loaded checkpoint (``state_dict``, ``model``
    or the object itself)."""
    if not isinstance(ckpt, Mapping):
        raise CheckpointError(f'{path}: not a checkpoint dict '
                              f'(got {type(ckpt).__name__})')
    for key in ('state_dict', 'model'):
        if isinstance(ckpt.get(key), Mapping):
            ckpt = ckpt[key]
            break
    tensors = {k: v for k, v in ckpt.items() if isinstance(v, torch.Tensor)}
    if not tensors:
        raise CheckpointError(f'{path}: holds no tensors')
    return tensors


def _is_resnet(sd: Mapping[str, torch.Tensor]) -> bool:
    return 'conv1.weight' in sd and any(k.startswith('layer1.') for k in sd)


def _take(sd: StateDict, prefix: str) -> StateDict:
    return OrderedDict(
        (k[len(prefix):], v) for k, v in sd.items() if k.startswith(prefix))


def extract_backbone(ckpt: object,
                     branch: str = 'student',
                     path: str = 'checkpoint') -> Backbone:
    """Detect the format of ``ckpt`` and return its backbone (canonical).

    Args:
        ckpt: A loaded checkpoint (see :func:`load_checkpoint_file`).
        branch (str): ``'student'`` (online/query encoder) or ``'teacher'``
            (momentum encoder).
        path (str): Used in error messages.

    Raises:
        CheckpointError: no ResNet backbone inside, or no such branch.
    """
    if branch not in ('student', 'teacher'):
        raise ValueError(f"branch must be 'student' or 'teacher', got "
                         f'{branch!r}')
    sd = state_dict_of(ckpt, path)
    for name, student, teacher in PREFIXED_FORMATS:
        if not _is_resnet(_take(sd, student)):
            continue
        if teacher is not None and not _is_resnet(_take(sd, teacher)):
            continue
        prefix = student if branch == 'student' else teacher
        if prefix is None:
            raise CheckpointError(
                f'{path}: a {name} checkpoint has no teacher branch')
        return Backbone(_canonical(_take(sd, prefix)), name, branch, prefix)
    if _is_resnet(sd):
        if branch == 'teacher':
            raise CheckpointError(f'{path}: a plain ResNet state dict '
                                  '(torchvision-style) has no teacher branch')
        return Backbone(
            _canonical(sd), 'torchvision ResNet state dict', branch, '')
    raise CheckpointError(
        f'{path}: no ResNet backbone inside (looked for conv1.weight and '
        'layer1.* under the prefixes ' + ', '.join(
            sorted({p
                    for _, s, t in PREFIXED_FORMATS
                    for p in (s, t) if p})) + ', or none)')


def _canonical(sd: StateDict) -> StateDict:
    return OrderedDict(
        (k, v) for k, v in sd.items() if not k.startswith(HEAD_PREFIXES))


# ---------------------------------------------------------------- writers
def _own(t: torch.Tensor) -> torch.Tensor:
    """``t`` with a storage of its own: torch.save writes whole storages,
    so a view into a larger one is copied (loaded checkpoints rarely hold
    views; copying every tensor cost a third of a conversion)."""
    if t.untyped_storage().nbytes() != t.numel() * t.element_size():
        return t.clone()
    return t


def to_mmdet(sd: StateDict, meta: Optional[dict] = None) -> dict:
    """For ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix=
    'backbone.')`` in mmdet / mmseg / mmcls (mmcv ResNet names)."""
    return {
        'state_dict':
        OrderedDict(('backbone.' + k, _own(v)) for k, v in sd.items()),
        'meta':
        dict(meta or {}),
    }


def to_torchvision(sd: StateDict) -> StateDict:
    """Keys of ``torchvision.models.resnet*()`` (its ``fc`` left out)."""
    return OrderedDict((k, _own(v)) for k, v in sd.items())


def from_torchvision(sd: StateDict) -> StateDict:
    """torchvision ResNet state dict -> canonical (drops ``fc``)."""
    return _canonical(OrderedDict(sd))


_D2_BN = {
    'running_mean': 'running_mean',
    'running_var': 'running_var',
    'weight': 'weight',
    'bias': 'bias'
}


def detectron2_name(name: str) -> Optional[str]:
    """Canonical ResNet name -> detectron2 name (None: not carried over)."""
    if name.endswith('num_batches_tracked'):
        return None
    m = re.fullmatch(r'conv1\.weight', name)
    if m:
        return 'stem.conv1.weight'
    m = re.fullmatch(r'bn1\.(\w+)', name)
    if m:
        return f'stem.conv1.norm.{_D2_BN[m.group(1)]}'
    m = re.fullmatch(r'layer(\d)\.(\d+)\.(.+)', name)
    if not m:
        raise CheckpointError(f'no detectron2 name for {name!r}')
    stage, block, rest = int(m.group(1)) + 1, m.group(2), m.group(3)
    base = f'res{stage}.{block}.'
    m = re.fullmatch(r'conv(\d)\.weight', rest)
    if m:
        return base + f'conv{m.group(1)}.weight'
    m = re.fullmatch(r'bn(\d)\.(\w+)', rest)
    if m:
        return base + f'conv{m.group(1)}.norm.{_D2_BN[m.group(2)]}'
    if rest == 'downsample.0.weight':
        return base + 'shortcut.weight'
    m = re.fullmatch(r'downsample\.1\.(\w+)', rest)
    if m:
        return base + f'shortcut.norm.{_D2_BN[m.group(1)]}'
    raise CheckpointError(f'no detectron2 name for {name!r}')


def to_detectron2(sd: StateDict) -> dict:
    """detectron2's pickle layout (numpy arrays, ``matching_heuristics``)."""
    model = OrderedDict()
    for k, v in sd.items():
        d2 = detectron2_name(k)
        if d2 is not None:
            model[d2] = v.detach().cpu().numpy()
    return {
        'model': model,
        '__author__': 'airl_mm',
        'matching_heuristics': True
    }


def resnet_arch(sd: Mapping[str, torch.Tensor]) -> Tuple[int, dict]:
    """``(depth, ResNet kwargs)`` that rebuild the backbone of ``sd``."""
    blocks = []
    for stage in range(1, 5):
        ids = {
            int(k.split('.')[1])
            for k in sd if k.startswith(f'layer{stage}.')
        }
        if not ids:
            raise CheckpointError(f'no layer{stage} in the backbone')
        blocks.append(max(ids) + 1)
    bottleneck = 'layer1.0.conv3.weight' in sd
    depths = {
        (2, 2, 2, 2): 18,
        (3, 4, 6, 3): 34 if not bottleneck else 50,
        (3, 4, 23, 3): 101,
        (3, 8, 36, 3): 152
    }
    depth = depths.get(tuple(blocks))
    if depth is None:
        raise CheckpointError(f'unknown ResNet with blocks {blocks}')
    kwargs = dict(
        stem_channels=int(sd['conv1.weight'].shape[0]),
        base_channels=int(sd['layer1.0.conv1.weight'].shape[0]),
        in_channels=int(sd['conv1.weight'].shape[1]))
    return depth, kwargs
