"""The paper's tables and plots from a folder of benchmark runs.

Every benchmark run (:func:`airl_mm.benchmarks.launcher.run_benchmark`)
leaves ``<work_dir>/metrics.json``; :func:`collect` walks folders for them,
makes one row per pre-training (run, branch, NormRescale) and one column per
paper column (ImageNet Acc, VOC07 AP50, VOC07+12 AP50/AP/AP75, COCO
AP_box/AP_seg for C4 and FPN, Cityscapes mIoU, CIFAR-LT), and draws Fig. 2
(the ladder), Fig. 4 (ImageNet vs long-tail accuracy, regression line and
95 % confidence band), Fig. 6 (transfer vs pre-training length) and Fig. 7
(accuracy over pre-training checkpoints), and the appendix's Tab. 6 (label
taxonomies vs self-supervision, fixed rows and columns).
A cell without a finished run shows ``–`` (never a number from elsewhere);
failed and unfinished runs are listed with their error.
"""
import json
import math
import os
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .plotting import figure_png, new_figure

MISSING = '–'
CHECKPOINT_RE = re.compile(r'^(epoch|iter)_(\d+)\.pth$')
# The Fig. 2 ladder, in order: pre-training run names (config stems).
LADDER = (
    ('MoCo v2', 'mocov2_r50_200e'),
    ('+ SyncBN', 'mocov2_r50_200e_1-syncbn'),
    ('+ predictor', 'mocov2_r50_200e_2-predictor'),
    ('+ momentum ascending', 'mocov2_r50_200e_3-momentum-ascending'),
    ('+ symmetric loss', 'mocov2_r50_200e_4-symmetric-loss'),
    ('MoCo v2+ (+ Table-5 aug.)', 'mocov2plus_r50_200e'),
)
# Tab. 6 (appendix B.2): the paper's rows, each a pre-training run (config
# stem): supervised on coarser label taxonomies, then the self-supervised
# methods, all 100 epochs.
TAB6_ROWS = (
    ('Supervised-2♭', 'supervised_r50_100e_in1k_taxonomy-2art'),
    ('Supervised-2◇', 'supervised_r50_100e_in1k_taxonomy-2imb'),
    ('Supervised-10', 'supervised_r50_100e_in1k_taxonomy-10'),
    ('Supervised-79', 'supervised_r50_100e_in1k_taxonomy-79'),
    ('Supervised-127', 'supervised_r50_100e_in1k_taxonomy-127'),
    ('Supervised-1000', 'supervised_r50_100e_in1k'),
    ('MoCo v2+', 'mocov2plus_r50_100e'),
    ('S-MoCo v2+', 'smocov2plus_r50_100e'),
    ('BYOL', 'byol_r50_100e_sgd'),
)
# Fig. 6 (appendix B.1): one line per method, its run at each length.
FIG6_METHODS = (
    ('Supervised', 'supervised_r50_{}e_in1k'),
    ('MoCo v2+', 'mocov2plus_r50_{}e'),
    ('BYOL', 'byol_r50_{}e_sgd'),
)
FIG6_EPOCHS = (100, 200, 300, 500)
# A run's length as its name states it: '<...>_300e' or '<...>_300e_<...>'.
RUN_EPOCHS_RE = re.compile(r'_(\d+)e(?:_|$)')


@dataclass
class Column:
    """One table column: which benchmarks feed it, which metric, scale."""
    name: str
    match: Callable[[str], bool]
    keys: Tuple[str, ...]
    scale: float = 1.0  # mmdet reports 0-1; the paper prints percent
    needs: Optional[str] = None  # a key that must also be present

    def value(self, metrics: dict) -> Optional[float]:
        if self.needs is not None and self.needs not in metrics:
            return None
        for key in self.keys:
            if metrics.get(key) is not None:
                return float(metrics[key]) * self.scale
        return None


def _has(*parts: str, without: Sequence[str] = ()) -> Callable[[str], bool]:
    return lambda s: all(p in s for p in parts) and not any(w in s
                                                            for w in without)


