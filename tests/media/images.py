"""Image files built in tests: real JPEG/PNG/WebP bytes, a photo with GPS, bombs and fakes."""
from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image


def encoded(fmt: str = "JPEG", size=(300, 400), colour=(178, 34, 34), **options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt, **options)
    return out.getvalue()


def photo_with_gps(size=(300, 200)) -> bytes:
    """A JPEG as a phone writes it: rotated by EXIF Orientation 6, with camera and GPS position."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "TestPhone"
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (36.0, 49.0, 10.0),
                                  ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (118.0, 18.0, 5.0)}
    return encoded("JPEG", size, exif=exif)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height (the pixel data is a few bytes: a decompression bomb)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + \
        chunk(b"IEND", b"")


def noisy_jpeg(min_bytes: int) -> bytes:
    """A real JPEG of random noise at least `min_bytes` long (noise does not compress)."""
    import os

    side = 512
    while True:
        image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=95)
        if out.tell() >= min_bytes:
            return out.getvalue()
        side *= 2


PDF_AS_JPG = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
