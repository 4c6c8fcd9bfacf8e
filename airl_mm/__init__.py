"""airl_mm: augmentation-invariant representation learning for mmselfsup.

``import airl_mm`` applies the host glue (:mod:`airl_mm.compat`) and
registers its modules into mmselfsup's registries; configs load it with
``custom_imports = dict(imports=['airl_mm'])``.

The host-free subpackages (:mod:`airl_mm.checkpoint`, :mod:`airl_mm.fileio`)
need only torch: importing one of them directly (``from airl_mm.checkpoint
import ...``, as the conversion tools do) leaves the mm stack unimported, so
a conversion starts in a second instead of six. In that case the rest of the
package is registered on first use of ``airl_mm.models`` / ``engine`` /
``datasets`` / ``compat`` (or :func:`register_all_modules`).
"""
import importlib
import sys

from .version import __version__

# Importing a submodule runs this file first; these need none of the hosts.
LIGHT_SUBPACKAGES = ('airl_mm.checkpoint', 'airl_mm.fileio', 'airl_mm.version')
_HEAVY = ('compat', 'datasets', 'engine', 'models')


def register_all_modules() -> None:
    """Apply the host glue, then register every airl_mm module (idempotent).

    The glue comes first: importing mmselfsup's models before it raises
    ``KeyError: 'ResLayerExtraNorm is already registered'``.
    """
    # importlib, not ``from . import``: that would call __getattr__ below.
    importlib.import_module(f'{__name__}.compat').apply()
    for name in ('datasets', 'engine', 'models'):  # importing registers
        importlib.import_module(f'{__name__}.{name}')


def _parent_of_light_import() -> bool:
    """Whether this package is being imported only as the parent of a light
    subpackage (``import airl_mm.checkpoint``).

    CPython imports parents first, from inside the import of the child; the
    child's name is the ``name`` argument of importlib's
    ``_find_and_load_unlocked`` further up the stack.
    """
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == '_find_and_load_unlocked':
            name = frame.f_locals.get('name')
            if isinstance(name, str) and name != __name__:
                return name.startswith(LIGHT_SUBPACKAGES)
        frame = frame.f_back
    return False


def __getattr__(name: str):
    """Light import: register everything on first use of a heavy part."""
    if name in _HEAVY:
        register_all_modules()
        return importlib.import_module(f'{__name__}.{name}')
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


if not _parent_of_light_import():
    register_all_modules()
    from . import compat, datasets, engine, models  # noqa: F401,E402

__all__ = [
    '__version__', 'register_all_modules', 'compat', 'datasets', 'engine',
    'models'
]
