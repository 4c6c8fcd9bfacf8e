"""``--cfg-options`` that reach the run, and loaders that accept them.

An OpenMMLab config file may define helper names at its top level
(``crop = dict(...)``, ``view_pipeline = [crop, ...]``, ``data_root``,
``train_pipeline``, ``max_epochs``...) that other settings use. mmengine
copies their values where they are used when it reads the file, so after
loading, ``crop`` is a template nothing reads: ``--cfg-options
crop.size=16`` changes it and the run still crops at the old size. Only
the copy's full path (``train_dataloader.dataset.pipeline.0.transforms.0
.0.size=16``) reaches the pipeline.

:func:`check_cfg_options` refuses every override whose top-level name the
run does not read, naming the full path(s) of each copy it finds in the
config as loaded (before the overrides); :func:`merge_cfg_options` checks
and merges. ``tools/train.py`` (:func:`..train.build_train_cfg`), the
benchmark launcher (:func:`airl_mm.benchmarks.launcher.benchmark_config`)
and hence the demos all merge overrides through it.

The names the run reads are (:func:`names_read`): the arguments of
mmengine's ``Runner.__init__`` (what ``Runner.from_cfg`` passes it, read
from the signature), the names mmengine's Runner reads later with
``self.cfg.get`` (:data:`RUNNER_CFG_GETS`), and this plugin's own
(:data:`PLUGIN_NAMES`). ``tests/engine/runner/test_cfg_options.py`` checks
both lists against the installed sources.

:func:`no_persistent_workers_without_workers` makes ``num_workers=0`` (what
anyone debugging sets) work with configs that set
``persistent_workers=True``, which torch's ``DataLoader`` refuses without
workers.
"""
import inspect
import logging
from difflib import get_close_matches
from typing import (Any, Dict, FrozenSet, Iterator, List, Mapping, Optional,
                    Tuple)

from mmengine.config import Config
from mmengine.logging import print_log

# Top-level names mmengine's Runner (0.10) reads from ``self.cfg`` besides
# its ``__init__`` arguments: ``grep -n "self.cfg.get(" runner.py``.
RUNNER_CFG_GETS = ('model_wrapper_cfg', 'sync_bn', 'find_unused_parameters',
                   'activation_checkpointing', 'efficient_conv_bn_eval',
                   'compile')
# Top-level names this plugin reads:
# * runner_type: which Runner class (train.train, the launcher's
#   build_runner, airl_mm.compat's Runner.from_cfg);
# * custom_imports: modules to import (mmengine imports them when it reads
#   the file; merge_cfg_options imports an overridden list again);
# * channels_last: AirlRunner.wrap_model (--channels-last).
PLUGIN_NAMES = ('runner_type', 'custom_imports', 'channels_last')
_MAX_PATHS = 8


class CfgOptionError(ValueError):
    """An override would not reach the run (the message says where to
    set it instead)."""


def runner_arguments() -> FrozenSet[str]:
    """The config names ``Runner.from_cfg`` passes to ``Runner.__init__``
    (its parameters, from the signature)."""
    from mmengine.runner import Runner
    params = inspect.signature(Runner.__init__).parameters
    return frozenset(params) - {'self', 'cfg'}


def names_read(cfg: Mapping) -> FrozenSet[str]:
    """The top-level names of ``cfg`` that the run reads.

    ``data_preprocessor`` counts only where ``model`` has none of its own:
    the Runner then puts it into the model; otherwise it ignores it.
    """
    names = runner_arguments() | set(RUNNER_CFG_GETS) | set(PLUGIN_NAMES)
    model = cfg.get('model')
    if isinstance(model, Mapping) and 'data_preprocessor' in model:
        names -= {'data_preprocessor'}
    return frozenset(names)


def _plain(cfg: Mapping) -> Dict[str, Any]:
    """``cfg`` as plain dicts and lists (a Config's ``to_dict()``)."""
    return cfg.to_dict() if isinstance(cfg, Config) else dict(cfg)


def _unscoped(obj: Any) -> Any:
    """``obj`` without the ``_scope_`` keys mmengine adds to top-level
    dicts with a ``type`` (so a template and its copy differ by them)."""
    if isinstance(obj, dict):
        return {k: _unscoped(v) for k, v in obj.items() if k != '_scope_'}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_unscoped(v) for v in obj)
    return obj


def _walk(obj: Any, path: str) -> Iterator[Tuple[str, Any]]:
    """(dotted path, value) of ``obj`` and everything inside it; list
    items by index, as ``--cfg-options`` addresses them."""
    yield path, obj
    if isinstance(obj, dict):
        items = obj.items()
    elif isinstance(obj, (list, tuple)):
        items = enumerate(obj)
    else:
        return
    for k, v in items:
        yield from _walk(v, f'{path}.{k}')


