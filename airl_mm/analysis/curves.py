"""Training curves of several runs from their scalar logs, one line each.

Reads mmengine's ``vis_data/scalars.json`` (LocalVisBackend): the loss and
whatever hooks logged (``z_std``, ``neg_cos``, ``lr/layer1``,
``knn_top1``...).
"""
import json
import math
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

from ..fileio import atomic_write_bytes
from .plotting import figure_png, new_figure

Curve = Tuple[List[float], List[float]]


def read_scalars(work_dir: str) -> List[dict]:
    """The records of the latest run's ``vis_data/scalars.json`` under
    ``work_dir``.

    mmengine's LocalVisBackend writes one JSON record a line under
    ``<work_dir>/<timestamp>/vis_data/``; the latest run is the last
    timestamp in name order.

    Args:
        work_dir (str): A Runner's work dir.

    Returns:
        list[dict]: The latest run's records in logged order; empty if no
        run under ``work_dir`` has a scalar log.

    Raises:
        FileNotFoundError: ``work_dir`` does not exist.
    """
    runs = sorted(
        d for d in os.listdir(work_dir)
        if osp.isfile(osp.join(work_dir, d, 'vis_data', 'scalars.json')))
    if not runs:
        return []
    with open(osp.join(work_dir, runs[-1], 'vis_data', 'scalars.json')) as f:
        return [json.loads(line) for line in f]


def last_scalar(work_dir: str, key: str) -> Optional[float]:
    """The last value of ``key`` logged by the latest run in ``work_dir``
    (see :func:`read_scalars`); None if it never logged ``key``."""
    values = [rec[key] for rec in read_scalars(work_dir) if key in rec]
    return values[-1] if values else None


def run_records(path: str) -> List[dict]:
    """The scalar records of a run: ``path`` is a work dir (its latest run
    is read) or one run's timestamped folder.

    Raises:
        FileNotFoundError: ``path`` holds no ``vis_data/scalars.json``.
    """
    own = osp.join(path, 'vis_data', 'scalars.json')
    if osp.isfile(own):
        with open(own) as f:
            return [json.loads(line) for line in f if line.strip()]
    records = read_scalars(path) if osp.isdir(path) else []
    if not records:
        raise FileNotFoundError(
            f'{path}: no vis_data/scalars.json (in it or in a run folder '
            'under it); is it a work dir of a run logged with mmengine\'s '
            'LocalVisBackend?')
    return records


def curves_of(records: Sequence[dict],
              keys: Sequence[str]) -> Dict[str, Curve]:
    """``{key: (iterations, values)}`` for each key present in ``records``
    (x is the record's ``iter``, else its ``step``)."""
    out: Dict[str, Curve] = {}
    for rec in records:
        x = rec.get('iter', rec.get('step'))
        if x is None:
            continue
        for key in keys:
            value = rec.get(key)
            if isinstance(value, (int, float)) and math.isfinite(value):
                xs, ys = out.setdefault(key, ([], []))
                xs.append(float(x))
                ys.append(float(value))
    return out


def load_curves(
        work_dirs: Sequence[str],
        keys: Sequence[str],
        labels: Optional[Sequence[str]] = None) -> Dict[str, Dict[str, Curve]]:
    """``{run label: {key: curve}}`` for each work dir (label: its folder
    name unless ``labels`` are given)."""
    if labels is None:
        labels = [osp.basename(osp.normpath(d)) for d in work_dirs]
    if len(labels) != len(work_dirs):
        raise ValueError(f'{len(labels)} labels for {len(work_dirs)} runs')
    if len(set(labels)) != len(labels):
        raise ValueError(f'run labels must differ, got {list(labels)}')
    return {
        label: curves_of(run_records(d), keys)
        for label, d in zip(labels, work_dirs)
    }


def plot_curves(runs: Dict[str, Dict[str, Curve]],
                keys: Sequence[str],
                out: str,
                log_keys: Sequence[str] = (),
                title: Optional[str] = None,
                columns: int = 2) -> None:
    """One panel per key, one line per run; written atomically as PNG.

    Args:
        runs (dict): ``{label: {key: (xs, ys)}}`` (:func:`load_curves`).
        keys (sequence of str): Keys to draw, in panel order.
        out (str): PNG path.
        log_keys (sequence of str): Keys drawn on a log scale (keys starting
            with ``lr/`` always are: layer-wise rates span decades).
        title (str, optional): Figure title.
        columns (int): Panels per row. Defaults to 2.

    Raises:
        ValueError: no run has any of ``keys``.
    """
    if not any(key in curves for curves in runs.values() for key in keys):
        raise ValueError(f'none of the runs logged any of {list(keys)}')
    columns = max(1, min(columns, len(keys)))
    rows = math.ceil(len(keys) / columns)
    fig, axes = new_figure(5 * columns, 3.2 * rows)
    fig.clf()
    for i, key in enumerate(keys):
        ax = fig.add_subplot(rows, columns, i + 1)
        for label, curves in runs.items():
            if key in curves:
                ax.plot(
                    *curves[key],
                    label=label,
                    marker='.' if len(curves[key][0]) < 20 else None)
        if key in log_keys or key.startswith('lr/'):
            ax.set_yscale('log')
        ax.set_title(key)
        ax.set_xlabel('iteration')
        ax.grid(alpha=0.3)
        if i == 0:
            ax.legend(fontsize='small')
    if title:
        fig.suptitle(title)
    atomic_write_bytes(out, figure_png(fig))
