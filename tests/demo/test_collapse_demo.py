"""demo/collapse_demo.py (make collapse-demo), on the tiny config."""
import json

import pytest
from mmengine.config import Config

from collapse_demo import (DEMO_CONFIGS, run_collapse_demo, schedule_options,
                           summarise)

TINY = 'tests/data/configs/tiny_byol_collapse_mnist.py'


def test_the_demo_runs_what_the_issue_names(repo_root):
    cfgs = [Config.fromfile(str(repo_root / c)) for c in DEMO_CONFIGS.values()]
    for cfg in cfgs:
        assert cfg.model.type == 'BYOL'
        assert cfg.model.backbone.norm_cfg.type == 'GN'
        assert cfg.train_dataloader.dataset.type == 'MNISTDigits'
        assert {h.type
                for h in cfg.custom_hooks} >= {
                    'CollapseMonitorHook', 'LayerwiseLRHook', 'OnlineKNNHook'
                }
    bn, none, lars = cfgs
    assert bn.model.neck.norm_cfg.type == 'SyncBN'
    assert none.model.neck.norm_cfg is None
    assert none.model.head.predictor.norm_cfg is None
    assert (bn.optim_wrapper.optimizer.type, none.optim_wrapper.optimizer.type,
            lars.optim_wrapper.optimizer.type) == ('SGD', 'SGD', 'LARS')
    assert lars.optim_wrapper.paramwise_cfg.lars_modules == [
        'backbone.layer1', 'backbone.layer2'
    ]
    opts = dict(o.split('=') for o in schedule_options(3))
    bn.merge_from_dict({
        k: int(v)
        for k, v in opts.items()
    },
                       allow_list_keys=True)
    assert (bn.train_cfg.max_epochs, bn.param_scheduler[0].T_max,
            bn.param_scheduler[0].end) == (3, 3, 3)
    with pytest.raises(ValueError, match='at least 1'):
        schedule_options(0)


def test_summarise():
    recs = [
        dict(knn_top1=10.0, iter=0),
        dict(loss=1.0, lr=0.1, z_std_ratio=0.9, **{'lr/layer1': 0.1}),
        dict(loss=0.5, lr=0.1, z_std_ratio=0.1, **{'lr/layer1': 3.0}),
        dict(loss=0.4, lr=0.05, z_std_ratio=0.0, **{'lr/layer1': 0.5}),
        dict(knn_top1=20.0, iter=3)
    ]
    row = summarise(recs)
    assert row['loss'] == 0.4 and row['z_std_ratio'] == 0.0
    assert row['rank'] is None
    assert row['layer1_factor_median'] == pytest.approx(10)
    assert row['layer1_factor_max'] == pytest.approx(30)
    assert (row['knn_first'], row['knn_last']) == (10.0, 20.0)


@pytest.mark.slow
def test_run_collapse_demo_end_to_end(tmp_path, monkeypatch, repo_root):
    monkeypatch.chdir(repo_root)
    monkeypatch.setenv('OMP_NUM_THREADS', '1')
    rows = run_collapse_demo(
        str(tmp_path), epochs=1, configs={'tiny LARS layer1+2': TINY})
    assert len(rows) == 1
    row = rows[0]
    assert row['knn_first'] is not None and row['knn_last'] is not None
    assert row['layer1_factor_median'] != pytest.approx(1)  # LARS
    assert (tmp_path / 'collapse_curves.png').read_bytes()[:4] == \
        b'\x89PNG'
    saved = json.loads((tmp_path / 'results.json').read_text())
    assert saved[0]['run'] == 'tiny LARS layer1+2'
    assert '| tiny LARS layer1+2 |' in (tmp_path / 'results.md').read_text()
