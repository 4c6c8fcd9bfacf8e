"""The paper's figures (and their values as text) from benchmark records.

Fig. 2 (the ladder), Fig. 4 (ImageNet vs long-tail accuracy, regression
line and 95 % confidence band), Fig. 6 (transfer vs pre-training length)
and Fig. 7 (accuracy over pre-training checkpoints), from the records and
cells of :mod:`.tables`. Each ``plot_*`` returns PNG bytes, or None when
the figure has no value to show.
"""
import math
from typing import Dict, List, Optional, Tuple

import numpy as np

from .plotting import figure_png, new_figure
from .tables import (IMAGENET, LONG_TAIL_COLUMNS, TRANSFER_COLUMNS, Cell,
                     Record, column_of, final_cells, pick_record)

# The Fig. 2 ladder, in order: pre-training run names (config stems).
LADDER = (
    ('MoCo v2', 'mocov2_r50_200e'),
    ('+ SyncBN', 'mocov2_r50_200e_1-syncbn'),
    ('+ predictor', 'mocov2_r50_200e_2-predictor'),
    ('+ momentum ascending', 'mocov2_r50_200e_3-momentum-ascending'),
    ('+ symmetric loss', 'mocov2_r50_200e_4-symmetric-loss'),
    ('MoCo v2+ (+ Table-5 aug.)', 'mocov2plus_r50_200e'),
)
# Fig. 6 (appendix B.1): one line per method, its run at each length.
FIG6_METHODS = (
    ('Supervised', 'supervised_r50_{}e_in1k'),
    ('MoCo v2+', 'mocov2plus_r50_{}e'),
    ('BYOL', 'byol_r50_{}e_sgd'),
)
FIG6_EPOCHS = (100, 200, 300, 500)


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
            r = pick_record(steps[step])
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


# ------------------------------------------------- Fig. 6 (appendix B.1)
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