COLUMNS = (
    Column('ImageNet Acc', _has('linear', 'in1k'), ('accuracy/top1', )),
    Column('CIFAR-100 Acc',
           lambda s: s.startswith('linear') and s.endswith('_cifar100'),
           ('accuracy/top1', )),
    Column('VOC07 AP50', _has('voc07', without=('voc0712', )),
           ('pascal_voc/AP50', ), 100),
    Column('VOC07+12 AP50', _has('voc0712'), ('pascal_voc/AP50', ), 100),
    # mmdet's mAP is the mean over the metric's IoU thresholds: COCO-style
    # AP only when the run had more than IoU 0.5 (AP75 present)
    Column(
        'VOC07+12 AP',
        _has('voc0712'), ('pascal_voc/AP', 'pascal_voc/mAP'),
        100,
        needs='pascal_voc/AP75'),
    Column('VOC07+12 AP75', _has('voc0712'), ('pascal_voc/AP75', ), 100),
    Column('COCO C4 AP_box', _has('c4', 'coco'), ('coco/bbox_mAP', ), 100),
    Column('COCO C4 AP_seg', _has('c4', 'coco'), ('coco/segm_mAP', ), 100),
    Column('COCO FPN AP_box', _has('fpn', 'coco'), ('coco/bbox_mAP', ), 100),
    Column('COCO FPN AP_seg', _has('fpn', 'coco'), ('coco/segm_mAP', ), 100),
    Column('Cityscapes mIoU', _has('cityscapes'), ('mIoU', )),
    Column('CIFAR-10-LT linear', _has('linear', 'cifar10lt'),
           ('accuracy/top1', )),
    Column('CIFAR-10-LT fine-tune', _has('finetune', 'cifar10lt'),
           ('accuracy/top1', )),
    Column('CIFAR-100-LT linear', _has('linear', 'cifar100lt'),
           ('accuracy/top1', )),
    Column('CIFAR-100-LT fine-tune', _has('finetune', 'cifar100lt'),
           ('accuracy/top1', )),
)
LONG_TAIL_COLUMNS = tuple(c.name for c in COLUMNS if '-LT' in c.name)
IMAGENET = 'ImageNet Acc'
# The paper's transfer columns (Tab. 1, 6; Fig. 6's panels), in its order:
# linear top-1 on the 1000 classes, VOC07 AP50, VOC07+12 AP/AP50/AP75,
# COCO C4 and FPN AP_box/AP_seg, Cityscapes mIoU.
TRANSFER_COLUMNS = (IMAGENET, 'VOC07 AP50', 'VOC07+12 AP', 'VOC07+12 AP50',
                    'VOC07+12 AP75', 'COCO C4 AP_box', 'COCO C4 AP_seg',
                    'COCO FPN AP_box', 'COCO FPN AP_seg', 'Cityscapes mIoU')


@dataclass
class Record:
    """One benchmark run, as its ``metrics.json`` says."""
    path: str
    benchmark: str
    pretrain: str
    branch: str = 'student'
    normrescale: Optional[str] = None
    status: str = 'unknown'
    metrics: Dict[str, float] = field(default_factory=dict)
    error: Optional[str] = None
    mtime: float = 0.0
    # repeated fine-tuning (launcher --seeds): the trial's seed, or, in
    # the aggregate, the sample std and count of each metric (trial_fields)
    seed: Optional[int] = None
    std: Dict[str, Optional[float]] = field(default_factory=dict)
    n: Dict[str, int] = field(default_factory=dict)

    @property
    def run(self) -> str:
        """The pre-training: its run folder for ``epoch_N.pth`` /
        ``iter_N.pth`` checkpoints, else the file's stem."""
        name = osp.basename(self.pretrain)
        if CHECKPOINT_RE.match(name):
            return osp.basename(osp.dirname(osp.abspath(self.pretrain)))
        return osp.splitext(name)[0]

    @property
    def step(self) -> Optional[Tuple[str, int]]:
        """``('epoch', N)`` / ``('iter', N)`` of an intermediate
        checkpoint, else None."""
        m = CHECKPOINT_RE.match(osp.basename(self.pretrain))
        return (m.group(1), int(m.group(2))) if m else None

    @property
    def label(self) -> str:
        """The table row: the run, its branch and NormRescale."""
        label = self.run
        if self.branch and self.branch != 'student':
            label += f' [{self.branch}]'
        if self.normrescale:
            label += ' + NormRescale'
        return label


