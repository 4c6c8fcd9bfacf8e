"""Fast drop-in versions of the Table-5 view transforms (BYOL's set).

Each class inherits the mmselfsup / mmcv transform it replaces, keeps its
arguments and draws its random parameters with the parent's own code, in
the same order from the same generators (Python's ``random`` for the crop
and grey, NumPy's for the rest). So for one seed a pipeline of these makes
exactly the draws the reference pipeline makes, and only the pixel maths
differs: it runs on the 224x224 uint8 crop with OpenCV and lookup tables
instead of round trips through PIL and float64 NumPy.

Agreement with the reference for the same draws (uint8 levels, tested in
``tests/datasets/transforms/test_fast_augment.py``; :data:`TOLERANCE`):

- crop + resize: identical when the crop shrinks (PIL's antialiased resize
  on a PIL crop, without the reference's array copies and conversions);
  within one level when it grows (OpenCV's bilinear); ``backend='cv2'`` is
  faster and approximate.
- solarize, brightness, contrast: identical or off by one level (PIL's
  blend formula as a lookup table; contrast's mean grey from OpenCV's
  luma).
- saturation, grey: off by at most one level (OpenCV's luma and rounding).
- hue: HSV round trip in OpenCV (hue on 256 steps, PIL: 255): a few levels
  on saturated pixels; mean difference below one level.
- blur: PIL's Gaussian blur is three extended box blurs, edges repeated,
  rounded after each; here the same boxes with ``cv2.sepFilter2D`` (which
  rounds after each row + column pass, not after each direction): a few
  levels at most, a small fraction of a level on average.
"""
import math
import random
from typing import Dict, Optional, Tuple

import cv2
import numpy as np
from mmcv.transforms import RandomFlip, RandomGrayscale
from mmselfsup.datasets.transforms import (ColorJitter, RandomGaussianBlur,
                                           RandomResizedCrop, RandomSolarize)
from mmselfsup.registry import TRANSFORMS
from PIL import Image

# Largest per-pixel difference (uint8 levels) from the reference for the
# same random draws, and the largest mean difference, per step (see above);
# for a whole Table-5 view ('pipeline': the steps' differences compound) the
# 99th percentile and the mean.
TOLERANCE: Dict[str, Tuple[int, float]] = {
    'pipeline': (8, 1.0),
    'crop': (1, 0.3),
    'solarize': (0, 0.0),
    'brightness': (1, 0.01),
    'contrast': (1, 0.05),
    'saturation': (1, 0.05),
    'gray': (1, 0.05),
    'hue': (16, 1.0),
    'blur': (3, 0.5),
}

_LEVELS = np.arange(256, dtype=np.float32)
_PIL_FILTERS = {
    'nearest': Image.NEAREST,
    'bilinear': Image.BILINEAR,
    'bicubic': Image.BICUBIC,
    'area': Image.BOX,
    'lanczos': Image.LANCZOS,
}
# PIL's luma (ITU-R 601-2, 16-bit fixed point), for BGR pixels.
_PIL_LUMA_BGR = np.array([[7471, 38470, 19595]], np.float32) / 65536


def _contiguous(img: np.ndarray) -> np.ndarray:
    # mmcv's RandomFlip returns a negative-stride view; OpenCV needs rows.
    return img if img.flags.c_contiguous else np.ascontiguousarray(img)


def pil_blend_lut(base: float, factor: float) -> np.ndarray:
    """PIL's ``Image.blend(constant, img, factor)`` as a 256-entry table.

    PIL computes ``base + factor * (x - base)`` in float32 and truncates
    (clipping first when extrapolating), as ``ImageEnhance`` uses it.
    """
    base32, f32 = np.float32(base), np.float32(factor)
    out = base32 + f32 * (_LEVELS - base32)
    return np.clip(out, 0, 255).astype(np.uint8)


def luma(img: np.ndarray) -> np.ndarray:
    """PIL's ``convert('L')`` of a BGR uint8 image (rounded luma)."""
    return cv2.transform(img, _PIL_LUMA_BGR)


def adjust_brightness(img: np.ndarray, factor: float) -> np.ndarray:
    """``ImageEnhance.Brightness(img).enhance(factor)``: a table lookup."""
    return cv2.LUT(img, pil_blend_lut(0., factor))


def adjust_contrast(img: np.ndarray, factor: float) -> np.ndarray:
    """``ImageEnhance.Contrast``: blend with the rounded mean grey."""
    mean = int(cv2.mean(luma(img))[0] + 0.5)
    return cv2.LUT(img, pil_blend_lut(mean, factor))


