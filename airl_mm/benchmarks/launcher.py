"""Transfer benchmarks: pre-training checkpoint -> host config -> metrics.

One launcher for every downstream benchmark (mmdet VOC/COCO, mmseg
Cityscapes, mmpretrain linear/fine-tuning): the benchmark config's
``default_scope`` decides which host's models and datasets run.

1. :func:`prepare_backbone` takes the student (or teacher) backbone of a
   checkpoint in any format :mod:`airl_mm.checkpoint` reads, optionally
   NormRescales it, and writes an mmdet-layout backbone file
   (``{'state_dict': {'backbone.*': ...}}``) into the work dir.
2. :func:`benchmark_config` points the backbone's ``init_cfg`` (and a C4
   detector's RoI ``shared_head``, ResNet stage 5) at that file, and checks
   that each prefix really loads every tensor its module expects, and that
   every backbone tensor of the file is taken by one of them (a deeper or
   other ResNet would load partially).
3. :func:`run_benchmark` trains and tests with the Runner and keeps
   ``<work_dir>/metrics.json`` up to date (running/finished/failed).
4. :func:`run_trials` repeats 3. once per seed (``<work_dir>/seed_<s>``;
   MoCo's protocol reports VOC as the mean of 5 trials) and writes their
   mean, sample standard deviation and count into ``<work_dir>/
   metrics.json`` (:func:`summarize_trials`).

The total batch (``auto_scale_lr.base_batch_size`` of the config: 16 for
detection, 8 for segmentation) is held whatever the number of processes:
each gets ``total // world_size`` images (:func:`per_gpu_batch_size`), so
the configs' learning rates apply unchanged.
"""
import json
import logging
import math
import os
import os.path as osp
import re
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from ..checkpoint import CheckpointError, load_checkpoint_file
from ..checkpoint.formats import describe_resnet, show_keys, untaken_tensors
from ..fileio import atomic_write_text

PREFIX = 'backbone.'
# Tensors of a pre-trained module that our file does not provide: the
# extra norm after res5 in the C4 RoI head (new, as in MoCo's protocol).
NEW_KEYS = re.compile(r'^norm\.|num_batches_tracked$')


class BenchmarkError(ValueError):
    """A benchmark that must not run as configured; names the culprit."""


# ------------------------------------------------------------------ backbone
def parse_normrescale(
        value: Optional[str]) -> Tuple[Optional[str], Optional[float]]:
    """``--normrescale`` -> ``(anchor path, None)`` or ``(None, constant)``.

    A value that parses as a number is a constant; anything else is the
    path of the SGD anchor checkpoint (which must exist).

    Raises:
        BenchmarkError: neither a positive number nor an existing file.
    """
    if value is None:
        return None, None
    try:
        const = float(value)
    except ValueError:
        if not osp.isfile(value):
            raise BenchmarkError(
                f'--normrescale {value!r}: neither a number (a constant '
                'norm) nor an existing anchor checkpoint') from None
        return value, None
    if not const > 0:
        raise BenchmarkError(f'--normrescale {value!r}: a constant must be '
                             'a positive number')
    return None, const


def prepare_backbone(pretrain: str,
                     out_dir: str,
                     branch: str = 'student',
                     normrescale: Optional[str] = None) -> str:
    """Write the mmdet-layout backbone file of ``pretrain`` into ``out_dir``.

    Args:
        pretrain (str): A pre-training checkpoint in any format
            :func:`airl_mm.checkpoint.convert.read_backbone` detects
            (airl_mm/mmselfsup MoCo/BYOL, MoCo, revisitAIRL, torchvision,
            backbone-only...).
        out_dir (str): Folder to write into (created if needed).
        branch (str): ``'student'`` or ``'teacher'``. Defaults to student.
        normrescale (str, optional): NormRescale the backbone to the norms
            of this anchor checkpoint (path), or to this constant norm (a
            number given as a string). Defaults to None (no rescaling).

    Returns:
        str: the path written, ``backbone_<branch>[_normrescale].pth``
        (atomically; a NormRescale report ``.csv`` lies beside it).

    Raises:
        CheckpointError: unreadable checkpoint, no backbone or branch.
        BenchmarkError: a bad ``normrescale`` value.
    """
    from ..checkpoint.convert import extract_file, normrescale_file
    anchor, const = parse_normrescale(normrescale)
    os.makedirs(out_dir, exist_ok=True)
    name = f'backbone_{branch}' + ('_normrescale' if normrescale else '')
    out = osp.join(out_dir, name + '.pth')
    log = logging.getLogger('airl_mm.benchmarks').info
    if normrescale is None:
        extract_file(
            pretrain, out, to='mmdet', branch=branch, force=True, log=log)
    else:
        normrescale_file(
            pretrain,
            out,
            anchor_path=anchor,
            constant=const,
            branch=branch,
            force=True,
            log=log)
    return out


