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


def test_a_booking_the_bulk_check_did_not_see_is_still_refused_by_the_database(db, world):
    """An import checks its rows against one read of the venues' holders; a holder that appears after
    that read (another request's booking) is caught by the database, and the refusal names it."""
    from calendar_app.events.conflicts import VenueConflict, cached_holders

    lo = datetime(2026, 12, 1, tzinfo=timezone.utc)
    with cached_holders({world.venues["dongya_square"].id}, lo, lo + timedelta(days=60)) as cache:
        assert cache.holders(world.venues["dongya_square"].id, lo, lo + timedelta(days=60)) == []
        # Booked and committed behind the cache's back, as a concurrent request would.
        db.session.info.pop("conflicts.holders")
        _booking(world, "别处排的村晚", datetime(2026, 12, 12, 19), datetime(2026, 12, 12, 21))
        db.session.commit()
        db.session.info["conflicts.holders"] = cache
        with pytest.raises(VenueConflict) as refused:
            _booking(world, "导入的电影", datetime(2026, 12, 12, 20), datetime(2026, 12, 12, 22))
    db.session.rollback()
    assert [c.title for c in refused.value.clashes] == ["别处排的村晚"]


def test_bookings_made_inside_a_bulk_check_are_checked_against_each_other(db, world):
    from calendar_app.events.conflicts import VenueConflict, cached_holders

    lo = datetime(2026, 12, 1, tzinfo=timezone.utc)
    venue = world.venues["dongya_square"].id
    with cached_holders({venue}, lo, lo + timedelta(days=60)) as cache:
        _booking(world, "村晚", datetime(2026, 12, 12, 19), datetime(2026, 12, 12, 21))
        assert [h.title for h in cache.holders(venue, lo, lo + timedelta(days=60))] == ["村晚"]
        queries: list[str] = []
        from sqlalchemy import event as sa_event

        def watch(_conn, _cursor, statement, *_args):
            if "holds_venue" in statement and statement.lstrip().upper().startswith("SELECT"):
                queries.append(statement)

        sa_event.listen(db.engine, "before_cursor_execute", watch)
        try:
            with pytest.raises(VenueConflict) as refused:  # 21:00 + the square's 30-minute changeover
                _booking(world, "电影", datetime(2026, 12, 12, 21, 15), datetime(2026, 12, 12, 22))
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", watch)
    db.session.rollback()
    assert queries == []  # answered from the cache
    assert [c.title for c in refused.value.clashes] == ["村晚"]
