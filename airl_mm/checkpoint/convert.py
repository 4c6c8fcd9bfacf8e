"""File-level conversions behind tools/convert/*.py (all-or-nothing)."""
import io
import math
import os
import pickle
from pathlib import Path
from typing import Callable, Iterable, List, Optional, Union

import torch

from ..fileio import check_outputs, csv_bytes, write_all
from .formats import (Backbone, check_depth, extract_backbone, resnet_layout,
                      to_detectron2, to_mmdet, to_torchvision)
from .io import CheckpointError, load_checkpoint_file
from .normrescale import RescaleRow, normrescale

PathLike = Union[str, os.PathLike]
TARGETS = ('mmdet', 'torchvision', 'detectron2')


def read_backbone(path: PathLike, branch: str = 'student') -> Backbone:
    """Load (weights_only) and take the backbone of any known format."""
    return extract_backbone(load_checkpoint_file(path), branch, str(path))


def architecture(bb: Backbone,
                 path: PathLike,
                 depth: Optional[int] = None) -> str:
    """The depth and widths of a backbone about to be converted, checked.

    Args:
        bb (Backbone): From :func:`read_backbone`.
        path: Its file (error messages).
        depth (int, optional): The ResNet depth the output will be loaded
            into; a backbone of another depth (deeper: extra blocks or
            stages; shallower; basic vs bottleneck blocks) is refused.

    Returns:
        str: e.g. ``'depth 50 (Bottleneck blocks 3-4-6-3, stem 64, widths
        64-128-256-512, 2048 output channels)'``, logged and recorded in
        the output's ``meta['arch']``.

    Raises:
        CheckpointError: blocks or stages missing in the middle (a file
            that lost some of them), or not ResNet-``depth``.
    """
    try:
        layout = resnet_layout(bb.state_dict)
    except CheckpointError as e:
        raise CheckpointError(f'{path}: the {bb.branch} backbone is not a '
                              f'whole ResNet: {e}') from None
    if depth is not None:
        check_depth(bb, depth, str(path))
    return layout.describe()


def _torch_bytes(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def report_csv(rows: List[RescaleRow]) -> bytes:
    """The per-tensor NormRescale report."""

    def fmt(x):
        return '' if x is None or math.isnan(x) else f'{x:.8g}'

    return csv_bytes(
        ['name', 'norm_lars', 'norm_anchor', 'factor', 'rescaled'], ([
            r.name,
            fmt(r.norm_lars),
            fmt(r.norm_anchor),
            fmt(r.factor),
            int(r.rescaled)
        ] for r in rows))


def normrescale_file(lars_path: PathLike,
                     out: PathLike,
                     anchor_path: Optional[PathLike] = None,
                     constant: Optional[float] = None,
                     branch: str = 'student',
                     scope: str = 'all',
                     force: bool = False,
                     progress: Callable[[Iterable], Iterable] = iter,
                     log: Callable[[str], None] = print,
                     depth: Optional[int] = None) -> List[RescaleRow]:
    """NormRescale a LARS checkpoint into an mmdet-style backbone file.

    Writes ``out`` (``{'state_dict': {'backbone.*': ...}, 'meta': ...}``)
    and the per-tensor report ``out`` with suffix ``.csv``; both or
    neither. With an anchor, both backbones must have the same tensors
    (:func:`~.normrescale.check_compatible` names a deeper or wider one);
    ``depth`` (see :func:`architecture`) refuses any other ResNet depth.
    """
    out = Path(out)
    report = out.with_suffix('.csv')
    if out == report:
        raise CheckpointError(f'{out}: the output checkpoint must not end in '
                              '.csv (the report is written beside it)')
    check_outputs([out, report], force)
    lars = read_backbone(lars_path, branch)
    arch = architecture(lars, lars_path, depth)
    log(f'LARS model: {lars_path} ({lars.format}, {branch} backbone, '
        f'{len(lars.state_dict)} tensors, ResNet of {arch})')
    anchor = None
    if anchor_path is not None:
        anchor = read_backbone(anchor_path, 'student')
        log(f'anchor:     {anchor_path} ({anchor.format}, student '
            f'backbone, {len(anchor.state_dict)} tensors, ResNet of '
            f'{architecture(anchor, anchor_path)})')
    sd, rows = normrescale(lars.state_dict,
                           anchor.state_dict if anchor else None, constant,
                           scope, progress)
    meta = dict(
        converted_by='airl_mm NormRescale',
        source=str(lars_path),
        source_format=lars.format,
        branch=branch,
        scope=scope,
        anchor=None if anchor_path is None else str(anchor_path),
        constant=constant,
        arch=arch)
    write_all([(out, _torch_bytes(to_mmdet(sd, meta))),
               (report, report_csv(rows))])
    return rows


def extract_file(ckpt_path: PathLike,
                 out: PathLike,
                 to: str = 'mmdet',
                 branch: str = 'student',
                 force: bool = False,
                 log: Callable[[str], None] = print,
                 depth: Optional[int] = None) -> Backbone:
    """Write the backbone of any known checkpoint in another format.

    ``depth``: refuse a backbone that is not a ResNet of that depth (see
    :func:`architecture`); the layout found is logged either way.
    """
    if to not in TARGETS:
        raise ValueError(f'--to must be one of {TARGETS}, got {to!r}')
    out = Path(out)
    check_outputs([out], force)
    bb = read_backbone(ckpt_path, branch)
    arch = architecture(bb, ckpt_path, depth)
    log(f'{ckpt_path}: {bb.format}, {branch} backbone '
        f'({len(bb.state_dict)} tensors, ResNet of {arch}) -> {to}')
    if to == 'mmdet':
        data = _torch_bytes(
            to_mmdet(
                bb.state_dict,
                dict(
                    source=str(ckpt_path),
                    source_format=bb.format,
                    branch=branch,
                    arch=arch)))
    elif to == 'torchvision':
        data = _torch_bytes(to_torchvision(bb.state_dict))
    else:
        data = pickle.dumps(to_detectron2(bb.state_dict), protocol=4)
    write_all([(out, data)])
    return bb