# -------------------------------------------------------------------- config
def _pretrained(backbone_file: str) -> dict:
    return dict(type='Pretrained', checkpoint=backbone_file, prefix=PREFIX)


def pretrained_modules(cfg) -> List[Tuple[str, dict]]:
    """``(config key, module config)`` of every module our backbone file
    initialises: ``model.backbone`` and, in a C4 detector, the RoI head's
    ``shared_head`` (ResNet stage 5 run on each RoI)."""
    model = cfg.model
    found = [('model.backbone', model.backbone)]
    shared = (model.get('roi_head') or {}).get('shared_head')
    if shared is not None:
        found.append(('model.roi_head.shared_head', shared))
    return found


def _build_in_scope(cfg, module_cfg):
    from mmengine.registry import MODELS, DefaultScope, init_default_scope
    scope = cfg.get('default_scope')
    if scope is None:
        return MODELS.build(module_cfg)
    init_default_scope(scope)
    with DefaultScope.overwrite_default_scope(scope):
        return MODELS.build(module_cfg)


def check_loads(cfg,
                key: str,
                module_cfg: dict,
                state: Dict[str, 'object'],
                path: str,
                taken: Optional[Dict[str, tuple]] = None) -> int:
    """Build the module of ``key`` and check that the backbone file holds,
    under the prefix, every tensor it has (but :data:`NEW_KEYS`), with the
    same shape.

    Returns the number of tensors that will load. ``taken`` (optional)
    receives the file key -> shape of every tensor the module takes, for
    :func:`check_all_taken`.

    Raises:
        BenchmarkError: a prefix that would load nothing or only part of
            the module (random weights would train silently otherwise).
    """
    import copy
    init = module_cfg.get('init_cfg') or {}
    prefix = init.get('prefix', '')
    module_cfg = copy.deepcopy(module_cfg)
    module_cfg.pop('init_cfg', None)
    own = {
        k: tuple(v.shape)
        for k, v in _build_in_scope(cfg, module_cfg).state_dict().items()
    }
    if taken is not None:
        taken.update((prefix + k, v) for k, v in own.items())
    expected = {k: v for k, v in own.items() if not NEW_KEYS.search(k)}
    where = f'{key}.init_cfg (checkpoint={path}, prefix={prefix!r})'
    if not expected:
        raise BenchmarkError(f'{where}: the module {module_cfg.get("type")} '
                             'has no ResNet tensors to initialise')
    available = {
        k[len(prefix):]: tuple(v.shape)
        for k, v in state.items() if k.startswith(prefix)
    }
    if not available:
        raise BenchmarkError(
            f'{where}: no tensor of the file starts with {prefix!r}, so '
            f'nothing would load (file keys look like '
            f'{sorted(state)[:3]}); pass the pre-training checkpoint, or '
            'convert it with tools/convert/extract_backbone.py --to mmdet')
    missing = sorted(set(expected) - set(available))
    if missing:
        raise BenchmarkError(
            f'{where}: {len(missing)} of the {len(expected)} tensors of the '
            f'module are not in the file, e.g. {missing[:4]} (a different '
            'architecture: ResNet depth/width, or ResNetV1c instead of '
            'ResNet?); the file appears to hold a ResNet of '
            f'{describe_resnet(available)}')
    bad = [
        f'{k} {available[k]} vs {expected[k]}' for k in expected
        if available[k] != expected[k]
    ]
    if bad:
        raise BenchmarkError(
            f'{where}: shape mismatch (file vs model): ' + '; '.join(bad[:4]) +
            ('' if len(bad) <= 4 else f' (+{len(bad) - 4} more)') +
            '; the file appears to hold a ResNet of '
            f'{describe_resnet(available)}')
    return len(expected)