def read_record(path: str) -> Record:
    """One ``metrics.json``.

    Raises:
        ValueError: unreadable, or without ``benchmark`` / ``pretrain``
            (names the file).
    """
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise ValueError(f'{path}: unreadable metrics file ({e})') from e
    if not isinstance(data, dict) or not data.get('benchmark') or \
            not data.get('pretrain'):
        raise ValueError(f"{path}: not a benchmark metrics file (needs "
                         "'benchmark' and 'pretrain')")
    metrics = data.get('metrics') or {}
    return Record(
        path=path,
        benchmark=str(data['benchmark']),
        pretrain=str(data['pretrain']),
        branch=data.get('branch') or 'student',
        normrescale=data.get('normrescale'),
        status=str(data.get('status') or 'unknown'),
        metrics={
            k: v
            for k, v in metrics.items() if isinstance(v, (int, float))
        },
        error=data.get('error'),
        mtime=os.path.getmtime(path),
        **trial_fields(data))


def trial_fields(data: dict) -> dict:
    """``seed`` of one trial, or ``std`` and ``n`` of an aggregate of
    trials (:func:`airl_mm.benchmarks.launcher.run_trials`; its
    ``metrics`` are the means), from a ``metrics.json``'s content."""
    seed = data.get('seed')
    std = data.get('std') or {}
    n = data.get('n') or {}
    return dict(
        seed=seed if isinstance(seed, int) else None,
        std={
            k: float(v) if isinstance(v, (int, float)) else None
            for k, v in std.items()
        },
        n={
            k: int(v)
            for k, v in n.items() if isinstance(v, int)
        })


def without_trials(records: List['Record']) -> List['Record']:
    """``records`` less the single trials (``<dir>/seed_<s>/``) of an
    aggregate in ``<dir>`` (which stands for them: mean, std, n)."""
    aggregates = {osp.dirname(r.path) for r in records if r.n}
    return [
        r for r in records
        if r.seed is None or osp.dirname(osp.dirname(r.path)) not in aggregates
    ]


def trial_spread(column: 'Column',
                 record: 'Record') -> Optional[Tuple[Optional[float], int]]:
    """``(sample std, n)`` of the metric ``column`` shows (scaled as its
    value) when ``record`` aggregates trials; else None."""
    if not record.n or column.value(record.metrics) is None:
        return None
    key = next(k for k in column.keys if record.metrics.get(k) is not None)
    if key not in record.n:
        return None
    std = record.std.get(key)
    return (None if std is None else std * column.scale, record.n[key])


def find_records(dirs: Sequence[str]) -> Tuple[List[Record], List[str]]:
    """Every ``metrics.json`` under ``dirs``: records, and the problems
    (unreadable files) as messages.

    Raises:
        FileNotFoundError: a given folder does not exist.
    """
    records, problems = [], []
    for d in dirs:
        if not osp.isdir(d):
            raise FileNotFoundError(f'not a folder: {d}')
        for root, _, files in os.walk(d):
            if 'metrics.json' in files:
                try:
                    records.append(read_record(osp.join(root, 'metrics.json')))
                except ValueError as e:
                    problems.append(str(e))
    records.sort(key=lambda r: r.path)
    return without_trials(records), problems


def column_of(benchmark: str) -> List[Column]:
    """The table columns a benchmark (config stem) feeds."""
    return [c for c in COLUMNS if c.match(benchmark)]


def _pick(records: List[Record]) -> Record:
    """The record a cell shows: the latest checkpoint of the run; among
    reruns of it, a finished one, then the newest."""

    def key(r):
        step = r.step[1] if r.step else math.inf
        return (step, r.status == 'finished', r.mtime)

    return max(records, key=key)


@dataclass
class Cell:
    value: Optional[float]
    status: str  # finished | running | failed | missing | ...
    record: Optional[Record] = None
    spread: Optional[Tuple[Optional[float], int]] = None  # trial_spread

    def text(self, digits: int = 1) -> str:
        if self.value is not None and self.spread is not None:
            std, n = self.spread
            return f'{self.value:.{digits}f}' + (
                '' if std is None else f' ± {std:.{digits}f}') + f' (n={n})'
        if self.value is not None:
            return f'{self.value:.{digits}f}'
        if self.status in ('finished', 'missing'):
            return MISSING  # finished without this metric, or never run
        return self.status


