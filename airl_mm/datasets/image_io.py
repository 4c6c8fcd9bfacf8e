"""Reading image files: one error, naming the file, for every unreadable one.

mmcv's ``LoadImageFromFile`` says ``failed to load image: <path>`` when the
decoder returns nothing (a truncated file, a text file), but a 0-byte file
stops inside OpenCV (``(-215:Assertion failed) !buf.empty() in function
'imdecode_'``) and its ``pillow`` backend names no file for any of them.
Every image reader of ours goes through :func:`read_image` /
:func:`decode_image`, and :mod:`airl_mm.compat` (fix 7) routes the hosts'
loaders (mmcv's ``LoadImageFromFile`` and the segmentation-map loaders of
mmcv, mmdet and mmseg) through :func:`image_load_error`, so every one of
them raises :class:`ImageLoadError` with ``failed to load image: <path>
(<reason>)``.

A missing file stays a ``FileNotFoundError`` (which names it).
"""
import os.path as osp
from typing import Optional

import cv2
import numpy as np

MESSAGE = 'failed to load image: {path} ({reason})'
EMPTY = 'empty file (0 bytes)'
UNDECODABLE = ('the decoder returned no image: a truncated or corrupt file, '
               'or not an image')
# What decoders raise on a bad file: mmcv's assertion on a None image,
# OpenCV's on empty bytes, PIL's (UnidentifiedImageError, truncated:
# OSError; some formats: SyntaxError), tifffile/turbojpeg (ValueError).
DECODE_ERRORS = (AssertionError, OSError, ValueError, SyntaxError, cv2.error)


class ImageLoadError(OSError):
    """An image file exists but cannot be decoded (empty, truncated, not
    an image). Built by :func:`image_load_error`; takes one message so
    that a dataloader worker can re-raise it in the main process."""


def image_load_error(path: str,
                     cause: Optional[BaseException] = None,
                     content: Optional[bytes] = None) -> ImageLoadError:
    """The error for the unreadable image ``path``.

    Args:
        path (str): The file (as given to the loader).
        cause (BaseException, optional): What the decoder raised; ``None``
            when it returned no image.
        content (bytes, optional): The bytes read, when known; otherwise
            a local ``path`` is checked for being empty.

    Returns:
        ImageLoadError: ``failed to load image: <path> (<reason>)``.
    """
    if content is not None:
        empty = len(content) == 0
    else:  # remote backends: no size to check, the cause says enough
        empty = osp.isfile(path) and osp.getsize(path) == 0
    if empty:
        reason = EMPTY
    elif cause is None or isinstance(cause, AssertionError):
        # mmcv asserts on a None image: its message only repeats the path
        reason = UNDECODABLE
    else:
        first = (str(cause).strip().splitlines() or [''])[0]
        reason = f'{type(cause).__name__}: {first}'
    return ImageLoadError(MESSAGE.format(path=path, reason=reason))


def decode_image(content: bytes,
                 path: str,
                 flag: int = cv2.IMREAD_COLOR) -> np.ndarray:
    """Decode the bytes of ``path`` with OpenCV (BGR for colour).

    ``cv2.imdecode``, as mmcv's default backend: a truncated JPEG is
    refused (``cv2.imread`` would return it grey-filled).

    Raises:
        ImageLoadError: empty, truncated, or not an image.
    """
    if not content:
        raise image_load_error(path, content=content)
    try:
        img = cv2.imdecode(np.frombuffer(content, np.uint8), flag)
    except cv2.error as e:
        raise image_load_error(path, e, content) from e
    if img is None:
        raise image_load_error(path, content=content)
    return img


def read_image(path: str, flag: int = cv2.IMREAD_COLOR) -> np.ndarray:
    """Read and decode the image file ``path`` (BGR for colour).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ImageLoadError: empty, truncated, or not an image.
    """
    with open(path, 'rb') as f:
        content = f.read()
    return decode_image(content, path, flag)
