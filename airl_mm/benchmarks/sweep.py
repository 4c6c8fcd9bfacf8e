"""Fig. 7: one benchmark over a pre-training run's intermediate checkpoints.

Each checkpoint ``<run>/epoch_N.pth`` (or ``iter_N.pth``) is evaluated by
:func:`airl_mm.benchmarks.launcher.run_benchmark` in its own work dir,
``<out>/<checkpoint stem>/``, whose ``metrics.json`` records the outcome.
A checkpoint whose ``metrics.json`` says ``finished`` is skipped, so a sweep
that was interrupted (or had failures) is resumed by running it again.
``tools/analysis/collect_results.py`` draws the curves from those files.
"""
import json
import os
import os.path as osp
import re
from dataclasses import dataclass
from typing import Callable, Iterable, List, Optional, Sequence

CHECKPOINT_RE = re.compile(r'^(epoch|iter)_(\d+)\.pth$')


@dataclass
class SweepItem:
    """One checkpoint of the sweep and what became of it."""
    checkpoint: str
    unit: str  # 'epoch' or 'iter'
    step: int
    work_dir: str
    status: str = 'pending'  # skipped | finished | failed | pending
    error: Optional[str] = None


def find_checkpoints(run_dir: str) -> List[tuple]:
    """``(unit, step, path)`` of the run's ``epoch_N.pth`` / ``iter_N.pth``,
    in training order.

    Raises:
        FileNotFoundError: ``run_dir`` is not a folder.
        ValueError: it holds no such checkpoint, or both kinds.
    """
    if not osp.isdir(run_dir):
        raise FileNotFoundError(f'pre-training work dir not found: {run_dir}')
    found = []
    for name in os.listdir(run_dir):
        m = CHECKPOINT_RE.match(name)
        if m:
            found.append((m.group(1), int(m.group(2)), osp.join(run_dir,
                                                                name)))
    if not found:
        raise ValueError(f'{run_dir}: no intermediate checkpoints '
                         '(epoch_N.pth or iter_N.pth); keep them with '
                         'default_hooks.checkpoint.max_keep_ckpts=-1')
    if len({unit for unit, _, _ in found}) > 1:
        raise ValueError(f'{run_dir}: holds both epoch_N.pth and iter_N.pth '
                         'checkpoints; sweep one run at a time')
    return sorted(found, key=lambda t: t[1])


def read_status(work_dir: str) -> Optional[str]:
    """The ``status`` of ``<work_dir>/metrics.json``; None if there is none
    or it is unreadable (then the checkpoint is evaluated again)."""
    path = osp.join(work_dir, 'metrics.json')
    try:
        with open(path) as f:
            return json.load(f).get('status')
    except (OSError, ValueError, AttributeError):
        return None


def default_sweep_dir(run_dir: str, config: str) -> str:
    """``work_dirs/benchmarks/sweeps/<run name>/<benchmark stem>``."""
    run = osp.basename(osp.normpath(run_dir))
    return osp.join('work_dirs', 'benchmarks', 'sweeps', run,
                    osp.splitext(osp.basename(config))[0])


def plan_sweep(run_dir: str,
               config: str,
               out_dir: Optional[str] = None,
               steps: Optional[Sequence[int]] = None,
               every: int = 1) -> List[SweepItem]:
    """The checkpoints to evaluate, each with its work dir and whether it is
    already done (``status='skipped'``).

    Args:
        run_dir (str): The pre-training run's work dir.
        config (str): The benchmark config.
        out_dir (str, optional): Where the per-checkpoint work dirs go.
            Defaults to :func:`default_sweep_dir`.
        steps (Sequence[int], optional): Only these epochs/iterations.
        every (int): Only every ``every``-th checkpoint (the last one is
            always included). Defaults to 1.
    """
    if every < 1:
        raise ValueError(f'every must be >= 1, got {every}')
    out_dir = out_dir or default_sweep_dir(run_dir, config)
    found = find_checkpoints(run_dir)
    if steps is not None:
        missing = sorted(set(steps) - {s for _, s, _ in found})
        if missing:
            raise ValueError(f'{run_dir}: no checkpoint for step(s) '
                             f'{missing}; it has '
                             f'{[s for _, s, _ in found]}')
        found = [f for f in found if f[1] in set(steps)]
    found = [
        f for i, f in enumerate(found) if i % every == 0 or i == len(found) - 1
    ]
    items = []
    for unit, step, path in found:
        work_dir = osp.join(out_dir, f'{unit}_{step}')
        done = read_status(work_dir) == 'finished'
        items.append(
            SweepItem(path, unit, step, work_dir,
                      'skipped' if done else 'pending'))
    return items


def run_sweep(run_dir: str,
              config: str,
              out_dir: Optional[str] = None,
              steps: Optional[Sequence[int]] = None,
              every: int = 1,
              branch: str = 'student',
              normrescale: Optional[str] = None,
              launcher: str = 'none',
              cfg_options: Optional[dict] = None,
              progress: Callable[[Iterable], Iterable] = iter,
              log: Callable[[str], None] = print) -> List[SweepItem]:
    """Evaluate ``config`` on every pending checkpoint of ``run_dir``.

    A failure is recorded (in the item and in that checkpoint's
    ``metrics.json``, by the launcher) and the sweep goes on with the next
    checkpoint; running the sweep again retries only what is not finished.

    Returns:
        list[SweepItem]: Every planned checkpoint with its final status.
    """
    from .launcher import run_benchmark
    items = plan_sweep(run_dir, config, out_dir, steps, every)
    todo = [it for it in items if it.status == 'pending']
    log(f'sweep {osp.basename(config)} over {run_dir}: {len(items)} '
        f'checkpoints, {len(items) - len(todo)} already finished, '
        f'{len(todo)} to evaluate')
    for item in progress(todo):
        try:
            run_benchmark(
                config,
                item.checkpoint,
                work_dir=item.work_dir,
                branch=branch,
                normrescale=normrescale,
                launcher=launcher,
                cfg_options=cfg_options)
            item.status = 'finished'
        except Exception as e:  # recorded; the next checkpoint still runs
            item.status, item.error = 'failed', f'{type(e).__name__}: {e}'
            log(f'{item.checkpoint}: FAILED ({item.error})')
    return items
