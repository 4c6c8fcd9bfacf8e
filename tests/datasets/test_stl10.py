"""STL10 reads the binary release layout (a tiny one the test writes)."""
import numpy as np
import pytest
from data_builders import make_stl10
from mmselfsup.registry import DATASETS

from airl_mm.datasets import STL10, read_stl10_images, write_stl10_split


def test_binary_layout_is_channel_planes_column_major(tmp_path):
    """Byte k of an image is channel c, column x, row y as the release's
    readers (e.g. reshape(3, 96, 96) then transpose to H x W)."""
    img = np.zeros((1, 96, 96, 3), dtype=np.uint8)
    img[0, 5, 7] = (10, 20, 30)  # row 5, column 7
    write_stl10_split(str(tmp_path), 'unlabeled', img)
    raw = np.fromfile(tmp_path / 'unlabeled_X.bin', dtype=np.uint8)
    assert raw.size == 3 * 96 * 96
    for c, value in enumerate((10, 20, 30)):
        assert raw[c * 96 * 96 + 7 * 96 + 5] == value
    assert np.array_equal(
        read_stl10_images(str(tmp_path / 'unlabeled_X.bin')), img)


def test_splits_images_and_labels(tmp_path):
    data = make_stl10(tmp_path)
    ds = DATASETS.build(
        dict(
            type='STL10',
            data_root=str(tmp_path),
            split=('unlabeled', 'train')))
    assert len(ds) == 7
    for i in range(4):
        info = ds.get_data_info(i)
        assert np.array_equal(info['img'], data['unlabeled'][0][i][..., ::-1])
        assert info['gt_label'] == -1
    for i in range(3):
        info = ds.get_data_info(4 + i)
        assert np.array_equal(info['img'], data['train'][0][i][..., ::-1])
        assert info['gt_label'] == data['train'][1][i]
    test = STL10(
        str(tmp_path),
        split='test',
        pipeline=[dict(type='PackSelfSupInputs', meta_keys=[])])
    assert len(test) == 2 and test.metainfo['classes'][0] == 'airplane'
    packed = test[1]
    assert tuple(packed['inputs'][0].shape) == (3, 96, 96)


def test_bad_data_fails_clearly(tmp_path):
    with pytest.raises(ValueError, match='split must be among'):
        STL10(str(tmp_path), split='val')
    with pytest.raises(FileNotFoundError, match='train_X.bin'):
        STL10(str(tmp_path), split='train')
    (tmp_path / 'train_X.bin').write_bytes(b'\0' * 100)
    with pytest.raises(ValueError, match='not a whole number'):
        STL10(str(tmp_path), split='train')
    img = np.zeros((2, 96, 96, 3), dtype=np.uint8)
    write_stl10_split(str(tmp_path), 'train', img, np.array([0, 1]))
    (tmp_path / 'train_y.bin').write_bytes(bytes([1, 2, 3]))
    with pytest.raises(ValueError, match='3 labels for 2 images'):
        STL10(str(tmp_path), split='train')
    with pytest.raises(ValueError, match='needs one label per image'):
        write_stl10_split(str(tmp_path), 'test', img)
