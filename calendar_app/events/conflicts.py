"""Venue conflicts: two occurrences that hold one venue never overlap.

An occurrence *holds* its venue when the venue is exclusive, neither the occurrence nor its event is
cancelled, and staff did not let it share the slot (`clash_override_reason`). It holds it from its
start until its end plus the venue's changeover (`blocks_until`).

The services check every occurrence they are about to store against the holders already stored (one
query per venue over the window the series covers) and refuse with every clash listed. The database
keeps the same rule for requests that race past that check: an exclusion constraint on PostgreSQL,
triggers on SQLite (migration 91a60076d769). A flush that breaks it is turned into the same
`VenueConflict`, listing what won the race.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from calendar_app.db import ValidationError
from calendar_app.events.models import Event, Occurrence
from calendar_app.extensions import db
from calendar_app.venues.models import Venue

#: A holder that starts earlier than this before a candidate cannot reach it (longest instance 31
#: days plus the longest changeover, a day): the lower bound keeps the index scan to the window.
HOLD_REACH = timedelta(days=33)
_MAX_LISTED = 50


@dataclass(frozen=True)
class Clash:
    """An occurrence already holding the slot a new booking asked for."""

    occurrence_id: int | None
    event_id: int | None
    title: str
    start: datetime
    end: datetime
    venue_id: int
    venue: str
    #: The start of the booking that was refused because of this holder.
    wanted_start: datetime

    def to_json(self) -> dict:
        return {"occurrence_id": self.occurrence_id, "event_id": self.event_id, "title": self.title,
                "start": self.start.isoformat(), "end": self.end.isoformat(), "venue_id": self.venue_id,
                "wanted_start": self.wanted_start.isoformat()}


class VenueConflict(ValidationError):
    """The booking overlaps occurrences that hold the venue; nothing was saved."""

    def __init__(self, clashes: list[Clash], tz: ZoneInfo):
        self.clashes = clashes
        first = clashes[0]
        when = "、".join(
            f"{c.start.astimezone(tz):%Y-%m-%d %H:%M}–{c.end.astimezone(tz):%H:%M}「{c.title}」" for c in clashes[:3])
        more = f" 等 {len(clashes)} 处" if len(clashes) > 3 else ""
        super().__init__(f"场馆「{first.venue}」该时段已被占用（含换场时间）：{when}{more}", "venue_id")

    def to_dict(self) -> dict:
        return {"error": "venue_conflict", "message": self.message, "field": self.field,
                "conflicts": [c.to_json() for c in self.clashes[:_MAX_LISTED]]}


def blocks_until(ends_at: datetime, venue: Venue | None) -> datetime:
    return ends_at + timedelta(minutes=venue.changeover_minutes if venue else 0)


def wants_hold(occ: Occurrence, event: Event, venue: Venue | None) -> bool:
    return bool(venue is not None and venue.is_exclusive and occ.status != "cancelled" and event.status != "cancelled")


def assign_holds(event: Event, occurrences: list[Occurrence], *, override_reason: str | None = None,
                 user_id: int | None = None) -> list[Clash]:
    """Set `blocks_until` and `holds_venue` on `occurrences` of `event`, refusing clashes.

    Raises VenueConflict listing every clash, unless `override_reason` is given (staff only): the
    clashing occurrences then share the slot without holding it, and the override is audited.
    Returns the clashes that were overridden. Call before the occurrences are flushed.
    """
    from calendar_app.audit.services import record

    venues: dict[int, Venue] = {}
    candidates: list[Occurrence] = []
    for occ in occurrences:
        venue = venues.get(occ.venue_id) if occ.venue_id else None
        if occ.venue_id and venue is None:
            venue = venues[occ.venue_id] = db.session.get(Venue, occ.venue_id)
        occ.blocks_until = blocks_until(occ.ends_at, venue)
        hold = wants_hold(occ, event, venue)
        if hold and occ.clash_override_reason is not None and occ.holds_venue is False and occ.id is not None:
            hold = False  # allowed to share earlier; stays so until it is moved or its override cleared
        occ.holds_venue = hold
        if hold:
            candidates.append(occ)
    clashes = find_clashes(candidates, venues)
    if not clashes:
        return []
    if override_reason is None:
        raise VenueConflict(clashes, ZoneInfo(event.timezone))
    overridden = {c.wanted_start for c in clashes}
    for occ in candidates:
        if occ.starts_at in overridden:
            occ.holds_venue = False
            occ.clash_override_reason = override_reason
    record("venue.clash_override", "event", event.id, user_id=user_id,
           changes={"reason": override_reason, "clashes": [c.to_json() for c in clashes[:_MAX_LISTED]]})
    return clashes


def find_clashes(candidates: list[Occurrence], venues: dict[int, Venue]) -> list[Clash]:
    """Every (candidate, holder) overlap, against stored holders and among the candidates themselves."""
    by_venue: dict[int, list[Occurrence]] = defaultdict(list)
    for occ in candidates:
        by_venue[occ.venue_id].append(occ)
    clashes: list[Clash] = []
    own_ids = {occ.id for occ in candidates if occ.id is not None}
    for venue_id, wanted in by_venue.items():
        wanted.sort(key=lambda o: o.starts_at)
        low = wanted[0].starts_at - HOLD_REACH
        high = max(o.blocks_until for o in wanted)
        with db.session.no_autoflush:
            rows = db.session.execute(
                select(Occurrence.id, Occurrence.event_id, Occurrence.starts_at, Occurrence.ends_at,
                       Occurrence.blocks_until, Event.title)
                .join(Event, Event.id == Occurrence.event_id)
                .where(Occurrence.venue_id == venue_id, Occurrence.holds_venue.is_(True),
                       Occurrence.starts_at >= low, Occurrence.starts_at < high)
                .order_by(Occurrence.starts_at)
                # Another town's booking holds a shared venue too, beyond the booking user's scope.
                .execution_options(unscoped=True)
            ).all()
        held = [r for r in rows if r.id not in own_ids]
        venue_name = venues[venue_id].name
        for occ in wanted:
            for r in held:
                if r.starts_at < occ.blocks_until and occ.starts_at < r.blocks_until:
                    clashes.append(Clash(r.id, r.event_id, r.title, r.starts_at, r.ends_at, venue_id, venue_name,
                                         occ.starts_at))
        # Instances of one booking that overlap each other (a multi-day fair repeated daily).
        for earlier, later in zip(wanted, wanted[1:]):
            if later.starts_at < earlier.blocks_until:
                clashes.append(Clash(earlier.id, earlier.event_id, earlier.event.title if earlier.event else "本活动",
                                     earlier.starts_at, earlier.ends_at, venue_id, venue_name, later.starts_at))
    clashes.sort(key=lambda c: (c.wanted_start, c.start))
    return clashes


def is_hold_violation(exc: IntegrityError) -> bool:
    """Whether a failed flush broke the database's venue-hold rule (constraint or trigger)."""
    text = str(getattr(exc, "orig", exc))
    return "venue_hold_conflict" in text or "ex_occurrences_venue_hold" in text