def build_table(
    records: List[Record]
) -> Tuple[List[str], List[str], Dict[Tuple[str, str], Cell]]:
    """Rows (pre-trainings), columns (the paper's, those with any run, in
    the paper's order; then benchmarks no column knows) and cells."""
    by_cell: Dict[Tuple[str, str], List[Record]] = {}
    extra: Dict[str, Column] = {}
    for r in records:
        cols = column_of(r.benchmark)
        if not cols:  # an unknown benchmark still gets a column
            name = f'{r.benchmark}'
            extra.setdefault(
                name,
                Column(
                    name,
                    lambda s, b=r.benchmark: s == b,
                    ('accuracy/top1', 'mIoU')))
            cols = [extra[name]]
        for c in cols:
            by_cell.setdefault((r.label, c.name), []).append(r)
    rows = sorted({label for label, _ in by_cell})
    known = {name for _, name in by_cell}
    columns = [c for c in COLUMNS if c.name in known] + list(extra.values())
    cells = {}
    for row in rows:
        for c in columns:
            recs = by_cell.get((row, c.name))
            if not recs:
                cells[row, c.name] = Cell(None, 'missing')
                continue
            r = _pick(recs)
            value = c.value(r.metrics) if r.status == 'finished' else None
            cells[row, c.name] = Cell(value, r.status, r, trial_spread(c, r))
    return rows, [c.name for c in columns], cells


def markdown_table(rows: List[str], columns: List[str],
                   cells: Dict[Tuple[str, str], Cell]) -> str:
    """The table in Markdown (``–`` = no result; a status word = the run
    did not finish)."""
    lines = [
        '| pre-training | ' + ' | '.join(columns) + ' |',
        '| --- |' + ' ---: |' * len(columns)
    ]
    for row in rows:
        lines.append(f'| {row} | ' + ' | '.join(cells[row, c].text()
                                                for c in columns) + ' |')
    return '\n'.join(lines)


def unfinished(records: List[Record]) -> List[Record]:
    """Runs that failed or did not finish (any status but finished)."""
    return [r for r in records if r.status != 'finished']


# ------------------------------------------------------------------ plots
def ladder_points(rows: List[str], cells: Dict[Tuple[str, str], Cell],
                  column: str) -> List[Optional[float]]:
    """The ladder's values of ``column`` in ladder order (None = missing)."""
    out = []
    for _, run in LADDER:
        cell = cells.get((run, column))
        out.append(cell.value if cell is not None else None)
    return out


def plot_ladder(rows, cells, columns) -> Optional[bytes]:
    """Fig. 2: ImageNet and CIFAR-100 accuracy along the ladder; None if
    no step has a value. Missing steps are gaps, marked on the axis."""
    series = {
        c: ladder_points(rows, cells, c)
        for c in (IMAGENET, 'CIFAR-100 Acc') if c in columns
    }
    if not any(v is not None for vs in series.values() for v in vs):
        return None
    fig, axes = new_figure(7, 4)
    x = np.arange(len(LADDER))
    for i, (name, values) in enumerate(series.items()):
        ax = axes if i == 0 else axes.twinx()
        y = np.array([np.nan if v is None else v for v in values])
        ax.plot(x, y, marker='o', color=f'C{i}', label=name)
        ax.set_ylabel(f'{name} (%)', color=f'C{i}')
    labels = [
        step if any(vs[j] is not None
                    for vs in series.values()) else f'{step}\n(missing)'
        for j, (step, _) in enumerate(LADDER)
    ]
    axes.set_xticks(x)
    axes.set_xticklabels(labels, rotation=20, ha='right', fontsize=8)
    axes.set_title('Fig. 2: from MoCo v2 to MoCo v2+ (linear evaluation)')
    axes.grid(alpha=0.3)
    return figure_png(fig)


def regression_band(x: np.ndarray,
                    y: np.ndarray,
                    grid: np.ndarray,
                    level: float = 0.95):
    """Least-squares line through ``(x, y)`` and the ``level`` confidence
    band of its mean at ``grid`` (t distribution, n - 2 dof).

    Returns:
        tuple: ``(slope, intercept, fit, low, high)``; the band is None
        with fewer than 3 points.
    """
    slope, intercept = np.polyfit(x, y, 1)
    fit = slope * grid + intercept
    n = len(x)
    if n < 3:
        return slope, intercept, fit, None, None
    from scipy import stats
    resid = y - (slope * x + intercept)
    s = math.sqrt(float(resid @ resid) / (n - 2))
    sxx = float(((x - x.mean())**2).sum())
    half = stats.t.ppf(0.5 + level / 2, n -
                       2) * s * np.sqrt(1.0 / n + (grid - x.mean())**2 / sxx)
    return slope, intercept, fit, fit - half, fit + half


