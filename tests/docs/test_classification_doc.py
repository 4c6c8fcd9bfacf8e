"""The figures the docs state are the ones the code computes.

- ``iteration_preserving_epochs``' worked example and the data-variation
  tables of docs/classification.md against the configs and the function
  (the example said 1,987 epochs, computed without ``drop_last``, where the
  10 % config runs 2,002 with it).
- docs/classification.md's GPU-count paragraph against the launcher: it
  used to tell users to set ``train_dataloader.batch_size`` on another GPU
  count, which turns the launcher's split of the total batch off.
"""
import re

import pytest
from mmengine.config import Config

from airl_mm.benchmarks.launcher import per_gpu_batch_size
from airl_mm.datasets.class_subset import (iteration_preserving_epochs,
                                           iters_per_epoch)

IMAGENET_TRAIN = 1281167
PCTS = (10, 20, 50, 70)


def _int(text: str) -> int:
    return int(text.replace(',', ''))


def _table_rows(doc: str, header_start: str) -> list:
    """Cells of the markdown table whose header line starts so."""
    lines = doc[doc.index(header_start):].splitlines()[2:]
    rows = []
    for line in lines:
        if not line.startswith('|'):
            break
        rows.append([c.strip() for c in line.strip('|').split('|')])
    return rows


def test_worked_example_is_the_10pct_config(repo_root):
    cfg = Config.fromfile(repo_root / 'configs/data_variation/'
                          'mocov2plus_r50_200e_classes-10pct.py')
    doc = iteration_preserving_epochs.__doc__
    stated = re.search(r'needs round\(([\d,]+) / (\d+)\) =\s+([\d,]+)', doc)
    total, per_epoch, epochs = (_int(g) for g in stated.groups())
    subset = round(0.1 * IMAGENET_TRAIN)
    assert per_epoch == iters_per_epoch(subset, 1024, drop_last=True)
    assert total == 200 * iters_per_epoch(IMAGENET_TRAIN, 1024, True)
    assert epochs == cfg.train_cfg.max_epochs == iteration_preserving_epochs(
        200, IMAGENET_TRAIN, subset, 1024, drop_last=True)


def test_data_variation_tables(repo_root):
    doc = (repo_root / 'docs/classification.md').read_text()
    rows = _table_rows(doc, '| classes | nominal images')
    assert [_int(r[0].rstrip(' %')) for r in rows] == list(PCTS)
    for pct, row in zip(PCTS, rows):
        images, per_epoch, epochs, warmup, total = map(_int, row[1:])
        cfg = Config.fromfile(repo_root / 'configs/data_variation/'
                              f'mocov2plus_r50_200e_classes-{pct}pct.py')
        assert images == round(pct / 100 * IMAGENET_TRAIN)
        assert per_epoch == iters_per_epoch(images, 1024, drop_last=True)
        assert epochs == cfg.train_cfg.max_epochs
        assert warmup == cfg.param_scheduler[0].end
        assert total == epochs * per_epoch
    rows = _table_rows(doc, '| classes | epochs | steps')
    for pct, row in zip(PCTS, rows):
        cfg = Config.fromfile(repo_root / 'configs/supervised/'
                              f'supervised_r50_100e_in1k_classes-{pct}pct.py')
        epochs = _int(row[1])
        assert epochs == cfg.train_cfg.max_epochs
        assert [_int(s) for s in row[2].split(',')] == \
            cfg.param_scheduler.milestones
        assert _int(row[3]) == epochs * iters_per_epoch(
            round(pct / 100 * IMAGENET_TRAIN), 256)
    audit = (repo_root / 'docs/classification_audit.md').read_text()
    listed = re.search(r'epochs ([\d,]+) / ([\d,]+) / ([\d,]+) / ([\d,]+)',
                       audit)
    assert [_int(g) for g in listed.groups()] == [
        iteration_preserving_epochs(200, IMAGENET_TRAIN,
                                    round(p / 100 * IMAGENET_TRAIN), 1024,
                                    True) for p in PCTS
    ]


@pytest.mark.parametrize('config,total,per_gpu_on_8', [
    ('classification/linear_r50_sgd-steplr-100e_in1k.py', 256, 32),
    ('classification/linear_r50_nesterov-coslr-80e_in1k.py', 1024, 128),
    ('longtail/linear_r50_cifar10lt.py', 256, 32),
])
def test_gpu_count_paragraph_says_what_the_launcher_does(
        repo_root, config, total, per_gpu_on_8):
    doc = (repo_root / 'docs/classification.md').read_text()
    start = doc.index('**Total batch, whatever the GPU count.**')
    para = ' '.join(doc[start:doc.index('\n\n', start)].split())
    cfg = Config.fromfile(repo_root / 'configs/benchmarks' / config)
    assert cfg.auto_scale_lr.base_batch_size == total
    assert f'{total:,}' in para
    assert per_gpu_batch_size(total, 8) == per_gpu_on_8
    assert f'{per_gpu_on_8} or' in para or f'or {per_gpu_on_8}' in para
    # the override is described as what it is: the split's off switch
    assert 'turns the split off' in para
    assert 'does not rescale' in para
