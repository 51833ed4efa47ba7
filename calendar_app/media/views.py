"""`/media/posters/<name>`: stored poster files, cached for a year (their names change with their content)."""
from __future__ import annotations

from flask import Blueprint, abort, send_file

from calendar_app.media.images import FILE_RE
from calendar_app.media.storage import storage

bp = Blueprint("media", __name__)

IMMUTABLE = "public, max-age=31536000, immutable"


@bp.get("/media/posters/<name>")
def poster(name: str):
    match = FILE_RE.match(name)  # only names we write: no paths, no other files of the directory
    if match is None:
        abort(404)
    path = storage().path(name)
    if path is None or not path.is_file():
        abort(404)
    mimetype = "image/webp" if match["ext"] == "webp" else "image/jpeg"
    response = send_file(path, mimetype=mimetype, conditional=True, etag=True, max_age=31536000)
    response.headers["Cache-Control"] = IMMUTABLE
    # An image is never a document: no scripts even if a browser were tricked into rendering it as one.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"  # WeChat's card fetcher, mini programs
    return response
