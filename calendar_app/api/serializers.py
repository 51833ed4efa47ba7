"""Model -> JSON dicts. Field names here are a public contract: add, never rename."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from calendar_app import links
from calendar_app.feeds.urls import ical_url
from calendar_app.media.services import poster_of, poster_variant
from calendar_app.events.models import Event, Occurrence
from calendar_app.programs.models import Edition, Program
from calendar_app.venues.models import WEEKDAY_LABELS, Venue


def venue_to_json(venue: Venue) -> dict:
    return {
        "id": venue.id,
        "name": venue.name,
        "address": venue.address,
        "area_id": venue.area_id,
        "kind": venue.kind,
        "kind_label": venue.kind_label,
        "capacity": venue.capacity,
        "latitude": venue.latitude,
        "longitude": venue.longitude,
        "is_indoor": venue.is_indoor,
        "is_active": venue.is_active,
        "url": links.absolute(links.venue_path(venue.id)),
        "ical_url": ical_url("venue", venue),
        "opening_hours": [
            {
                "weekday": slot.weekday,
                "weekday_label": WEEKDAY_LABELS[slot.weekday],
                "opens": slot.opens_at.strftime("%H:%M"),
                "closes": slot.closes_at.strftime("%H:%M"),
            }
            for slot in venue.opening_hours
        ],
    }


def poster_to_json(obj) -> dict | None:
    """The poster of a program, edition or event (an event's falls back to its edition's, then its
    program's) as absolute JPEG URLs per size (mini programs and share cards take JPEG), or None."""
    key = poster_of(obj)
    if key is None:
        return None
    card = poster_variant(key, "card")
    body = {size: links.absolute(poster_variant(key, size)["jpg"]) for size in ("thumb", "card", "full")}
    return {**body, "card_width": card["width"], "card_height": card["height"]}


def edition_to_json(edition: Edition) -> dict:
    return {
        "id": edition.id,
        "program_id": edition.program_id,
        "name": edition.name,
        "starts_on": edition.starts_on.isoformat(),
        "ends_on": edition.ends_on.isoformat(),
        "theme": edition.theme,
        "theme_colour": edition.theme_colour,
        "target_events": edition.target_events,
        "target_attendance": edition.target_attendance,
        "url": links.absolute(links.edition_path(edition.id)),
        "ical_url": ical_url("edition", edition),
        "poster": poster_to_json(edition),
    }


def program_to_json(program: Program) -> dict:
    return {
        "id": program.id,
        "slug": program.slug,
        "name": program.name,
        "description": program.description,
        "colour": program.colour,
        "category": program.category,
        "area_id": program.area_id,
        "url": links.absolute(links.program_path(program.slug)),
        "ical_url": ical_url("program", program),
        "poster": poster_to_json(program),
        "editions": [edition_to_json(e) for e in program.editions],
    }


def _local_iso(instant: datetime, tz: ZoneInfo, all_day: bool) -> str:
    local = instant.astimezone(tz)
    return local.date().isoformat() if all_day else local.isoformat()


def occurrence_to_json(occ: Occurrence) -> dict:
    """One occurrence in the event's own zone; all-day occurrences give dates (end exclusive)."""
    event = occ.event
    tz = ZoneInfo(event.timezone)
    all_day = event.is_all_day
    return {
        "id": occ.id,
        "event_id": event.id,
        "uid": event.uid,
        "recurrence_id": _local_iso(occ.original_starts_at, tz, all_day),
        "title": event.title,
        "start": _local_iso(occ.starts_at, tz, all_day),
        "end": _local_iso(occ.ends_at, tz, all_day),
        "all_day": all_day,
        "status": occ.status,
        "status_reason": occ.status_reason,
        "venue_id": occ.venue_id,
        "area_id": occ.area_id,
        "program_id": occ.program_id,
        "edition_id": occ.edition_id,
        "category": event.category,
        "is_free": event.is_free,
        "url": links.absolute(links.occurrence_path(event.id, occ.id)),
    }


def event_to_json(event: Event) -> dict:
    return {
        "id": event.id,
        "uid": event.uid,
        "title": event.title,
        "description": event.description,
        "status": event.status,
        "program_id": event.program_id,
        "edition_id": event.edition_id,
        "venue_id": event.venue_id,
        "area_id": event.area_id,
        "organiser": event.organiser,
        "contact": event.contact,
        "category": event.category,
        "capacity": event.capacity,
        "is_free": event.is_free,
        "registration_url": event.registration_url,
        "timezone": event.timezone,
        "all_day": event.is_all_day,
        "is_series": event.is_series,
        "url": links.absolute(links.event_path(event.id)),
        "ical_url": ical_url("event", event),
        "poster": poster_to_json(event),
    }
