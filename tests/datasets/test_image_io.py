"""Unreadable images: every loader raises ``failed to load image: <path>``.

A 0-byte file used to stop mmcv's ``LoadImageFromFile`` inside OpenCV with
an assertion naming no file (``!buf.empty()``); its pillow backend named no
file for any bad image; ``cv2.imread`` (the analyses) took a truncated JPEG
grey-filled. Each bad kind goes through the fast Table-5 pipeline, its
reference, the mmdet/mmseg scopes, the segmentation-map loaders, the
analysis reader and a dataloader worker.
"""
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope
from tool_loader import load_tool

import airl_mm.register  # noqa: F401  (host glue: compat fix 7)
from airl_mm.analysis.image_data import load_center_crop
from airl_mm.datasets.image_io import (EMPTY, UNDECODABLE, ImageLoadError,
                                       read_image)

# the speed harness's pipeline builder (tools/benchmarks/)
_harness = load_tool('benchmarks/speed_harness.py')
build_pipeline, pipeline_cfg = _harness.build_pipeline, _harness.pipeline_cfg

BAD = ('empty', 'truncated', 'text')
PIPELINES = {
    'fast': 'configs/_base_/datasets/imagenet_byol-sym.py',
    'reference': 'configs/_base_/datasets/imagenet_byol-sym_reference.py',
}


def _jpeg() -> bytes:
    img = np.random.RandomState(0).randint(0, 256, (48, 64, 3), np.uint8)
    ok, buf = cv2.imencode('.jpg', img)
    assert ok
    return buf.tobytes()


@pytest.fixture(scope='module')
def files(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp('images')
    good = _jpeg()
    contents = dict(
        good=good,
        empty=b'',
        truncated=good[:len(good) // 2],
        text=b'hello, this is not an image\n')
    paths = {}
    for name, content in contents.items():
        path = root / f'{name}.jpg'
        path.write_bytes(content)
        paths[name] = str(path)
    # a PNG for the segmentation-map loaders (flag 'unchanged')
    ok, png = cv2.imencode('.png', np.zeros((8, 8), np.uint8))
    (root / 'good.png').write_bytes(png.tobytes())
    paths['good_png'] = str(root / 'good.png')
    return paths


def _match(path: str) -> str:
    return 'failed to load image: ' + re.escape(path)


@pytest.mark.parametrize('kind', BAD)
@pytest.mark.parametrize('which', sorted(PIPELINES))
def test_pretraining_pipelines_name_the_file(repo_root, files, which, kind):
    pipeline = build_pipeline(pipeline_cfg(repo_root / PIPELINES[which]))
    out = pipeline(dict(img_path=files['good']))
    assert len(out['inputs']) == 2  # two views of the good image
    with pytest.raises(ImageLoadError, match=_match(files[kind])) as info:
        pipeline(dict(img_path=files[kind]))
    reason = EMPTY if kind == 'empty' else UNDECODABLE
    assert reason in str(info.value)


@pytest.mark.parametrize('kind', BAD)
@pytest.mark.parametrize('scope',
                         ['mmselfsup', 'mmpretrain', 'mmdet', 'mmseg'])
@pytest.mark.parametrize('backend', ['cv2', 'pillow'])
def test_every_scope_and_backend(files, scope, backend, kind):
    """Every host resolves ``LoadImageFromFile`` to mmcv's (patched) class;
    the pillow backend names the file too."""
    import importlib
    registry = importlib.import_module(f'{scope}.registry').TRANSFORMS
    with DefaultScope.overwrite_default_scope(scope):
        load = registry.build(
            dict(type='LoadImageFromFile', imdecode_backend=backend))
    assert load(dict(img_path=files['good']))['img'].shape == (48, 64, 3)
    with pytest.raises(ImageLoadError, match=_match(files[kind])):
        load(dict(img_path=files[kind]))


def test_missing_file_and_ignore_empty_keep_upstream_meaning(files):
    from mmcv.transforms import LoadImageFromFile
    missing = str(Path(files['good']).with_name('missing.jpg'))
    with pytest.raises(FileNotFoundError, match=re.escape(missing)):
        LoadImageFromFile()(dict(img_path=missing))
    # ignore_empty skips a missing or empty file, as upstream
    assert LoadImageFromFile(ignore_empty=True)(dict(img_path=missing)) \
        is None
    assert LoadImageFromFile(ignore_empty=True)(
        dict(img_path=files['empty'])) is None


@pytest.mark.parametrize('kind', BAD)
@pytest.mark.parametrize('host', ['mmcv', 'mmdet', 'mmseg'])
def test_segmentation_maps_name_the_file(files, host, kind):
    import importlib
    module = importlib.import_module(
        dict(
            mmcv='mmcv.transforms',
            mmdet='mmdet.datasets.transforms',
            mmseg='mmseg.datasets.transforms')[host])
    args = dict(with_bbox=False, with_label=False, with_seg=True)
    if host == 'mmseg':
        args = dict(reduce_zero_label=False)
    load = module.LoadAnnotations(**args)

    def results(path):
        return dict(seg_map_path=path, seg_fields=[], reduce_zero_label=False)

    assert load(results(files['good_png']))['gt_seg_map'].shape == (8, 8)
    with pytest.raises(ImageLoadError, match=_match(files[kind])):
        load(results(files[kind]))


@pytest.mark.parametrize('kind', BAD)
def test_analysis_reader_names_the_file(files, kind):
    assert load_center_crop(files['good'], 32).shape == (32, 32, 3)
    assert read_image(files['good']).shape == (48, 64, 3)
    with pytest.raises(ImageLoadError, match=_match(files[kind])):
        load_center_crop(files[kind], 32)
    with pytest.raises(FileNotFoundError):
        read_image(files['good'] + '.missing')


class _Images(torch.utils.data.Dataset):

    def __init__(self, paths, pipeline):
        self.paths, self.pipeline = paths, pipeline

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        return self.pipeline(dict(img_path=self.paths[i]))['img']


def test_message_survives_a_dataloader_worker(files):
    """Workers re-raise by type and message: the path reaches the user."""
    from mmcv.transforms import LoadImageFromFile
    loader = torch.utils.data.DataLoader(
        _Images([files['empty']], LoadImageFromFile()), num_workers=1)
    with pytest.raises(ImageLoadError, match=_match(files['empty'])):
        next(iter(loader))
