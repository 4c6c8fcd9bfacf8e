"""One-line recipes of pre-training configs (``configs/README.md``).

The table in ``configs/README.md`` is generated from the resolved configs
(``tools/analysis/config_table.py``, whose helper this is: documentation
tooling, outside the package) and a test regenerates it, so the
documentation cannot drift from what the configs train.
"""
import fnmatch
import os.path as osp
from typing import Dict, Iterable, List, Optional

# Where each config sits in the paper (first matching pattern wins).
PAPER_REFS = (
    ('demo/*', 'README demos (embedded digits)'),
    ('ladder/*', 'Fig. 2 ladder'),
    ('aug_ablation/*', 'Fig. 5'),
    ('data_variation/*', 'Fig. 8 (data size)'),
    ('supervised/*classes-*', 'Fig. 8 (data size, supervised)'),
    ('supervised/*taxonomy-*', 'Tab. 6 (label taxonomy, supervised)'),
    ('supervised/supervised_r50_100e_in1k.py',
     'Tab. 6 (Supervised-1000), Fig. 6, 8 (supervised)'),
    ('supervised/supervised_r50_*e_in1k.py',
     'Fig. 6 (pre-training length, supervised)'),
    ('supervised/*', 'Tab. 6, Fig. 6, 8 (supervised)'),
    ('mocov2_r50_200e.py', 'Fig. 2 (MoCo v2), Tab. 1-4'),
    ('mocov2plus_r50_200e.py', 'Fig. 2 (MoCo v2+), Tab. 1-4, Fig. 6'),
    ('smocov2plus_r50_200e.py', 'Tab. 4, Fig. 4-5'),
    ('*_lars.py', 'Tab. 2, Fig. 3 (LARS)'),
    ('byol_r50_200e_sgd.py', 'Tab. 2, Fig. 4-5 (BYOL, SGD), Fig. 6'),
    # the appendix's pre-training lengths (before Tab. 7's *_100e*)
    ('mocov2plus_r50_100e.py', 'Tab. 6, Fig. 6 (pre-training length)'),
    ('byol_r50_100e_sgd.py', 'Tab. 6, Fig. 6 (pre-training length)'),
    ('smocov2plus_r50_100e.py', 'Tab. 6 (S-MoCo v2+)'),
    ('*_r50_300e*.py', 'Fig. 6 (pre-training length), 7 (over-training)'),
    ('*_r50_500e*.py', 'Fig. 6 (pre-training length)'),
    ('byol_r50_200e_sgd_asym-aug.py', 'BYOL with its own asymmetric augs'),
    ('*_100e*.py', 'Tab. 7 (other depths)'),
)


def paper_ref(config: str) -> str:
    """The paper's figure/table of ``config`` (path under ``configs/``)."""
    for pattern, ref in PAPER_REFS:
        if fnmatch.fnmatch(config, pattern):
            return ref
    return ''


def _g(x: float) -> str:
    return f'{x:g}'


def _mlp(neck: dict) -> str:
    dims = '-'.join(
        str(neck[k]) for k in ('in_channels', 'hid_channels', 'out_channels')
        if k in neck)
    norm = neck.get(
        'norm_cfg',
        {}).get('type') if neck.get('type') == 'NonLinearNeck' else None
    return dims + (f' {norm}' if norm else ' no BN')


def _augs(pipeline: List[dict]) -> str:
    views = next((t for t in pipeline if t.get('type') == 'MultiView'), None)
    if views is None:
        return 'single view'
    steps = []
    for i, view in enumerate(views['transforms']):
        parts = []
        for t in view:
            # the fast transforms implement the reference of that name
            kind, p = t['type'].removeprefix('Fast'), t.get('prob')
            if kind == 'RandomResizedCrop':
                parts.append(f"crop{tuple(t.get('scale', (0.08, 1.0)))}")
            elif kind == 'RandomFlip':
                parts.append(f'flip@{_g(p)}')
            elif kind == 'RandomApply':
                j = t['transforms'][0]
                vals = ','.join(
                    _g(j[k])
                    for k in ('brightness', 'contrast', 'saturation', 'hue'))
                parts.append(f'jitter({vals})@{_g(p)}')
            elif kind == 'RandomGrayscale':
                parts.append(f'gray@{_g(p)}')
            elif kind == 'RandomGaussianBlur':
                parts.append(f'blur@{_g(p)}')
            elif kind == 'RandomSolarize':
                if p:
                    parts.append(f'solarize@{_g(p)}')
            else:
                parts.append(kind)
        steps.append(' '.join(parts))
    if len(set(steps)) == 1:
        return steps[0] + ' (both views)'
    return ' / '.join(f'v{i + 1}: {s}' for i, s in enumerate(steps))


