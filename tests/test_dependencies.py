"""Dependencies point one way: the library never reaches for its tooling.

Every module of ``airl_mm/`` is parsed (``ast``, nothing imported) and each
``import`` in it, at any depth (lazy ones inside functions too), resolved to
an absolute module name. The rules:

- ``airl_mm.models``, ``datasets``, ``engine``, ``evaluation``, ``analysis``
  and ``checkpoint`` never import ``airl_mm.benchmarks``;
- nothing in ``airl_mm`` imports ``demo`` or ``tools`` (the top-level
  folders of the checkout), nor the old ``airl_mm.demos``;
- no module of ``airl_mm`` imports ``argparse`` (command lines live in
  ``tools/*.py``);
- no module of ``airl_mm`` climbs out of the package from ``__file__`` (it
  must not find the checkout; package data beside a module is fine).
"""
import ast
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

PACKAGE = 'airl_mm'
CORE = ('models', 'datasets', 'engine', 'evaluation', 'analysis', 'checkpoint')
NEVER_FROM_CORE = ('airl_mm.benchmarks', )
NEVER_FROM_PACKAGE = ('demo', 'tools', 'airl_mm.demos', 'argparse')


def module_name(path: Path, root: Path) -> str:
    """``airl_mm/engine/hooks/ema.py`` -> ``airl_mm.engine.hooks.ema``
    (a package's ``__init__.py`` -> the package)."""
    parts = list(path.relative_to(root).with_suffix('').parts)
    if parts[-1] == '__init__':
        parts.pop()
    return '.'.join(parts)


def imports(source: str,
            name: str,
            is_package: bool = False) -> Iterator[Tuple[int, str]]:
    """``(line, absolute module)`` for every import in ``source``, the
    module ``name`` (relative imports resolved; ``from X import y`` yields
    ``X`` and ``X.y``, as ``y`` may be a submodule).

    Raises:
        ValueError: a relative import that climbs above the top package.
    """
    package = name.split('.') if is_package else name.split('.')[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level - 1 >= len(package):
                    raise ValueError(f'{name}:{node.lineno}: relative '
                                     'import beyond the top package')
                base = package[:len(package) - (node.level - 1)]
                parts = base + ([node.module] if node.module else [])
                mod = '.'.join(parts)
            else:
                mod = node.module
            yield node.lineno, mod
            for alias in node.names:
                yield node.lineno, f'{mod}.{alias.name}'


def _within(mod: str, prefixes) -> bool:
    return any(mod == p or mod.startswith(p + '.') for p in prefixes)


def _levels_up(node: ast.AST, parents: dict) -> int:
    """How many directories an expression around ``__file__`` climbs
    (``Path(__file__).parent`` and ``osp.dirname(__file__)``: 1)."""
    up, child = 0, node
    node = parents.get(node)
    while node is not None:
        if isinstance(node, ast.Attribute) and node.attr == 'parent':
            up += 1
        elif isinstance(node, ast.Subscript) and isinstance(
                node.value, ast.Attribute) and node.value.attr == 'parents':
            index = node.slice
            if isinstance(index, ast.Constant) and isinstance(
                    index.value, int):
                up += index.value + 1
            else:
                return 99  # a computed depth: refuse
        elif isinstance(node, ast.Call) and child in node.args and getattr(
                node.func, 'attr', getattr(node.func, 'id', '')) == 'dirname':
            up += 1
        elif not isinstance(node, (ast.Call, ast.Attribute)):
            break  # Path(...), .resolve(), os.path.abspath(...) pass through
        child, node = node, parents.get(node)
    return up


def file_climbs(source: str) -> List[Tuple[int, int]]:
    """``(line, directories climbed)`` of each use of ``__file__``."""
    tree = ast.parse(source)
    parents = {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    return [(n.lineno, _levels_up(n, parents)) for n in ast.walk(tree)
            if isinstance(n, ast.Name) and n.id == '__file__']


def package_modules(root: Path) -> List[Path]:
    return sorted((root / PACKAGE).rglob('*.py'))


def violations(root: Path) -> List[str]:
    """Every broken rule in ``root/airl_mm``, as ``file:line: what``."""
    found = {}  # (file, line) -> the first breach there
    for path in package_modules(root):
        name = module_name(path, root)
        source = path.read_text()
        rel = path.relative_to(root)
        core = _within(name, [f'{PACKAGE}.{c}' for c in CORE])
        for line, mod in imports(source, name, path.name == '__init__.py'):
            if _within(mod, NEVER_FROM_PACKAGE):
                found.setdefault((rel, line), f'{rel}:{line}: imports {mod}')
            elif core and _within(mod, NEVER_FROM_CORE):
                found.setdefault((rel, line),
                                 f'{rel}:{line}: imports {mod} (a library '
                                 'module must not depend on the benchmarks)')
        # the package's own folders: a climb beyond them leaves the package
        inside = len(rel.parts) - 1
        for line, up in file_climbs(source):
            if up > inside:
                found.setdefault((rel, line),
                                 f'{rel}:{line}: finds the checkout through '
                                 f'__file__ ({up} levels up)')
    return [found[k] for k in sorted(found)]


def test_the_library_imports_no_tooling(repo_root):
    assert len(package_modules(repo_root)) > 30  # the walk sees the package
    assert violations(repo_root) == []


@pytest.mark.parametrize('where, source, expected', [
    ('engine/hooks/x.py', 'from ...benchmarks import launcher',
     'imports airl_mm.benchmarks'),
    ('analysis/x.py', 'def f():\n    from airl_mm.benchmarks.launcher '
     'import run_benchmark', 'imports airl_mm.benchmarks'),
    ('models/x.py', 'import airl_mm.benchmarks.sweep',
     'imports airl_mm.benchmarks'),
    ('benchmarks/x.py', 'from demo.common import run_training',
     'imports demo'),
    ('benchmarks/x.py', 'import tools.train', 'imports tools'),
    ('checkpoint/x.py', 'from .. import demos', 'imports airl_mm.demos'),
    ('fileio.py', 'def main():\n    import argparse', 'imports argparse'),
    ('benchmarks/x.py', 'from pathlib import Path\n'
     'ROOT = Path(__file__).resolve().parents[2]', 'finds the checkout'),
    ('x.py', 'import os.path as osp\n'
     'ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))',
     'finds the checkout'),
    ('datasets/x.py', 'from pathlib import Path\n'
     'ROOT = Path(__file__).parent.parent.parent', 'finds the checkout'),
])
def test_each_rule_catches_its_breach(tmp_path, where, source, expected):
    """The walk fails on a planted breach of each rule (negative control)."""
    path = tmp_path / PACKAGE / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source + '\n')
    found = violations(tmp_path)
    assert len(found) == 1 and expected in found[0], found


@pytest.mark.parametrize(
    'where, source',
    [
        # package data beside the module, and the benchmarks using the core
        ('datasets/x.py', 'from pathlib import Path\n'
         "DATA = Path(__file__).parent / 'data' / 'x.json'"),
        ('datasets/x.py', 'import os.path as osp\n'
         "DATA = osp.join(osp.dirname(osp.dirname(__file__)), 'data')"),
        ('benchmarks/x.py', 'from ..checkpoint import load_checkpoint_file'),
        ('engine/x.py', 'from ..models import MoCoV2Plus'),
        ('analysis/x.py', "from .tables import Cell\nx = 'tools'"),
    ])
def test_allowed_imports_pass(tmp_path, where, source):
    path = tmp_path / PACKAGE / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source + '\n')
    assert violations(tmp_path) == []


