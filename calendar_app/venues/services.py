"""Venue writes and lookups. Services flush; the caller commits."""
from __future__ import annotations

from datetime import time

from calendar_app.areas.services import get_area
from calendar_app.audit.services import record
from calendar_app.db import ValidationError
from calendar_app.extensions import db
from calendar_app.text import clean_text
from calendar_app.venues.models import (DEFAULT_CHANGEOVER_MINUTES, SHARED_KINDS, VENUE_KINDS, WEEKDAY_LABELS, Venue,
                                        VenueOpeningHours)


def get_venue(venue_id: int | None, *, field: str = "venue_id") -> Venue:
    venue = db.session.get(Venue, venue_id) if venue_id is not None else None
    if venue is None:
        raise ValidationError(f"场馆不存在：{venue_id}", field)
    return venue


def _check_capacity(capacity: int | None, field: str = "capacity") -> int | None:
    if capacity is None:
        return None
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        raise ValidationError("容量必须是整数", field)
    if capacity < 0:
        raise ValidationError(f"容量不能为负数（当前 {capacity}）", field)
    if capacity > 1_000_000:
        raise ValidationError("容量超出合理范围（最多 1,000,000）", field)
    return capacity


def _parse_hours(opening_hours: dict[int, list[tuple[str, str]]] | None) -> list[VenueOpeningHours]:
    rows = []
    for weekday, slots in (opening_hours or {}).items():
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValidationError(f"星期必须在 0（周一）到 6（周日）之间：{weekday}", "opening_hours")
        for opens, closes in slots:
            try:
                opens_t, closes_t = time.fromisoformat(opens), time.fromisoformat(closes)
            except (TypeError, ValueError):
                raise ValidationError(f"开放时间格式应为 HH:MM：{opens}-{closes}", "opening_hours") from None
            if opens_t == closes_t:
                raise ValidationError(f"{opens} 开放又在同一时刻关闭", "opening_hours")
            rows.append(VenueOpeningHours(weekday=weekday, opens_at=opens_t, closes_at=closes_t))
    return rows


def create_venue(
    *,
    name: str,
    area_id: int,
    kind: str = "other",
    address: str | None = None,
    capacity: int | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    is_indoor: bool = False,
    opening_hours: dict[int, list[tuple[str, str]]] | None = None,
    is_exclusive: bool | None = None,
    changeover_minutes: int = DEFAULT_CHANGEOVER_MINUTES,
) -> Venue:
    """Create a venue. `opening_hours` maps weekday (0 = Monday) to [("HH:MM", "HH:MM"), ...].

    `is_exclusive` None takes the kind's default: streets and scenic areas host many things at once.
    """
    name = clean_text(name, field="name", label="场馆名称", max_length=120, required=True)
    address = clean_text(address, field="address", label="地址", max_length=255)
    area = get_area(area_id)
    if kind not in VENUE_KINDS:
        raise ValidationError(f"未知的场馆类型：{kind}（可选 {', '.join(VENUE_KINDS)}）", "kind")
    capacity = _check_capacity(capacity)
    if latitude is not None and not -90 <= latitude <= 90:
        raise ValidationError(f"纬度必须在 -90 到 90 之间：{latitude}", "latitude")
    if longitude is not None and not -180 <= longitude <= 180:
        raise ValidationError(f"经度必须在 -180 到 180 之间：{longitude}", "longitude")
    venue = Venue(
        name=name, address=address, area=area, kind=kind, capacity=capacity,
        latitude=latitude, longitude=longitude, is_indoor=is_indoor,
        opening_hours=_parse_hours(opening_hours),
        is_exclusive=default_exclusive(kind) if is_exclusive is None else bool(is_exclusive),
        changeover_minutes=_check_changeover(changeover_minutes),
    )
    db.session.add(venue)
    db.session.flush()
    return venue


def default_exclusive(kind: str) -> bool:
    """Whether a booking at a venue of this kind excludes others by default (not for streets, scenic areas)."""
    return kind not in SHARED_KINDS


def _check_changeover(minutes) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise ValidationError("换场时间必须是整数（分钟）", "changeover_minutes")
    if not 0 <= minutes <= 1440:
        raise ValidationError(f"换场时间须在 0 到 1440 分钟之间（当前 {minutes}）", "changeover_minutes")
    return minutes


def _hours_key(rows: list[VenueOpeningHours]) -> list[tuple]:
    return sorted((r.weekday, r.opens_at, r.closes_at) for r in rows)


def _hours_text(key: list[tuple]) -> list[str]:
    return [f"{WEEKDAY_LABELS[d]} {o:%H:%M}–{c:%H:%M}" for d, o, c in key]


def update_venue(
    venue: Venue,
    *,
    name: str,
    area_id: int,
    kind: str,
    address: str | None = None,
    capacity: int | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    is_indoor: bool = False,
    is_active: bool = True,
    is_exclusive: bool | None = None,
    changeover_minutes: int = DEFAULT_CHANGEOVER_MINUTES,
    opening_hours: dict[int, list[tuple[str, str]]] | None = None,
    user_id: int | None = None,
) -> dict:
    """Change a venue and its weekly opening hours; returns {field: [old, new]} (also audited).

    Making a venue exclusive or lengthening its changeover can make stored bookings clash: the caller
    re-checks the venue's future bookings (`events.venue_holds.rehold_future_bookings`) in the same
    transaction when "is_exclusive" or "changeover_minutes" is among the changes.
    """
    if kind not in VENUE_KINDS:
        raise ValidationError(f"未知的场馆类型：{kind}（可选 {', '.join(VENUE_KINDS)}）", "kind")
    if latitude is not None and not -90 <= latitude <= 90:
        raise ValidationError(f"纬度必须在 -90 到 90 之间：{latitude}", "latitude")
    if longitude is not None and not -180 <= longitude <= 180:
        raise ValidationError(f"经度必须在 -180 到 180 之间：{longitude}", "longitude")
    values = {
        "name": clean_text(name, field="name", label="场馆名称", max_length=120, required=True),
        "address": clean_text(address, field="address", label="地址", max_length=255),
        "area_id": get_area(area_id, field="area").id,
        "kind": kind,
        "capacity": _check_capacity(capacity),
        "latitude": latitude,
        "longitude": longitude,
        "is_indoor": bool(is_indoor),
        "is_active": bool(is_active),
        "is_exclusive": default_exclusive(kind) if is_exclusive is None else bool(is_exclusive),
        "changeover_minutes": _check_changeover(changeover_minutes),
    }
    new_hours = _parse_hours(opening_hours)
    new_key = _hours_key(new_hours)
    if len({(d, o) for d, o, _c in new_key}) != len(new_key):
        raise ValidationError("同一天不能有两个同时开始的开放时段", "opening_hours")
    changes = {}
    for field, value in values.items():
        old = getattr(venue, field)
        if old != value:
            changes[field] = [old, value]
            setattr(venue, field, value)
    old_key = _hours_key(venue.opening_hours)
    if old_key != new_key:
        changes["opening_hours"] = [_hours_text(old_key), _hours_text(new_key)]
        venue.opening_hours.clear()
        db.session.flush()  # the old slots go first: a kept slot would otherwise meet its own unique key
        venue.opening_hours.extend(new_hours)
    db.session.flush()
    if changes:
        record("venue.update", "venue", venue.id, user_id=user_id, changes=changes)
    return changes
