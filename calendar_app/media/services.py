"""Store an uploaded poster and attach it to a program, edition or event (flush only, never commit)."""
from __future__ import annotations

from flask import current_app, has_request_context, request
from sqlalchemy import literal, select

from calendar_app.db import ValidationError
from calendar_app.extensions import db
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
    """The poster to show for an occurrence or event (its event's own, else its edition's, else its
    program's), an edition (its own, else its program's) or a program; None when there is none.

    Fallbacks are read from relationships already loaded, else from one small query per request of
    every edition and program that has a poster (list rows load only a few event columns).
    """
    from calendar_app.events.models import Event, Occurrence
    from calendar_app.programs.models import Edition, Program

    if obj is None:
        return None
    if isinstance(obj, Occurrence):
        own, edition_id, program_id = obj.event.poster_key, obj.edition_id, obj.program_id
    elif isinstance(obj, Event):
        own, edition_id, program_id = obj.poster_key, obj.edition_id, obj.program_id
    elif isinstance(obj, Edition):
        own, edition_id, program_id = obj.poster_key, None, obj.program_id
    elif isinstance(obj, Program):
        return obj.poster_key
    else:
        return None
    if own:
        return own
    fallback = _fallback_keys()
    return fallback.get(("edition", edition_id)) or fallback.get(("program", program_id))


_CACHE_KEY = "calendar_app.poster_fallbacks"


def _fallback_keys() -> dict[tuple[str, int], str]:
    """Poster keys of every edition and program that has one, once per request (a few dozen rows)."""
    from calendar_app.programs.models import Edition, Program

    # Cached on the request itself (its WSGI environ), never beyond it: a poster changed by the next
    # request must show there.
    cache = request.environ if has_request_context() else {}
    if _CACHE_KEY in cache:
        return cache[_CACHE_KEY]
    rows = db.session.execute(
        select(literal("edition"), Edition.id, Edition.poster_key).where(Edition.poster_key.is_not(None))
        .union_all(select(literal("program"), Program.id, Program.poster_key).where(Program.poster_key.is_not(None)))
    ).all()
    keys = {(kind, ident): key for kind, ident, key in rows}
    cache[_CACHE_KEY] = keys
    return keys


def poster_url(key: str, size: str = "card", ext: str = "jpg") -> str:
    return storage().url(images.file_name(key, size, ext))


def poster_variant(key: str, size: str) -> dict:
    """What a template needs for one size: the JPEG and WebP URLs and the pixel size."""
    width, height = images.variant_size(key, size)
    return {"jpg": poster_url(key, size, "jpg"), "webp": poster_url(key, size, "webp"), "width": width,
            "height": height}
