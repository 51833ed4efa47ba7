"""Poster images, pure: validate an upload, strip its metadata and make every size the pages use.

Nothing here imports Flask or the database. An upload is refused with `ImageRejected` (a Chinese
message) when it is too large in bytes or in pixels (a decompression bomb), not a JPEG, PNG or WebP
whatever its name says, or damaged. What is kept is re-encoded from pixels only, so EXIF (GPS
position, camera, time), XMP, ICC profiles and comments never reach the stored files.

A poster is named by a key `<24 hex of sha256 of the upload>-<width>x<height>`; each stored file is
`<key>-<size>.<jpg|webp>`. The same upload always gives the same names, so a file never changes once
written and may be cached for ever; the dimensions in the key let a page write `width`/`height`
without reading the file.
"""
from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

#: Formats accepted, as Pillow names them after reading the file's own bytes (never its name).
ACCEPTED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
#: Bytes accepted per upload (Flask's MAX_CONTENT_LENGTH bounds the whole request above this).
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
#: Pixels accepted per image: 40 MP is more than any phone camera; a bomb claims far more.
DEFAULT_MAX_PIXELS = 40_000_000

#: size name -> (box width, box height, crop). Thumbnails are square crops for list rows; the others
#: keep the whole poster inside the box (never enlarged).
SIZES: dict[str, tuple[int, int, bool]] = {
    "thumb": (160, 160, True),
    "card": (640, 960, False),
    "full": (1280, 1280, False),
}
#: File formats written for every size: WebP for browsers that take it, JPEG for every other client
#: (and for og:image, which WeChat and others fetch).
FORMATS = {"webp": ("WEBP", {"quality": 80, "method": 4}), "jpg": ("JPEG", {"quality": 82, "optimize": True,
                                                                              "progressive": True})}

KEY_RE = re.compile(r"^[0-9a-f]{24}-[1-9][0-9]{0,4}x[1-9][0-9]{0,4}$")
FILE_RE = re.compile(r"^(?P<key>[0-9a-f]{24}-[1-9][0-9]{0,4}x[1-9][0-9]{0,4})-(?P<size>thumb|card|full)"
                     r"\.(?P<ext>jpg|webp)$")


class ImageRejected(ValueError):
    """The upload is not a poster we store; `message` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Poster:
    """A processed upload: its key and the encoded files by name."""

    key: str
    width: int
    height: int
    files: dict[str, bytes]


def content_hash(data: bytes) -> str:
    """The first part of a poster key: 24 hex digits of the SHA-256 of the uploaded bytes."""
    return hashlib.sha256(data).hexdigest()[:24]


def fit(width: int, height: int, box_w: int, box_h: int) -> tuple[int, int]:
    """The size of a width x height image shrunk to fit the box, ratio kept, never enlarged."""
    scale = min(box_w / width, box_h / height, 1.0)
    return max(1, round(width * scale)), max(1, round(height * scale))


def variant_size(key: str, size: str) -> tuple[int, int]:
    """Width and height of the `size` file of poster `key` (from the dimensions in the key)."""
    width, height = (int(v) for v in key.rsplit("-", 1)[1].split("x"))
    box_w, box_h, crop = SIZES[size]
    return (box_w, box_h) if crop else fit(width, height, box_w, box_h)


def file_name(key: str, size: str, ext: str) -> str:
    return f"{key}-{size}.{ext}"


def process(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_pixels: int = DEFAULT_MAX_PIXELS) -> Poster:
    """Check an uploaded image and make its stored files; raises ImageRejected."""
    if not data:
        raise ImageRejected("请选择要上传的图片文件")
    if len(data) > max_bytes:
        raise ImageRejected(f"图片文件过大（{_mb(len(data))} MB），请上传不超过 {_mb(max_bytes)} MB 的图片")
    image = _open(data, max_pixels)
    try:
        image = _clean_rgb(image)
    except Exception:  # a malformed EXIF block, a colour mode Pillow cannot convert: the file's fault
        raise ImageRejected("无法处理这张图片（元数据或颜色格式有误），请另存为普通 JPEG 或 PNG 后上传") from None
    width, height = image.size
    key = f"{content_hash(data)}-{width}x{height}"
    files: dict[str, bytes] = {}
    for size, (box_w, box_h, crop) in SIZES.items():
        if crop:
            resized = ImageOps.fit(image, (box_w, box_h), Image.Resampling.LANCZOS)
        else:
            target = fit(width, height, box_w, box_h)
            resized = image if target == image.size else image.resize(target, Image.Resampling.LANCZOS)
        for ext, (fmt, options) in FORMATS.items():
            out = io.BytesIO()
            resized.save(out, fmt, **options)
            files[file_name(key, size, ext)] = out.getvalue()
    return Poster(key=key, width=width, height=height, files=files)


def _mb(n: int) -> str:
    return f"{n / 1048576:.1f}".removesuffix(".0")


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Read the header, refuse wrong formats and bombs before decoding a pixel, then decode."""
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; here every bomb is an error.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRejected("图片像素过多，可能是恶意构造的文件，已拒绝") from None
        except Exception:  # UnidentifiedImageError, or a header Pillow cannot parse
            raise ImageRejected("无法识别的图片文件：只接受 JPEG、PNG 或 WebP 格式的图片（改扩展名无效）") from None
        if image.format not in ACCEPTED_FORMATS:
            raise ImageRejected("只接受 JPEG、PNG 或 WebP 格式的图片")
        width, height = image.size
        if width * height > max_pixels or width > 20000 or height > 20000:
            raise ImageRejected(f"图片像素过多（{width}×{height}），请上传不超过 {max_pixels // 1_000_000} 百万像素的图片")
        if width < 16 or height < 16:
            raise ImageRejected("图片太小，请上传至少 16×16 像素的图片")
        if image.format == "JPEG":
            # Decode a 12 MP photo at half or quarter scale (JPEG's DCT scaling), still at least the
            # full size we keep: a fraction of the time and memory. The key records the decoded size.
            box = SIZES["full"][:2]
            image.draft("RGB", box)
        try:
            image.seek(0)  # an animated image keeps its first frame
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRejected("图片像素过多，可能是恶意构造的文件，已拒绝") from None
        except Exception:
            raise ImageRejected("图片文件已损坏或不完整，请重新导出后上传") from None
    return image


def _clean_rgb(image: Image.Image) -> Image.Image:
    """Upright RGB pixels in a new image: orientation applied, transparency on white, no metadata."""
    image = ImageOps.exif_transpose(image)
    rgba = image.convert("RGBA")
    clean = Image.new("RGB", rgba.size, (255, 255, 255))
    clean.paste(rgba, mask=rgba.getchannel("A"))
    return clean  # a fresh image: no info, no EXIF, no ICC profile carried along
