"""Tab. 6 and Fig. 6 of collect_results from metric files the test writes.

Values are checked cell by cell (Markdown) and line by line (the figure's
plotted data), against the numbers written here; intermediate checkpoints
(a Fig. 7 sweep), other branches and NormRescale runs must not leak in.
"""
import json
import math

import pytest
from tool_loader import load_tool

from airl_mm.analysis import figures, results, tables

collect_tool = load_tool('analysis/collect_results.py')
LIN = 'linear_r50_sgd-steplr-100e_in1k'
VOC07 = 'faster-rcnn_r50-c4_9k_voc07'
VOC0712 = 'faster-rcnn_r50-c4_24k_voc0712'
C4 = 'mask-rcnn_r50-c4_1x_coco'
FPN = 'mask-rcnn_r50-fpn_1x_coco'
CITY = 'deeplabv3_r50-d8_40k_cityscapes-512x1024'
_count = iter(range(10**6))


def write(root,
          run,
          bench,
          metrics=None,
          epoch=None,
          status='finished',
          branch='student',
          normrescale=None,
          pretrain=None):
    """One benchmark run's metrics.json. ``epoch``: the run's
    ``epoch_N.pth`` was evaluated; ``pretrain``: that file instead."""
    if pretrain is None:
        pretrain = f'/work_dirs/{run}/epoch_{epoch}.pth'
    d = root / f'{next(_count)}' / bench
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
                error=None if status == 'finished' else 'boom')))


def tab6_values(i: int) -> dict:
    """Row ``i``'s numbers in the paper's units (distinct per row)."""
    return {
        'ImageNet Acc': 40.0 + i,
        'VOC07 AP50': 70.0 + i,
        'VOC07+12 AP': 50.0 + i,
        'VOC07+12 AP50': 80.0 + i,
        'VOC07+12 AP75': 55.0 + i,
        'COCO C4 AP_box': 35.0 + i,
        'COCO C4 AP_seg': 30.0 + i,
        'COCO FPN AP_box': 38.0 + i,
        'COCO FPN AP_seg': 34.0 + i,
        'Cityscapes mIoU': 74.0 + i,
    }


def write_all_benchmarks(root, run, v, **kw):
    """Every Tab. 6 benchmark of ``run`` with the values ``v`` (mmdet
    metrics in 0-1, as mmdet reports them)."""
    write(root, run, LIN, {'accuracy/top1': v['ImageNet Acc']}, **kw)
    write(root, run, VOC07, {'pascal_voc/AP50': v['VOC07 AP50'] / 100}, **kw)
    write(
        root, run, VOC0712, {
            'pascal_voc/mAP': v['VOC07+12 AP'] / 100,
            'pascal_voc/AP50': v['VOC07+12 AP50'] / 100,
            'pascal_voc/AP75': v['VOC07+12 AP75'] / 100
        }, **kw)
    write(
        root, run, C4, {
            'coco/bbox_mAP': v['COCO C4 AP_box'] / 100,
            'coco/segm_mAP': v['COCO C4 AP_seg'] / 100
        }, **kw)
    write(
        root, run, FPN, {
            'coco/bbox_mAP': v['COCO FPN AP_box'] / 100,
            'coco/segm_mAP': v['COCO FPN AP_seg'] / 100
        }, **kw)
    write(root, run, CITY, {'mIoU': v['Cityscapes mIoU']}, **kw)


@pytest.fixture
def tab6_runs(tmp_path):
    root = tmp_path / 'tab6'
    for i, (_, run) in enumerate(tables.TAB6_ROWS):
        if run == 'smocov2plus_r50_100e':
            continue  # only a failed linear evaluation (below)
        if run == 'byol_r50_100e_sgd':  # an extracted backbone file
            write_all_benchmarks(
                root, run, tab6_values(i), pretrain=f'/bb/{run}.pth')
        else:
            write_all_benchmarks(root, run, tab6_values(i), epoch=100)
    moco = 'mocov2plus_r50_100e'
    # what must not stand for the 100-epoch MoCo v2+ row: an intermediate
    # checkpoint, a run trained on past 100, the teacher, NormRescale
    bad = {k: 1.0 for k in tab6_values(0)}
    write_all_benchmarks(root, moco, bad, epoch=50)
    write_all_benchmarks(root, moco, bad, epoch=120)
    write_all_benchmarks(root, moco, bad, epoch=100, branch='teacher')
    write_all_benchmarks(root, moco, bad, epoch=100, normrescale='a.pth')
    # a failed rerun beside a finished run: the finished one shows
    write(
        root,
        'supervised_r50_100e_in1k_taxonomy-79',
        CITY,
        epoch=100,
        status='failed')
    # a failed run alone shows as failed
    write(root, 'smocov2plus_r50_100e', LIN, epoch=100, status='failed')
    return root


