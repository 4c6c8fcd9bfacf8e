"""The speed harness behind ``tools/benchmarks/speed.py``: data pipeline,
train step, precision, measured side by side in one run.

Developer tooling, so it lives beside its CLI rather than in the package;
the CLI (run as a script) has this folder on ``sys.path``, which is also how
the pipeline workers below find :func:`_pipeline_worker` again.

- P2: images/s per core of the two-view Table-5 pipeline
  (``configs/_base_/datasets/imagenet_byol-sym.py``) over mmselfsup's BYOL
  pipeline, each in its own worker process (one thread) on JPEG
  photos this module makes; CPU time per image, so other load on the
  machine slows both alike.
- P1: a MoCo v2+ (and S-MoCo v2+) train step over mmselfsup's BYOL step with
  the same backbone, batch, projector and predictor (SGD, synthetic
  images; CPU time per step on CPU, wall time on a GPU).
- P3 (on a GPU, or with ``p3=True``): MoCo v2+ with bf16 autocast +
  channels_last over fp32, and the full loop (DataLoader workers running
  the fast pipeline) over the same step fed pre-made device tensors.

Runs are interleaved (A B A B ...) after warm-up; each row reports the
median with min and max over the timed runs. Memory: peak RSS of each
pipeline worker, and the most GPU memory a step allocated.
"""
import copy
import multiprocessing as mp
import os
import os.path as osp
import resource
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import cv2
import numpy as np
import torch

# The checkout this tool belongs to (tools/benchmarks/ -> the root).
ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT / 'configs' / '_base_' / 'datasets'
PIPELINES = {
    'decode only (cv2)': None,
    'ours (fast, Table 5)': DATASETS / 'imagenet_byol-sym.py',
    'ours (reference, Table 5)': DATASETS / 'imagenet_byol-sym_reference.py',
    'mmselfsup BYOL': 'mmselfsup::selfsup/_base_/datasets/imagenet_byol.py',
}
OURS, BYOL = 'ours (fast, Table 5)', 'mmselfsup BYOL'
MODELS_CFG = {
    'MoCo v2+': ROOT / 'configs' / 'mocov2plus_r50_200e.py',
    'S-MoCo v2+': ROOT / 'configs' / 'smocov2plus_r50_200e.py',
    'mmselfsup BYOL': ROOT / 'configs' / 'byol_r50_200e_sgd.py',
}
KEYS = ('p1_ratio', 'p1_smoco_ratio', 'p2_ratio')
GPU_KEYS = ('p3_bf16_vs_fp32', 'p3_vs_limit')


@dataclass
class Settings:
    """What the harness runs (CPU defaults finish in a few minutes)."""
    device: str = 'cuda' if torch.cuda.is_available() else 'cpu'
    depth: int = 50 if torch.cuda.is_available() else 18
    # CPU: large enough that the backbone, not MoCo's fixed-size queue
    # (65536 keys: ~80 ms of memory traffic a step), dominates as it does
    # in real training.
    batch: int = 128 if torch.cuda.is_available() else 32
    image_size: int = 224 if torch.cuda.is_available() else 128
    threads: int = 1
    photos: int = 32
    photo_size: Sequence[int] = (500, 375)
    repeats: int = 5
    warmup: int = 1
    steps: int = 3 if torch.cuda.is_available() else 1
    workers: int = 8 if torch.cuda.is_available() else 1
    p3: Optional[bool] = None  # None: on CUDA only
    skip: Sequence[str] = field(default_factory=tuple)


