"""The benchmark launcher's ``--cfg-options``: templates of the mmdet/mmseg
configs are refused with the path of their copies (issue 16, part 3), and
``num_workers=0`` works with their ``persistent_workers=True`` (part 5)."""
import json

import pytest

from airl_mm.benchmarks import (benchmark_config, prepare_backbone,
                                run_benchmark)
from airl_mm.engine.runner.cfg_options import CfgOptionError

from .test_transfer_configs import CITYSCAPES, VOC07
from .tiny_data import tiny_options

LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


@pytest.fixture(scope='module')
def r50_file(r50_pretrain, tmp_path_factory):
    return prepare_backbone(
        str(r50_pretrain), str(tmp_path_factory.mktemp('bb')))


@pytest.mark.parametrize(
    'config, key, path',
    [(VOC07, 'norm_cfg.type', 'model.roi_head.shared_head.norm_cfg.type'),
     (VOC07, 'train_pipeline.0.type',
      'train_dataloader.dataset.pipeline.0.type'),
     (CITYSCAPES, 'crop_size',
      'train_dataloader.dataset.pipeline.3.crop_size'),
     (CITYSCAPES, 'data_preprocessor.size', 'model.data_preprocessor.size')],
    ids=[
        'voc07-norm_cfg', 'voc07-train_pipeline', 'city-crop_size',
        'city-data_preprocessor'
    ])
def test_templates_refused_before_anything_loads(config, key, path, tmp_path):
    # the check comes before the backbone file is read: none is needed
    with pytest.raises(CfgOptionError) as err:
        benchmark_config(
            str(config), str(tmp_path / 'none.pth'), str(tmp_path),
            {key: 'BN'})
    msg = str(err.value)
    assert key in msg
    assert (path in msg) if path else 'nothing reads' in msg, msg


def test_work_dir_override_refused(tmp_path):
    with pytest.raises(CfgOptionError, match='--work-dir'):
        benchmark_config(
            str(VOC07), str(tmp_path / 'none.pth'), str(tmp_path),
            {'work_dir': 'elsewhere'})


@pytest.mark.parametrize('config', [VOC07, CITYSCAPES], ids=lambda p: p.stem)
def test_num_workers_0_turns_persistent_workers_off(config, r50_file,
                                                    tmp_path):
    opts = {f'{k}.num_workers': 0 for k in LOADERS}
    cfg = benchmark_config(str(config), r50_file, str(tmp_path), opts)
    for k in LOADERS:
        assert cfg[k].num_workers == 0
        assert cfg[k].persistent_workers is False, k
    # loaders with workers keep them alive
    cfg = benchmark_config(str(config), r50_file, str(tmp_path))
    assert all(cfg[k].persistent_workers is True for k in LOADERS)


@pytest.mark.slow
def test_run_benchmark_with_num_workers_0(r50_pretrain, tiny_cityscapes,
                                          tmp_path):
    """The real Runner builds every loader of the mmseg config without
    workers (the config keeps ``persistent_workers=True``)."""
    opts = {
        k: v
        for k, v in tiny_options(
            str(CITYSCAPES), str(tiny_cityscapes), (128, 64)).items()
        if not k.endswith('persistent_workers')
    }
    assert all(opts[f'{k}.num_workers'] == 0 for k in LOADERS)
    work = tmp_path / 'work'
    run_benchmark(
        str(CITYSCAPES), str(r50_pretrain), str(work), cfg_options=opts)
    rec = json.loads((work / 'metrics.json').read_text())
    assert rec['status'] == 'finished', rec['error']