def test_tab6_cells(tab6_runs):
    records, problems = tables.find_records([str(tab6_runs)])
    assert not problems
    cells = tables.tab6_cells(records)
    assert set(cells) == {(label, c)
                          for label, _ in tables.TAB6_ROWS
                          for c in tables.TRANSFER_COLUMNS}
    for i, (label, run) in enumerate(tables.TAB6_ROWS):
        for col, v in tab6_values(i).items():
            cell = cells[label, col]
            if run == 'smocov2plus_r50_100e':  # one failed run, no other
                assert cell.value is None and cell.text() == (
                    'failed' if col == 'ImageNet Acc' else tables.MISSING)
            else:  # taxonomy-79's failed rerun does not hide its result
                assert cell.value == pytest.approx(v), (label, col)


def md_rows(md: str, first_header: str) -> dict:
    """``{row label: [cell texts]}`` of the Markdown table whose header
    starts with ``first_header``."""
    lines = md.splitlines()
    start = next(i for i, ln in enumerate(lines)
                 if ln.startswith(f'| {first_header} |'))
    header = [c.strip() for c in lines[start].strip('|').split('|')]
    rows = {}
    for ln in lines[start + 2:]:
        if not ln.startswith('|'):
            break
        cells = [c.strip() for c in ln.strip('|').split('|')]
        rows[(cells[0], cells[1])] = dict(zip(header[2:], cells[2:]))
    return rows


def test_tab6_markdown_has_the_papers_rows_and_columns(tab6_runs):
    records, _ = tables.find_records([str(tab6_runs)])
    md = tables.tab6_markdown(tables.tab6_cells(records))
    header = md.splitlines()[0]
    assert header == ('| Tab. 6 | run | ImageNet Acc | VOC07 AP50 | '
                      'VOC07+12 AP | VOC07+12 AP50 | VOC07+12 AP75 | '
                      'COCO C4 AP_box | COCO C4 AP_seg | COCO FPN AP_box | '
                      'COCO FPN AP_seg | Cityscapes mIoU |')
    rows = md_rows(md, 'Tab. 6')
    assert [k[0] for k in rows] == [
        'Supervised-2♭', 'Supervised-2◇', 'Supervised-10', 'Supervised-79',
        'Supervised-127', 'Supervised-1000', 'MoCo v2+', 'S-MoCo v2+', 'BYOL'
    ]
    assert rows['Supervised-2♭', '`supervised_r50_100e_in1k_taxonomy-2art`'] \
        == {c: f'{v:.1f}' for c, v in tab6_values(0).items()}
    assert rows['MoCo v2+', '`mocov2plus_r50_100e`']['VOC07+12 AP75'] == \
        '61.0'  # row 6: 55 + 6, not the distractors' 1.0
    smoco = rows['S-MoCo v2+', '`smocov2plus_r50_100e`']
    assert smoco.pop('ImageNet Acc') == 'failed'
    assert set(smoco.values()) == {tables.MISSING}
    assert rows['BYOL', '`byol_r50_100e_sgd`']['Cityscapes mIoU'] == '82.0'


@pytest.fixture
def fig6_runs(tmp_path):
    """Linear top-1 of the twelve Fig. 6 runs (one never run, one failed)
    and VOC07 AP50 of MoCo v2+ only; a Fig. 7 sweep of the 300-epoch MoCo
    v2+ run whose earlier checkpoints must not become Fig. 6 points."""
    root = tmp_path / 'fig6'
    expected = {}
    for m, (method, pattern) in enumerate(figures.FIG6_METHODS):
        for n in figures.FIG6_EPOCHS:
            run = pattern.format(n)
            v = 60.0 + 10 * m + n / 100
            if (method, n) == ('BYOL', 500):
                expected[method, n] = (None, 'missing')
                continue
            if (method, n) == ('Supervised', 300):
                write(root, run, LIN, epoch=n, status='failed')
                expected[method, n] = (None, 'failed')
                continue
            write(root, run, LIN, {'accuracy/top1': v}, epoch=n)
            expected[method, n] = (v, 'finished')
            if method == 'MoCo v2+':
                write(
                    root,
                    run,
                    VOC07, {'pascal_voc/AP50': v / 100 + 0.1},
                    epoch=n)
    for e in (50, 100, 150, 200, 250):
        write(
            root,
            'mocov2plus_r50_300e',
            LIN, {'accuracy/top1': 1.0 + e},
            epoch=e)
    return root, expected


