"""Reading uploads safely and turning images into [C, H, W] tensors.

Everything a student uploads goes through ``load_image``: it returns a PIL
image in mode "RGB" or "L", or raises ``ImageError`` with a message the page
can show. Pillow's process-wide limits are set once, here, at import.

A small file can describe a huge image (a 77 KB PNG of 6300 x 6300 16-bit
zeros, a 39 KB PNG of 40,000,000 x 1 pixels), so the cost of an upload is
bounded from its header, before anything is decoded: pixels, aspect ratio and
the memory decoding takes. Large images are reduced while they are decoded
(JPEG's DCT scaling, then whole-block averages) to about WORK_PIXELS, more
than any page needs; pages decode an upload once per session (``decode_once``).
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from collections.abc import Callable, MutableMapping
from typing import BinaryIO

import numpy as np
import torch
from PIL import Image, ImageMode, UnidentifiedImageError

from vizconv.errors import ImageError

__all__ = [
    "ALLOWED_FORMATS",
    "MAX_ASPECT",
    "MAX_DECODE_BYTES",
    "MAX_PIXELS",
    "MAX_UPLOAD_BYTES",
    "WORK_PIXELS",
    "decode_once",
    "fit_image",
    "image_to_tensor",
    "load_image",
    "picture_size",
]

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF")  # never let Pillow sniff EPS and friends
MAX_UPLOAD_BYTES = 8 * 1024 * 1024  # a phone photo is 2-6 MB
MAX_PIXELS = 40_000_000  # a 48 MP phone photo is over; Pillow's own default is 89 MP
MAX_ASPECT = 20  # a side at most 20 times the other: a phone panorama is 4-8; at 64 px a 20:1 picture is 3 px high
# Memory to decode an image and reduce it (the decoded frame as Pillow stores it, plus the one working copy some
# modes need): a 40 MP RGB PNG (160 MB) is accepted, a 40 MP RGBA PNG (320 MB) is not.
MAX_DECODE_BYTES = 256 * 1024 * 1024
# Larger images are reduced to about this many pixels (1 MP, 4 MB in RGB) as they are decoded: the largest input
# any page makes from a picture is ResNet-18's (shorter side 256), the Convolution page's is 64 pixels.
WORK_PIXELS = 1 << 20

Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# Pillow only warns between MAX_IMAGE_PIXELS and twice that; treat the warning as the error it is.
warnings.simplefilter("error", Image.DecompressionBombWarning)


_SIXTEEN_BIT = ("I;16", "I;16B", "I;16L", "I;16N")
# Bytes a pixel of a mode needs for its copy in a mode that can be reduced: palettes become colours, transparency
# is premultiplied (so transparent pixels' colours do not bleed in).
_WORK_COPY = {"1": 1, "P": 4, "PA": 4, "RGBA": 4, "LA": 4}
# EXIF orientation -> the transpose that shows the picture upright (as PIL.ImageOps.exif_transpose).
_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _read_bytes(data: bytes | bytearray | memoryview | BinaryIO) -> bytes:
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data[: MAX_UPLOAD_BYTES + 1])
    elif hasattr(data, "read"):
        if hasattr(data, "seek"):
            data.seek(0)
        raw = data.read(MAX_UPLOAD_BYTES + 1)
        if not isinstance(raw, (bytes, bytearray)):
            raise ImageError("img.not_binary")
        raw = bytes(raw)
    else:
        raise ImageError("img.not_binary")
    if not raw:
        raise ImageError("img.empty")
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ImageError("img.too_large_bytes", limit_mb=MAX_UPLOAD_BYTES // (1024 * 1024))
    return raw


def _to_gray_8bit(image: Image.Image) -> Image.Image:
    """16-bit, 32-bit int and float images stretched to 0..255 (Pillow's own convert clips at 255)."""
    values = np.asarray(image, dtype=np.float64)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return Image.new("L", image.size, 0)
    low, high = float(finite.min()), float(finite.max())
    scaled = np.zeros_like(values) if high == low else (values - low) / (high - low) * 255.0
    scaled = np.nan_to_num(scaled, nan=0.0, posinf=255.0, neginf=0.0)
    return Image.fromarray(np.clip(np.rint(scaled), 0, 255).astype(np.uint8), mode="L")


def _normalise_mode(image: Image.Image) -> Image.Image:
    """Any Pillow mode as "RGB" or "L"; transparency composited on white."""
    if image.mode in _SIXTEEN_BIT or image.mode in ("I", "F"):
        return _to_gray_8bit(image)
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode == "PA":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "La", "RGBa"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        composed = Image.alpha_composite(background, rgba).convert("RGB")
        return composed.convert("L") if image.mode in ("LA", "La") else composed
    if image.mode in ("1", "L"):
        return image.convert("L")
    return image.convert("RGB")  # RGB, CMYK, YCbCr, LAB, HSV, RGBX


def _bytes_per_pixel(mode: str) -> int:
    """Bytes Pillow stores a pixel of ``mode`` in (2 to 4 bands of 8 bits take 4 bytes)."""
    described = ImageMode.getmode(mode)
    bands, size = len(described.bands), np.dtype(described.typestr).itemsize
    return 4 if size == 1 and bands > 1 else bands * size


def _decode_bytes(width: int, height: int, mode: str) -> int:
    """Memory (bytes) that decoding a ``width`` x ``height`` image of ``mode`` and reducing it takes."""
    return width * height * (_bytes_per_pixel(mode) + _WORK_COPY.get(mode, 0))


def _reduction(width: int, height: int) -> int:
    """The smallest whole factor that brings the image to at most WORK_PIXELS (1: it is small enough)."""
    factor = max(1, math.ceil(math.sqrt(width * height / WORK_PIXELS)))
    while math.ceil(width / factor) * math.ceil(height / factor) > WORK_PIXELS:
        factor += 1
    return factor


def _reduce(image: Image.Image, factor: int) -> Image.Image:
    """A loaded image averaged over ``factor`` x ``factor`` blocks (transparency premultiplied)."""
    if image.mode in _SIXTEEN_BIT:  # Image.reduce refuses these; a box filter is the same average
        size = (math.ceil(image.width / factor), math.ceil(image.height / factor))
        return image.resize(size, Image.Resampling.BOX)
    if image.mode == "1":
        image = image.convert("L")
    elif image.mode in ("P", "PA"):
        image = image.convert("RGBA" if image.mode == "PA" or "transparency" in image.info else "RGB")
    if image.mode == "RGBA":
        return image.convert("RGBa").reduce(factor).convert("RGBA")
    if image.mode == "LA":
        return image.convert("La").reduce(factor).convert("LA")
    return image.reduce(factor)


def _check_size(width: int, height: int) -> None:
    if width < 1 or height < 1:
        raise ImageError("img.empty")
    if max(width, height) > MAX_ASPECT * min(width, height):
        raise ImageError("img.too_elongated", width=width, height=height, limit=MAX_ASPECT)


def load_image(data: bytes | bytearray | memoryview | BinaryIO) -> Image.Image:
    """An uploaded file (bytes or a binary file object) as a PIL image in mode "RGB" or "L".

    EXIF orientation is applied, transparency is composited on white, 16-bit
    and float images are normalised, and an animation gives its first frame.
    An image over WORK_PIXELS is reduced as it is decoded (its aspect ratio
    kept); smaller ones are returned at their own size. Anything else raises
    ImageError with a message for the page: an unreadable file, and one whose
    header asks for more than MAX_PIXELS, MAX_ASPECT or MAX_DECODE_BYTES.
    """
    raw = _read_bytes(data)
    try:
        with Image.open(io.BytesIO(raw), formats=ALLOWED_FORMATS) as opened:
            if opened.width * opened.height > MAX_PIXELS:  # also where warning filters were reset
                raise Image.DecompressionBombError("too many pixels")
            _check_size(opened.width, opened.height)
            opened.seek(0)
            factor = _reduction(opened.width, opened.height)
            if factor > 1:  # a JPEG is decoded at 1/2, 1/4 or 1/8 of its size (DCT scaling); others ignore draft
                opened.draft(None, (math.ceil(opened.width / factor), math.ceil(opened.height / factor)))
                factor = _reduction(opened.width, opened.height)
            need = _decode_bytes(opened.width, opened.height, opened.mode)
            if need > MAX_DECODE_BYTES:
                raise ImageError(
                    "img.too_much_memory",
                    width=opened.width,
                    height=opened.height,
                    need=math.ceil(need / 2**20),
                    limit=MAX_DECODE_BYTES // 2**20,
                )
            opened.load()
            orientation = opened.getexif().get(0x0112)  # after load: a PNG's EXIF may follow its pixels
            image = _reduce(opened, factor) if factor > 1 else opened
            if orientation in _ORIENTATION:
                image = image.transpose(_ORIENTATION[orientation])
            image = _normalise_mode(image)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError("img.too_many_pixels", limit=f"{MAX_PIXELS:,}") from exc
    except UnidentifiedImageError as exc:
        raise ImageError("img.unknown_format", formats=", ".join(ALLOWED_FORMATS)) from exc
    except ImageError:
        raise
    except (OSError, SyntaxError, ValueError, TypeError, IndexError, KeyError, EOFError, ZeroDivisionError) as exc:
        # Pillow's decoders signal a truncated or corrupt file with any of these.
        raise ImageError("img.corrupt") from exc
    if image.width < 1 or image.height < 1:
        raise ImageError("img.empty")
    return image


def decode_once(
    store: MutableMapping, slot: str, data: bytes, decode: Callable[[bytes], Image.Image] | None = None
) -> Image.Image:
    """``decode(data)`` (load_image by default), kept in ``store[slot]`` with the data's sha256 and reused while
    the data is the same.

    A page keeps one slot per uploader in its session state, so an upload is decoded once, not on every rerun,
    and stays private to its session. A refusal is kept too (and raised again as a new ImageError).
    """
    digest = hashlib.sha256(data).hexdigest()
    kept = store.get(slot)
    if kept is None or kept[0] != digest:
        try:
            kept = (digest, (decode or load_image)(data), None)
        except ImageError as exc:
            kept = (digest, None, (exc.key, exc.params))
        store[slot] = kept
    if kept[2] is not None:
        key, params = kept[2]
        raise ImageError(key, **params)
    return kept[1]


def picture_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a file that load_image accepted, read from its header (nothing is decoded)."""
    with Image.open(io.BytesIO(bytes(data)), formats=ALLOWED_FORMATS) as image:
        return image.size


def fit_image(image: Image.Image, side: int) -> Image.Image:
    """The image scaled so its longer side is ``side`` pixels (aspect ratio kept)."""
    scale = side / max(image.width, image.height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS if scale < 1 else Image.Resampling.BICUBIC)


def image_to_tensor(image: Image.Image, channels: int | None = None) -> torch.Tensor:
    """A PIL image as a float tensor [C, H, W] in 0..1; channels 1 (gray) or 3 (RGB), default as the image is."""
    if channels is None:
        channels = 1 if image.mode == "L" else 3
    converted = image.convert("L" if channels == 1 else "RGB")
    array = np.asarray(converted, dtype=np.float32) / 255.0  # (H, W) or (H, W, 3)
    array = array[None] if array.ndim == 2 else array.transpose(2, 0, 1)
    return torch.from_numpy(np.ascontiguousarray(array))
