"""Uploaded images are checked by their bytes, stripped of EXIF (GPS included), resized and named by content."""
from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image

from calendar_app.media import images
from tests.media.images import PDF_AS_JPG, encoded, noisy_jpeg, photo_with_gps, png_claiming


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_are_accepted_and_stored_in_three_sizes_as_webp_and_jpeg(fmt):
    poster = images.process(encoded(fmt, size=(1500, 2000)))
    assert poster.key.endswith("-1500x2000")
    sizes = {name.split("-")[-1]: _open(data).size for name, data in poster.files.items()}
    assert sizes == {"thumb.webp": (160, 160), "thumb.jpg": (160, 160), "card.webp": (640, 853), "card.jpg": (640, 853),
                     "full.webp": (960, 1280), "full.jpg": (960, 1280)}
    assert {_open(data).format for name, data in poster.files.items() if name.endswith(".jpg")} == {"JPEG"}
    assert {_open(data).format for name, data in poster.files.items() if name.endswith(".webp")} == {"WEBP"}


def test_the_size_a_page_writes_matches_the_stored_file():
    poster = images.process(encoded("PNG", size=(777, 555)))
    for size in images.SIZES:
        stored = _open(poster.files[images.file_name(poster.key, size, "jpg")]).size
        assert images.variant_size(poster.key, size) == stored


def test_small_images_are_never_enlarged():
    poster = images.process(encoded("JPEG", size=(300, 400)))
    assert _open(poster.files[images.file_name(poster.key, "full", "jpg")]).size == (300, 400)


def test_gps_and_camera_exif_never_reach_the_stored_files_and_the_photo_is_turned_upright():
    upload = photo_with_gps(size=(300, 200))
    assert _open(upload).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the upload does carry a position
    poster = images.process(upload)
    assert poster.key.endswith("-200x300")  # Orientation 6 applied: portrait now
    for name, data in poster.files.items():
        stored = _open(data)
        assert dict(stored.getexif()) == {}, name
        assert "exif" not in stored.info and b"Exif" not in data and b"TestPhone" not in data, name


def test_the_same_upload_gets_the_same_names_and_another_upload_other_names():
    one, again, other = (images.process(encoded("PNG", colour=c)) for c in ((1, 2, 3), (1, 2, 3), (3, 2, 1)))
    assert one.key == again.key and one.files.keys() == again.files.keys()
    assert one.key != other.key


def test_a_decompression_bomb_is_refused_before_any_pixel_is_decoded():
    bomb = png_claiming(30_000, 30_000)  # 900 million pixels in a few dozen bytes
    assert len(bomb) < 200
    with pytest.raises(images.ImageRejected, match="像素过多"):
        images.process(bomb)


def test_an_image_above_our_pixel_limit_but_below_pillows_is_refused_too():
    with pytest.raises(images.ImageRejected, match="像素过多"):
        images.process(png_claiming(8_000, 6_000), max_pixels=40_000_000)


@pytest.mark.parametrize("data", [PDF_AS_JPG, b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"GIF89a" + b"\x00" * 40,
                                  b"\xff\xd8\xff\xe0 truncated jpeg"])
def test_a_renamed_non_image_is_refused_with_a_clear_message(data):
    with pytest.raises(images.ImageRejected) as refused:
        images.process(data)
    assert "JPEG、PNG 或 WebP" in refused.value.message or "损坏" in refused.value.message


def test_a_real_gif_is_refused_whatever_its_name():
    with pytest.raises(images.ImageRejected, match="JPEG、PNG 或 WebP"):
        images.process(encoded("GIF"))


def test_an_oversized_file_is_refused_with_its_size_and_the_limit():
    big = noisy_jpeg(300_000)
    with pytest.raises(images.ImageRejected, match=r"图片文件过大（0\.\d MB），请上传不超过 0\.2 MB 的图片"):
        images.process(big, max_bytes=200_000)


def test_an_empty_upload_is_refused():
    with pytest.raises(images.ImageRejected, match="请选择"):
        images.process(b"")


def test_transparent_png_is_laid_on_white():
    out = io.BytesIO()
    Image.new("RGBA", (100, 100), (0, 0, 0, 0)).save(out, "PNG")
    poster = images.process(out.getvalue())
    assert _open(poster.files[images.file_name(poster.key, "full", "jpg")]).getpixel((50, 50)) >= (250, 250, 250)


def test_a_large_phone_photo_is_decoded_at_a_reduced_scale_but_never_below_the_full_size():
    poster = images.process(encoded("JPEG", size=(4000, 3000)), max_bytes=50 * 2**20)
    assert poster.key.endswith("-2000x1500")  # half scale: still larger than the 1280 px full size
    full = _open(poster.files[images.file_name(poster.key, "full", "jpg")])
    assert full.size == (1280, 960)
