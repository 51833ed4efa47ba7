"""Venue load's work follows the period asked for, not the history stored: the same few statements
however many occurrences lie outside the period, and the occurrences read from an index alone.

No timings here (bench/bench_reports.py measures them); these count statements and read query plans.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from calendar_app.accounts.scope import Scope
from calendar_app.reports.periods import checked
from calendar_app.reports.venue_load import occurrence_query, utc_bounds, venue_load
from tests.public.helpers import count_queries
from tests.reports.conftest import _event

SHANGHAI = ZoneInfo("Asia/Shanghai")
FORTNIGHT = checked(date(2026, 12, 7), date(2026, 12, 20))


def _report_statements(app, world) -> tuple[dict, list[str]]:
    """The fortnight's report of 临淄区 and the SQL statements it ran."""
    scope, area = Scope(0, "admin", world.areas["city"].id, None), world.areas["linzi"]
    area.path  # noqa: B018  (loaded before counting: the test's own reads are not the report's)
    with count_queries(app) as statements:
        report = venue_load(scope, FORTNIGHT, "week", tz=SHANGHAI, area=area)
    return report.totals(), statements


def test_a_report_is_four_statements_however_much_history_is_stored(app, db, world, bookings):
    totals, before = _report_statements(app, world)
    # Two years of weekly evenings at the same venue before and after the fortnight: history only.
    evening = bookings.venues["evening"]
    for year in (2025, 2027):
        _event(world, f"history{year}", bookings, evening, datetime(year, 2, 3, 19), datetime(year, 2, 3, 21),
               rrule="FREQ=WEEKLY;COUNT=40", status="published")
    db.session.commit()

    totals_after, after = _report_statements(app, world)
    assert totals_after == totals  # nothing outside the fortnight counted
    # The venues, their opening hours, the occurrences of the window, and the window's cancelled or
    # all-day events by key: no statement per venue, per occurrence or per stored year.
    tables = [re.search(r"FROM (\w+)", statement).group(1) for statement in after]
    assert tables == ["venues", "venue_opening_hours", "occurrences", "events"], after
    assert len(before) == len(after)


def test_the_occurrences_of_a_period_are_read_from_the_venue_window_index_alone(app, db, world, bookings):
    lo, hi = utc_bounds(FORTNIGHT, SHANGHAI)
    venue_ids = [v.id for v in bookings.venues.values()]
    compiled = occurrence_query(venue_ids, lo, hi, shift=0).compile(db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "sqlite":
        plan = " ".join(str(row) for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
        assert "USING COVERING INDEX ix_occurrences_venue_window" in plan, plan
    else:
        # What autovacuum does in production: mark the pages all-visible, so PostgreSQL needs no heap
        # visit. Three venues are too few rows for the planner to prefer an index over a scan by cost,
        # so the scan is switched off: the question is whether the index holds every column.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE occurrences"))
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
        plan = "\n".join(row[0] for row in db.session.execute(text(f"EXPLAIN {compiled}")))
        db.session.rollback()
        assert "Index Only Scan using ix_occurrences_venue_window" in plan, plan
    assert "events" not in plan and "SORT" not in plan.upper(), plan  # no join and no sort in the database


@pytest.mark.parametrize("with_attendance", [False, True])
def test_cancelled_events_stay_out_and_all_day_events_book_opening_hours_without_a_join(world, bookings,
                                                                                         with_attendance):
    scope = Scope(0, "admin", world.areas["city"].id, None)
    report = venue_load(scope, FORTNIGHT, "week", tz=SHANGHAI, area=world.areas["linzi"],
                        with_attendance=with_attendance)
    by_name = {v.name: v for v in report.venues}
    night, library = by_name["夜市广场"], by_name["尼山书院"]
    # The called-off night (Thursday of week 2) is gone; the weekend night books 1 h of week 2.
    assert night.occurrences == [2, 1] and night.booked == [int(4.5 * 3600), 2 * 3600]
    # The all-day fair books the Saturday's eight opening hours, not 24.
    assert library.booked[1] == 10 * 3600 and library.total_outside == 1
