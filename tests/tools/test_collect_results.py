"""tools/analysis/collect_results.py on metric files the test writes."""
import json

import numpy as np
import pytest
from scipy import stats
from tool_loader import load_tool

from airl_mm.analysis import figures, results, tables

collect_tool = load_tool('analysis/collect_results.py')
LIN_IN1K = 'linear_r50_sgd-steplr-100e_in1k'
LIN_C100 = 'linear_r50_sgd-steplr-100e_cifar100'


def write(root,
          run,
          bench,
          status='finished',
          metrics=None,
          ckpt=200,
          branch='student',
          normrescale=None,
          error=None):
    """One benchmark run's metrics.json, where the launcher puts it."""
    pretrain = f'/runs/{run}/epoch_{ckpt}.pth'
    d = root / f'{run}_{branch}_{normrescale}' / f'epoch_{ckpt}' / bench
    d.mkdir(parents=True)
    (d / 'metrics.json').write_text(
        json.dumps(
            dict(
                benchmark=bench,
                config=f'configs/benchmarks/x/{bench}.py',
                pretrain=pretrain,
                branch=branch,
                normrescale=normrescale,
                status=status,
                metrics=metrics or {},
                error=error)))


@pytest.fixture
def runs(tmp_path):
    root = tmp_path / 'runs'
    # the Fig. 2 ladder, one step missing
    acc = {
        'mocov2_r50_200e': (67.5, 60.1),
        'mocov2_r50_200e_1-syncbn': (68.9, 61.0),
        'mocov2_r50_200e_2-predictor': (70.1, 62.3),
        'mocov2_r50_200e_4-symmetric-loss': (71.4, 63.0),
        'mocov2plus_r50_200e': (72.2, 64.5)
    }
    for run, (a, c) in acc.items():
        write(
            root,
            run,
            LIN_IN1K,
            metrics={
                'accuracy/top1': a,
                'accuracy/top5': 90.0
            })
        write(root, run, LIN_C100, metrics={'accuracy/top1': c})
    # long tail: 4 pre-trainings with both ImageNet and CIFAR-10-LT
    lt = {
        'mocov2_r50_200e': 60.0,
        'mocov2_r50_200e_1-syncbn': 62.5,
        'mocov2plus_r50_200e': 66.0,
        'mocov2_r50_200e_2-predictor': 63.1
    }
    for run, v in lt.items():
        write(root, run, 'linear_r50_cifar10lt', metrics={'accuracy/top1': v})
    # detection / segmentation (mmdet in 0-1, mmseg in percent)
    write(
        root,
        'mocov2plus_r50_200e',
        'faster-rcnn_r50-c4_24k_voc0712',
        metrics={
            'pascal_voc/AP50': 0.8234,
            'pascal_voc/mAP': 0.571,
            'pascal_voc/AP75': 0.6402
        })
    write(
        root,
        'mocov2plus_r50_200e',
        'faster-rcnn_r50-c4_9k_voc07',
        metrics={
            'pascal_voc/AP50': 0.75,
            'pascal_voc/mAP': 0.75
        })
    write(
        root,
        'mocov2plus_r50_200e',
        'mask-rcnn_r50-fpn_1x_coco',
        metrics={
            'coco/bbox_mAP': 0.394,
            'coco/segm_mAP': 0.355
        })
    write(
        root,
        'mocov2plus_r50_200e',
        'mask-rcnn_r50-c4_1x_coco',
        status='failed',
        error='RuntimeError: CUDA out of memory')
    write(
        root,
        'mocov2plus_r50_200e',
        'deeplabv3_r50-d8_40k_cityscapes-512x1024',
        status='running')
    # a LARS run with and without NormRescale, the teacher branch
    write(
        root, 'byol_r50_200e_lars', LIN_IN1K, metrics={'accuracy/top1': 70.0})
    write(
        root,
        'byol_r50_200e_lars',
        LIN_IN1K,
        normrescale='sgd.pth',
        metrics={'accuracy/top1': 71.0})
    write(
        root,
        'byol_r50_200e_lars',
        LIN_IN1K,
        branch='teacher',
        metrics={'accuracy/top1': 69.0})
    # a Fig. 7 sweep: 4 checkpoints, one failed
    for ckpt, v in ((50, 60.0), (100, 65.5), (150, None), (200, 68.0)):
        write(
            root,
            'mocov2plus_long',
            LIN_IN1K,
            ckpt=ckpt,
            status='failed' if v is None else 'finished',
            metrics=None if v is None else {'accuracy/top1': v})
    # an unreadable file is reported, not fatal
    (root / 'broken').mkdir()
    (root / 'broken' / 'metrics.json').write_text('{"benchmark": ')
    return root, acc, lt