def adjust_saturation(img: np.ndarray, factor: float) -> np.ndarray:
    """``ImageEnhance.Color``: blend with the grey image, truncated."""
    grey = cv2.cvtColor(luma(img), cv2.COLOR_GRAY2BGR)
    # PIL truncates; OpenCV rounds: shift by just under half a level.
    return cv2.addWeighted(img, factor, grey, 1. - factor, -0.4999)


def adjust_hue(img: np.ndarray, factor: float) -> np.ndarray:
    """Rotate the hue by ``factor`` of a turn (mmcv's ``adjust_hue``)."""
    hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV_FULL)
    # mmcv: np.uint8(factor * 255) wraps negative shifts around.
    shift = int(factor * 255) % 256
    hsv[..., 0] = cv2.LUT(hsv[..., 0],
                          ((np.arange(256) + shift) % 256).astype(np.uint8))
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR_FULL)


def pil_box_kernel(sigma: float, passes: int = 3) -> np.ndarray:
    """One pass of PIL's ``GaussianBlur(radius=sigma)``: an extended box.

    PIL runs ``passes`` box blurs of radius ``l + a`` (``l`` whole pixels
    plus a fraction ``a`` of the next) whose variances add up to
    ``sigma**2`` (Pillow's ``_gaussian_blur_radius``).
    """
    sigma2 = sigma * sigma / passes
    big = math.sqrt(12. * sigma2 + 1.)
    whole = math.floor((big - 1.) / 2.)
    frac = (2 * whole + 1) * (whole * (whole + 1) - 3 * sigma2)
    frac /= 6 * (sigma2 - (whole + 1) * (whole + 1))
    box = np.ones(2 * whole + 3)
    box[0] = box[-1] = frac
    return (box / box.sum()).astype(np.float32)


def gaussian_blur(img: np.ndarray,
                  sigma: float,
                  passes: int = 3) -> np.ndarray:
    """PIL's Gaussian blur: ``passes`` box blurs, each rounded to uint8
    with the edge pixels repeated (as PIL's; one separable OpenCV filter
    per pass, which blurs rows and columns)."""
    k = pil_box_kernel(sigma, passes)
    for _ in range(passes):
        img = cv2.sepFilter2D(img, -1, k, k, borderType=cv2.BORDER_REPLICATE)
    return img


_SOLARIZE_LUTS: Dict[float, np.ndarray] = {}


def solarize_lut(threshold: float) -> np.ndarray:
    """mmcv's ``solarize``: ``x if x < threshold else 255 - x``."""
    if threshold not in _SOLARIZE_LUTS:
        x = np.arange(256)
        _SOLARIZE_LUTS[threshold] = np.where(x < threshold, x,
                                             255 - x).astype(np.uint8)
    return _SOLARIZE_LUTS[threshold]


@TRANSFORMS.register_module()
class FastRandomResizedCrop(RandomResizedCrop):
    """mmselfsup's ``RandomResizedCrop`` (same arguments, same draws).

    With ``backend='pillow'`` a crop to shrink is cut from one PIL image and
    resized by PIL (the reference's output, without its array copy of the
    crop and array <-> PIL round trip); a crop to enlarge, where PIL's
    bilinear filter has no antialiasing, is resized in place by OpenCV's
    bilinear (within one level of PIL, six times faster). ``backend='cv2'``
    uses OpenCV for both (shrinking: bilinear to twice the size, then 2x2
    area; close to PIL's antialiasing, not equal). Records ``crop_bbox``
    (x0, y0, x1, y1).
    """

    def transform(self, results: dict) -> dict:
        img = results['img']
        ymin, xmin, ymax, xmax = self.get_params(img, self.scale, self.ratio,
                                                 self.max_attempts)
        h, w = self.size
        upscale = ymax - ymin < h and xmax - xmin < w
        if self.backend == 'pillow' and not (upscale and self.interpolation
                                             == 'bilinear'):
            pil = Image.fromarray(_contiguous(img))
            out = pil.crop((xmin, ymin, xmax + 1, ymax + 1)).resize(
                (w, h), _PIL_FILTERS[self.interpolation])
            out = np.asarray(out)
        else:
            roi = img[ymin:ymax + 1, xmin:xmax + 1]
            if roi.shape[0] > h or roi.shape[1] > w:
                roi = cv2.resize(
                    roi, (2 * w, 2 * h), interpolation=cv2.INTER_LINEAR)
                out = cv2.resize(roi, (w, h), interpolation=cv2.INTER_AREA)
            else:
                out = cv2.resize(roi, (w, h), interpolation=cv2.INTER_LINEAR)
        results['img'] = out
        results['img_shape'] = out.shape[:2]
        results['crop_bbox'] = (xmin, ymin, xmax, ymax)
        return results


