"""The pieces of demo/pretrain_demo.py (make demo) and demo/common.py."""
import json

import pytest
from mmengine.config import Config

from airl_mm.analysis.curves import last_scalar
from common import config_path, epoch_options
from pretrain_demo import DEMO_CONFIGS, format_table, loss_history


def test_epoch_options_shorten_the_whole_schedule(repo_root):
    cfg = Config.fromfile(str(repo_root / DEMO_CONFIGS[1]))
    opts = dict(o.split('=') for o in epoch_options(5))
    cfg.merge_from_dict({
        k: int(v)
        for k, v in opts.items()
    },
                        allow_list_keys=True)
    warm, cos = cfg.param_scheduler
    assert cfg.train_cfg.max_epochs == 5
    assert (warm.end, cos.begin, cos.end, cos.T_max) == (1, 1, 5, 4)
    with pytest.raises(ValueError, match='at least 2'):
        epoch_options(1)


def test_loss_history_and_last_scalar_read_mmengine_logs(tmp_path):
    vis = tmp_path / '20260101_000000' / 'vis_data'
    vis.mkdir(parents=True)
    recs = [{
        'loss': 3.0,
        'iter': 20,
        'epoch': 1
    }, {
        'loss': 2.5,
        'iter': 40,
        'epoch': 1
    }, {
        'accuracy/top1': 91.5,
        'step': 2
    }]
    (vis / 'scalars.json').write_text('\n'.join(json.dumps(r)
                                                for r in recs) + '\n')
    assert loss_history(str(tmp_path)) == [(20, 3.0), (40, 2.5)]
    assert last_scalar(str(tmp_path), 'accuracy/top1') == 91.5
    assert last_scalar(str(tmp_path), 'missing') is None


def test_format_table():
    text = format_table([dict(name='raw pixels', acc=94.8, note='-')])
    assert text.splitlines()[-1] == '| raw pixels | 94.80 | - |'


def test_config_path_finds_checkout_configs_and_names_what_is_missing(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative paths no longer resolve here
    assert config_path(DEMO_CONFIGS[0]).endswith(DEMO_CONFIGS[0])
    with pytest.raises(FileNotFoundError, match='source checkout'):
        config_path('configs/demo/no_such_config.py')
