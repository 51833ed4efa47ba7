"""Store an uploaded poster and attach it to a program, edition or event (flush only, never commit)."""
from __future__ import annotations

from flask import current_app

from calendar_app.db import ValidationError
from calendar_app.media import images
from calendar_app.media.storage import storage


def store_poster(data: bytes) -> str:
    """Check and store an upload in every size; return its key. Raises ValidationError (field "poster").

    The files are written before the row that names them is committed: a failed request leaves only
    unreferenced files behind, never a row pointing at a missing file.
    """
    try:
        poster = images.process(data, max_bytes=current_app.config["POSTER_MAX_BYTES"],
                                max_pixels=current_app.config["POSTER_MAX_PIXELS"])
    except images.ImageRejected as exc:
        raise ValidationError(exc.message, "poster") from None
    store = storage()
    for name, content in poster.files.items():
        store.save(name, content)
    return poster.key


def set_poster(obj, key: str | None) -> None:
    """Give a program, edition or event its poster (None removes it; the files stay, others may share them)."""
    if key is not None and not images.KEY_RE.match(key):
        raise ValidationError("海报标识无效", "poster")
    obj.poster_key = key


def poster_of(obj) -> str | None:
    """The poster to show for an event (its own, else its edition's, else its program's), edition or program."""
    for candidate in (obj, getattr(obj, "edition", None), getattr(obj, "program", None)):
        key = getattr(candidate, "poster_key", None) if candidate is not None else None
        if key:
            return key
    return None


def poster_url(key: str, size: str = "card", ext: str = "jpg") -> str:
    return storage().url(images.file_name(key, size, ext))


def poster_variant(key: str, size: str) -> dict:
    """What a template needs for one size: the JPEG and WebP URLs and the pixel size."""
    width, height = images.variant_size(key, size)
    return {"jpg": poster_url(key, size, "jpg"), "webp": poster_url(key, size, "webp"), "width": width,
            "height": height}