def flush_holding(event: Event, occurrences: list[Occurrence]) -> None:
    """Flush in a savepoint; a concurrent booking that won the race becomes a VenueConflict naming it."""
    keys = [(o.venue_id, o.starts_at, o.ends_at, o.blocks_until) for o in occurrences if o.holds_venue]
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        if not is_hold_violation(exc):
            raise
        clashes = _clashes_for_keys(keys, event)
        raise VenueConflict(clashes or [_unknown_clash(keys, event)], ZoneInfo(event.timezone)) from None


def _clashes_for_keys(keys, event: Event) -> list[Clash]:
    clashes = []
    for venue_id, start, _end, until in keys:
        venue = db.session.get(Venue, venue_id)
        rows = db.session.execute(
            select(Occurrence.id, Occurrence.event_id, Occurrence.starts_at, Occurrence.ends_at, Event.title)
            .join(Event, Event.id == Occurrence.event_id)
            .where(Occurrence.venue_id == venue_id, Occurrence.holds_venue.is_(True),
                   Occurrence.starts_at >= start - HOLD_REACH, Occurrence.starts_at < until,
                   Occurrence.blocks_until > start)
            .execution_options(unscoped=True)
        ).all()
        clashes += [Clash(r.id, r.event_id, r.title, r.starts_at, r.ends_at, venue_id, venue.name, start) for r in rows]
        if len(clashes) >= _MAX_LISTED:
            break
    return clashes


def _unknown_clash(keys, event: Event) -> Clash:
    venue_id, start, end, _until = keys[0]
    venue = db.session.get(Venue, venue_id)
    return Clash(None, None, "同时提交的另一项预订", start, end, venue_id, venue.name if venue else "", start)
