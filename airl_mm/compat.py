"""Host glue: the only place that works around upstream behaviour.

Each fix is idempotent and documented with the upstream symptom it removes
(see also README, Troubleshooting), and each is applied where it is needed:

- fixes 1 and 2, :func:`import_hosts`: first thing in every subpackage
  that imports the hosts (``airl_mm.models``, ``engine``, ``datasets``;
  in a function that does so lazily, e.g. ``analysis.representations``),
  since the clash and the missing module hit whatever imports them first;
- fixes 3 and 7, :func:`prepare_run`: by ``airl_mm.register`` (what
  configs name in ``custom_imports``) and by
  :class:`~airl_mm.engine.runner.AirlRunner`, since any run loads
  checkpoints (resume, ``load_from``, ``init_cfg``) and images;
- fix 4, :func:`atomic_local_writes`: by AirlRunner, the runner of every
  config and launcher of this plugin (a host config run on mmengine's own
  Runner, e.g. by mmdet's ``tools/train.py``, keeps mmengine's writes);
- fix 5, :func:`init_cpu_distributed`: by AirlRunner on a distributed
  launch without CUDA (a function, not a patch);
- fix 6, :func:`honour_runner_type`: by ``airl_mm.register`` only, since
  mmselfsup's ``tools/train.py`` reaches the plugin only through the
  config's ``custom_imports``.

Every fix but 5 is global once applied: it patches what the process
shares (mmdet's MODELS, ``sys.modules``, torch's allow-list and mmengine's
checkpoint loader, ``LocalBackend``, ``Runner.from_cfg``, mmcv's image
loaders), because the code it fixes is the hosts' own (registries,
checkpoint loading and writing, entry point, transforms), which offers no
per-run hook. Nothing is applied by ``import airl_mm`` or by the host-free
:mod:`airl_mm.checkpoint` / :mod:`airl_mm.fileio`: a checkpoint
conversion leaves the hosts unimported and unpatched.

1. ``KeyError: 'ResLayerExtraNorm is already registered'``: mmpretrain and
   mmselfsup both register that class into mmdet's MODELS. We import them
   in a fixed order and drop the earlier entry before each registers.
2. ``No module named 'mmselfsup.engine.runner'`` when a Runner is built in
   the ``mmselfsup`` scope (mmselfsup#745: its registry names a module the
   wheel lacks). We provide that (empty) module.
3. torch >= 2.6 loads with ``weights_only=True`` and refuses mmengine
   checkpoints (``Unsupported global: ...HistoryBuffer``). We allow-list
   exactly the classes mmengine checkpoints hold (never the global
   ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD``), and route mmengine's local
   checkpoint loading through :func:`airl_mm.checkpoint.load_checkpoint_file`
   for clear errors.
4. mmengine's ``LocalBackend.put`` writes checkpoints in place: a crash
   mid-write leaves a truncated file that ``--resume`` then picks up. We
   make local writes atomic (temp file + rename).
5. CPU: ``init_dist`` calls ``torch.cuda.set_device`` and SyncBN raises on
   CPU. :func:`init_cpu_distributed` starts a gloo group instead; the
   runner that uses it (:class:`airl_mm.engine.runner.AirlRunner`) is
   selected by ``runner_type`` in the configs.
6. mmselfsup 1.0.0's ``tools/train.py`` (also ``mim train mmselfsup``)
   builds ``Runner.from_cfg(cfg)`` whatever the config's ``runner_type``
   (mmpretrain's, mmdet's and mmseg's honour it). ``Runner.from_cfg``
   called on mmengine's Runner itself dispatches to the config's
   registered ``runner_type``.
7. A 0-byte image stops mmcv's ``LoadImageFromFile`` inside OpenCV
   (``(-215:Assertion failed) !buf.empty()``, no file named; its pillow
   backend names none for any bad file), where a truncated or non-image
   file gives ``failed to load image: <path>``. We wrap that transform and
   the segmentation-map loaders (mmcv's, mmdet's, mmseg's
   ``LoadAnnotations``) so that every unreadable file raises
   :class:`airl_mm.datasets.image_io.ImageLoadError` with that message and
   the reason. Every scope's ``LoadImageFromFile`` (mmselfsup, mmpretrain,
   mmdet, mmseg) is mmcv's class, so no config changes; ``ignore_empty``
   keeps its upstream meaning.
"""
import importlib
import os
import subprocess
import sys
import types

