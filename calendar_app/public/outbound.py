"""URLs and data that leave the site: map links, Google Calendar templates, schema.org JSON-LD.

Pure module (no Flask, no database): callers pass the absolute URLs and the zone in.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from calendar_app.events.models import Event, Occurrence
from calendar_app.venues.models import Venue

#: Identifies us to the map services ("为保证服务质量建议填写").
MAP_SOURCE = "calendar_app"
SCHEMA_STATUS = {
    "scheduled": "https://schema.org/EventScheduled",
    "moved": "https://schema.org/EventRescheduled",
    "cancelled": "https://schema.org/EventCancelled",
}


def amap_url(venue: Venue) -> str | None:
    """Amap marker URL. Our coordinates are WGS-84 (GPS); Amap converts them when told so."""
    if venue.latitude is None or venue.longitude is None:
        return None
    return "https://uri.amap.com/marker?" + urlencode({
        "position": f"{venue.longitude},{venue.latitude}", "name": venue.name, "coordinate": "wgs84",
        "src": MAP_SOURCE, "callnative": 1,
    })


def baidu_url(venue: Venue) -> str | None:
    """Baidu marker URL (lat,lon order; coord_type tells Baidu to convert from WGS-84 to BD-09)."""
    if venue.latitude is None or venue.longitude is None:
        return None
    return "https://api.map.baidu.com/marker?" + urlencode({
        "location": f"{venue.latitude},{venue.longitude}", "title": venue.name,
        "content": venue.address or venue.name, "output": "html", "coord_type": "wgs84",
        "src": f"webapp.{MAP_SOURCE}.public",
    })


def safe_web_url(url: str | None) -> str | None:
    """`url` when it is an http(s) URL, else None: a registration link must never be javascript:."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def _utc_stamp(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def google_template_url(event: Event, occurrence: Occurrence, tz: ZoneInfo, *, details: str,
                        location: str | None) -> str:
    """Google Calendar's "add one event" link for one occurrence (all-day ones as dates)."""
    if event.is_all_day:
        first = occurrence.starts_at.astimezone(tz).date()
        last = occurrence.ends_at.astimezone(tz).date()
        if last <= first:
            last = first + timedelta(days=1)
        dates = f"{first:%Y%m%d}/{last:%Y%m%d}"
    else:
        dates = f"{_utc_stamp(occurrence.starts_at)}/{_utc_stamp(occurrence.ends_at)}"
    params = {"action": "TEMPLATE", "text": event.title, "dates": dates, "details": details}
    if location:
        params["location"] = location
    return "https://calendar.google.com/calendar/render?" + urlencode(params)


def _iso(instant: datetime, tz: ZoneInfo, all_day: bool) -> str:
    local = instant.astimezone(tz)
    return local.date().isoformat() if all_day else local.isoformat(timespec="seconds")


def event_jsonld(event: Event, occurrence: Occurrence, tz: ZoneInfo, *, url: str) -> dict:
    """schema.org Event for one occurrence; render it with Jinja's |tojson (which escapes </script>)."""
    status = "cancelled" if event.status == "cancelled" else occurrence.status
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": url,
        "startDate": _iso(occurrence.starts_at, tz, event.is_all_day),
        "endDate": _iso(occurrence.ends_at, tz, event.is_all_day),
        "eventStatus": SCHEMA_STATUS[status],
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "isAccessibleForFree": bool(event.is_free),
        "inLanguage": "zh-CN",
    }
    if status == "moved" and occurrence.original_starts_at != occurrence.starts_at:
        data["previousStartDate"] = _iso(occurrence.original_starts_at, tz, event.is_all_day)
    if event.description:
        data["description"] = event.description
    if event.organiser:
        data["organizer"] = {"@type": "Organization", "name": event.organiser}
    if event.capacity:
        data["maximumAttendeeCapacity"] = event.capacity
    venue = occurrence.venue or event.venue
    if venue is not None:
        place: dict = {"@type": "Place", "name": venue.name,
                       "address": {"@type": "PostalAddress", "streetAddress": venue.address or venue.name,
                                   "addressCountry": "CN"}}
        if venue.latitude is not None and venue.longitude is not None:
            place["geo"] = {"@type": "GeoCoordinates", "latitude": venue.latitude, "longitude": venue.longitude}
        data["location"] = place
    registration = safe_web_url(event.registration_url)
    if not event.is_free and registration:
        data["offers"] = {"@type": "Offer", "url": registration}
    return data


@dataclass(frozen=True)
class EventLinks:
    """Everything an event page links to outside the site, for one occurrence."""

    jsonld: dict
    google_calendar: str
    amap: str | None
    baidu: str | None
    registration: str | None


def event_links(event: Event, occurrence: Occurrence, tz: ZoneInfo, *, page_url: str) -> EventLinks:
    venue = occurrence.venue or event.venue
    location = " ".join(part for part in (venue.name, venue.address) if part) if venue else None
    details = "\n\n".join(part for part in (event.description, page_url) if part)
    return EventLinks(
        jsonld=event_jsonld(event, occurrence, tz, url=page_url),
        google_calendar=google_template_url(event, occurrence, tz, details=details, location=location),
        amap=amap_url(venue) if venue else None,
        baidu=baidu_url(venue) if venue else None,
        registration=safe_web_url(event.registration_url),
    )
