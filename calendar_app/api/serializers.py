"""Model -> JSON dicts. Field names here are a public contract: add, never rename."""
from __future__ import annotations

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
        "editions": [edition_to_json(e) for e in program.editions],
    }
