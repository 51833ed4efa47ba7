"""The demo year books its venues without a single clash: every booking at an exclusive venue holds it."""
from __future__ import annotations

from sqlalchemy import func, select

from calendar_app.events.models import Event, Occurrence
from calendar_app.venues.models import Venue


def test_every_live_demo_occurrence_at_an_exclusive_venue_holds_it_and_none_needed_an_override(demo):
    live_exclusive = (select(func.count()).select_from(Occurrence).join(Venue, Venue.id == Occurrence.venue_id)
                      .join(Event, Event.id == Occurrence.event_id)
                      .where(Venue.is_exclusive.is_(True), Occurrence.status != "cancelled",
                             Event.status != "cancelled"))
    total = demo.session.scalar(live_exclusive)
    holding = demo.session.scalar(live_exclusive.where(Occurrence.holds_venue.is_(True)))
    assert total > 1500 and holding == total
    assert demo.session.scalar(select(func.count()).select_from(Occurrence)
                               .where(Occurrence.clash_override_reason.is_not(None))) == 0


def test_old_streets_and_scenic_areas_host_several_things_at_once_in_the_demo(demo):
    shared = demo.session.scalars(select(Venue.kind).where(Venue.is_exclusive.is_(False))).all()
    assert shared and set(shared) <= {"street", "scenic_area"}