def test_relative_imports_resolve():
    got = dict(
        imports('from ..hooks.utils import get_ori_model\nfrom . import a',
                'airl_mm.engine.optimizers.lars'))
    assert got[1] == 'airl_mm.engine.hooks.utils.get_ori_model'
    assert got[2] == 'airl_mm.engine.optimizers.a'
    pkg = dict(imports('from .launcher import x', 'airl_mm.benchmarks', True))
    assert pkg[1] == 'airl_mm.benchmarks.launcher.x'
    with pytest.raises(ValueError, match='beyond the top package'):
        list(imports('from ... import x', 'airl_mm.fileio'))


def test_the_distribution_ships_the_library_only(repo_root, monkeypatch):
    """What ``pip install .`` would install: airl_mm and its subpackages
    (every test folder is a package too, since the tests mirror the
    library: none may end up in site-packages), and the package data."""
    import runpy

    import setuptools
    monkeypatch.chdir(repo_root)
    seen = {}
    monkeypatch.setattr(setuptools, 'setup', lambda **kw: seen.update(kw))
    runpy.run_path(str(repo_root / 'setup.py'), run_name='__main__')
    packages = set(seen['packages'])
    assert packages, 'setup.py lists no packages'
    assert all(p == PACKAGE or p.startswith(PACKAGE + '.')
               for p in packages), sorted(packages)
    on_disk = {
        '.'.join(init.parent.relative_to(repo_root).parts)
        for init in (repo_root / PACKAGE).rglob('__init__.py')
    }
    assert packages == on_disk
    assert seen['package_data'] == {'airl_mm.datasets': ['data/*.json']}
