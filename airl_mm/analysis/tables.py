"""The paper's tables from a folder of benchmark runs.

Every benchmark run (:func:`airl_mm.benchmarks.launcher.run_benchmark`)
leaves ``<work_dir>/metrics.json``; :func:`find_records` reads them into
:class:`Record` s and :func:`build_table` makes one row per pre-training
(run, branch, NormRescale) and one column per paper column (ImageNet Acc,
VOC07 AP50, VOC07+12 AP50/AP/AP75, COCO AP_box/AP_seg for C4 and FPN,
Cityscapes mIoU, CIFAR-LT); :func:`tab6_cells` is the appendix's Tab. 6
(label taxonomies vs self-supervision, fixed rows and columns).
A cell without a finished run shows ``–`` (never a number from elsewhere).
The figures drawn from the same records: :mod:`.figures`; the report:
:func:`.results.collect`.
"""
import json
import math
import os
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

MISSING = '–'
CHECKPOINT_RE = re.compile(r'^(epoch|iter)_(\d+)\.pth$')
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


def pick_record(records: List[Record]) -> Record:
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
            r = pick_record(recs)
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


# ---------------------------------------------- Tab. 6 (appendix B.2)
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
