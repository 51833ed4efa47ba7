"""Public URL paths shared by pages, feeds and the API (contracts: mini programs and posters use them)."""
from __future__ import annotations

from urllib.parse import quote

from flask import current_app, has_request_context, request


def base_url() -> str:
    """The site's base URL (no trailing slash) for what must not depend on who asks: feed contents, exports.

    PUBLIC_BASE_URL when set (production must set it); otherwise the development server's own address,
    http://HOST:PORT from the environment (scripts/run serves there; 127.0.0.1:5000 by default).
    """
    return current_app.config.get("PUBLIC_BASE_URL") or current_app.config["DEV_BASE_URL"]


def absolute(path: str) -> str:
    """The absolute URL of `path`, where a URL leaves the app (API, QR codes, subscribe links).

    Under PUBLIC_BASE_URL when set; otherwise, in a request, the scheme, host and port the request was
    actually served on (so `PORT=5103 scripts/run` prints links to :5103, and a phone on the LAN gets the
    LAN address); outside a request, `base_url()`.
    """
    configured = current_app.config.get("PUBLIC_BASE_URL")
    if configured:
        return configured + path
    if has_request_context():
        return request.host_url.rstrip("/") + path
    return current_app.config["DEV_BASE_URL"] + path


def stable_absolute(path: str) -> str:
    """The absolute URL of `path` under `base_url()`: for stored bytes (feeds) that every request shares."""
    return base_url() + path


def event_path(event_id: int) -> str:
    return f"/events/{event_id}"


def occurrence_path(event_id: int, occurrence_id: int) -> str:
    return f"/events/{event_id}?occurrence={occurrence_id}"


def program_path(slug: str) -> str:
    return f"/programs/{slug}"


def edition_path(edition_id: int) -> str:
    return f"/editions/{edition_id}"


def area_path(area_id: int) -> str:
    return f"/areas/{area_id}"


def venue_path(venue_id: int) -> str:
    return f"/venues/{venue_id}"


# Feeds: the plain URLs are what people subscribe to; never change them.
def feed_path(kind: str, key: str | int | None = None) -> str:
    """Path of a public feed: kind is all, program (slug), edition, area, venue, category or event (ids)."""
    if kind == "all":
        return "/calendar.ics"
    if kind == "holidays":
        return "/holidays.ics"
    prefixes = {"program": "programs", "edition": "editions", "area": "areas", "venue": "venues",
                "category": "categories", "event": "events"}
    if kind not in prefixes or key is None:
        raise ValueError(f"unknown feed {kind!r} {key!r}")
    return f"/{prefixes[kind]}/{key}.ics"


def subscribe_path(kind: str, key: str | int | None = None) -> str:
    """The subscribe page of a feed (what QR codes encode): /subscribe/all, /subscribe/holidays,
    /subscribe/<program|edition|area|venue|category>/<slug or id>."""
    if kind in ("all", "holidays"):
        return f"/subscribe/{kind}"
    if kind not in ("program", "edition", "area", "venue", "category") or key is None:
        raise ValueError(f"no subscribe page for {kind!r} {key!r}")
    return f"/subscribe/{kind}/{key}"


def private_feed_path(token: str) -> str:
    return f"/private/{token}.ics"


def webcal_url(https_url: str) -> str:
    return "webcal://" + https_url.split("://", 1)[1]


def google_subscribe_url(https_url: str) -> str:
    return "https://calendar.google.com/calendar/render?cid=" + quote(https_url, safe="")
