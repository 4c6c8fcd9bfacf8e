"""Checkpoint formats: detect one, take its ResNet backbone, write another.

Every format is mapped to ONE naming, the torchvision/mmcls ResNet names
without prefix (``conv1.weight``, ``bn1.running_mean``,
``layer1.0.conv2.weight``, ``layer1.0.downsample.1.bias``...; no ``fc``).
mmcls, mmdet, mmseg and mmselfsup ResNets use these very names under a
``backbone.`` prefix, so mapping is a matter of prefixes, plus the stage and
block renaming of detectron2.
"""
import re
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import torch

from .io import CheckpointError

StateDict = Dict[str, torch.Tensor]

# (format name, student prefix, teacher prefix); first match wins, and a
# format with a teacher matches only when both branches hold a ResNet, so
# two-branch layouts come before the backbone-only one they also contain.
PREFIXED_FORMATS = (
    ('airl_mm MoCoV2Plus', 'backbone.', 'teacher.module.0.'),
    ('mmselfsup MoCo', 'backbone.', 'encoder_k.module.0.'),
    ('mmselfsup BYOL', 'backbone.', 'target_net.module.0.'),
    # OpenSelfSup and mmselfsup 0.x: encoder_q/online_net =
    # Sequential(backbone, neck), the teacher a copy of it (their
    # ``backbone.*`` alias of the student is there too).
    ('OpenSelfSup / mmselfsup 0.x MoCo', 'encoder_q.0.', 'encoder_k.0.'),
    ('OpenSelfSup / mmselfsup 0.x BYOL', 'online_net.0.', 'target_net.0.'),
    ('MoCo (facebookresearch)', 'module.encoder_q.', 'module.encoder_k.'),
    ('MoCo (single GPU)', 'encoder_q.', 'encoder_k.'),
    # facebookresearch/moco-v3 (ResNet): torchvision ResNets whose fc is
    # the projector (dropped with the other heads)
    ('MoCo v3 (facebookresearch)', 'module.base_encoder.',
     'module.momentum_encoder.'),
    ('MoCo v3 (single GPU)', 'base_encoder.', 'momentum_encoder.'),
    # solo-learn's momentum methods (BYOL, MoCo v2+/v3...)
    ('solo-learn', 'backbone.', 'momentum_backbone.'),
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
                f'{path}: a {name} checkpoint has no teacher branch '
                f'that airl_mm recognises; {found_prefixes(sd)}')
        return Backbone(_canonical(_take(sd, prefix)), name, branch, prefix)
    if _is_resnet(sd):
        if branch == 'teacher':
            raise CheckpointError(
                f'{path}: a plain ResNet state dict (torchvision-style) '
                f'has no teacher branch; {found_prefixes(sd)}')
        return Backbone(
            _canonical(sd), 'torchvision ResNet state dict', branch, '')
    raise CheckpointError(
        f'{path}: no ResNet backbone inside (looked for conv1.weight and '
        'layer1.* under the prefixes ' + ', '.join(
            sorted({p
                    for _, s, t in PREFIXED_FORMATS
                    for p in (s, t) if p})) + f', or none); '
        f'{found_prefixes(sd)}')


def found_prefixes(sd: Mapping[str, torch.Tensor], show: int = 8) -> str:
    """What a state dict holds, for errors on unrecognised layouts: the
    prefixes of every ResNet inside (``conv1.weight`` next to ``layer1.*``)
    and the top-level prefixes with their tensor counts.

    Args:
        sd (dict): Flat tensor dict (``state_dict_of``).
        show (int): Top-level prefixes listed at most.

    Returns:
        str: e.g. ``"ResNets found under 'backbone.', 'encoder_x.0.';
        top-level prefixes: backbone. (320), encoder_x. (642), queue (1);
        teacher prefixes airl_mm recognises: ..."``.
    """
    roots = sorted(k[:-len('conv1.weight')] for k in sd
                   if k.endswith('conv1.weight')
                   and not re.search(r'(^|\.)layer\d+\.\d+\.conv1\.weight$', k)
                   and _is_resnet(_take(sd, k[:-len('conv1.weight')])))
    tops = Counter(k.split('.', 1)[0] + ('.' if '.' in k else '') for k in sd)
    top = ', '.join(f'{p} ({n})' for p, n in sorted(tops.items())[:show])
    if len(tops) > show:
        top += f' (+{len(tops) - show} more)'
    teachers = ', '.join(sorted({t for _, _, t in PREFIXED_FORMATS if t}))
    where = ', '.join(repr(r) for r in roots) or 'none'
    return (f'ResNets found under the prefixes {where}; top-level '
            f'prefixes: {top}; teacher prefixes airl_mm recognises: '
            f'{teachers}')


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


