"""Reading uploads safely and turning images into [C, H, W] tensors.

Everything a student uploads goes through ``load_image``: it returns a PIL
image in mode "RGB" or "L", or raises ``ImageError`` with a message the page
can show. Pillow's process-wide limits are set once, here, at import.
"""

from __future__ import annotations

import io
import warnings
from typing import BinaryIO

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from vizconv.errors import ImageError

__all__ = [
    "ALLOWED_FORMATS",
    "MAX_PIXELS",
    "MAX_UPLOAD_BYTES",
    "fit_image",
    "image_to_tensor",
    "load_image",
    "picture_size",
]

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF")  # never let Pillow sniff EPS and friends
MAX_UPLOAD_BYTES = 8 * 1024 * 1024  # a phone photo is 2-6 MB
MAX_PIXELS = 40_000_000  # a 48 MP phone photo is over; Pillow's own default is 89 MP

Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# Pillow only warns between MAX_IMAGE_PIXELS and twice that; treat the warning as the error it is.
warnings.simplefilter("error", Image.DecompressionBombWarning)


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
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
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


def load_image(data: bytes | bytearray | memoryview | BinaryIO) -> Image.Image:
    """An uploaded file (bytes or a binary file object) as a PIL image in mode "RGB" or "L".

    EXIF orientation is applied, transparency is composited on white, 16-bit
    and float images are normalised, and an animation gives its first frame.
    Anything else raises ImageError with a message for the page.
    """
    raw = _read_bytes(data)
    try:
        with Image.open(io.BytesIO(raw), formats=ALLOWED_FORMATS) as opened:
            if opened.width * opened.height > MAX_PIXELS:  # also where warning filters were reset
                raise Image.DecompressionBombError("too many pixels")
            opened.seek(0)
            opened.load()
            image = ImageOps.exif_transpose(opened)
            image = _normalise_mode(image)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError("img.too_many_pixels", limit=f"{MAX_PIXELS:,}") from exc
    except UnidentifiedImageError as exc:
        raise ImageError("img.unknown_format", formats=", ".join(ALLOWED_FORMATS)) from exc
    except (OSError, SyntaxError, ValueError, TypeError, IndexError, KeyError, EOFError, ZeroDivisionError) as exc:
        # Pillow's decoders signal a truncated or corrupt file with any of these.
        raise ImageError("img.corrupt") from exc
    if image.width < 1 or image.height < 1:
        raise ImageError("img.empty")
    return image


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
