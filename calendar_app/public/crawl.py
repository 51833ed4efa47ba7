"""`/robots.txt` and `/sitemap.xml`: what search engines (Baidu, Sogou, Bing ...) may read, and where.

Public pages are allowed; the management pages, sign-in, private feeds and the API's write and
personal routes are not. The sitemap lists the home and month pages, every program, edition, area
and venue page, and the published events with an occurrence from a month ago to the feed horizon,
at most `SITEMAP_MAX_URLS` in all (the protocol's limit is 50,000 URLs and 50 MB per file).
"""
from __future__ import annotations

from datetime import timedelta
from xml.sax.saxutils import escape

from flask import Response, current_app
from sqlalchemy import func, select

from calendar_app import clock, links
from calendar_app.areas.models import Area
from calendar_app.events.models import Event, Occurrence
from calendar_app.extensions import db
from calendar_app.programs.models import Edition, Program
from calendar_app.public.views import bp
from calendar_app.venues.models import Venue

#: Upper bound on the URLs of the sitemap (a single file; the protocol allows 50,000).
SITEMAP_MAX_URLS = 50_000

#: Paths no crawler should read. Reads of the public API stay allowed (mini programs link to them).
DISALLOWED = (
    "/manage", "/login", "/logout", "/account", "/private/",
    "/api/v1/me", "/api/v1/imports", "/api/v1/exports", "/api/v1/assignments",
    "/healthz",
)


@bp.get("/robots.txt")
def robots_txt():
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in DISALLOWED]
    lines += ["", f"Sitemap: {links.absolute('/sitemap.xml')}", ""]
    return _cached(Response("\n".join(lines), mimetype="text/plain"))


@bp.get("/sitemap.xml")
def sitemap_xml():
    entries = list(_entries())[:SITEMAP_MAX_URLS]
    body = ['<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, lastmod in entries:
        body.append(f"<url><loc>{escape(links.absolute(path))}</loc>"
                    + (f"<lastmod>{lastmod.date().isoformat()}</lastmod>" if lastmod else "") + "</url>")
    body.append("</urlset>")
    return _cached(Response("\n".join(body) + "\n", mimetype="application/xml"))


def _entries():
    """(path, last modified or None), most useful first: fixed pages, programs, editions, areas, venues, events."""
    yield "/", None
    yield "/month", None
    for slug, updated in db.session.execute(select(Program.slug, Program.updated_at).order_by(Program.id)):
        yield links.program_path(slug), updated
    for ident, updated in db.session.execute(select(Edition.id, Edition.updated_at).order_by(Edition.id)):
        yield links.edition_path(ident), updated
    for (ident,) in db.session.execute(select(Area.id).order_by(Area.path)):
        yield links.area_path(ident), None
    for (ident,) in db.session.execute(select(Venue.id).order_by(Venue.id)):
        yield links.venue_path(ident), None
    now = clock.now()
    config = current_app.config
    start = now - timedelta(days=config["FEED_WINDOW_DAYS_BACK"])
    end = now + timedelta(days=31 * config["FEED_WINDOW_MONTHS_AHEAD"])
    # Through the (is_public, starts_at) index: events with an occurrence in the feed window.
    in_window = (select(Occurrence.event_id, func.min(Occurrence.starts_at).label("first"))
                 .where(Occurrence.is_public.is_(True), Occurrence.starts_at >= start, Occurrence.starts_at < end)
                 .group_by(Occurrence.event_id).subquery())
    query = (select(Event.id, Event.revised_at).join(in_window, in_window.c.event_id == Event.id)
             .where(Event.status == "published").order_by(in_window.c.first, Event.id).limit(SITEMAP_MAX_URLS))
    for ident, revised in db.session.execute(query):
        yield links.event_path(ident), revised


def _cached(response: Response) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