def recipe_line(cfg) -> str:
    """What ``cfg`` trains, in one line (model, augmentations, optimiser,
    batch, schedule). ``cfg`` is a resolved :class:`mmengine.Config`."""
    m = cfg.model
    bb = m.backbone
    norm = bb.get('norm_cfg', {}).get('type', 'BN')
    parts = [f'{m.type} R-{bb.depth} {norm}']
    if 'hid_channels' in m.get('neck', {}):  # not a classifier's pooling
        parts.append(f'proj {_mlp(m.neck)}')
    predictor = m.get('predictor') or m.get('head', {}).get('predictor')
    if predictor:
        teacher = ' (+teacher)' if m.get('teacher_predictor') else ''
        parts.append(f'pred {_mlp(predictor)}{teacher}')
    hooks = [h.type for h in cfg.get('custom_hooks', [])]
    m0 = m.get('base_momentum')
    if m0 is not None:
        rising = 'MomentumAscendingHook' in hooks
        parts.append(f"m {_g(m0)}{'->1' if rising else ' fixed'}")
    if m.type == 'MoCoV2Plus':
        loss = 'sym' if m.get('symmetric_loss', True) else 'asym'
        shuffle = ', ShuffleBN' if m.get('shuffle_bn') else ''
        parts.append(f'{loss} InfoNCE t={_g(m.head.temperature)}, '
                     f'queue {m.queue_len}{shuffle}')
    elif 'head' in m and 'loss' in m.head:
        parts.append(m.head.loss.type)
    data = cfg.train_dataloader.dataset
    if data.get('type', '').endswith('ClassSubset'):
        parts.append(f'{data.ratio:.0%} of the classes')
        data = data.dataset
    parts.append(_augs(data.get('pipeline', [])))
    opt = cfg.optim_wrapper.optimizer
    parts.append(f"{opt.type} lr {_g(opt.lr)} wd {_g(opt.weight_decay)}")
    base = cfg.get('auto_scale_lr', {}).get('base_batch_size')
    parts.append(f'batch {cfg.train_dataloader.batch_size}/GPU' +
                 (f' (lr for {base})' if base else ''))
    loop = cfg.train_cfg
    parts.append(f'{loop.max_epochs} ep' if 'max_epochs' in
                 loop else f"{loop.get('max_iters')} it")
    ckpt = cfg.get('default_hooks', {}).get('checkpoint') or {}
    if ckpt.get('max_keep_ckpts', -1) <= 0 and 'interval' in ckpt:
        # none rotated away (mmengine: max_keep_ckpts <= 0): a sweepable run
        unit = 'ep' if ckpt.get('by_epoch', True) else 'it'
        parts.append(f"checkpoint every {ckpt['interval']} {unit}, all kept")
    return ' · '.join(parts)


def config_table(root: str,
                 configs: Iterable[str],
                 load: Optional[callable] = None) -> str:
    """Markdown rows ``| config | paper | recipe |`` for ``configs``
    (paths relative to ``root/configs``)."""
    if load is None:
        from mmengine.config import Config
        load = Config.fromfile
    rows = ['| config | paper | resolved recipe |', '| --- | --- | --- |']
    for c in configs:
        cfg = load(osp.join(root, 'configs', c))
        if 'neck' not in cfg.model:  # a classifier, not a pre-training
            continue
        rows.append(f'| `{c}` | {paper_ref(c)} | {recipe_line(cfg)} |')
    return '\n'.join(rows)


def pretraining_configs(root: str) -> List[str]:
    """Pre-training configs under ``root/configs`` (no bases, benchmarks,
    analysis or fine-tuning configs), released ones first."""
    import glob
    found = [
        osp.relpath(p, osp.join(root, 'configs')) for p in glob.glob(
            osp.join(root, 'configs', '**', '*.py'), recursive=True)
    ]
    skip = ('_base_/', 'benchmarks/', 'analysis/', 'byol_collapse/')
    keep = [
        c for c in found
        if not c.startswith(skip) and 'finetune' not in c and 'linear' not in c
    ]
    order: Dict[str, int] = {'': 0, 'ladder': 1, 'aug_ablation': 2, 'demo': 3}
    return sorted(keep, key=lambda c: (order.get(osp.dirname(c), 4), c))