# --------------------------------------------------------------- photos
def make_photo(seed: int,
               width: int = 500,
               height: int = 375,
               quality: int = 90) -> bytes:
    """A JPEG photo-like image: smooth colour fields, shapes and grain.

    Multi-scale coloured noise gives the frequency content (and so the
    file size and decode time) of a natural photo, without a download.
    """
    rng = np.random.default_rng(seed)
    img = np.zeros((height, width, 3), np.float32)
    for cells, amp in ((4, 70.), (16, 35.), (64, 18.), (250, 10.)):
        rows = max(2, height * cells // width + 1)
        small = rng.normal(0, 1, (rows, cells, 3)).astype(np.float32)
        img += amp * cv2.resize(
            small, (width, height), interpolation=cv2.INTER_CUBIC)
    for _ in range(12):
        colour = tuple(float(c) for c in rng.uniform(-100, 100, 3))
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        axes = (int(rng.integers(5, 80)), int(rng.integers(5, 80)))
        cv2.ellipse(img, centre, axes, float(rng.uniform(0, 180)), 0, 360,
                    colour, -1)
    img += 128 + rng.normal(0, 4, img.shape).astype(np.float32)
    img = np.clip(img, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode('.jpg', img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError('OpenCV could not encode a JPEG')
    return buf.tobytes()


def write_photos(folder: Path, n: int,
                 size: Sequence[int] = (500, 375)) -> List[str]:
    """Write ``n`` photos ``folder/photo_XXXX.jpg``; returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f'photo_{i:04d}.jpg'
        path.write_bytes(make_photo(i, *size))
        paths.append(str(path))
    return paths


# ------------------------------------------------------------ pipelines
def config_file(name) -> str:
    """A config path, ``pkg::path`` resolved in the package's ``.mim``."""
    name = str(name)
    if '::' in name:
        from mmengine.utils import get_installed_path
        pkg, rel = name.split('::', 1)
        path = osp.join(get_installed_path(pkg), '.mim', 'configs', rel)
    else:
        path = name
    if not osp.isfile(path):
        raise FileNotFoundError(f'pipeline config not found: {name}')
    return path


def pipeline_cfg(config, size: Optional[int] = None) -> List[dict]:
    """The ``train_dataloader.dataset.pipeline`` of ``config`` (``None``:
    decode only), with every crop resized to ``size`` if given."""
    if config is None:
        return [dict(type='LoadImageFromFile')]
    from mmengine.config import Config
    cfg = Config.fromfile(config_file(config))
    steps = copy.deepcopy(cfg.train_dataloader.dataset.pipeline)
    if size is not None:
        _set_crop_size(steps, size)
    return steps


def _set_crop_size(node, size: int) -> None:
    if isinstance(node, list):
        for item in node:
            _set_crop_size(item, size)
    elif isinstance(node, dict):
        if 'ResizedCrop' in str(node.get('type', '')):
            node['size'] = size
        for value in node.values():
            if isinstance(value, (list, dict)):
                _set_crop_size(value, size)


def build_pipeline(steps: List[dict]) -> Callable:
    """A mmcv ``Compose`` of ``steps`` in the mmselfsup scope."""
    from mmcv.transforms import Compose
    from mmengine.registry import DefaultScope
    from mmselfsup.registry import TRANSFORMS
    with DefaultScope.overwrite_default_scope('mmselfsup'):
        return Compose([TRANSFORMS.build(s) for s in steps])


def _pipeline_worker(conn, steps, paths, threads) -> None:
    import airl_mm.register  # noqa: F401  (preloaded by the server)
    cv2.setNumThreads(threads)
    torch.set_num_threads(threads)
    pipeline = build_pipeline(steps)
    while True:
        rounds = conn.recv()
        if rounds is None:
            conn.send(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
            return
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(rounds):
            for path in paths:
                pipeline(dict(img_path=path))
        conn.send((time.process_time() - cpu, time.perf_counter() - wall))


def summary(values: Sequence[float]) -> Dict[str, float]:
    """Median, min and max."""
    return dict(
        median=statistics.median(values), min=min(values), max=max(values))


def time_pipelines(configs: Dict[str, object], paths: List[str],
                   s: Settings) -> Dict[str, dict]:
    """Images/s per core of each pipeline, one worker process each,
    interleaved; also each worker's peak RSS (MiB).

    The workers fork from a fresh server process that has imported
    airl_mm: forking the caller itself can hang the child when the caller
    has already run OpenMP / OpenCV thread pools (as in a test session).
    """
    ctx = mp.get_context('forkserver')
    ctx.set_forkserver_preload(['airl_mm.register'])
    workers = {}
    try:
        for name, config in configs.items():
            parent, child = ctx.Pipe()
            proc = ctx.Process(
                target=_pipeline_worker,
                daemon=True,
                args=(child, pipeline_cfg(config), paths, s.threads))
            proc.start()
            child.close()  # a worker that dies then ends recv() (EOFError)
            workers[name] = (proc, parent)
        rates = {name: [] for name in configs}
        for r in range(s.warmup + s.repeats):
            for name, (_, conn) in workers.items():
                conn.send(1)
                cpu, _wall = conn.recv()
                if r >= s.warmup:
                    rates[name].append(len(paths) / max(cpu, 1e-9))
        out = {}
        for name, (proc, conn) in workers.items():
            conn.send(None)
            rss_kib = conn.recv()
            proc.join(timeout=30)
            out[name] = dict(
                images_per_s_per_core=summary(rates[name]),
                peak_rss_mib=rss_kib / 1024.)
        return out
    finally:
        for proc, _ in workers.values():
            if proc.is_alive():
                proc.kill()


# ---------------------------------------------------------- train steps
def build_model(config, depth: int, device: str) -> torch.nn.Module:
    """The pre-training model of ``config`` with a ResNet-``depth``
    backbone, SyncBN as BN (one process), initialised, on ``device``."""
    from mmengine.config import Config
    from mmengine.model import revert_sync_batchnorm
    from mmengine.registry import DefaultScope
    from mmselfsup.registry import MODELS
    cfg = Config.fromfile(str(config)).model
    cfg.backbone.depth = depth
    cfg.neck.in_channels = 512 if depth < 50 else 2048
    with DefaultScope.overwrite_default_scope('mmselfsup'):
        model = revert_sync_batchnorm(MODELS.build(cfg))
    model.init_weights()
    return model.to(device).train()


def make_batch(batch: int,
               size: int,
               device: str = 'cpu',
               seed: int = 0) -> dict:
    """A two-view batch as the data loader packs it (uint8 views)."""
    from mmselfsup.structures import SelfSupDataSample
    g = torch.Generator().manual_seed(seed)
    views = [
        torch.randint(
            0, 256, (batch, 3, size, size), generator=g,
            dtype=torch.uint8).to(device) for _ in range(2)
    ]
    return dict(
        inputs=views, data_samples=[SelfSupDataSample() for _ in range(batch)])


def make_optim_wrapper(model, amp: bool = False):
    """SGD (the same for every model), optionally under bf16 autocast."""
    from mmengine.optim import OptimWrapper

    from airl_mm.engine.precision import AutocastOptimWrapper
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    if amp:
        return AutocastOptimWrapper(optimizer=opt, dtype='bfloat16')
    return OptimWrapper(optimizer=opt)


def _sync(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def time_steps(models: Dict[str, tuple],
               batch: dict,
               s: Settings,
               steps: Optional[int] = None,
               wall: Optional[bool] = None) -> Dict[str, dict]:
    """Seconds per train step of each ``(model, optim_wrapper)``,
    interleaved; also the most GPU memory (MiB) a step allocated.

    ``wall`` (default: on CUDA only) times wall-clock seconds; otherwise
    the process's CPU time, so that other load on the machine slows every
    model alike (with one thread, CPU time = compute time).
    """
    steps = steps or s.steps
    times = {name: [] for name in models}
    mem = {name: 0. for name in models}
    if wall is None:
        wall = s.device.startswith('cuda')
    clock = time.perf_counter if wall else time.process_time
    for r in range(s.warmup + s.repeats):
        for name, (model, wrapper) in models.items():
            if s.device.startswith('cuda'):
                torch.cuda.reset_peak_memory_stats()
            _sync(s.device)
            t0 = clock()
            for _ in range(steps):
                model.train_step(batch, wrapper)
            _sync(s.device)
            if r >= s.warmup:
                times[name].append((clock() - t0) / steps)
            if s.device.startswith('cuda'):
                mem[name] = max(mem[name],
                                torch.cuda.max_memory_allocated() / 2**20)
    return {
        name:
        dict(
            seconds_per_step=summary(times[name]),
            max_gpu_mib=mem[name] if s.device.startswith('cuda') else None)
        for name in models
    }


def time_loop(model, wrapper, loader, s: Settings, steps: int) -> float:
    """Images/s of the full loop: loader batches through train steps."""
    it = iter(loader)
    for _ in range(s.warmup):
        model.train_step(next(it), wrapper)
    _sync(s.device)
    t0 = time.perf_counter()
    n = 0
    for _ in range(steps):
        data = next(it)
        model.train_step(data, wrapper)
        n += len(data['inputs'][0])
    _sync(s.device)
    return n / (time.perf_counter() - t0)


def p3_measure(paths: List[str], s: Settings) -> dict:
    """P3: bf16 + channels_last vs fp32, and the loop vs its limit."""
    from mmengine.dataset import default_collate
    from torch.utils.data import DataLoader, Dataset

    from airl_mm.engine.precision import to_channels_last
    cfg = MODELS_CFG['MoCo v2+']
    fp32 = build_model(cfg, s.depth, s.device)
    fast = to_channels_last(build_model(cfg, s.depth, s.device))
    models = {
        'fp32': (fp32, make_optim_wrapper(fp32)),
        'bf16 + channels_last': (fast, make_optim_wrapper(fast, True))
    }
    batch = make_batch(s.batch, s.image_size, s.device)
    # wall time, as the loop below (whose data workers are other processes)
    steps = time_steps(models, batch, s, wall=True)
    ips = {
        k: s.batch / v['seconds_per_step']['median']
        for k, v in steps.items()
    }

    steps_cfg = pipeline_cfg(PIPELINES[OURS], s.image_size)

    class Photos(Dataset):

        def __init__(self):
            self.pipeline = None

        def __len__(self):
            return 1 << 30

        def __getitem__(self, i):
            if self.pipeline is None:  # built in the worker
                self.pipeline = build_pipeline(steps_cfg)
            return self.pipeline(dict(img_path=paths[i % len(paths)]))

    loader = DataLoader(
        Photos(),
        batch_size=s.batch,
        num_workers=s.workers,
        collate_fn=default_collate,
        pin_memory=s.device.startswith('cuda'),
        persistent_workers=s.workers > 0)
    loop = time_loop(fast, models['bf16 + channels_last'][1], loader, s,
                     max(s.steps * s.repeats, 2))
    limit = ips['bf16 + channels_last']
    return dict(
        p3_bf16_vs_fp32=ips['bf16 + channels_last'] / ips['fp32'],
        p3_vs_limit=loop / limit,
        p3_steps=steps,
        p3_images_per_s=dict(ips, loop=loop))


# ------------------------------------------------------------------ run
def run(s: Settings, progress: Callable[[str], None] = print) -> dict:
    """Measure everything ``s`` asks for; returns the JSON-ready results."""
    from mmengine.logging import MessageHub, MMLogger
    torch.set_num_threads(s.threads)
    if s.device.startswith('cuda'):
        torch.backends.cudnn.benchmark = True  # as training would
    # Quiet init_weights reports; BYOL's cosine EMA reads max_iters.
    MMLogger.get_instance('airl_speed', log_level='WARNING')
    MessageHub.get_current_instance().update_info('max_iters', 10**6)
    results: dict = dict(settings=asdict(s), device=_device_name(s.device))
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_photos(Path(tmp), s.photos, s.photo_size)
        if 'p2' not in s.skip:
            progress(f'P2: {len(PIPELINES)} pipelines x {s.photos} photos '
                     f'x {s.repeats} runs')
            pipes = time_pipelines(PIPELINES, paths, s)
            results['pipelines'] = pipes
            rate = {
                k: v['images_per_s_per_core']['median']
                for k, v in pipes.items()
            }
            results['p2_ratio'] = rate[OURS] / rate[BYOL]
            results['p2_vs_our_reference'] = (
                rate[OURS] / rate['ours (reference, Table 5)'])
        if 'p1' not in s.skip:
            progress(f'P1: ResNet-{s.depth}, batch {s.batch}, '
                     f'{s.image_size}px, {s.device}')
            models = {}
            for name, cfg in MODELS_CFG.items():
                model = build_model(cfg, s.depth, s.device)
                models[name] = (model, make_optim_wrapper(model))
            batch = make_batch(s.batch, s.image_size, s.device)
            steps = time_steps(models, batch, s)
            results['steps'] = steps
            med = {
                k: v['seconds_per_step']['median']
                for k, v in steps.items()
            }
            results['p1_ratio'] = med['MoCo v2+'] / med[BYOL]
            results['p1_smoco_ratio'] = med['S-MoCo v2+'] / med[BYOL]
            del models
        p3 = s.p3 if s.p3 is not None else s.device.startswith('cuda')
        if p3 and 'p3' not in s.skip:
            progress(f'P3: ResNet-{s.depth} MoCo v2+, batch {s.batch}, '
                     f'{s.workers} loader workers')
            results.update(p3_measure(paths, s))
    return results


def _device_name(device: str) -> str:
    if device.startswith('cuda'):
        return torch.cuda.get_device_name(torch.device(device))
    return f'CPU ({os.cpu_count()} cores visible)'


def table(results: dict) -> str:
    """The results as Markdown tables."""
    lines = []
    if 'pipelines' in results:
        lines += [
            '| pipeline (two views, one core) | images/s per core '
            '(median) | min - max | peak RSS per worker (MiB) |',
            '| --- | ---: | ---: | ---: |'
        ]
        for name, v in results['pipelines'].items():
            r = v['images_per_s_per_core']
            lines.append(f'| {name} | {r["median"]:.0f} | {r["min"]:.0f} - '
                         f'{r["max"]:.0f} | {v["peak_rss_mib"]:.0f} |')
        lines.append('')
    if 'steps' in results:
        st = results['settings']
        lines += [
            f'| train step (ResNet-{st["depth"]}, batch {st["batch"]},'
            f' {st["image_size"]}px) | s/step (median) | min - max | '
            'max GPU MiB |', '| --- | ---: | ---: | ---: |'
        ]
        for name, v in results['steps'].items():
            r = v['seconds_per_step']
            gpu = '-' if v['max_gpu_mib'] is None else \
                f'{v["max_gpu_mib"]:.0f}'
            lines.append(f'| {name} | {r["median"]:.4f} | {r["min"]:.4f} - '
                         f'{r["max"]:.4f} | {gpu} |')
        lines.append('')
    goals = [('p1_ratio', 'P1: MoCo v2+ / BYOL step time', '<= 1.05'),
             ('p1_smoco_ratio', 'P1: S-MoCo v2+ / BYOL step time', '<= 1.08'),
             ('p2_ratio', 'P2: ours / mmselfsup BYOL images/s per core',
              '>= 2 (aim 3)'),
             ('p3_bf16_vs_fp32', 'P3: bf16 + channels_last / fp32 images/s',
              '>= 1.7'),
             ('p3_vs_limit', 'P3: full loop / pre-made tensors images/s',
              '>= 0.85')]
    rows = [(label, results[k], goal) for k, label, goal in goals
            if k in results]
    if rows:
        lines += ['| ratio | measured | goal |', '| --- | ---: | --- |']
        lines += [f'| {label} | {v:.2f} | {goal} |' for label, v, goal in rows]
    return '\n'.join(lines)
