"""make demo's linear evaluation: the benchmark config, shrunk."""
import json

import pytest
from mmengine.config import Config

from pretrain_demo import LINEAR_CONFIGS, format_table

BENCH = 'configs/benchmarks/classification/linear_r50_sgd-steplr-100e_in1k.py'


def flat(d, prefix=''):
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(flat(v, f'{prefix}{k}.'))
        else:
            out[prefix + k] = v
    return out


def test_demo_config_is_the_benchmark_shrunk(repo_root):
    bench = flat(Config.fromfile(repo_root / BENCH).to_dict())
    demo = flat(Config.fromfile(repo_root / LINEAR_CONFIGS[0][1]).to_dict())
    changed = {k for k in bench if demo.get(k, object()) != bench[k]}
    # the protocol itself is the benchmark's
    for key in ('model.backbone.frozen_stages', 'model.backbone.norm_eval',
                'model.backbone.out_indices', 'model.neck.type',
                'model.head.type', 'optim_wrapper.optimizer.type',
                'optim_wrapper.optimizer.momentum',
                'optim_wrapper.optimizer.weight_decay',
                'model.backbone.init_cfg.prefix'):
        assert key not in changed, key
    # what is shrunk: size, data, schedule length (lr scaled with batch)
    allowed = ('model.backbone.depth', 'model.backbone.stem_channels',
               'model.backbone.base_channels', 'model.head.',
               'data_preprocessor.', 'train_dataloader.', 'val_dataloader.',
               'test_dataloader.', 'val_evaluator.', 'test_evaluator.',
               'optim_wrapper.optimizer.lr', 'param_scheduler', 'train_cfg.',
               'default_hooks.', 'env_cfg.', 'randomness.')
    assert all(k.startswith(allowed) for k in changed), sorted(changed)
    demo_cfg = Config.fromfile(repo_root / LINEAR_CONFIGS[0][1])
    assert demo_cfg.optim_wrapper.optimizer.lr == pytest.approx(
        30 * demo_cfg.train_dataloader.batch_size / 256)
    lt = Config.fromfile(repo_root / LINEAR_CONFIGS[1][1])
    assert lt.train_dataloader.dataset.type == 'mmselfsup.MNISTDigitsLT'
    assert lt.train_dataloader.dataset.imbalance_ratio == 100
    assert lt.val_dataloader == demo_cfg.val_dataloader


def test_table_with_linear_columns():
    text = format_table([
        dict(name='raw pixels', acc=94.8, note='-'),
        dict(
            name='MoCo v2 (30 epochs)',
            acc=94.4,
            linear=96.1,
            linear_lt=80.25,
            note='2.5 min on CPU')
    ])
    lines = text.splitlines()
    assert lines[0].count('|') == 6
    assert lines[2] == '| raw pixels | 94.80 | - | - | - |'
    assert lines[3] == ('| MoCo v2 (30 epochs) | 94.40 | 96.10 | 80.25 | '
                        '2.5 min on CPU |')


@pytest.mark.slow
def test_linear_scores_run_the_demo_configs(tmp_path, repo_root):
    """Both demo evaluations of a random-init MoCo v2+ demo backbone, end
    to end through the launcher; metrics.json records what is returned."""
    import torch

    from airl_mm.checkpoint import save_checkpoint_file
    from pretrain_demo import build_model, linear_scores
    cfg = Config.fromfile(repo_root / 'configs/demo/'
                          'mocov2plus_r18-w32_mnist.py')
    torch.manual_seed(0)
    ckpt = tmp_path / 'random.pth'
    save_checkpoint_file({'state_dict': build_model(cfg).state_dict()}, ckpt)
    scores = linear_scores(str(ckpt), str(tmp_path / 'lin'))
    for key, _ in LINEAR_CONFIGS:
        rec = json.loads((tmp_path / 'lin' / key / 'metrics.json').read_text())
        assert rec['status'] == 'finished'
        assert rec['metrics']['accuracy/top1'] == pytest.approx(scores[key])
        # 1,000 held-out digits: a multiple of 0.1 %
        assert abs(scores[key] * 10 - round(scores[key] * 10)) < 1e-3
    # far above chance (10 %) on the balanced digits, and the long tail costs
    assert scores['linear'] > 50 and scores['linear_lt'] < scores['linear']
