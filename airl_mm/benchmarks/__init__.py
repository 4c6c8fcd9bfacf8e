"""Benchmarks: the transfer launcher (:mod:`.launcher`: mmdet / mmseg /
mmpretrain configs fed by our converted checkpoints; the C4 RoI head they
run is a model, :mod:`airl_mm.models.utils.c4_head`). The speed harness
is developer tooling, outside the package: ``tools/benchmarks/speed.py``.

Light: nothing is imported until a name is used (the launcher needs the mm
stack; the VOC config imports :mod:`.voc_difficult` through
``custom_imports``).
"""
import importlib

_LAUNCHER = ('BenchmarkError', 'benchmark_config', 'parse_seeds',
             'per_gpu_batch_size', 'prepare_backbone', 'run_benchmark',
             'run_trials', 'summarize_trials', 'sync_bn_to_bn', 'world_size')


def __getattr__(name: str):
    if name in _LAUNCHER:
        return getattr(importlib.import_module(f'{__name__}.launcher'), name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


__all__ = list(_LAUNCHER)
