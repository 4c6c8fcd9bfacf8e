"""Tab. 6 (Appendix B.2): ImageNet-1k relabelled by a coarser taxonomy.

:class:`TaxonomyRelabel` keeps every image of an ImageNet-1k dataset and
replaces its label (0..999, ImageNet's class order) by the merged label of
a taxonomy of :mod:`airl_mm.datasets.taxonomy` (``2art``, ``2imb``, ``10``,
``79``, ``127``), read from the mapping the package ships: no WordNet at
run time. ``configs/supervised/supervised_r50_100e_in1k_taxonomy-*.py``
use it on the training and validation sets.
"""
import copy
import os.path as osp
from typing import List, Optional, Union

import numpy as np
from mmengine.logging import print_log
from mmselfsup.registry import DATASETS

from .taxonomy import WNID_RE, load_taxonomy


@DATASETS.register_module()
class TaxonomyRelabel:
    """Every sample of ``dataset``, its ``gt_label`` mapped by a taxonomy.

    The wrapped dataset's labels must be ImageNet-1k's (0..999 in wnid
    order, as mmpretrain's ImageNet reads them from ``meta/*.txt`` or from
    the class folders). Where a sample's folder is named by a wnid
    (``train/n01440764/x.JPEG``) it must be the wnid of its label, which
    catches a dataset in another class order. The pipeline runs on the
    relabelled sample, so packed ``data_samples`` carry the new label.

    Args:
        dataset (dict | Dataset): The ImageNet-1k dataset (a config is built
            in the current scope).
        taxonomy (str): The taxonomy's key in the mapping file.
        mapping_file (str, optional): A mapping file other than the one the
            package ships (``airl_mm/datasets/data/imagenet_taxonomies
            .json``).
        lazy_init (bool): Defer loading as mmengine's wrappers do.
            Defaults to False.

    Raises:
        KeyError: No such taxonomy, or a sample without ``gt_label``.
        ValueError: A label outside 0..999, or a folder wnid that is not
            its label's.
    """

    def __init__(self,
                 dataset: Union[dict, object],
                 taxonomy: str,
                 mapping_file: Optional[str] = None,
                 lazy_init: bool = False) -> None:
        self.taxonomy = load_taxonomy(taxonomy, mapping_file)
        self.dataset = (
            DATASETS.build(dataset) if isinstance(dataset, dict) else dataset)
        self.labels: np.ndarray = np.zeros(0, dtype=np.int64)
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        """The wrapped dataset's, with the merged classes' names."""
        meta = copy.deepcopy(self.dataset.metainfo)
        meta['classes'] = tuple(self.taxonomy.classes)
        return meta

    def _imagenet_label(self, idx: int) -> int:
        info = self.dataset.get_data_info(idx)
        if 'gt_label' not in info:
            raise KeyError(
                f'TaxonomyRelabel: sample {idx} of '
                f'{type(self.dataset).__name__} has no \'gt_label\' (an '
                'ImageNet needs its ann_file with labels, e.g. '
                'meta/train.txt)')
        label = int(np.asarray(info['gt_label']).reshape(-1)[0])
        wnids = self.taxonomy.wnids
        if not 0 <= label < len(wnids):
            raise ValueError(
                f'TaxonomyRelabel: sample {idx} ({info.get("img_path")}) has '
                f'label {label}, not an ImageNet-1k class (0..'
                f'{len(wnids) - 1})')
        folder = osp.basename(osp.dirname(str(info.get('img_path', ''))))
        if WNID_RE.match(folder) and folder != wnids[label]:
            raise ValueError(
                f'TaxonomyRelabel: {info["img_path"]} is in folder {folder} '
                f'but has label {label}, which is {wnids[label]} in '
                'ImageNet-1k\'s class order (labels must be 0..999 in wnid '
                'order)')
        return label

    def full_init(self) -> None:
        if self._fully_initialized:
            return
        if hasattr(self.dataset, 'full_init'):
            self.dataset.full_init()
        table = np.asarray(self.taxonomy.labels, dtype=np.int64)
        old = [self._imagenet_label(i) for i in range(len(self.dataset))]
        self.labels = table[np.asarray(old, dtype=np.int64)]
        self._fully_initialized = True
        print_log(
            f'TaxonomyRelabel: {len(self.labels)} samples relabelled by '
            f'taxonomy {self.taxonomy.name!r} ({self.taxonomy.num_classes} '
            f'classes; {np.unique(self.labels).size} present)',
            logger='current')

    def get_data_info(self, idx: int) -> dict:
        self.full_init()
        info = copy.copy(self.dataset.get_data_info(idx))
        info['gt_label'] = int(self.labels[idx])
        return info

    def get_cat_ids(self, idx: int) -> List[int]:
        self.full_init()
        return [int(self.labels[idx])]

    def get_gt_labels(self) -> np.ndarray:
        self.full_init()
        return self.labels.copy()

    def __getitem__(self, idx: int):
        """The wrapped dataset's pipeline on the relabelled sample; as
        mmengine's BaseDataset, a training sample the pipeline drops
        (None) is replaced by a random other one."""
        self.full_init()
        pipeline = self.dataset.pipeline
        if getattr(self.dataset, 'test_mode', False):
            data = pipeline(self.get_data_info(idx))
            if data is None:
                raise RuntimeError('TaxonomyRelabel: the test pipeline '
                                   f'dropped sample {idx}')
            return data
        tries = getattr(self.dataset, 'max_refetch', 1000) + 1
        for _ in range(tries):
            data = pipeline(self.get_data_info(idx))
            if data is not None:
                return data
            idx = np.random.randint(0, len(self))
        raise RuntimeError(f'TaxonomyRelabel: the pipeline dropped {tries} '
                           'samples in a row')

    def __len__(self) -> int:
        self.full_init()
        return len(self.labels)