def scatter_points(rows, cells, column) -> List[Tuple[str, float, float]]:
    """(row, ImageNet Acc, ``column``) for rows that have both."""
    pts = []
    for row in rows:
        a, b = cells.get((row, IMAGENET)), cells.get((row, column))
        if a and b and a.value is not None and b.value is not None:
            pts.append((row, a.value, b.value))
    return pts


def plot_longtail(rows, cells, columns) -> Optional[bytes]:
    """Fig. 4: long-tail accuracy against ImageNet accuracy, one panel per
    CIFAR-LT column with points, least-squares line and 95 % band; None
    if no column has 2 points."""
    panels = [(c, scatter_points(rows, cells, c)) for c in LONG_TAIL_COLUMNS
              if c in columns]
    panels = [(c, p) for c, p in panels if len(p) >= 2]
    if not panels:
        return None
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(
        1, len(panels), squeeze=False, figsize=(4.5 * len(panels), 4), dpi=120)
    for ax, (col, pts) in zip(axes[0], panels):
        x = np.array([p[1] for p in pts])
        y = np.array([p[2] for p in pts])
        grid = np.linspace(x.min(), x.max(), 50)
        slope, _, fit, lo, hi = regression_band(x, y, grid)
        ax.scatter(x, y, zorder=3)
        for name, xi, yi in pts:
            ax.annotate(
                name, (xi, yi),
                fontsize=6,
                xytext=(3, 3),
                textcoords='offset points')
        ax.plot(grid, fit, color='C1', label=f'fit (slope {slope:.2f})')
        if lo is not None:
            ax.fill_between(
                grid,
                lo,
                hi,
                color='C1',
                alpha=0.2,
                label='95% confidence band')
        ax.set_xlabel('ImageNet linear top-1 (%)')
        ax.set_ylabel(f'{col} top-1 (%)')
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle('Fig. 4: long-tailed classification vs ImageNet accuracy')
    return figure_png(fig)


def sweep_curves(records: List[Record]) -> Dict[str, Dict[str, list]]:
    """Fig. 7 data: ``{benchmark: {run label: [(step, value|None,
    status)]}}`` for runs with 2+ evaluated checkpoints."""
    groups: Dict[Tuple[str, str], Dict[int, List[Record]]] = {}
    for r in records:
        if r.step is None:
            continue
        groups.setdefault((r.benchmark, r.label),
                          {}).setdefault(r.step[1], []).append(r)
    out: Dict[str, Dict[str, list]] = {}
    for (bench, label), steps in sorted(groups.items()):
        if len(steps) < 2:
            continue
        cols = column_of(bench)
        pts = []
        for step in sorted(steps):
            r = _pick(steps[step])
            v = None
            if r.status == 'finished':
                v = next((c.value(r.metrics)
                          for c in cols if c.value(r.metrics) is not None),
                         None)
                if v is None and not cols:
                    v = r.metrics.get('accuracy/top1')
            pts.append((step, v, r.status))
        out.setdefault(bench, {})[label] = pts
    return out