def check_all_taken(state: Dict[str, 'object'], taken: Dict[str, tuple],
                    path: str, keys: List[str]) -> None:
    """Refuse a backbone file holding tensors that no pre-trained module
    takes: a deeper network (more blocks in a stage), an extra stage or
    other blocks would otherwise load partially, the rest only logged
    (mmengine's ``Pretrained`` loads with ``strict=False``).

    Args:
        state (dict): The file's tensors (``backbone.*``; other prefixes
            are not backbone tensors and are ignored).
        taken (dict): File key -> shape of what the modules take
            (:func:`check_loads`).
        path (str): The file (error messages).
        keys (list): The config keys of the modules, for the message.

    Raises:
        BenchmarkError: naming the first untaken tensors and their count,
            the depth/widths the file appears to have and the model's.
    """
    source = {
        k[len(PREFIX):]: tuple(v.shape)
        for k, v in state.items()
        if k.startswith(PREFIX) and hasattr(v, 'shape')
    }
    model = {
        k[len(PREFIX):]: v
        for k, v in taken.items()
        if k.startswith(PREFIX) and not NEW_KEYS.search(k[len(PREFIX):])
    }
    extra = untaken_tensors(source, model)
    if not extra:
        return
    raise BenchmarkError(
        f'{path}: {len(extra)} backbone tensors of the file are taken by '
        f'none of {", ".join(keys)}: '
        f'{show_keys([PREFIX + k for k in extra])}. The file appears to '
        f'hold a ResNet of {describe_resnet(source)}; the model is a ResNet '
        f'of {describe_resnet(model)}. Use the benchmark config of the '
        "file's depth (configs/benchmarks/*/*_r18*, *_r101*) or set "
        'model.backbone.depth (a C4 detector: also '
        'model.roi_head.shared_head.depth and the heads\' in_channels; '
        'docs/transfer.md) so that every tensor loads')


# work_dir is set by benchmark_config, the launcher by run_benchmark: an
# override of either would be replaced
SET_BY_LAUNCHER = dict(
    work_dir='the work dir argument (--work-dir)',
    launcher='the launcher argument (--launcher)')


def check_benchmark_options(config: str,
                            cfg_options: Optional[dict] = None) -> None:
    """Refuse ``--cfg-options`` that would not reach the benchmark, before
    anything is converted or written (:func:`~airl_mm.engine.runner.
    cfg_options.check_cfg_options`).

    Raises:
        FileNotFoundError: no such config.
        CfgOptionError: an override that would not reach the run.
    """
    from ..engine.runner.cfg_options import check_cfg_options
    if cfg_options:
        check_cfg_options(
            _read_config(config), cfg_options, set_elsewhere=SET_BY_LAUNCHER)


def _read_config(config: str):
    """The benchmark config file, read (FileNotFoundError naming it)."""
    from mmengine.config import Config
    if not osp.isfile(config):
        raise FileNotFoundError(f'benchmark config not found: {config}')
    return Config.fromfile(config)