def _same(a: Any, b: Any) -> bool:
    """Equal and of one type (1 is no copy of 1.0 or True); dicts are
    plain here (:func:`_unscoped`)."""
    return type(a) is type(b) and a == b


def template_copies(cfg: Mapping, name: str) -> List[str]:
    """Full paths, under the names the run reads (:func:`names_read`), of
    the values equal to ``cfg[name]``: where the config file copied the
    template ``name`` when it was read.

    Containers (a transform, a pipeline) match by value. A scalar (a data
    root, an epoch count) matches by value and type, so a coincidence can
    show up too; ``None``, booleans and empty containers only under keys
    called ``name``. Values computed from a template (``max_epochs - 1``)
    are not found.

    Args:
        cfg (Mapping): The config as loaded, before any override.
        name (str): A top-level name of ``cfg``.

    Returns:
        list[str]: Dotted paths (list items by index), in config order.
    """
    return _copies(_unscoped(_plain(cfg)), name)


def _copies(data: Dict[str, Any], name: str) -> List[str]:
    """:func:`template_copies` in ``data`` (plain, unscoped)."""
    value = data[name]
    if isinstance(value, (dict, list, tuple)):
        by_name_only = not value
    else:
        by_name_only = value is None or isinstance(value, bool)
    paths = []
    for top in names_read(data):
        if top not in data:
            continue
        for path, v in _walk(data[top], top):
            if by_name_only and path.rsplit('.', 1)[-1] != name:
                continue
            if _same(v, value):
                paths.append(path)
    order = {k: i for i, k in enumerate(data)}
    return sorted(paths, key=lambda p: order[p.split('.', 1)[0]])


def _instead(copy: str, rest: str, value: Any) -> str:
    """The key that sets what ``<template>.<rest>`` meant, at ``copy``."""
    if rest:
        return f'{copy}.{rest}'
    parent, _, last = copy.rpartition('.')
    if last.isdigit() and not isinstance(value, dict):
        # mmengine merges into list items; it cannot replace one by a
        # non-dict (``Config._merge_a_into_b``)
        return f'{parent} (the whole list; item {last} is the copy)'
    return copy


def _problem(cfg: Mapping, read: FrozenSet[str], key: str,
             set_elsewhere: Mapping[str, str]) -> Optional[str]:
    """Why the override ``key`` would not reach the run; None if it
    would."""
    top, _, rest = key.partition('.')
    if top in set_elsewhere:
        return (f'{key}: {top!r} is set by {set_elsewhere[top]}, which '
                'would replace this override; use that instead')
    if top in read:
        return None
    if top not in cfg:
        near = get_close_matches(top, sorted(set(cfg) | read), n=1)
        hint = f'; did you mean {near[0]!r}?' if near else ''
        return (f'{key}: nothing reads {top!r} (not a Runner setting, nor '
                f'one of this plugin, nor a name of the config){hint}')
    copies = _copies(cfg, top)
    if not copies:
        return (f'{key}: nothing reads {top!r}: the config defines it, but '
                'neither the Runner nor what it builds reads it, and no '
                'copy of its value is in what they read')
    shown = [_instead(p, rest, cfg[top]) for p in copies[:_MAX_PATHS]]
    more = len(copies) - len(shown)
    scalar = not isinstance(cfg[top], (dict, list, tuple))
    what = (f'its value {cfg[top]!r} is (copied, or by coincidence) at'
            if scalar else 'it was copied to')
    instead = ('the copy' if len(copies) == 1 else 'the copies you mean')
    return (f'{key}: {top!r} is a template: the config file used it when '
            'it was read, so the run reads its copies, never it; '
            f'{what} {", ".join(copies[:_MAX_PATHS])}' +
            (f' and {more} more place(s)' if more else '') +
            f'. Override {instead} instead: {", ".join(shown)}')


