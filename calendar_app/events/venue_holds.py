"""Re-checking a venue's stored bookings after its rule changed (made exclusive, longer changeover).

Bookings are checked when they are made; a venue that becomes exclusive, or whose changeover grows,
can make bookings already stored overlap. Staff then either see the clashes and nothing is saved, or
give a reason: the clashing bookings share the slot without holding it (as any staff override), and
the override is audited. Only future bookings are re-checked: what has ended keeps its record.

The holds are recomputed through `conflicts.hold_venues`, one event at a time: every future hold at
the venue is released first (always allowed by the database's rule), then each event takes its holds
back against the ones already re-taken, so every pair of bookings is compared once, and the database's
own rule sees each flush.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from calendar_app.accounts.scope import unscoped
from calendar_app.events.conflicts import Clash, VenueConflict, hold_venues
from calendar_app.events.models import Event, Occurrence
from calendar_app.extensions import db
from calendar_app.venues.models import Venue


@dataclass(frozen=True)
class HeldClash:
    """A stored booking (`event_title` at `starts_at`) that would overlap `clash` under the venue's new rule."""

    event_id: int
    event_title: str
    starts_at: datetime
    clash: Clash


class VenueRuleConflict(VenueConflict):
    """The venue's new rule makes stored bookings clash; nothing was saved."""

    def __init__(self, pairs: list[HeldClash], tz: ZoneInfo):
        self.pairs = pairs
        super().__init__([p.clash for p in pairs], tz)


def rehold_future_bookings(venue: Venue, *, since: datetime, override_reason: str | None = None,
                           user_id: int | None = None, tz: ZoneInfo | None = None) -> list[HeldClash]:
    """Recompute the holds of `venue`'s bookings that end after `since`, under its current settings.

    Raises VenueRuleConflict listing every clash unless `override_reason` is given; with a reason, the
    clashing bookings share their slot and the clashes are returned. Flushes; the caller commits.
    """
    # The venue's bookings are re-checked whoever made them (a district venue booked by its towns).
    with unscoped():
        occurrences = list(db.session.scalars(
            select(Occurrence).where(Occurrence.venue_id == venue.id, Occurrence.ends_at > since)
            .order_by(Occurrence.starts_at)))
        if not occurrences:
            return []
        by_event: dict[int, list[Occurrence]] = defaultdict(list)
        for occ in occurrences:
            by_event[occ.event_id].append(occ)
        events = {e.id: e for e in db.session.scalars(select(Event).where(Event.id.in_(list(by_event))))}
        for occ in occurrences:
            occ.holds_venue = False
        db.session.flush()

        pairs: list[HeldClash] = []
        for event_id, mine in by_event.items():  # in order of each event's first booking here
            event = events[event_id]
            try:
                clashes = hold_venues(event, mine, override_reason=override_reason, user_id=user_id)
            except VenueConflict as exc:
                clashes = exc.clashes
                refused = {c.wanted_start for c in clashes}
                # Keep checking the later bookings against those of this event that do hold.
                hold_venues(event, [o for o in mine if o.starts_at not in refused], user_id=user_id)
            pairs += [HeldClash(event.id, event.title, c.wanted_start, c) for c in clashes]
    if pairs and override_reason is None:
        raise VenueRuleConflict(pairs, tz or ZoneInfo(events[pairs[0].event_id].timezone))
    return pairs
