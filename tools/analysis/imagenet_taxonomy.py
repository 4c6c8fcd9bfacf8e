#!/usr/bin/env python
"""Derive the ImageNet-1k label taxonomies of Tab. 6 from WordNet 3.0 and
write (or check) the mapping the package ships.

Needs WordNet 3.0's database files (Debian: apt-get install wordnet-base)
and the ImageNet-1k class list (timm's wheel ships it). Exit codes: 0 done
(or --check: the file is up to date), 1 --check found a difference, 2 no
WordNet / class list or a bad input.
"""
import argparse
import sys
from pathlib import Path

from airl_mm.datasets.taxonomy import (MAPPING_FILE, WordNetError,
                                       derive_taxonomies, dumps, summary)
from airl_mm.fileio import atomic_write_text


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument(
        '--wordnet-dir',
        help='folder with WordNet 3.0 data.noun/index.noun (default: '
        '$AIRL_MM_WORDNET_DIR, else /usr/share/wordnet)')
    p.add_argument(
        '--synsets',
        help='ImageNet-1k wnids, one a line, in class order (default: '
        "timm's timm/data/_info/imagenet_synsets.txt)")
    p.add_argument(
        '--out',
        default=str(MAPPING_FILE),
        help='the mapping file (default: the one the package ships)')
    p.add_argument(
        '--check',
        action='store_true',
        help='write nothing; exit 1 unless --out equals the derivation')
    args = p.parse_args(argv)
    try:
        mapping = derive_taxonomies(args.wordnet_dir, args.synsets)
    except (WordNetError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    print(f'{"taxonomy":>8} {"classes":>7} {"largest":>8} {"smallest":>8} '
          f'{"ratio":>7}  largest class')
    for r in summary(mapping):
        print(f'{r["taxonomy"]:>8} {r["classes"]:7d} {r["largest"]:8d} '
              f'{r["smallest"]:8d} {r["ratio"]:7.1f}  {r["largest_name"]}')
    text, out = dumps(mapping), Path(args.out)
    if args.check:
        same = out.is_file() and out.read_text() == text
        print(f'{out}: ' + ('up to date' if same else 'DIFFERS from the '
                            'derivation (rerun without --check)'))
        return 0 if same else 1
    if not out.parent.is_dir():
        print(f'error: {out.parent}: no such directory', file=sys.stderr)
        return 2
    atomic_write_text(out, text)
    print(f'wrote {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