import torch.distributed as dist


def _import_models_without_registry_clash() -> None:
    """Fix 1: import mmpretrain's then mmselfsup's models, clash-free."""
    try:
        from mmdet.registry import MODELS as MMDET_MODELS
    except ImportError:  # no mmdet: neither registers the class
        importlib.import_module('mmselfsup.models')
        return
    for name in ('mmpretrain.models', 'mmselfsup.models'):
        if name in sys.modules:
            continue
        MMDET_MODELS._module_dict.pop('ResLayerExtraNorm', None)
        try:
            importlib.import_module(name)
        except ImportError as e:
            if name == 'mmselfsup.models' or e.name != 'mmpretrain':
                raise


def _provide_mmselfsup_runner_module() -> None:
    """Fix 2: the module mmselfsup's RUNNERS/LOOPS registries import."""
    name = 'mmselfsup.engine.runner'
    if name not in sys.modules:
        try:
            importlib.import_module(name)
        except ImportError:
            module = types.ModuleType(name)
            module.__doc__ = 'Placeholder for mmselfsup#745 (airl_mm.compat)'
            sys.modules[name] = module


def _allow_mmengine_checkpoints() -> None:
    """Fix 3: torch's allow-list, and mmengine's local loading through
    :func:`airl_mm.checkpoint.load_checkpoint_file`."""
    from mmengine.runner.checkpoint import CheckpointLoader

    from .checkpoint.io import allow_mmengine_globals, load_checkpoint_file
    if getattr(CheckpointLoader._schemes.get(''), '_airl_loader', False):
        return
    allow_mmengine_globals()

    def load_from_local(filename, map_location):
        filename = os.path.expanduser(filename)
        return load_checkpoint_file(filename, map_location)

    load_from_local._airl_loader = True
    CheckpointLoader.register_scheme(prefixes='', force=True)(load_from_local)


def atomic_local_writes() -> None:
    """Fix 4: LocalBackend.put / put_text through a temp file + rename."""
    from mmengine.fileio.backends import LocalBackend

    from .fileio import atomic_write_bytes, atomic_write_text
    if getattr(LocalBackend.put, '_airl_atomic', False):
        return

    def put(self, obj, filepath):
        os.makedirs(os.path.dirname(os.path.abspath(filepath)), exist_ok=True)
        atomic_write_bytes(filepath, obj)

    def put_text(self, obj, filepath, encoding='utf-8'):
        os.makedirs(os.path.dirname(os.path.abspath(filepath)), exist_ok=True)
        atomic_write_text(filepath, obj, encoding)

    put._airl_atomic = True
    LocalBackend.put, LocalBackend.put_text = put, put_text


def init_cpu_distributed(backend: str = 'gloo') -> None:
    """Fix 5: start the process group torchrun/SLURM describe, without CUDA.

    mmengine's ``init_dist`` calls ``torch.cuda.set_device``; with the group
    already initialised, the Runner skips it.
    """
    if dist.is_available() and dist.is_initialized():
        return
    if 'SLURM_PROCID' in os.environ and 'RANK' not in os.environ:
        if 'SLURM_NTASKS' not in os.environ:
            raise RuntimeError('--launcher slurm: SLURM_PROCID is set but '
                               'SLURM_NTASKS is not; run under srun')
        os.environ['RANK'] = os.environ['SLURM_PROCID']
        os.environ['WORLD_SIZE'] = os.environ['SLURM_NTASKS']
        os.environ['LOCAL_RANK'] = os.environ.get('SLURM_LOCALID', '0')
        os.environ.setdefault('MASTER_PORT', '29500')
        if 'MASTER_ADDR' not in os.environ:  # as mmengine's slurm init
            nodes = os.environ.get('SLURM_NODELIST', '')
            addr = subprocess.getoutput(
                f'scontrol show hostname {nodes} | head -n1') if nodes else ''
            os.environ['MASTER_ADDR'] = addr.strip() or '127.0.0.1'
    dist.init_process_group(backend=backend)