def benchmark_config(config: str,
                     backbone_file: str,
                     work_dir: str,
                     cfg_options: Optional[dict] = None):
    """Load a benchmark config and point its pre-trained modules at
    ``backbone_file``.

    The backbone's ``init_cfg`` (and a C4 RoI head's ``shared_head``'s)
    becomes ``Pretrained(checkpoint=backbone_file, prefix='backbone.')``;
    each is then checked by building the module (:func:`check_loads`).

    Args:
        config (str): The benchmark config file.
        backbone_file (str): A file from :func:`prepare_backbone`.
        work_dir (str): The Runner's work dir.
        cfg_options (dict, optional): ``--cfg-options`` merged first
            (:func:`~airl_mm.engine.runner.cfg_options.merge_cfg_options`:
            refused unless the run reads them). Loaders without workers
            then get ``persistent_workers=False``.

    Returns:
        mmengine.Config

    Raises:
        FileNotFoundError: no such config.
        BenchmarkError: a model-level ``pretrained`` left set, a prefix
            that would not load the whole module, or backbone tensors of
            the file that no module takes (:func:`check_all_taken`).
        CfgOptionError: an override that would not reach the run.
    """
    from ..engine.runner.cfg_options import (
        merge_cfg_options, no_persistent_workers_without_workers)
    cfg = _read_config(config)
    merge_cfg_options(cfg, cfg_options, set_elsewhere=SET_BY_LAUNCHER)
    no_persistent_workers_without_workers(cfg)
    if cfg.model.get('pretrained') is not None:
        # mmseg's EncoderDecoder hands it to the backbone, which raises
        # when init_cfg is also set.
        raise BenchmarkError(
            f'{config}: model.pretrained={cfg.model.pretrained!r} is set; '
            'benchmark configs must set model.pretrained=None (the backbone '
            'is initialised through its init_cfg)')
    state = load_checkpoint_file(backbone_file)
    state = state.get('state_dict', state) if isinstance(state, dict) \
        else state
    if not isinstance(state, dict):
        raise CheckpointError(f'{backbone_file}: not a state dict')
    taken: Dict[str, tuple] = {}
    modules = pretrained_modules(cfg)
    for key, module in modules:
        module.init_cfg = _pretrained(backbone_file)
        check_loads(cfg, key, module, state, backbone_file, taken)
    check_all_taken(state, taken, backbone_file, [k for k, _ in modules])
    cfg.work_dir = work_dir
    return cfg


# ------------------------------------------------------------------- running
def world_size(launcher: str) -> int:
    """Processes a launch starts, from the launcher's environment.

    Raises:
        ValueError: ``launcher`` is none of
            :data:`airl_mm.engine.runner.train.LAUNCHERS`.
    """
    # the one list of launchers; imported here as this module stays light
    # (checkpoint/ only) until a benchmark runs
    from ..engine.runner.train import LAUNCHERS
    if launcher not in LAUNCHERS:
        raise ValueError(f'launcher must be one of {LAUNCHERS}, got '
                         f'{launcher!r}')
    var = dict(
        none=None,
        pytorch='WORLD_SIZE',
        slurm='SLURM_NTASKS',
        mpi='OMPI_COMM_WORLD_SIZE')[launcher]
    return 1 if var is None else int(os.environ.get(var, '1'))


def _rank(launcher: str) -> int:
    var = dict(
        none=None,
        pytorch='RANK',
        slurm='SLURM_PROCID',
        mpi='OMPI_COMM_WORLD_RANK')[launcher]
    return 0 if var is None else int(os.environ.get(var, '0'))


def per_gpu_batch_size(total: int, world: int) -> int:
    """Images per process so that ``world`` processes make ``total``.

    Raises:
        BenchmarkError: ``total`` is not a multiple of ``world``.
    """
    if world < 1 or total < 1 or total % world:
        raise BenchmarkError(
            f'a total batch of {total} images cannot be split evenly over '
            f'{world} processes; use a GPU count that divides it, or set '
            'train_dataloader.batch_size and the learning rate explicitly')
    return total // world


def sync_bn_to_bn(obj):
    """A copy of a config (dict/list tree) with every SyncBN as BN, for
    runs without CUDA (SyncBatchNorm raises on CPU tensors)."""
    if isinstance(obj, dict):
        out = {k: sync_bn_to_bn(v) for k, v in obj.items()}
        if out.get('type') in ('SyncBN', 'MMSyncBN'):
            out['type'] = 'BN'
        return out
    if isinstance(obj, (list, tuple)):
        return type(obj)(sync_bn_to_bn(v) for v in obj)
    return obj


def skip_final_validation(cfg) -> bool:
    """No validation inside training when the test evaluation repeats it.

    mmengine's loops always validate after the last iteration/epoch; where
    the test set is the validation set (VOC07 test, COCO val2017,
    Cityscapes val), :func:`run_benchmark`'s ``runner.test()`` is that
    evaluation, so training stops validating (``val_begin`` past the end).
    Returns whether it did.
    """
    same = cfg.get('val_dataloader') is not None and \
        cfg.get('val_dataloader') == cfg.get('test_dataloader') and \
        cfg.get('val_evaluator') == cfg.get('test_evaluator')
    if same:
        loop = cfg.train_cfg
        cfg.train_cfg.val_begin = loop.get('max_iters',
                                           loop.get('max_epochs', 0)) + 1
    return same