def test_fig6_points_figure_and_table(fig6_runs):
    root, expected = fig6_runs
    records, _ = tables.find_records([str(root)])
    points = figures.fig6_points(records)
    assert list(points) == ['ImageNet Acc', 'VOC07 AP50']
    lin = points['ImageNet Acc']
    assert list(lin) == ['Supervised', 'MoCo v2+', 'BYOL']
    for method, pts in lin.items():
        assert [p[0] for p in pts] == [100, 200, 300, 500]
        for n, v, status in pts:
            assert (v, status) == expected[method, n], (method, n)
    assert points['VOC07 AP50']['MoCo v2+'] == [
        (n, pytest.approx(70.0 + n / 100 + 10), 'finished')
        for n in (100, 200, 300, 500)
    ]
    assert all(st == 'missing' for _, _, st in points['VOC07 AP50']['BYOL'])
    # the figure: one panel per benchmark, one line per method, the values
    fig = figures.fig6_figure(points)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ['ImageNet Acc', 'VOC07 AP50']
    for ax, col in zip(axes, points):
        drawn = {ln.get_label(): ln for ln in ax.get_lines()}
        assert list(drawn) == ['Supervised', 'MoCo v2+', 'BYOL']
        for method, ln in drawn.items():
            assert list(ln.get_xdata()) == [100, 200, 300, 500]
            want = [v for _, v, _ in points[col][method]]
            got = list(ln.get_ydata())
            for w, g in zip(want, got):
                assert (math.isnan(g) if w is None else g == pytest.approx(w))
    import matplotlib.pyplot as plt
    plt.close(fig)
    png = figures.plot_fig6(points)
    assert png[:8] == b'\x89PNG\r\n\x1a\n'
    # the table: a row per (method, epochs)
    rows = md_rows(figures.fig6_markdown(points), 'Fig. 6')
    assert len(rows) == 12
    assert rows['MoCo v2+', '300'] == {
        'ImageNet Acc': '73.0',
        'VOC07 AP50': '83.0'
    }
    assert rows['Supervised', '300']['ImageNet Acc'] == 'failed'
    assert rows['BYOL', '500'] == {
        'ImageNet Acc': tables.MISSING,
        'VOC07 AP50': tables.MISSING
    }
    assert rows['BYOL', '200']['ImageNet Acc'] == '82.0'


def test_tool_writes_tab6_and_fig6(tab6_runs, fig6_runs, tmp_path):
    out = tmp_path / 'res' / 'results.md'
    out.parent.mkdir()
    assert collect_tool.main(
        [str(tab6_runs), str(fig6_runs[0]), '-o',
         str(out)]) == 0
    text = out.read_text()
    assert '## Tab. 6: label taxonomies vs self-supervision' in text
    # (rows that are no Fig. 6 run: the 100-epoch ones are in both sets)
    assert ('| Supervised-2◇ | `supervised_r50_100e_in1k_taxonomy-2imb` | '
            '41.0 | 71.0 | 51.0 | 81.0 | 56.0 | 36.0 | 31.0 | 39.0 | 35.0 | '
            '75.0 |') in text
    assert '## Fig. 6: pre-training length' in text
    assert '| MoCo v2+ | 500 | 75.0 | 85.0 |' in text
    png = out.with_name('results_fig6_epochs.png')
    assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert '![fig6_epochs](results_fig6_epochs.png)' in text
    # the sweep still draws Fig. 7 (its 300-epoch point from the Fig. 6 run)
    assert '- linear_r50_sgd-steplr-100e_in1k, mocov2plus_r50_300e: ' \
        '50: 51.0, 100: 101.0, 150: 151.0, 200: 201.0, 250: 251.0, ' \
        '300: 73.0' in text


def test_no_tab6_or_fig6_without_their_runs(tmp_path):
    root = tmp_path / 'r'
    write(
        root, 'mocov2plus_r50_200e_x', LIN, {'accuracy/top1': 50.0}, epoch=200)
    report, plots = results.collect([str(root)])
    assert 'Tab. 6' not in report and 'Fig. 6' not in report
    assert 'fig6_epochs' not in plots
