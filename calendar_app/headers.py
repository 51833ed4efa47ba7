"""Cache-Control and Vary decided per response class, in one place.

| class                 | Cache-Control                      | Vary    | CORS                    | cookies           |
| --------------------- | ---------------------------------- | ------- | ----------------------- | ----------------- |
| page (HTML)           | private, no-cache                  | Cookie, Accept-Encoding | none    | `lang` on ?lang=  |
| JSON (/api/ GET 2xx)  | public, max-age=60 (signed in: as a page) | Origin, Accept-Encoding | configured origins | none |
| feed (.ics, its 304)  | public, max-age=60 (private feeds: private) | Accept-Encoding | `*` (public feeds) | none       |
| QR image              | public, max-age=86400              | none    | none                    | none              |
| error (4xx, 5xx)      | no-store                           | as its page or JSON | JSON: as JSON | page: `lang`   |
| /healthz              | no-store                           | none    | none                    | none              |

Pages depend on the language cookie, so only the browser may keep them (`private`) and it must ask
again (`no-cache`: "today" moves). Everything a shared cache may store is the same for every visitor
and never carries a cookie: the language cookie is set on HTML only (calendar_app.public.i18n) and
`Vary: Cookie` is left on HTML only (the session interface). The feed views and the QR view set their
own Cache-Control; the API's CORS headers are added by the API (calendar_app.api.views). A 304 is of
the class of its 200, so it carries the same headers (RFC 9110 section 15.4.5). `Accept-Encoding` is added
by Flask-Compress to every response and by the feed views to feeds, which carry stored gzip/Brotli bytes.
"""
from __future__ import annotations

from flask import Flask, Response, request

PAGE_CACHE = "private, no-cache"
JSON_CACHE = "public, max-age=60"
NO_STORE = "no-store"


def response_class(response: Response) -> str:
    """page, json, feed, error or other (static files, images, writes: their views decide)."""
    if response.status_code >= 400:
        return "error"
    if response.mimetype == "text/calendar":
        return "feed"
    if request.path.startswith("/api/"):
        return "json" if request.method in ("GET", "HEAD") else "other"
    if response.mimetype == "text/html":
        return "page"
    return "other"


_DEFAULT_CACHE = {"page": PAGE_CACHE, "json": JSON_CACHE, "error": NO_STORE}


def without_vary(response: Response, name: str) -> None:
    """Remove `name` from Vary. (Werkzeug's `response.vary.discard("Cookie")` leaves "Cookie" in place
    whenever another value such as Origin is present: it compares a lower-cased key with the name.)"""
    kept = [v.strip() for line in response.headers.getlist("Vary") for v in line.split(",")
            if v.strip() and v.strip().lower() != name.lower()]
    del response.headers["Vary"]
    if kept:
        response.headers["Vary"] = ", ".join(dict.fromkeys(kept))


def _has_credentials(app: Flask) -> bool:
    return "Authorization" in request.headers or app.config["SESSION_COOKIE_NAME"] in request.cookies


def init_app(app: Flask) -> None:
    @app.after_request
    def cache_headers(response: Response) -> Response:
        kind = response_class(response)
        cache = _DEFAULT_CACHE.get(kind)
        if kind == "json" and _has_credentials(app):
            cache = PAGE_CACHE  # an answer to someone signed in is theirs alone
        if cache and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = cache
        return response