# ------------------------------------------------------------ architecture
# (block, blocks per stage) -> depth of the torchvision / mmcv ResNets
STANDARD_DEPTHS = {
    ('BasicBlock', (2, 2, 2, 2)): 18,
    ('BasicBlock', (3, 4, 6, 3)): 34,
    ('Bottleneck', (3, 4, 6, 3)): 50,
    ('Bottleneck', (3, 4, 23, 3)): 101,
    ('Bottleneck', (3, 8, 36, 3)): 152,
}
_BLOCK_KEY = re.compile(r'layer(\d+)\.(\d+)\.')


def _shape(v) -> Tuple[int, ...]:
    return tuple(v.shape) if hasattr(v, 'shape') else tuple(v)


@dataclass(frozen=True)
class ResNetLayout:
    """The architecture a canonical ResNet state dict holds.

    Attributes:
        block (str): ``'Bottleneck'`` (``layer1.0.conv3`` present) or
            ``'BasicBlock'``.
        blocks (tuple): Blocks per stage, ``layer1`` first.
        stem (int): Output channels of ``conv1``.
        widths (tuple): Width of each stage (output channels of its first
            block's ``conv1``: the bottleneck width, 64-128-256-512 in a
            standard ResNet, 128-... in wide_resnet50_2).
        out_channels (int): Output channels of the last stage (0: unknown).
    """

    block: str
    blocks: Tuple[int, ...]
    stem: int
    widths: Tuple[int, ...]
    out_channels: int

    @property
    def depth(self) -> int:
        """Weighted layers: 2 + 3 (bottleneck) or 2 per block."""
        per = 3 if self.block == 'Bottleneck' else 2
        return 2 + per * sum(self.blocks)

    @property
    def standard_depth(self) -> Optional[int]:
        """18/34/50/101/152 when the block counts are a standard ResNet's,
        else None (an extra stage, missing or extra blocks)."""
        return STANDARD_DEPTHS.get((self.block, self.blocks))

    def describe(self) -> str:
        """E.g. ``'depth 101 (Bottleneck blocks 3-4-23-3, stem 64, widths
        64-128-256-512, 2048 output channels)'``."""
        text = (f'depth {self.depth} ({self.block} blocks '
                f'{"-".join(map(str, self.blocks))}, stem {self.stem}, '
                f'widths {"-".join(map(str, self.widths))}')
        if self.out_channels:
            text += f', {self.out_channels} output channels'
        text += ')'
        if self.standard_depth is None:
            text += ', not a standard ResNet'
        return text


def resnet_layout(sd: Mapping[str, object]) -> ResNetLayout:
    """Infer the ResNet architecture of canonical names (``conv1.weight``,
    ``layer<s>.<b>.*``) from block counts, block type and channel widths.

    Args:
        sd (dict): Canonical name -> tensor (or shape).

    Raises:
        CheckpointError: no ``conv1.weight`` or no ``layer1``, or stages /
            blocks that are not numbered 1..S / 0..B-1 (a file that lost
            some of them would load partially).
    """
    if 'conv1.weight' not in sd:
        raise CheckpointError('no conv1.weight (not a ResNet stem)')
    ids: Dict[int, set] = {}
    for k in sd:
        m = _BLOCK_KEY.match(k)
        if m:
            ids.setdefault(int(m.group(1)), set()).add(int(m.group(2)))
    if 1 not in ids:
        raise CheckpointError('no layer1 (not a ResNet)')
    stages = sorted(ids)
    if stages != list(range(1, len(stages) + 1)):
        raise CheckpointError(f'ResNet stages {stages} are not numbered '
                              '1, 2, ... without gaps')
    for s in stages:
        if sorted(ids[s]) != list(range(len(ids[s]))):
            raise CheckpointError(
                f'layer{s} blocks {sorted(ids[s])} are not numbered 0, '
                '1, ... without gaps')
    bottleneck = 'layer1.0.conv3.weight' in sd
    last = f'layer{stages[-1]}.{len(ids[stages[-1]]) - 1}.' \
        f'conv{3 if bottleneck else 2}.weight'

    def out(key: str) -> int:
        return _shape(sd[key])[0] if key in sd and _shape(sd[key]) else 0

    return ResNetLayout(
        block='Bottleneck' if bottleneck else 'BasicBlock',
        blocks=tuple(len(ids[s]) for s in stages),
        stem=out('conv1.weight'),
        widths=tuple(out(f'layer{s}.0.conv1.weight') for s in stages),
        out_channels=out(last))


