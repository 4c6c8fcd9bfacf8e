"""Benchmarks: the speed harness (:mod:`.speed`) and the transfer launcher
(:mod:`.launcher`: mmdet / mmseg / mmpretrain configs fed by our converted
checkpoints; the C4 RoI head in :mod:`.c4_head`).

Light: nothing is imported until a name is used (the launcher needs the mm
stack; configs import :mod:`.c4_head` through ``custom_imports``).
"""
import importlib

_LAUNCHER = ('BenchmarkError', 'benchmark_config', 'parse_seeds',
             'per_gpu_batch_size', 'prepare_backbone', 'run_benchmark',
             'run_trials', 'summarize_trials', 'sync_bn_to_bn', 'world_size')


def __getattr__(name: str):
    if name in _LAUNCHER:
        return getattr(importlib.import_module(f'{__name__}.launcher'), name)
    if name == 'C4SharedHead':
        return importlib.import_module(f'{__name__}.c4_head').C4SharedHead
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


__all__ = list(_LAUNCHER) + ['C4SharedHead']
