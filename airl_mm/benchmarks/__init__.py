"""Downstream (transfer) benchmarks: one launcher for mmdet, mmseg and
mmpretrain configs fed by our converted checkpoints."""
from .c4_head import C4SharedHead
from .launcher import (BenchmarkError, benchmark_config, per_gpu_batch_size,
                       prepare_backbone, run_benchmark, sync_bn_to_bn,
                       world_size)

__all__ = ['BenchmarkError', 'C4SharedHead', 'benchmark_config',
           'per_gpu_batch_size', 'prepare_backbone', 'run_benchmark',
           'sync_bn_to_bn', 'world_size']
