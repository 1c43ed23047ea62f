"""load_image: every upload becomes an RGB/L image or an ImageError."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from vizconv import ImageError, load_image
from vizconv.images import MAX_UPLOAD_BYTES, fit_image, image_to_tensor


def _encode(image: Image.Image, fmt: str = "PNG", **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF"])
def test_allowed_formats_load(fmt):
    image = Image.new("RGB", (7, 5), (200, 10, 10))
    loaded = load_image(_encode(image, fmt))
    assert loaded.mode in ("RGB", "L")
    assert loaded.size == (7, 5)


def test_file_objects_and_bytes_give_the_same_image():
    raw = _encode(Image.new("L", (4, 4), 128))
    assert np.array_equal(np.asarray(load_image(raw)), np.asarray(load_image(io.BytesIO(raw))))


def test_grayscale_stays_one_channel_and_colour_three():
    gray = load_image(_encode(Image.new("L", (3, 3), 10)))
    colour = load_image(_encode(Image.new("RGB", (3, 3), (1, 2, 3))))
    assert image_to_tensor(gray).shape == (1, 3, 3)
    assert image_to_tensor(colour).shape == (3, 3, 3)


def test_transparency_is_composited_on_white():
    image = Image.new("RGBA", (2, 2), (0, 0, 0, 0))
    assert load_image(_encode(image)).getpixel((0, 0)) == (255, 255, 255)


def test_exif_orientation_is_applied():
    image = Image.new("RGB", (4, 2), (0, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise when shown
    loaded = load_image(_encode(image, "JPEG", exif=exif.tobytes()))
    assert loaded.size == (2, 4)


def test_sixteen_bit_images_are_stretched_not_clipped():
    values = np.array([[0, 1000], [2000, 4000]], dtype=np.uint16)
    loaded = load_image(_encode(Image.fromarray(values)))
    assert loaded.mode == "L"
    assert np.asarray(loaded).tolist() == [[0, 64], [128, 255]]


def test_animation_gives_its_first_frame():
    frames = [Image.new("L", (3, 3), v) for v in (0, 255)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    assert np.asarray(load_image(buffer.getvalue())).max() == 0


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "empty"),
        (b"hello, this is text", "not an image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "not an image"),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n", "not an image"),
        (_encode(Image.new("RGB", (64, 64)), "PNG")[:60], "damaged"),
        (b"\x00" * (MAX_UPLOAD_BYTES + 1), "larger than"),
    ],
)
def test_bad_uploads_are_explained(data, match):
    with pytest.raises(ImageError, match=match):
        load_image(data)


def test_decompression_bombs_are_refused():
    # a 1-bit PNG of 8000 x 8000 is tiny on disk and 64 MP decoded, over our 40 MP cap
    bomb = _encode(Image.new("1", (8000, 8000)))
    with pytest.raises(ImageError, match="too many"):
        load_image(bomb)


@given(st.binary(max_size=2048))
def test_random_bytes_give_an_image_or_an_image_error(data):
    try:
        image = load_image(data)
    except ImageError:
        return
    assert image.mode in ("RGB", "L")


@given(st.integers(0, 300), st.integers(0, 255))
def test_mutated_png_gives_an_image_or_an_image_error(position, value):
    raw = bytearray(_encode(Image.new("RGB", (9, 7), (40, 80, 120))))
    raw[position % len(raw)] = value
    try:
        image = load_image(bytes(raw))
    except ImageError:
        return
    assert image.mode in ("RGB", "L")


def test_fit_image_keeps_the_aspect_ratio():
    assert fit_image(Image.new("RGB", (200, 100)), 20).size == (20, 10)
    assert fit_image(Image.new("RGB", (5, 10)), 40).size == (20, 40)


def test_image_to_tensor_scales_to_unit_range():
    tensor = image_to_tensor(Image.new("L", (2, 2), 255))
    assert tensor.dtype == torch.float32
    assert float(tensor.max()) == 1.0
