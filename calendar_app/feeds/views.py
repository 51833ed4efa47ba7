"""The .ics endpoints: resolve the feed (404 if unknown), serve its stored bytes, answer 304 when unchanged.

No login and no content negotiation (calendar fetchers send no useful Accept header). URL paths are
those of calendar_app.links.feed_path; `?category=` may narrow the all/program/edition/area/venue feeds.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, request
from sqlalchemy import select
from werkzeug.http import http_date

from calendar_app.areas.models import Area
from calendar_app.events.models import Event
from calendar_app.extensions import db
from calendar_app.feeds import store
from calendar_app.feeds.content import publicly_visible
from calendar_app.feeds.models import FeedDocument
from calendar_app.feeds.services import private_feed_area
from calendar_app.feeds.specs import NARROWABLE, FeedSpec
from calendar_app.programs.models import CATEGORIES, Edition, Program
from calendar_app.venues.models import Venue

bp = Blueprint("feeds", __name__)

PUBLIC_CACHE = "public, max-age=60"
PRIVATE_CACHE = "private, max-age=60"


@bp.get("/calendar.ics")
def all_events():
    return _serve(_spec("all", None))


@bp.get("/holidays.ics")
def holidays():
    """Statutory holidays (休), 调休 working days (班), lunar festivals and solar terms as all-day events."""
    return _serve(FeedSpec("holidays"))


@bp.get("/programs/<slug>.ics")
def program(slug: str):
    program_id = _require(db.session.scalar(select(Program.id).where(Program.slug == slug)))
    return _serve(_spec("program", program_id))


@bp.get("/editions/<int:edition_id>.ics")
def edition(edition_id: int):
    _require(db.session.get(Edition, edition_id))
    return _serve(_spec("edition", edition_id))


@bp.get("/areas/<int:area_id>.ics")
def area(area_id: int):
    _require(db.session.get(Area, area_id))
    return _serve(_spec("area", area_id))


@bp.get("/venues/<int:venue_id>.ics")
def venue(venue_id: int):
    _require(db.session.get(Venue, venue_id))
    return _serve(_spec("venue", venue_id))


@bp.get("/categories/<category>.ics")
def category(category: str):
    _require(category in CATEGORIES or None)
    return _serve(_spec("category", category))


@bp.get("/events/<int:event_id>.ics")
def event(event_id: int):
    found = _require(db.session.get(Event, event_id))
    _require(publicly_visible(found) or None)
    return _serve(_spec("event", event_id))


@bp.get("/private/<token>.ics")
def private(token: str):
    area_id = _require(private_feed_area(token))
    return _serve(FeedSpec("private", area_id), private=True)


def _require(value):
    """`value`, or a 404 (never 410: Thunderbird would drop the subscription for good)."""
    if value is None:
        abort(404)
    return value


def _spec(kind: str, ident) -> FeedSpec:
    """The feed, narrowed by ?category= where that applies (an unknown category is a feed that does not exist)."""
    narrowed = request.args.get("category")
    if narrowed is None or kind not in NARROWABLE:
        return FeedSpec(kind, ident)
    _require(narrowed in CATEGORIES or None)
    return FeedSpec(kind, ident, narrowed)


def _serve(spec: FeedSpec, *, private: bool = False) -> Response:
    document = store.stored_document(spec.key)
    if document is None or store.is_overdue(document):
        # Never rendered (or the scheduler is not running): render once and keep it; the lock makes a
        # burst of such requests wait for the first one's render instead of each rendering.
        with store.render_lock(spec.key):
            document = store.stored_document(spec.key)
            if document is None or store.is_overdue(document):
                document = store.render_document(spec)
                db.session.commit()
        if document is None:
            abort(404)
    return _respond(document, private=private)


#: Content codings of a stored feed, best first: (coding, FeedDocument column, ETag suffix).
_CODINGS = (("br", "body_br", "-br"), ("gzip", "body_gzip", "-gzip"))


def _coding(document: FeedDocument) -> tuple[str | None, str]:
    """The content coding to send (None: the plain bytes) and its column. Each coding is its own
    representation, so it gets its own strong ETag (the plain one with a suffix)."""
    accepted = request.accept_encodings
    for coding, column, _suffix in _CODINGS:
        if accepted.quality(coding) > 0 and getattr(document, column) is not None:
            return coding, column
    return None, "body"


def _etag(document: FeedDocument, coding: str | None) -> str:
    suffix = next((s for c, _col, s in _CODINGS if c == coding), "")
    return document.etag[:-1] + suffix + '"'


def _respond(document: FeedDocument, *, private: bool) -> Response:
    coding, column = _coding(document)
    headers = {
        "ETag": _etag(document, coding),
        "Last-Modified": http_date(document.last_modified),
        "Cache-Control": PRIVATE_CACHE if private else PUBLIC_CACHE,
        # The same on the 200 and the 304, and whichever coding is sent: caches must key on it.
        "Vary": "Accept-Encoding",
    }
    if private:
        headers.update({"X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"})
    else:
        headers["Access-Control-Allow-Origin"] = "*"  # public data; lets web calendars fetch it
    if _not_modified(document):
        # Typed like the 200 so that every header decided by response type (Vary, CSP) is the same;
        # Werkzeug drops Content-Type from a 304 on the wire.
        return Response(status=304, headers=headers, mimetype="text/calendar")
    if coding is not None:
        headers["Content-Encoding"] = coding  # stored compressed bytes: no compression work per request
    return Response(getattr(document, column), status=200, mimetype="text/calendar", headers=headers)


def _not_modified(document: FeedDocument) -> bool:
    """RFC 9110: If-None-Match decides when present; otherwise If-Modified-Since. Any coding's ETag of the
    current bytes matches: the client holds the current feed, whichever coding it received it in."""
    if "If-None-Match" in request.headers:
        base = document.etag.strip('"')
        return any(request.if_none_match.contains_weak(base + suffix) for suffix in ("", "-br", "-gzip"))
    since = request.if_modified_since
    return since is not None and document.last_modified <= since