def _new_record(config: str, pretrain: str, branch: str,
                normrescale: Optional[str]) -> dict:
    """The ``metrics.json`` content of a run that has just started."""
    return dict(
        benchmark=Path(config).stem,
        config=str(config),
        pretrain=str(pretrain),
        branch=branch,
        normrescale=normrescale,
        status='running',
        metrics={},
        error=None)


def _write_record(work_dir: str, record: dict) -> None:
    atomic_write_text(
        osp.join(work_dir, 'metrics.json'),
        json.dumps(record, indent=2) + '\n')


def _float_metrics(metrics: Optional[dict]) -> Dict[str, float]:
    out = {}
    for k, v in (metrics or {}).items():
        try:
            out[k] = float(v)
        except (TypeError, ValueError):
            continue  # per-class tables and the like
    return out


def build_runner(cfg):
    """The Runner of ``cfg``: its ``runner_type`` from the registry of its
    scope if it names one, else the CPU-aware mmengine Runner
    (:class:`~airl_mm.engine.runner.AirlRunner`, exactly mmengine's Runner
    when CUDA is present)."""
    if 'runner_type' in cfg:
        from mmengine.registry import RUNNERS
        return RUNNERS.build(cfg)
    from ..engine.runner import AirlRunner
    return AirlRunner.from_cfg(cfg)


def run_benchmark(config: str,
                  pretrain: str,
                  work_dir: Optional[str] = None,
                  branch: str = 'student',
                  normrescale: Optional[str] = None,
                  launcher: str = 'none',
                  cfg_options: Optional[dict] = None,
                  seed: Optional[int] = None) -> str:
    """Convert ``pretrain``, fine-tune and test ``config``; keep a record.

    ``<work_dir>/metrics.json`` says ``"running"`` from the start,
    ``"failed"`` (with the error, which is re-raised) or ``"finished"``
    with the final test metrics, named as the host logs them
    (``pascal_voc/AP50``, ``coco/bbox_mAP``, ``mIoU``...).

    Args:
        config (str): Benchmark config (``configs/benchmarks/...``).
        pretrain (str): Pre-training checkpoint (any known format).
        work_dir (str, optional): Defaults to
            ``work_dirs/benchmarks/<pretrain stem>/<config stem>``.
        branch (str): ``'student'`` or ``'teacher'`` backbone.
        normrescale (str, optional): anchor checkpoint or constant.
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'``, ``'mpi'``.
        cfg_options (dict, optional): overrides (``--cfg-options``). Unless
            they set ``train_dataloader.batch_size``, each process gets
            ``auto_scale_lr.base_batch_size // world_size`` images.
        seed (int, optional): ``randomness.seed`` of the run (one trial of
            :func:`run_trials`; the record then holds ``"seed"``).
            Defaults to None: the config's (the hosts leave it to chance).

    Returns:
        str: ``work_dir``.

    Raises:
        BenchmarkError: ``seed`` given while ``cfg_options`` also set
            ``randomness.seed``; see also :func:`benchmark_config`.
    """
    import torch
    if work_dir is None:
        work_dir = default_work_dir(config, pretrain)
    if seed is not None:
        _check_no_seed_option(cfg_options)
    check_benchmark_options(config, cfg_options)  # before any file is written
    world = world_size(launcher)
    main = _rank(launcher) == 0
    os.makedirs(work_dir, exist_ok=True)
    record = _new_record(config, pretrain, branch, normrescale)
    if seed is not None:
        record['seed'] = seed
    if main:
        _write_record(work_dir, record)
    try:
        backbone = prepare_backbone(pretrain, work_dir, branch, normrescale)
        cfg = benchmark_config(config, backbone, work_dir, cfg_options)
        cfg.launcher = launcher
        if seed is not None:
            cfg.randomness = dict(cfg.get('randomness') or {}, seed=seed)
            # mmengine names loggers and visualizers by experiment and
            # second: trials started within one second would share them
            cfg.experiment_name = f'{Path(config).stem}_seed{seed}'
        if isinstance(cfg.get('visualizer'), dict):
            # the hosts name it 'visualizer': a later run in this process
            # (a trial, a sweep's next checkpoint) would get this run's and
            # write its scalars here; unnamed, it takes the run's name
            cfg.visualizer.pop('name', None)
        if 'train_dataloader.batch_size' not in (cfg_options or {}):
            total = (cfg.get('auto_scale_lr') or {}).get('base_batch_size')
            if total is None:
                raise BenchmarkError(
                    f'{config}: auto_scale_lr.base_batch_size (the total '
                    'batch) is not set')
            cfg.train_dataloader.batch_size = per_gpu_batch_size(total, world)
        skip_final_validation(cfg)
        if not torch.cuda.is_available():
            for key in ('model', 'train_dataloader'):
                cfg[key] = sync_bn_to_bn(cfg[key].to_dict())
            if launcher != 'none':
                cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
                cfg.env_cfg.dist_cfg.backend = 'gloo'
        runner = build_runner(cfg)
        runner.train()
        metrics = _float_metrics(runner.test())
    except BaseException as e:
        if main:
            record.update(status='failed', error=f'{type(e).__name__}: {e}')
            _write_record(work_dir, record)
        raise
    if main:
        record.update(status='finished', metrics=metrics)
        _write_record(work_dir, record)
    return work_dir


