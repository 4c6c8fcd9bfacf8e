#!/usr/bin/env python
"""Print (or write into configs/README.md) the table of pre-training
configs: the paper's figure/table and the resolved recipe of each."""
import argparse
import os.path as osp
import re
import sys

# The recipes lie beside this script (config_recipes.py), on sys.path when
# run as one; added when loaded otherwise (tests).
_HERE = osp.dirname(osp.abspath(__file__))
if _HERE not in sys.path:
    sys.path.append(_HERE)

from config_recipes import config_table, pretraining_configs  # noqa: E402

from airl_mm.fileio import atomic_write_text  # noqa: E402

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BEGIN, END = '<!-- config-table:begin -->', '<!-- config-table:end -->'


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument(
        '--write',
        action='store_true',
        help='replace the table in configs/README.md')
    args = p.parse_args()
    table = config_table(ROOT, pretraining_configs(ROOT))
    if not args.write:
        print(table)
        return 0
    path = osp.join(ROOT, 'configs', 'README.md')
    text = open(path).read()
    if BEGIN not in text or END not in text:
        print(f'{path}: no {BEGIN} ... {END} markers', file=sys.stderr)
        return 1
    text = re.sub(
        re.escape(BEGIN) + '.*?' + re.escape(END),
        lambda _: f'{BEGIN}\n{table}\n{END}',
        text,
        flags=re.S)
    atomic_write_text(path, text)
    print(f'wrote {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
