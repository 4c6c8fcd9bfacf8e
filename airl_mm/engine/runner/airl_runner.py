"""The CPU-aware Runner, selected by ``runner_type = 'AirlRunner'``.

``configs/_base_/default_runtime.py`` names it, so every OpenMMLab entry
point that honours ``runner_type`` (mmselfsup's and mmpretrain's
``tools/train.py``, ``mim train``, our ``tools/train.py``) builds it.
"""
import logging
import os

import torch
from mmengine.logging import print_log
from mmengine.model import revert_sync_batchnorm
from mmengine.runner import Runner
from mmselfsup.registry import RUNNERS

from ...compat import init_cpu_distributed
from ..precision import to_channels_last


@RUNNERS.register_module()
class AirlRunner(Runner):
    """mmengine's Runner, also for distributed runs on CPU.

    Without CUDA, a distributed launch starts a gloo process group (mmengine's
    ``init_dist`` would call ``torch.cuda.set_device``), SyncBN layers become
    BN (logged once) and DDP wraps the CPU module (``device_ids=None``).
    With CUDA it is exactly mmengine's Runner.
    """

    def setup_env(self, env_cfg: dict) -> None:
        if self._launcher != 'none' and not torch.cuda.is_available():
            init_cpu_distributed('gloo')
            print_log(
                'no CUDA: distributed training on CPU with gloo, rank '
                f'{os.environ.get("RANK")} of {os.environ.get("WORLD_SIZE")}',
                logger='current', level=logging.WARNING)
        super().setup_env(env_cfg)

    def wrap_model(self, model_wrapper_cfg, model):
        if self.cfg.get('channels_last'):  # before DDP registers params
            model = to_channels_last(model)
        if self.distributed and not torch.cuda.is_available():
            if any(isinstance(m, torch.nn.SyncBatchNorm)
                   for m in model.modules()):
                print_log('no CUDA: SyncBN layers run as BN (per process)',
                          logger='current', level=logging.WARNING)
            model = revert_sync_batchnorm(model)
            if self.cfg.get('sync_bn'):  # would convert back: raises on CPU
                print_log('no CUDA: cfg.sync_bn ignored', logger='current',
                          level=logging.WARNING)
                self.cfg.sync_bn = None
            model_wrapper_cfg = dict(model_wrapper_cfg or {})
            model_wrapper_cfg.setdefault('type', 'MMDistributedDataParallel')
            model_wrapper_cfg.setdefault('broadcast_buffers', False)
            model_wrapper_cfg.setdefault(
                'find_unused_parameters',
                self.cfg.get('find_unused_parameters', False))
            model_wrapper_cfg['device_ids'] = None
        return super().wrap_model(model_wrapper_cfg, model)
