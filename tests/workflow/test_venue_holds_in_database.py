"""The database itself refuses two overlapping holders of one venue (constraint or trigger), so no
code path that skips the service check can double-book."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update
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
            # Refused as it is written: on SQLite at once, on PostgreSQL when the run writes its bookings.
            create_event(EventData(title="导入的电影", area_id=world.areas["dongya"].id,
                                   starts_local=datetime(2026, 12, 12, 20), ends_local=datetime(2026, 12, 12, 22),
                                   venue_id=world.venues["dongya_square"].id), now=NOW)
            cache.write()
    db.session.rollback()
    assert [c.title for c in refused.value.clashes] == ["别处排的村晚"]


def test_bookings_made_inside_a_bulk_check_are_checked_against_each_other(db, world):
    from calendar_app.events.conflicts import VenueConflict, cached_holders

    lo = datetime(2026, 12, 1, tzinfo=timezone.utc)
    venue = world.venues["dongya_square"].id
    with cached_holders({venue}, lo, lo + timedelta(days=60)) as cache:
        create_event(EventData(title="村晚", area_id=world.areas["dongya"].id, starts_local=datetime(2026, 12, 12, 19),
                               ends_local=datetime(2026, 12, 12, 21), venue_id=venue), now=NOW)
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


def _weekly(world, title: str, start: datetime, count: int, hours: int = 2):
    return EventData(title=title, area_id=world.areas["dongya"].id, venue_id=world.venues["dongya_square"].id,
                     starts_local=start, ends_local=start + timedelta(hours=hours), rrule=f"FREQ=WEEKLY;COUNT={count}")


def test_a_refused_new_booking_names_every_clash_leaves_nothing_behind_and_the_transaction_goes_on(db, world):
    """On PostgreSQL the database refuses the series (under a savepoint), on SQLite the check before
    the write does: either way the refusal names every clash, nothing of the refused event stays, and
    the same transaction books a free slot and commits it."""
    from calendar_app.events.conflicts import VenueConflict
    from calendar_app.events.models import Event

    _booking(world, "周六村晚", datetime(2026, 12, 12, 19), datetime(2026, 12, 12, 21))
    _booking(world, "下周六村晚", datetime(2026, 12, 19, 19), datetime(2026, 12, 19, 21))
    db.session.commit()
    with pytest.raises(VenueConflict) as refused:  # 20:00 falls inside 19:00-21:00 on the 12th and the 19th
        create_event(_weekly(world, "每周六电影", datetime(2026, 12, 5, 20), 4), now=NOW)
    assert [(c.title, c.wanted_start) for c in refused.value.clashes] == [
        ("周六村晚", datetime(2026, 12, 12, 12, tzinfo=timezone.utc)),
        ("下周六村晚", datetime(2026, 12, 19, 12, tzinfo=timezone.utc))]
    assert "2026-12-12 19:00–21:00「周六村晚」" in refused.value.message
    assert "2026-12-19 19:00–21:00「下周六村晚」" in refused.value.message

    _booking(world, "周日电影", datetime(2026, 12, 13, 19), datetime(2026, 12, 13, 21))
    db.session.commit()
    assert sorted(db.session.scalars(select(Event.title))) == sorted(["周六村晚", "下周六村晚", "周日电影"])
    assert db.session.scalar(select(func.count()).select_from(Occurrence)) == 3


def test_a_new_booking_on_postgresql_leaves_the_stored_holders_to_the_exclusion_constraint(db, world):
    """A free slot, the common case, costs no read of the venue's holders on PostgreSQL: the savepoint
    and the constraint stand in for it. SQLite has no such constraint to lean on and checks first."""
    from tests.statements import recorded

    _booking(world, "周六村晚", datetime(2026, 12, 12, 19), datetime(2026, 12, 12, 21))
    db.session.commit()
    with recorded(db.engine) as seen:
        event, _ = create_event(_weekly(world, "每周日电影", datetime(2026, 12, 6, 19), 52), now=NOW)
        db.session.flush()
    holder_reads = [s for s in seen if s.starts("SELECT") and "HOLDS_VENUE" in s.sql]
    if db.engine.dialect.name == "postgresql":
        assert holder_reads == []
        assert [s.sql.split()[0] for s in seen if s.sql.split()[0] in ("SAVEPOINT", "RELEASE")] == ["SAVEPOINT", "RELEASE"]
    else:
        assert len(holder_reads) == 1
    assert len(event.occurrences) == 52 and all(o.holds_venue for o in event.occurrences)


def test_two_bookings_that_wait_on_each_other_end_with_one_booked_and_one_told_the_slot_is_taken(app, db, world):
    """Two requests each write a row the other's clashes with, before either commits: each waits in the
    exclusion constraint for the other, and PostgreSQL aborts one to end the deadlock. That one is a
    lost race, answered like a refusal (409 in the API), not an internal error."""
    import threading

    from sqlalchemy import text

    from calendar_app.events.conflicts import VenueConflict
    from calendar_app.extensions import db as app_db

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): two bookings never wait on each other")
    saturday, sunday = datetime(2026, 12, 12, 19), datetime(2026, 12, 13, 19)
    first_held, second_waits = threading.Event(), threading.Event()
    outcome: dict[str, str] = {}

    def attempt(name: str, book) -> None:
        try:
            book()
            app_db.session.flush()
            outcome[name] = "booked"
        except VenueConflict:
            outcome[name] = "refused"
        except Exception as exc:  # noqa: BLE001 - the test reports whatever else went wrong
            outcome[name] = repr(exc)

    def a() -> None:
        with app.app_context():
            try:
                _booking(world, "周日村晚", sunday, sunday + timedelta(hours=2))
                app_db.session.flush()
                first_held.set()
                second_waits.wait(20)
                attempt("a", lambda: _booking(world, "周六电影", saturday, saturday + timedelta(hours=2)))
            finally:
                app_db.session.rollback()

    def b() -> None:
        with app.app_context():
            try:
                first_held.wait(20)
                # Saturday and Sunday in one INSERT: Saturday is written, then Sunday waits for a's row.
                attempt("b", lambda: create_event(EventData(
                    title="周末戏曲", area_id=world.areas["dongya"].id, venue_id=world.venues["dongya_square"].id,
                    starts_local=saturday, ends_local=saturday + timedelta(hours=2), rrule="FREQ=DAILY;COUNT=2"), now=NOW))
            finally:
                app_db.session.rollback()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    first_held.wait(20)
    for _ in range(200):  # until b waits on a lock
        waiting = db.session.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                         "AND wait_event_type = 'Lock'"))
        db.session.rollback()
        if waiting:
            break
        threading.Event().wait(0.05)
    second_waits.set()
    for t in threads:
        t.join(30)
    assert sorted(outcome.values()) == ["booked", "refused"], outcome


def test_a_series_that_meets_itself_and_another_booking_is_refused_naming_both(db, world):
    """Days of a two-day fair repeated daily overlap each other; the refusal also names the booking
    already there, on PostgreSQL too, where a new event's stored clashes are otherwise left to the
    database."""
    from calendar_app.events.conflicts import VenueConflict

    _booking(world, "周六村晚", datetime(2026, 12, 12, 19), datetime(2026, 12, 12, 21))
    db.session.commit()
    fair = EventData(title="年货市集", area_id=world.areas["dongya"].id, venue_id=world.venues["dongya_square"].id,
                     starts_local=datetime(2026, 12, 11, 9), ends_local=datetime(2026, 12, 12, 17),
                     rrule="FREQ=DAILY;COUNT=3")
    with pytest.raises(VenueConflict) as refused:
        create_event(fair, now=NOW)
    assert {c.title for c in refused.value.clashes} == {"年货市集", "周六村晚"}
    db.session.rollback()
