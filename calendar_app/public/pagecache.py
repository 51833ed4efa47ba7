"""A short-lived, per-process cache of anonymous public pages, and conditional GETs for every page.

An anonymous public page is the same for everyone asking with the same URL, language and device kind for
a minute, so it is rendered once a minute rather than on every request (PAGE_CACHE_SECONDS; 0 turns the
cache off, as in tests). Stored are the final bytes, compressed when the client asked for it, so a hit does
neither the queries nor the template nor the compression. Every HTML page also gets a strong ETag
of its bytes and answers a matching If-None-Match with 304: pages are `private, no-cache`, so a
browser revalidates and, when nothing changed, receives no body.

Never cached: requests with a session cookie or an Authorization header, anything but GET/HEAD,
anything but a 200 HTML page of the public blueprint, responses that set a cookie.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from flask import Flask, Response, g, request

from calendar_app.public.devices import device_of

#: Largest number of pages kept per process (oldest dropped first).
MAX_ENTRIES = 512


@dataclass(frozen=True)
class _Entry:
    expires: float
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


_entries: dict[tuple, _Entry] = {}


def clear() -> None:
    _entries.clear()


def _cacheable_request(app: Flask) -> bool:
    return (request.method in ("GET", "HEAD") and request.blueprint == "public"
            and app.config.get("PAGE_CACHE_SECONDS", 0) > 0
            and "Authorization" not in request.headers
            and app.config["SESSION_COOKIE_NAME"] not in request.cookies)


def _key() -> tuple:
    coding = next((c for c in ("br", "gzip") if request.accept_encodings.quality(c) > 0), None)
    return (request.full_path, request.cookies.get("lang", ""), coding, device_of(request.user_agent.string))


def _etag_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def init_app(app: Flask) -> None:
    """Register the hooks; call before Compress.init_app so that the store hook sees compressed bytes."""

    @app.before_request
    def serve_cached():
        if not _cacheable_request(app):
            return None
        key = _key()
        g.page_cache_key = key
        entry = _entries.get(key)
        if entry is None or entry.expires < time.monotonic():
            return None
        response = Response(entry.body, status=entry.status, headers=list(entry.headers))
        g.page_cache_hit = True
        return response.make_conditional(request)

    @app.after_request
    def store_and_validate(response: Response) -> Response:
        if response.mimetype != "text/html" or response.status_code != 200 or response.is_streamed:
            return response
        if g.get("page_cache_hit"):
            return response
        if not response.get_etag()[0]:
            response.set_etag(_etag_of(response.get_data()))
        key = g.get("page_cache_key")
        if key is not None and "Set-Cookie" not in response.headers:
            if len(_entries) >= MAX_ENTRIES:
                _entries.pop(next(iter(_entries)), None)
            kept = tuple((k, v) for k, v in response.headers.items() if k.lower() not in ("content-length", "date"))
            _entries[key] = _Entry(time.monotonic() + app.config["PAGE_CACHE_SECONDS"], response.status_code,
                                   kept, response.get_data())
        return response.make_conditional(request)
