"""A short-lived, per-process cache of anonymous public pages, and conditional GETs for every page.

An anonymous public page is the same for everyone asking with the same URL, host, language and device
kind for a minute, so it is rendered once a minute rather than on every request (PAGE_CACHE_SECONDS; 0
turns the cache off, as in tests). The cache is WSGI middleware in front of Flask: a hit is answered
from the stored final bytes and headers (compressed when the client asked for it) without running the
app at all. Every HTML page also gets a strong ETag of its bytes and answers a matching If-None-Match
with 304: pages are `private, no-cache`, so a browser revalidates and, when nothing changed, receives no
body.

Only stored: a 200 HTML page of the public blueprint, asked for with GET without a session cookie or an
Authorization header, that sets no cookie (the app marks such responses in the WSGI environ).
"""
from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie

from flask import Flask, Response, request
from werkzeug.datastructures import Accept
from werkzeug.http import parse_accept_header

from calendar_app.public.devices import device_of

#: Largest number of pages kept per process (oldest dropped first).
MAX_ENTRIES = 512
_STORE_FLAG = "calendar_app.page_cache.store"
_NOT_ON_304 = {"content-length", "content-type", "content-encoding"}


@dataclass(frozen=True)
class _Entry:
    expires: float
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str


_entries: dict[tuple, _Entry] = {}
_lock = threading.Lock()


def clear() -> None:
    with _lock:
        _entries.clear()


def _etag_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


class PageCache:
    """WSGI middleware: serve stored anonymous public pages; store those the app marks as cacheable."""

    def __init__(self, wsgi_app, flask_app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.config = flask_app.config

    def _key(self, environ) -> tuple | None:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or self.config.get("PAGE_CACHE_SECONDS", 0) <= 0:
            return None
        if "HTTP_AUTHORIZATION" in environ:
            return None
        cookies = SimpleCookie()
        try:
            cookies.load(environ.get("HTTP_COOKIE", ""))
        except Exception:  # noqa: BLE001 - a malformed cookie header: let the app deal with it
            return None
        if self.config["SESSION_COOKIE_NAME"] in cookies:
            return None
        accepted = parse_accept_header(environ.get("HTTP_ACCEPT_ENCODING", ""), Accept)
        coding = next((c for c in ("br", "gzip") if accepted.quality(c) > 0), None)
        lang = cookies["lang"].value if "lang" in cookies else ""
        # Host and scheme (also as a proxy forwards them): without PUBLIC_BASE_URL, pages link to the served host.
        return (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"), environ.get("HTTP_X_FORWARDED_PROTO"),
                environ.get("HTTP_X_FORWARDED_HOST"), environ.get("PATH_INFO"),
                environ.get("QUERY_STRING"), lang, coding, device_of(environ.get("HTTP_USER_AGENT")))

    def __call__(self, environ, start_response):
        key = self._key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        entry = _entries.get(key)
        if entry is not None and entry.expires > time.monotonic():
            if f'"{entry.etag}"' in environ.get("HTTP_IF_NONE_MATCH", ""):
                start_response("304 NOT MODIFIED", [(k, v) for k, v in entry.headers if k.lower() not in _NOT_ON_304])
                return [b""]
            start_response(entry.status, list(entry.headers))
            return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [entry.body]
        recorded = {}

        def recording_start_response(status, headers, exc_info=None):
            recorded["status"], recorded["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, recording_start_response)
        if not (environ.get(_STORE_FLAG) and environ["REQUEST_METHOD"] == "GET"
                and recorded.get("status", "").startswith("200")
                and not any(k.lower() == "set-cookie" for k, _v in recorded.get("headers", ()))):
            return body
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        headers = tuple((k, v) for k, v in recorded["headers"] if k.lower() != "date")
        etag = environ[_STORE_FLAG]
        with _lock:
            if len(_entries) >= MAX_ENTRIES:
                _entries.pop(next(iter(_entries)), None)
            _entries[key] = _Entry(time.monotonic() + self.config["PAGE_CACHE_SECONDS"], recorded["status"],
                                   headers, data, etag)
        return [data]


def init_app(app: Flask) -> None:
    """ETags and 304s for HTML pages; mark cacheable public pages for the middleware. Register before
    Compress.init_app, so that this hook runs after compression and sees the bytes that are sent."""

    @app.after_request
    def validate_and_mark(response: Response) -> Response:
        if response.mimetype != "text/html" or response.status_code != 200 or response.is_streamed:
            return response
        if not response.get_etag()[0]:
            response.set_etag(_etag_of(response.get_data()))
        if (request.blueprint == "public" and request.method == "GET" and "Set-Cookie" not in response.headers
                and "Authorization" not in request.headers
                and app.config["SESSION_COOKIE_NAME"] not in request.cookies):
            request.environ[_STORE_FLAG] = response.get_etag()[0]
        return response.make_conditional(request)

    app.wsgi_app = PageCache(app.wsgi_app, app)