def describe_resnet(sd: Mapping[str, object]) -> str:
    """:meth:`ResNetLayout.describe` of ``sd``, or why there is none."""
    try:
        return resnet_layout(sd).describe()
    except CheckpointError as e:
        return f'no recognisable ResNet ({e})'


def _natural(key: str) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r'(\d+)', key)]


def show_keys(keys: Sequence[str], first: int = 5) -> str:
    """``'a, b, c, d, e (+N more)'`` in natural order (layer3.6 < 3.10)."""
    keys = sorted(keys, key=_natural)
    text = ', '.join(keys[:first])
    return text + (f' (+{len(keys) - first} more)'
                   if len(keys) > first else '')


def untaken_tensors(source: Iterable[str], taken: Iterable[str]) -> List[str]:
    """Keys of ``source`` that ``taken`` lacks, ``num_batches_tracked``
    aside (a counter, not a weight), in natural order."""
    taken = set(taken)
    return sorted(
        (k for k in source
         if k not in taken and not k.endswith('num_batches_tracked')),
        key=_natural)


def check_depth(bb: Backbone, depth: int, path: str = 'checkpoint') -> None:
    """Refuse a backbone that is not a standard ResNet of ``depth`` (the
    network a conversion's output will be loaded into).

    Raises:
        CheckpointError: naming the tensors a ResNet-``depth`` would not
            take (or lacks) and the depth/widths the backbone has.
    """
    for (block, blocks), d in STANDARD_DEPTHS.items():
        if d == depth:
            break
    else:
        raise ValueError(f'depth must be one of '
                         f'{sorted(STANDARD_DEPTHS.values())}, got {depth}')
    layout = resnet_layout(bb.state_dict)
    if layout.standard_depth == depth:
        return
    want = set()
    for k in bb.state_dict:
        m = _BLOCK_KEY.match(k)
        if m is None:
            want.add(k)
        elif int(m.group(1)) <= len(blocks) and \
                int(m.group(2)) < blocks[int(m.group(1)) - 1] and \
                (block == 'Bottleneck' or not re.search(r'\.(conv|bn)3\.',
                                                        k)):
            want.add(k)
    extra = untaken_tensors(bb.state_dict, want)
    have = ', '.join(f'layer{s + 1}: {n}' for s, n in enumerate(blocks))
    raise CheckpointError(
        f'{path}: the {bb.branch} backbone is a ResNet of '
        f'{layout.describe()}, not ResNet-{depth} ({block} blocks {have})' +
        (f'; {len(extra)} of its tensors a ResNet-{depth} does not take: '
         f'{show_keys(extra)}' if extra else '') +
        f'; convert it for a ResNet-{layout.depth} model instead')


def resnet_arch(sd: Mapping[str, torch.Tensor]) -> Tuple[int, dict]:
    """``(depth, ResNet kwargs)`` that rebuild the backbone of ``sd``.

    Raises:
        CheckpointError: not a standard ResNet (block counts of no
            torchvision/mmcv depth, an extra stage), named with the layout
            the state dict has.
    """
    layout = resnet_layout(sd)
    if layout.standard_depth is None:
        raise CheckpointError(
            f'unknown ResNet with blocks {list(layout.blocks)}: '
            f'{layout.describe()}')
    kwargs = dict(
        stem_channels=layout.stem,
        base_channels=layout.widths[0],
        in_channels=int(_shape(sd['conv1.weight'])[1]))
    return layout.standard_depth, kwargs
