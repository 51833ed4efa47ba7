"""The database itself refuses two overlapping holders of one venue (constraint or trigger), so no
code path that skips the service check can double-book."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from calendar_app.events.models import Occurrence
from calendar_app.events.services import EventData, create_event
from tests.workflow.conftest import NOW


def _booking(world, title: str, start: datetime, end: datetime, venue="dongya_square"):
    event, _ = create_event(EventData(title=title, area_id=world.areas["dongya"].id, starts_local=start,
                                      ends_local=end, venue_id=world.venues[venue].id), now=NOW)
    return event.occurrences[0]


def test_an_overlapping_holder_written_behind_the_services_back_is_refused(db, world):
    first = _booking(world, "村晚", datetime(2026, 12, 12, 19), datetime(2026, 12, 12, 21))
    second = _booking(world, "电影", datetime(2026, 12, 13, 19), datetime(2026, 12, 13, 21))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(update(Occurrence).where(Occurrence.id == second.id).values(
            starts_at=first.starts_at + timedelta(minutes=30), ends_at=first.ends_at + timedelta(minutes=30),
            blocks_until=first.blocks_until + timedelta(minutes=30)))
        db.session.flush()
    db.session.rollback()


def test_back_to_back_bookings_with_the_changeover_between_them_are_allowed(db, world):
    first = _booking(world, "村晚", datetime(2026, 12, 12, 17), datetime(2026, 12, 12, 19))
    second = _booking(world, "电影", datetime(2026, 12, 12, 19, 30), datetime(2026, 12, 12, 21))
    db.session.commit()
    assert first.blocks_until == second.starts_at == datetime(2026, 12, 12, 11, 30, tzinfo=timezone.utc)
    assert first.holds_venue and second.holds_venue


def test_rows_that_do_not_hold_the_venue_may_overlap(db, world):
    first = _booking(world, "非遗市集", datetime(2026, 12, 12, 9), datetime(2026, 12, 12, 17), venue="old_street")
    second = _booking(world, "渔火灯会", datetime(2026, 12, 12, 10), datetime(2026, 12, 12, 20), venue="old_street")
    db.session.commit()
    assert not first.holds_venue and not second.holds_venue