# -------------------------------------------------------------------- trials
def default_work_dir(config: str, pretrain: str) -> str:
    """``work_dirs/benchmarks/<pretraining>/<config stem>``.

    ``<pretraining>`` is the file's stem, or, for a checkpoint named as
    mmengine names them (``epoch_N.pth``, ``iter_N.pth``), its run folder
    and stem (``mocov2plus_r50_200e/epoch_200``): every run's last
    checkpoint is ``epoch_200.pth``, and their benchmarks must not share
    a folder.
    """
    path = Path(pretrain)
    name = path.stem
    if re.fullmatch(r'(epoch|iter)_\d+', name):
        name = osp.join(path.resolve().parent.name, name)
    return osp.join('work_dirs', 'benchmarks', name, Path(config).stem)


def trial_dir(work_dir: str, seed: int) -> str:
    """The work dir of the trial with ``seed``: ``<work_dir>/seed_<seed>``.
    """
    return osp.join(work_dir, f'seed_{seed}')


def parse_seeds(seeds: Optional[str] = None,
                trials: Optional[int] = None) -> Optional[List[int]]:
    """``--seeds 0,1,2`` or ``--trials N`` (seeds ``0..N-1``) -> the seeds;
    None when neither is given (a single run).

    Raises:
        BenchmarkError: both given, a seed that is not a non-negative
            integer, a repeated seed, or ``trials < 1``.
    """
    if seeds is not None and trials is not None:
        raise BenchmarkError('give --seeds or --trials, not both')
    if trials is not None:
        if trials < 1:
            raise BenchmarkError(f'--trials {trials}: must be at least 1')
        return list(range(trials))
    if seeds is None:
        return None
    out = []
    for part in str(seeds).split(','):
        part = part.strip()
        if not part.isdigit():
            raise BenchmarkError(
                f'--seeds {seeds!r}: {part!r} is not a non-negative '
                'integer (expected e.g. 0,1,2,3,4)')
        out.append(int(part))
    if len(set(out)) != len(out):
        raise BenchmarkError(f'--seeds {seeds!r}: a seed is repeated')
    return out


def _check_no_seed_option(cfg_options: Optional[dict]) -> None:
    for key, value in (cfg_options or {}).items():
        if key == 'randomness.seed' or (key == 'randomness'
                                        and 'seed' in (value or {})):
            raise BenchmarkError(
                f'--cfg-options {key}=...: the seed of each trial is set by '
                '--seeds / --trials; drop the option')


def summarize_trials(values: Sequence[Mapping[str, float]]) -> Dict[str, dict]:
    """Mean, sample standard deviation and count of each metric.

    Args:
        values: The metrics of each finished trial (``metrics`` of its
            record); a metric missing from a trial is not counted for it.

    Returns:
        dict: ``{'mean': {k: float}, 'std': {k: float | None},
        'n': {k: int}}``. ``std`` is the sample standard deviation
        (``ddof=1``, the spread of the trials as an estimate of the
        protocol's); None where ``n < 2``.
    """
    keys = sorted({k for v in values for k in v})
    mean, std, n = {}, {}, {}
    for k in keys:
        xs = [float(v[k]) for v in values if k in v]
        n[k] = len(xs)
        mean[k] = sum(xs) / len(xs)
        squares = sum((x - mean[k])**2 for x in xs)
        std[k] = math.sqrt(squares / (len(xs) - 1)) if len(xs) > 1 else None
    return dict(mean=mean, std=std, n=n)