def check_cfg_options(
        cfg: Mapping,
        cfg_options: Optional[Mapping[str, Any]],
        source: str = '--cfg-options',
        set_elsewhere: Optional[Mapping[str, str]] = None) -> None:
    """Refuse overrides that would not reach the run.

    Args:
        cfg (Mapping): The config as loaded, BEFORE the overrides (its
            templates are compared with what the run reads).
        cfg_options (Mapping, optional): ``{'dotted.key': value}`` as
            ``mmengine.config.DictAction`` parses ``--cfg-options``.
        source (str): What the overrides are called in the message.
        set_elsewhere (Mapping[str, str], optional): top-level names the
            caller sets after merging, each with what sets it (e.g.
            ``{'launcher': '--launcher'}``): overriding them is refused.

    Raises:
        CfgOptionError: one line per override whose top-level name the
            run does not read: a template copied when the file was read
            (with the full path of each copy and the key to use instead),
            a name nothing reads (with the nearest real one), or a name the
            caller sets itself.
    """
    if not cfg_options:
        return
    data = _unscoped(_plain(cfg))
    read = names_read(data)
    problems = [
        p for p in (_problem(data, read, key, set_elsewhere or {})
                    for key in cfg_options) if p
    ]
    if problems:
        raise CfgOptionError(
            f'{source} that would not reach the run (nothing would use the '
            'value):\n  ' + '\n  '.join(problems))


# read names that configs often set as copies of each other
TWINS = (('val_dataloader', 'test_dataloader'),
         ('val_evaluator', 'test_evaluator'), ('val_cfg', 'test_cfg'))


def read_twins(cfg: Mapping,
               cfg_options: Mapping[str, Any]) -> List[Tuple[str, str]]:
    """Overrides of one of two equal read names (``val_dataloader`` and
    ``test_dataloader`` in the classification configs) that leave the
    other unchanged: ``[(key, key in the twin), ...]``. Both are read (by
    validation and by the final test), so this is a warning, not a
    refusal."""
    data = _unscoped(_plain(cfg))
    out = []
    for a, b in TWINS + tuple((b, a) for a, b in TWINS):
        if a not in data or b not in data or not _same(data[a], data[b]):
            continue
        for key in cfg_options:
            head, _, rest = key.partition('.')
            twin = f'{b}.{rest}' if rest else b
            if head == a and twin not in cfg_options:
                out.append((key, twin))
    return out


def merge_cfg_options(
        cfg: Config,
        cfg_options: Optional[Mapping[str, Any]],
        source: str = '--cfg-options',
        set_elsewhere: Optional[Mapping[str, str]] = None) -> Config:
    """:func:`check_cfg_options`, then ``cfg.merge_from_dict``; an
    overridden ``custom_imports`` is imported (mmengine imports the file's
    list only when it reads the file).

    Returns:
        Config: ``cfg``, merged in place.

    Raises:
        CfgOptionError: see :func:`check_cfg_options`.
    """
    if not cfg_options:
        return cfg
    check_cfg_options(cfg, cfg_options, source, set_elsewhere)
    twins = read_twins(cfg, cfg_options)
    cfg.merge_from_dict(dict(cfg_options))
    for key, twin in twins:
        print_log(
            f'{source}: {key} changes {key.partition(".")[0]} only; in '
            f'this config {twin.partition(".")[0]} was a copy of it and '
            f'stays as it was (add {twin}=... to change both)',
            logger='current',
            level=logging.WARNING)
    if any(k.partition('.')[0] == 'custom_imports' for k in cfg_options):
        from mmengine.utils import import_modules_from_strings
        import_modules_from_strings(**cfg.custom_imports)
    return cfg


def _idle_persistence(loader: Any) -> bool:
    """Whether ``loader`` is a DataLoader config that keeps workers alive
    but has none (torch raises "persistent_workers option needs
    num_workers > 0")."""
    return isinstance(loader, Mapping) and \
        bool(loader.get('persistent_workers')) and \
        not loader.get('num_workers')


def worker_safe_loader_cfg(loader: Any) -> Any:
    """``loader`` (a DataLoader config) with ``persistent_workers=False``
    where it has no workers (``num_workers`` 0 or unset): a changed
    shallow copy, else ``loader`` itself (also when it is no dict, e.g. a
    built DataLoader). For ``Runner.build_dataloader``."""
    if _idle_persistence(loader):
        loader = type(loader)(loader)
        loader['persistent_workers'] = False
    return loader


def no_persistent_workers_without_workers(cfg: Config) -> List[str]:
    """Set ``persistent_workers=False`` in every loader config of ``cfg``
    without workers (any dict with a true ``persistent_workers`` and
    ``num_workers`` 0 or unset: ``*_dataloader`` and any a hook holds);
    logged once.

    Returns:
        list[str]: The dotted paths of the loaders changed.
    """
    changed = []
    for top in list(cfg.keys()):
        for path, value in list(_walk(cfg[top], top)):
            if _idle_persistence(value):
                value['persistent_workers'] = False
                changed.append(path)
    if changed:
        print_log(
            'num_workers=0: persistent_workers set to False (torch keeps '
            'no workers alive without workers) in ' + ', '.join(changed),
            logger='current',
            level=logging.INFO)
    return changed
