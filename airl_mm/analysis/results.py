"""The results report: the paper's tables and figures from a folder of
benchmark runs (``tools/analysis/collect_results.py``).

Tables: :mod:`.tables` (the main table, Tab. 6); figures: :mod:`.figures`
(Fig. 2, 4, 6, 7). Failed and unfinished runs are listed with their error.
"""
from typing import Dict, Sequence, Tuple

from .figures import (fig6_markdown, fig6_points, plot_fig6, plot_ladder,
                      plot_longtail, plot_sweeps, sweep_curves, sweep_markdown)
from .tables import (MISSING, build_table, find_records, markdown_table,
                     tab6_cells, tab6_markdown, unfinished)


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
