"""airl_mm: augmentation-invariant representation learning for mmselfsup.

The package root is light: ``import airl_mm`` (or the host-free
``airl_mm.checkpoint`` / ``airl_mm.fileio``, as the conversion tools use)
imports none of the OpenMMLab hosts. Configs register the plugin with
``custom_imports = dict(imports=['airl_mm.register'],
allow_failed_imports=False)``; from Python, ``import airl_mm.register`` or
:func:`register_all_modules`. Each subpackage that needs the hosts
(``models``, ``engine``, ``datasets``, ...) applies the part of the host
glue it needs (:mod:`airl_mm.compat`) when imported directly.
"""
from .version import __version__


def register_all_modules() -> None:
    """Apply the host glue and register every module
    (:func:`airl_mm.register.register_all_modules`; idempotent)."""
    from .register import register_all_modules as register
    register()


__all__ = ['__version__', 'register_all_modules']
