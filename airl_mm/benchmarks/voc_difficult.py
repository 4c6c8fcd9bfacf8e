"""PASCAL VOC with "difficult" objects as training targets (detectron2).

VOC marks some objects ``<difficult>1</difficult>``. detectron2, whose VOC
benchmark MoCo and the authors run, trains on them ("We include difficult
samples in training. Based on limited experiments, they don't hurt
accuracy": ``detectron2/data/datasets/pascal_voc.py``) and its evaluator
ignores them (the VOC devkit rule: neither a positive to find nor a false
positive when detected). mmdet 3.3's ``XMLDataset._parse_instance_info``
gives them ``ignore_flag=1`` in every split, ``PackDetInputs`` moves them to
``ignored_instances`` and the detectors train on ``gt_instances`` only, so
mmdet drops them from training.

:class:`VOCTrainDifficultDataset` is mmdet's ``VOCDataset`` that, outside
``test_mode``, turns a difficult object back into a regular target. In
``test_mode`` (the VOC07 test set of the benchmarks) it is ``VOCDataset``
exactly: difficult objects stay ignored by ``VOCMetric``. Objects that
``filter_cfg.bbox_min_size`` ignores stay ignored in both.
"""
import xml.etree.ElementTree as ET
from typing import List

from mmdet.datasets import VOCDataset
from mmdet.registry import DATASETS


def _is_difficult(obj: ET.Element) -> bool:
    flag = obj.find('difficult')
    return flag is not None and int(flag.text) == 1


@DATASETS.register_module()
class VOCTrainDifficultDataset(VOCDataset):
    """``VOCDataset`` whose training split keeps difficult objects as
    targets (detectron2's protocol); its test split is ``VOCDataset``'s.

    Args:
        train_difficult (bool): Whether difficult objects are regular
            training targets when not ``test_mode``. Defaults to True.
        **kwargs: ``VOCDataset``'s arguments.

    Each instance gains ``difficult`` (0 / 1), so that the flag is still
    known after ``ignore_flag`` changed.
    """

    def __init__(self, train_difficult: bool = True, **kwargs) -> None:
        # read by load_data_list, which the parent's __init__ calls
        self.train_difficult = train_difficult
        super().__init__(**kwargs)

    def _parse_instance_info(self,
                             raw_ann_info: ET,
                             minus_one: bool = True) -> List[dict]:
        """The host's instances, then difficult ones made targets.

        The host keeps one instance per ``<object>`` whose class is in the
        metainfo, in file order; the same filter pairs them up here.
        """
        instances = super()._parse_instance_info(raw_ann_info, minus_one)
        objects = [
            obj for obj in raw_ann_info.findall('object')
            if obj.find('name').text in self._metainfo['classes']
        ]
        if len(objects) != len(instances):  # a host change: fail loudly
            raise RuntimeError(
                f'{type(self).__name__}: {len(objects)} objects but '
                f'{len(instances)} instances parsed; mmdet\'s '
                'XMLDataset._parse_instance_info changed')
        min_size = self.bbox_min_size
        for obj, inst in zip(objects, instances):
            inst['difficult'] = int(_is_difficult(obj))
            if self.test_mode or not self.train_difficult or \
                    not inst['difficult']:
                continue
            x1, y1, x2, y2 = inst['bbox']
            small = min_size is not None and (x2 - x1 < min_size
                                              or y2 - y1 < min_size)
            inst['ignore_flag'] = int(small)
        return instances