@TRANSFORMS.register_module()
class FastRandomFlip(RandomFlip):
    """mmcv's ``RandomFlip`` (same arguments and draw), by OpenCV.

    For one direction with a float ``prob``, the draw is the uniform number
    ``np.random.choice(..., p=...)`` itself takes, without its overhead;
    the flipped image is contiguous. Boxes, maps and keypoints, and other
    settings, go to mmcv's code.
    """

    _CODES = {'horizontal': 1, 'vertical': 0, 'diagonal': -1}

    def _choose_direction(self) -> Optional[str]:
        if not (isinstance(self.direction, str)
                and isinstance(self.prob, float)):
            return super()._choose_direction()
        # np.random.choice([d, None], p=[prob, 1 - prob]): one uniform u,
        # d when u falls below the first cumulative probability.
        cdf = np.cumsum([self.prob, 1. - self.prob])
        u = np.random.random_sample()
        return self.direction if u < cdf[0] / cdf[-1] else None

    def _flip(self, results: dict) -> None:
        if results.keys() & {'gt_bboxes', 'gt_seg_map', 'gt_keypoints'}:
            return super()._flip(results)
        results['img'] = cv2.flip(
            _contiguous(results['img']),
            self._CODES[results['flip_direction']])


@TRANSFORMS.register_module()
class FastColorJitter(ColorJitter):
    """mmselfsup's ``ColorJitter`` (random order, same draws), in OpenCV.

    Records ``color_jitter`` = (brightness, contrast, saturation, hue
    factors, order).
    """

    OPS = (adjust_brightness, adjust_contrast, adjust_saturation, adjust_hue)

    def transform(self, results: dict) -> dict:
        params = self.get_params(self.brightness, self.contrast,
                                 self.saturation, self.hue)
        *factors, order = params
        img = _contiguous(results['img'].astype(np.uint8, copy=False))
        for i in order:
            if factors[i] is not None:
                img = self.OPS[i](img, factors[i])
        results['img'] = img
        results['color_jitter'] = (*factors, tuple(int(i) for i in order))
        return results


@TRANSFORMS.register_module()
class FastRandomGrayscale(RandomGrayscale):
    """mmcv's ``RandomGrayscale`` (same weights and draw), one OpenCV call.

    The reference sums the normalised channel weights in float64 and
    truncates; one ``cv2.transform`` does it for all output channels.
    Records ``grayscale``.
    """

    def _matrix(self, channels: int) -> np.ndarray:
        key = (channels, self.keep_channels)
        cache = self.__dict__.setdefault('_matrices', {})
        if key not in cache:
            w = np.asarray(self.channel_weights, np.float64)
            rows = channels if self.keep_channels else 1
            # Last column: an offset just under -1/2 so rounding truncates.
            row = np.append(w / w.sum(), -0.4999)
            cache[key] = np.tile(row, (rows, 1)).astype(np.float32)
        return cache[key]

    def transform(self, results: dict) -> dict:
        img = results['img']
        applied = self._random_prob() < self.prob
        if applied and img.ndim == 3 and img.shape[2] > 1:
            if img.shape[2] != len(self.channel_weights):
                raise ValueError(
                    f'RandomGrayscale: channel_weights has '
                    f'{len(self.channel_weights)} entries for an image with '
                    f'{img.shape[2]} channels')
            img = cv2.transform(_contiguous(img), self._matrix(img.shape[2]))
            results['img'] = img
        results['grayscale'] = applied
        return results


@TRANSFORMS.register_module()
class FastRandomGaussianBlur(RandomGaussianBlur):
    """mmselfsup's ``RandomGaussianBlur`` (same draws): PIL's kernel in one
    OpenCV separable filter. Records ``blur_sigma`` (None: not applied)."""

    def transform(self, results: dict) -> dict:
        sigma: Optional[float] = None
        if np.random.rand() <= self.prob:
            sigma = float(np.random.uniform(self.sigma_min, self.sigma_max))
            results['img'] = gaussian_blur(
                _contiguous(results['img'].astype(np.uint8, copy=False)),
                sigma)
        results['blur_sigma'] = sigma
        return results


@TRANSFORMS.register_module()
class FastRandomSolarize(RandomSolarize):
    """mmselfsup's ``RandomSolarize`` (same draw) as a table lookup.
    Records ``solarize``."""

    def transform(self, results: dict) -> dict:
        applied = bool(np.random.rand() <= self.prob)
        if applied:
            img = _contiguous(results['img'].astype(np.uint8, copy=False))
            results['img'] = cv2.LUT(img, solarize_lut(self.threshold))
        results['solarize'] = applied
        return results


def seed_all(seed: int) -> None:
    """Seed both generators the view transforms draw from."""
    random.seed(seed)
    np.random.seed(seed)
