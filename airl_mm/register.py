"""Register every airl_mm module; what configs name in ``custom_imports``.

``custom_imports = dict(imports=['airl_mm.register'],
allow_failed_imports=False)`` (``configs/_base_/default_runtime.py``):
importing this module applies the host glue a run needs
(:func:`airl_mm.compat.apply`) and registers the datasets, transforms,
hooks, optimizers, runner and models into the OpenMMLab registries, so
that every entry point that reads the config (our ``tools/train.py``,
mmselfsup's, ``mim train``, mmdet's and mmseg's) gets the plugin from the
config alone. From Python, ``import airl_mm.register`` or
:func:`register_all_modules` does the same.

A module rather than ``import airl_mm`` itself: the package root stays
light (``from airl_mm.checkpoint import ...`` imports no host), and a
module named by its effect is explicit where importing a package is not.
It is the import-time form of mmpretrain's and mmselfsup's
``register_all_modules`` (``utils/setup_env.py``), without setting the
default scope: each config names its own (``default_scope``).
"""
import importlib

from . import compat

# Each import registers its modules (``@REGISTRY.register_module()``).
SUBPACKAGES = ('airl_mm.datasets', 'airl_mm.engine', 'airl_mm.models')


def register_all_modules() -> None:
    """Apply the host glue, then register every airl_mm module (idempotent).

    The glue comes first: importing mmselfsup's models before it raises
    ``KeyError: 'ResLayerExtraNorm is already registered'``.
    """
    compat.apply()
    for name in SUBPACKAGES:
        importlib.import_module(name)


register_all_modules()