def _read_trial(work_dir: str, seed: int) -> dict:
    """The summary of one trial's ``metrics.json`` for the aggregate."""
    path = osp.join(work_dir, 'metrics.json')
    try:
        with open(path) as f:
            rec = json.load(f)
    except (OSError, ValueError) as e:
        return dict(
            seed=seed,
            work_dir=work_dir,
            status='failed',
            metrics={},
            error=f'{path}: unreadable ({e})')
    return dict(
        seed=seed,
        work_dir=work_dir,
        status=rec.get('status'),
        metrics=rec.get('metrics') or {},
        error=rec.get('error'))


def run_trials(config: str,
               pretrain: str,
               seeds: Sequence[int],
               work_dir: Optional[str] = None,
               branch: str = 'student',
               normrescale: Optional[str] = None,
               launcher: str = 'none',
               cfg_options: Optional[dict] = None) -> str:
    """Fine-tune and test ``config`` once per seed; report the spread.

    Trial ``s`` is :func:`run_benchmark` with ``randomness.seed=s`` in
    ``<work_dir>/seed_<s>`` (its own backbone file, logs and
    ``metrics.json``). ``<work_dir>/metrics.json`` then holds, besides the
    fields of a single run: ``seeds``, ``trials`` (seed, work dir, status,
    metrics, error of each), ``mean``/``std``/``n`` per metric over the
    finished trials (:func:`summarize_trials`; ``std`` is the sample
    standard deviation, ``std_ddof=1``), and ``metrics`` = ``mean`` (so
    that readers of single runs get the mean). A failed trial does not stop
    the others; it is listed, left out of the statistics, and the
    aggregate's ``status`` is ``"failed"`` (error naming the seeds).

    Args:
        seeds (sequence of int): The seeds, e.g. ``[0, 1, 2, 3, 4]``
            (:func:`parse_seeds`).
        Others: as :func:`run_benchmark`.

    Returns:
        str: ``work_dir``.

    Raises:
        BenchmarkError: no seeds, ``randomness.seed`` in ``cfg_options``,
            or, after all trials ran, the seeds whose trial failed.
    """
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise BenchmarkError('run_trials: no seeds given')
    _check_no_seed_option(cfg_options)
    if work_dir is None:
        work_dir = default_work_dir(config, pretrain)
    main = _rank(launcher) == 0
    os.makedirs(work_dir, exist_ok=True)
    record = _new_record(config, pretrain, branch, normrescale)
    record.update(
        seeds=seeds,
        std_ddof=1,
        trials=[],
        metrics={},
        mean={},
        std={},
        n={},
        error=None)

    def write():
        if main:
            _write_record(work_dir, record)

    write()
    for seed in seeds:
        sub = trial_dir(work_dir, seed)
        try:
            run_benchmark(config, pretrain, sub, branch, normrescale, launcher,
                          cfg_options, seed)
        except Exception:  # recorded in the trial's metrics.json
            pass
        except BaseException as e:  # interrupted: no further trials
            record.update(
                status='failed',
                error=f'trial seed {seed} interrupted: {type(e).__name__}')
            write()
            raise
        if not main:
            continue
        record['trials'].append(_read_trial(sub, seed))
        done = [t for t in record['trials'] if t['status'] == 'finished']
        stats = summarize_trials([t['metrics'] for t in done])
        record.update(stats, metrics=stats['mean'])
        write()
    failed = [t['seed'] for t in record['trials'] if t['status'] != 'finished']
    if failed:
        record.update(
            status='failed',
            error=f'{len(failed)} of {len(seeds)} trials failed (seeds '
            f'{failed}: see their metrics.json); mean/std/n are over the '
            f'{len(seeds) - len(failed)} finished ones')
        write()
        raise BenchmarkError(f'{work_dir}: {record["error"]}')
    record['status'] = 'finished'
    write()
    return work_dir