def plot_sweeps(curves: Dict[str, Dict[str, list]]) -> Optional[bytes]:
    """Fig. 7: one panel per benchmark, one line per pre-training run;
    checkpoints without a result are marked with an x on the axis."""
    if not curves:
        return None
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(
        1, len(curves), squeeze=False, figsize=(5 * len(curves), 4), dpi=120)
    for ax, (bench, runs) in zip(axes[0], curves.items()):
        for i, (label, pts) in enumerate(runs.items()):
            x = np.array([p[0] for p in pts], dtype=float)
            y = np.array([np.nan if p[1] is None else p[1] for p in pts])
            ax.plot(x, y, marker='o', color=f'C{i}', label=label)
            bad = np.isnan(y)
            if bad.any():
                ax.plot(
                    x[bad],
                    np.full(bad.sum(),
                            np.nanmin(y) if (~bad).any() else 0),
                    'x',
                    color=f'C{i}',
                    label=f'{label}: no result')
        ax.set_xlabel('pre-training checkpoint (epoch / iteration)')
        ax.set_ylabel('benchmark metric (%)')
        ax.set_title(bench, fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle('Fig. 7: transfer over pre-training checkpoints')
    return figure_png(fig)


def sweep_markdown(curves: Dict[str, Dict[str, list]]) -> str:
    lines = []
    for bench, runs in curves.items():
        for label, pts in runs.items():
            lines.append(f'- {bench}, {label}: ' + ', '.join(
                f'{s}: {v:.1f}' if v is not None else f'{s}: {st}'
                for s, v, st in pts))
    return '\n'.join(lines)


# ------------------------------------------- Tab. 6 and Fig. 6 (appendix B)
def final_cells(records: List[Record],
                runs: Dict[str, int]) -> Dict[Tuple[str, str], Cell]:
    """Cells ``(run, column)`` of ``runs`` from their final weights only.

    Args:
        records (list[Record]): Benchmark runs (:func:`find_records`).
        runs (dict): Run name (config stem) -> its length in epochs. A
            record counts if it evaluates the run's ``epoch_<length>.pth``
            or a file that is no intermediate checkpoint (an extracted
            backbone); a Fig. 7 sweep's earlier checkpoints never stand for
            the run, nor does a later one of a run trained on.

    Returns:
        dict: ``(row label, column) -> Cell``, as :func:`build_table`
        (only cells with a record; branch and NormRescale rows apart).
    """
    final = {run: ('epoch', n) for run, n in runs.items()}
    keep = [
        r for r in records
        if r.run in final and (r.step is None or r.step == final[r.run])
    ]
    return build_table(keep)[2]


def tab6_cells(records: List[Record]) -> Dict[Tuple[str, str], Cell]:
    """Tab. 6: ``(paper row, column) -> Cell`` for every row of
    :data:`TAB6_ROWS` and column of :data:`TRANSFER_COLUMNS` (the 100-epoch
    runs' final weights; ``missing`` where no run is)."""
    cells = final_cells(records, {run: 100 for _, run in TAB6_ROWS})
    return {
        (label, col): cells.get((run, col), Cell(None, 'missing'))
        for label, run in TAB6_ROWS
        for col in TRANSFER_COLUMNS
    }


def tab6_markdown(cells: Dict[Tuple[str, str], Cell]) -> str:
    """Tab. 6 in Markdown: the paper's rows and columns, each row's run."""
    lines = [
        '| Tab. 6 | run | ' + ' | '.join(TRANSFER_COLUMNS) + ' |',
        '| --- | --- |' + ' ---: |' * len(TRANSFER_COLUMNS)
    ]
    for label, run in TAB6_ROWS:
        lines.append(f'| {label} | `{run}` | ' +
                     ' | '.join(cells[label, c].text()
                                for c in TRANSFER_COLUMNS) + ' |')
    return '\n'.join(lines)


def fig6_points(records: List[Record]) -> Dict[str, Dict[str, List[tuple]]]:
    """Fig. 6 data: ``{column: {method: [(epochs, value|None, status)]}}``
    over :data:`FIG6_EPOCHS` for each method of :data:`FIG6_METHODS` (its
    run of that length, final weights only), for the columns of
    :data:`TRANSFER_COLUMNS` that have any run."""
    runs = {
        pattern.format(n): n
        for _, pattern in FIG6_METHODS
        for n in FIG6_EPOCHS
    }
    cells = final_cells(records, runs)
    out: Dict[str, Dict[str, List[tuple]]] = {}
    for col in TRANSFER_COLUMNS:
        lines = {}
        for method, pattern in FIG6_METHODS:
            lines[method] = []
            for n in FIG6_EPOCHS:
                cell = cells.get((pattern.format(n), col),
                                 Cell(None, 'missing'))
                lines[method].append((n, cell.value, cell.status))
        if any(st != 'missing' for pts in lines.values() for _, _, st in pts):
            out[col] = lines
    return out


def fig6_markdown(points: Dict[str, Dict[str, List[tuple]]]) -> str:
    """Fig. 6's values: one row per (method, epochs), one column per
    benchmark."""
    cols = list(points)
    lines = [
        '| Fig. 6 | epochs | ' + ' | '.join(cols) + ' |',
        '| --- | ---: |' + ' ---: |' * len(cols)
    ]
    for method, _ in FIG6_METHODS:
        for i, n in enumerate(FIG6_EPOCHS):
            texts = [Cell(*points[c][method][i][1:]).text() for c in cols]
            lines.append(f'| {method} | {n} | ' + ' | '.join(texts) + ' |')
    return '\n'.join(lines)


def fig6_figure(points: Dict[str, Dict[str, List[tuple]]]):
    """Fig. 6 as a matplotlib figure: one panel per benchmark with a value
    (in :data:`TRANSFER_COLUMNS` order), one line per method over the
    pre-training epochs (gaps where a length has no result). None if no
    benchmark has a value."""
    panels = [(c, lines) for c, lines in points.items() if any(
        v is not None for pts in lines.values() for _, v, _ in pts)]
    if not panels:
        return None
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    ncols = min(5, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        squeeze=False,
        figsize=(3.6 * ncols, 3.2 * nrows),
        dpi=120)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax, (col, lines) in zip(axes.flat, panels):
        for i, (method, pts) in enumerate(lines.items()):
            x = np.array([p[0] for p in pts], dtype=float)
            y = np.array([np.nan if p[1] is None else p[1] for p in pts])
            ax.plot(x, y, marker='o', color=f'C{i}', label=method)
        ax.set_xticks(list(FIG6_EPOCHS))
        ax.set_xlim(FIG6_EPOCHS[0] - 40, FIG6_EPOCHS[-1] + 40)
        ax.set_xlabel('pre-training epochs')
        ax.set_title(col, fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle('Fig. 6: transfer vs pre-training length')
    return fig


def plot_fig6(points: Dict[str, Dict[str, List[tuple]]]) -> Optional[bytes]:
    """Fig. 6 as PNG bytes (:func:`fig6_figure`); None without a value."""
    fig = fig6_figure(points)
    return None if fig is None else figure_png(fig)


def collect(dirs: Sequence[str]) -> Tuple[str, Dict[str, bytes]]:
    """The results report (Markdown) and its plots (``{name: PNG}``, only
    those with data) for the benchmark runs under ``dirs``."""
    records, problems = find_records(dirs)
    rows, columns, cells = build_table(records)
    curves = sweep_curves(records)
    tab6 = tab6_cells(records)
    fig6 = fig6_points(records)
    figures = [
        ('fig2_ladder', plot_ladder(rows, cells, columns)),
        ('fig4_longtail', plot_longtail(rows, cells, columns)),
        ('fig6_epochs', plot_fig6(fig6)),
        ('fig7_checkpoints', plot_sweeps(curves)),
    ]
    plots = {name: png for name, png in figures if png is not None}
    parts = [
        '# Benchmark results', '',
        f'{len(records)} benchmark runs under ' + ', '.join(dirs) +
        f'. `{MISSING}`: no finished run for that cell; `failed` / '
        '`running`: the run did not finish (see below); `m ± s (n=k)`: '
        'mean and sample standard deviation (ddof=1) of k seeded '
        'fine-tunings (--seeds).', ''
    ]
    if rows:
        parts += [markdown_table(rows, columns, cells), '']
    else:
        parts += ['No benchmark runs found (no metrics.json).', '']
    bad = unfinished(records)
    if bad or problems:
        parts += ['## Failed or unfinished runs', '']
        parts += [
            f'- {r.label} / {r.benchmark}: **{r.status}**' +
            (f' ({r.error})' if r.error else '') + f' — {r.path}' for r in bad
        ]
        parts += [f'- unreadable: {p}' for p in problems]
        parts.append('')
    if any(c.record is not None for c in tab6.values()):
        parts += [
            '## Tab. 6: label taxonomies vs self-supervision (100 epochs)', '',
            tab6_markdown(tab6), '',
            'Each cell: the final weights of the run (its epoch_100.pth or '
            'an extracted backbone), never an intermediate checkpoint.', ''
        ]
    if fig6:
        parts += [
            '## Fig. 6: pre-training length', '',
            fig6_markdown(fig6), ''
        ]
    if curves:
        parts += ['## Fig. 7: checkpoints', '', sweep_markdown(curves), '']
    return '\n'.join(parts), plots