def test_table(runs):
    root, acc, lt = runs
    records, problems = tables.find_records([str(root)])
    assert len(problems) == 1 and 'broken' in problems[0]
    rows, columns, cells = tables.build_table(records)
    assert columns == [
        'ImageNet Acc', 'CIFAR-100 Acc', 'VOC07 AP50', 'VOC07+12 AP50',
        'VOC07+12 AP', 'VOC07+12 AP75', 'COCO C4 AP_box', 'COCO C4 AP_seg',
        'COCO FPN AP_box', 'COCO FPN AP_seg', 'Cityscapes mIoU',
        'CIFAR-10-LT linear'
    ]
    for run, (a, c) in acc.items():
        assert cells[run, 'ImageNet Acc'].value == a
        assert cells[run, 'CIFAR-100 Acc'].value == c
    plus = 'mocov2plus_r50_200e'
    assert cells[plus, 'VOC07+12 AP50'].value == pytest.approx(82.34)
    assert cells[plus, 'VOC07+12 AP'].value == pytest.approx(57.1)
    assert cells[plus, 'VOC07+12 AP75'].value == pytest.approx(64.02)
    assert cells[plus, 'VOC07 AP50'].value == pytest.approx(75.0)
    assert cells[plus, 'COCO FPN AP_seg'].value == pytest.approx(35.5)
    assert cells[plus, 'COCO C4 AP_box'].text() == 'failed'
    assert cells[plus, 'Cityscapes mIoU'].text() == 'running'
    # never invented: no run -> missing
    assert cells['mocov2_r50_200e', 'VOC07 AP50'].text() == tables.MISSING
    assert cells['mocov2_r50_200e_1-syncbn',
                 'CIFAR-10-LT linear'].value == 62.5
    # branch and NormRescale are rows of their own
    for label, v in (('byol_r50_200e_lars',
                      70.0), ('byol_r50_200e_lars + NormRescale', 71.0),
                     ('byol_r50_200e_lars [teacher]', 69.0)):
        assert cells[label, 'ImageNet Acc'].value == v
    # a sweep's row shows its last checkpoint
    assert cells['mocov2plus_long', 'ImageNet Acc'].value == 68.0
    md = tables.markdown_table(rows, columns, cells)
    line = next(ln for ln in md.splitlines() if ln.startswith(f'| {plus} |'))
    assert line.split(' | ')[1:5] == ['72.2', '64.5', '75.0', '82.3']


def test_plot_data(runs):
    root, acc, lt = runs
    records, _ = tables.find_records([str(root)])
    rows, columns, cells = tables.build_table(records)
    ladder = figures.ladder_points(rows, cells, 'ImageNet Acc')
    assert ladder == [67.5, 68.9, 70.1, None, 71.4, 72.2]  # step 3 missing
    pts = figures.scatter_points(rows, cells, 'CIFAR-10-LT linear')
    assert sorted(p[0] for p in pts) == sorted(lt)
    # the Fig. 4 line and band against scipy's regression
    x = np.array([acc[r][0] for r in sorted(lt)])
    y = np.array([lt[r] for r in sorted(lt)])
    grid = np.linspace(x.min(), x.max(), 7)
    slope, icpt, fit, lo, hi = figures.regression_band(x, y, grid)
    ref = stats.linregress(x, y)
    assert slope == pytest.approx(ref.slope)
    assert icpt == pytest.approx(ref.intercept)
    n = len(x)
    s = np.sqrt(np.sum((y - ref.intercept - ref.slope * x)**2) / (n - 2))
    se_mean = s * np.sqrt(1 / n +
                          (grid - x.mean())**2 / np.sum((x - x.mean())**2))
    t = stats.t.ppf(0.975, n - 2)
    np.testing.assert_allclose(hi - fit, t * se_mean)
    np.testing.assert_allclose(fit - lo, t * se_mean)
    assert figures.regression_band(x[:2], y[:2], grid)[3] is None
    # Fig. 7: the sweep's points, the failed checkpoint kept as such
    curves = figures.sweep_curves(records)
    assert curves == {
        LIN_IN1K: {
            'mocov2plus_long': [(50, 60.0, 'finished'),
                                (100, 65.5, 'finished'), (150, None, 'failed'),
                                (200, 68.0, 'finished')]
        }
    }


def test_tool_writes_report_and_plots(runs, tmp_path, capsys):
    root, _, _ = runs
    out = tmp_path / 'res' / 'results.md'
    out.parent.mkdir()
    assert collect_tool.main([str(root), '-o', str(out)]) == 0
    text = out.read_text()
    assert '## Failed or unfinished runs' in text
    assert ('mocov2plus_r50_200e / mask-rcnn_r50-c4_1x_coco: **failed** '
            '(RuntimeError: CUDA out of memory)') in text
    assert '**running**' in text and 'unreadable' in text
    assert '- linear_r50_sgd-steplr-100e_in1k, mocov2plus_long: 50: 60.0, ' \
        '100: 65.5, 150: failed, 200: 68.0' in text
    for fig in ('fig2_ladder', 'fig4_longtail', 'fig7_checkpoints'):
        png = out.with_name(f'results_{fig}.png')
        assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
        assert f'![{fig}](results_{fig}.png)' in text
    # no silent overwrite; --force does
    assert collect_tool.main([str(root), '-o', str(out)]) == 1
    assert 'already exists' in capsys.readouterr().err
    assert collect_tool.main([str(root), '-o', str(out), '--force']) == 0


def test_no_plots_without_data(tmp_path):
    root = tmp_path / 'r'
    write(root, 'a', LIN_IN1K, metrics={'accuracy/top1': 50.0})
    report, plots = results.collect([str(root)])
    assert plots == {}  # one point: no ladder step, no scatter, no sweep
    assert '| a | 50.0 |' in report
    with pytest.raises(FileNotFoundError, match='not a folder'):
        results.collect([str(tmp_path / 'nope')])
