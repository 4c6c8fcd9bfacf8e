"""Tab. 6's supervised taxonomy configs: each differs from the supervised
100-epoch baseline only by its labels and the head's classes, and trains
(and validates) one step through the Runner on a tiny ImageNet-1k folder
of real wnids (the shared ``tiny_imagenet`` has made-up ones, which the
relabelling refuses)."""
import os.path as osp

import pytest
from config_builders import shrink, train_one_step
from mmengine.config import Config
from tool_loader import ROOT

from airl_mm.datasets import TAXONOMIES, load_taxonomy
from airl_mm.engine.runner.train import build_train_cfg

BASE = osp.join(ROOT, 'configs', 'supervised', 'supervised_r50_100e_in1k.py')


def config(taxonomy: str) -> str:
    return osp.join(ROOT, 'configs', 'supervised',
                    f'supervised_r50_100e_in1k_taxonomy-{taxonomy}.py')


@pytest.fixture(scope='module')
def real_imagenet(tmp_path_factory):
    """Classes 0, 1, 151, 404, 919 of ImageNet-1k (true wnids and labels),
    two images each, train and val."""
    from data_builders import make_imagenet
    wnids = load_taxonomy('10').wnids
    return make_imagenet(
        tmp_path_factory.mktemp('in5'),
        per_class=2,
        size=32,
        classes={wnids[i]: i
                 for i in (0, 1, 151, 404, 919)})


@pytest.mark.parametrize('taxonomy', TAXONOMIES)
def test_only_labels_and_classes_change(taxonomy):
    cfg, base = Config.fromfile(config(taxonomy)), Config.fromfile(BASE)
    k = load_taxonomy(taxonomy).num_classes
    assert cfg.model.head.num_classes == cfg.data_preprocessor.num_classes \
        == k
    for split in ('train', 'val', 'test'):
        loader, ref = cfg[f'{split}_dataloader'], base[f'{split}_dataloader']
        assert loader.dataset.type == 'mmselfsup.TaxonomyRelabel'
        assert loader.dataset.taxonomy == taxonomy
        assert loader.dataset.dataset == ref.dataset  # all images, as is
        assert {key: v for key, v in loader.items() if key != 'dataset'} \
            == {key: v for key, v in ref.items() if key != 'dataset'}
    # top-5 needs 5 classes: the 2-class runs report top-1 only
    topk = (1, ) if k < 5 else (1, 5)
    assert cfg.val_evaluator.topk == cfg.test_evaluator.topk == topk
    assert cfg.model.head.topk == topk
    # everything else is the baseline's
    head = dict(cfg.model.head, num_classes=1000, topk=(1, 5))
    assert dict(cfg.model, head=head) == base.model
    for key in ('optim_wrapper', 'param_scheduler', 'train_cfg',
                'default_hooks', 'auto_scale_lr', 'runner_type'):
        assert cfg[key] == base[key], key
    assert set(cfg.keys()) == set(base.keys())


@pytest.mark.slow
@pytest.mark.parametrize('taxonomy', TAXONOMIES)
def test_config_trains_and_validates_one_step(taxonomy, real_imagenet,
                                              tmp_path):
    cfg = build_train_cfg(config(taxonomy), work_dir=str(tmp_path))
    shrink(cfg)
    for split in ('train', 'val'):
        loader = cfg[f'{split}_dataloader']
        loader.update(batch_size=4, num_workers=0, persistent_workers=False)
        loader.dataset.dataset.data_root = str(real_imagenet)
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    runner = train_one_step(cfg, val_interval=1)
    head = runner.model.head.fc
    assert head.out_features == load_taxonomy(taxonomy).num_classes
    # the validation ran on the merged labels
    assert 'val/accuracy/top1' in runner.message_hub.log_scalars
    train_labels = runner.train_dataloader.dataset.get_gt_labels()
    tax = load_taxonomy(taxonomy)
    assert sorted(set(train_labels.tolist())) == sorted(
        {tax.labels[i]
         for i in (0, 1, 151, 404, 919)})
