"""airl_mm: augmentation-invariant representation learning for mmselfsup.

Importing the package applies the host glue (:mod:`airl_mm.compat`) and
registers its modules into mmselfsup's registries; configs load it with
``custom_imports = dict(imports=['airl_mm'])``.
"""
from . import compat
from .version import __version__

compat.apply()

from . import datasets, engine, models  # noqa: E402,F401  (register)

__all__ = ['__version__', 'compat', 'datasets', 'engine', 'models']
