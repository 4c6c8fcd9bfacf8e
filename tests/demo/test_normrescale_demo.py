"""demo/normrescale_demo.py (make normrescale-demo) with the training
stubbed: which runs it starts, how it rescales, what it tabulates."""
import json

import pytest
import torch
from mmdet.models.backbones import ResNet

import normrescale_demo as nr
from airl_mm.checkpoint import save_checkpoint_file
from common import epoch_options


def test_the_demo_rescales_lars_and_fine_tunes_four_backbones(
        tmp_path, monkeypatch, capsys):
    """LARS weights are the SGD ones x 5: the constant is 1/5, NormRescale
    and the constant both bring the conv norm back to SGD's, and each row's
    top-1 is the one its own fine-tuning logged."""
    torch.manual_seed(0)
    net = ResNet(18, stem_channels=32, base_channels=32)
    sgd_state = {f'backbone.{k}': v for k, v in net.state_dict().items()}
    # every conv kernel (downsampling ones too): the 4-D tensors
    sgd_conv = sum(
        float(v.double().norm())**2 for v in sgd_state.values()
        if v.dim() == 4)**0.5
    calls, top1 = [], {}

    def fake_training(config, run_dir, options=(), checkpoint=True):
        calls.append((config, run_dir, list(options)))
        if checkpoint:  # pre-training
            scale = 5.0 if config == nr.LARS_CFG else 1.0
            path = str(tmp_path / f'{len(calls)}.pth')
            save_checkpoint_file(
                {
                    'state_dict': {
                        k: v * scale if v.is_floating_point() else v
                        for k, v in sgd_state.items()
                    }
                }, path)
            return path
        vis = tmp_path / run_dir / '20260101_000000' / 'vis_data'
        vis.mkdir(parents=True)
        top1[run_dir] = 50.0 + len(calls)
        (vis / 'scalars.json').write_text(
            json.dumps({'accuracy/top1': 1.0}) + '\n' +
            json.dumps({'accuracy/top1': top1[run_dir]}) + '\n')

    monkeypatch.setattr(nr, 'run_training', fake_training)
    work = tmp_path / 'work'
    rows = nr.run_normrescale_demo(str(work), epochs=3, finetune_epochs=2)

    assert calls[:2] == [
        (nr.SGD_CFG, str(work / 'pretrain_SGD'), epoch_options(3)),
        (nr.LARS_CFG, str(work / 'pretrain_LARS'), epoch_options(3)),
    ]
    stems = [
        'lars_backbone', 'lars_normrescale', 'lars_constant', 'sgd_backbone'
    ]
    runs = [
        'finetune_lars', 'finetune_lars_normrescale', 'finetune_lars_constant',
        'finetune_sgd'
    ]
    assert calls[2:] == [(nr.FINETUNE_CFG, str(work / run), [
        f'model.backbone.init_cfg.checkpoint={work / stem}.pth',
        'train_cfg.max_epochs=2', 'train_cfg.val_interval=2'
    ]) for stem, run in zip(stems, runs)]
    assert [r['backbone'] for r in rows
            ] == ['LARS', 'LARS + NormRescale', 'LARS x 0.200', 'SGD']
    norms = [r['conv_norm'] for r in rows]
    assert norms[0] == pytest.approx(5 * sgd_conv, rel=1e-5)
    assert norms[1:] == pytest.approx([sgd_conv] * 3, rel=1e-5)
    assert [r['top1'] for r in rows] == [top1[str(work / r)] for r in runs]
    saved = json.loads((work / 'results.json').read_text())
    assert saved['rows'] == rows and saved['pretrain_epochs'] == 3
    assert saved['constant'] == pytest.approx(0.2, rel=1e-5)
    assert saved['median_norm_ratio'] == pytest.approx(5, rel=1e-5)
    table = (work / 'results.md').read_text().splitlines()
    assert table[-1] == f'| SGD | {sgd_conv:.1f} | {rows[-1]["top1"]:.2f} |'
    assert (work / 'weight_norms.png').read_bytes()[:4] == b'\x89PNG'
    assert 'constant c = |W_SGD| / |W_LARS| = 0.200' in capsys.readouterr().out