def honour_runner_type() -> None:
    """Fix 6: ``Runner.from_cfg(cfg)`` builds ``cfg.runner_type``."""
    from mmengine.runner import Runner
    if getattr(Runner.from_cfg, '_airl_runner_type', False):
        return
    plain_from_cfg = Runner.from_cfg.__func__

    def from_cfg(cls, cfg):
        name = cfg.get('runner_type')
        if cls is Runner and name not in (None, 'Runner'):
            from mmselfsup.registry import RUNNERS
            runner_cls = RUNNERS.get(name)
            if runner_cls is None:
                raise KeyError(f'runner_type {name!r} is not registered')
            if runner_cls is not Runner:
                return runner_cls.from_cfg(cfg)
        return plain_from_cfg(cls, cfg)

    from_cfg._airl_runner_type = True
    Runner.from_cfg = classmethod(from_cfg)


def _wrap_image_reader(cls: type, method: str, key: str,
                       on_none: tuple = ()) -> None:
    """Fix 7: ``cls.method(self, results)`` names ``results[key]`` when
    the image it reads cannot be decoded (not when it is missing).
    ``on_none``: what the method raises on the decoder's ``None``."""
    plain = cls.__dict__[method]
    if getattr(plain, '_airl_names_image', False):
        return

    def read(self, results, *args, **kwargs):
        try:
            return plain(self, results, *args, **kwargs)
        except FileNotFoundError:
            raise  # names the file already
        except Exception as e:
            from .datasets.image_io import (DECODE_ERRORS, ImageLoadError,
                                            image_load_error)
            if isinstance(e, ImageLoadError) or not isinstance(
                    e, DECODE_ERRORS + on_none):
                raise
            cause = None if isinstance(e, on_none) else e
            raise image_load_error(str(results.get(key)), cause) from e

    read._airl_names_image = True
    read.__wrapped__ = plain
    read.__doc__ = plain.__doc__
    setattr(cls, method, read)


def _name_unreadable_images() -> None:
    """Fix 7: every host image loader says which file it cannot read."""
    from mmcv.transforms import LoadAnnotations, LoadImageFromFile
    _wrap_image_reader(LoadImageFromFile, 'transform', 'img_path')
    annotation_loaders = [LoadAnnotations]
    for name in ('mmdet.datasets.transforms', 'mmseg.datasets.transforms'):
        try:
            module = importlib.import_module(name)
        except ImportError:  # that host is not installed
            continue
        annotation_loaders.append(module.LoadAnnotations)
    for cls in annotation_loaders:
        if '_load_seg_map' in cls.__dict__:  # each override, once
            # they call ``.squeeze()`` on the decoded map, or ``None``
            _wrap_image_reader(cls, '_load_seg_map', 'seg_map_path',
                               (AttributeError, ))


def import_hosts() -> None:
    """Fixes 1 and 2: the hosts' models imported clash-free, mmselfsup's
    registries able to import their locations."""
    _import_models_without_registry_clash()
    _provide_mmselfsup_runner_module()


def prepare_run() -> None:
    """Fixes 1-3 and 7: what any run needs, whatever its runner."""
    import_hosts()
    _allow_mmengine_checkpoints()
    _name_unreadable_images()


def apply() -> None:
    """Fixes 1-3, 6 and 7: what a run of a config needs, whatever entry
    point reads it (``airl_mm.register`` calls this). Fix 4 comes with the
    :class:`~airl_mm.engine.runner.AirlRunner` such a run builds."""
    prepare_run()
    honour_runner_type()
