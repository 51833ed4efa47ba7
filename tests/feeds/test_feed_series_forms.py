"""The awkward series still expand to exactly what is stored: all-day, off-rule starts, venue overrides,
held occurrences a changed rule no longer yields, cancelled events, DST zones, the storage horizon."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from calendar_app import links
from calendar_app.events.models import Event, Occurrence
from calendar_app.events.services import EventData, edit_occurrence, report_attendance, set_status, update_series
from calendar_app.feeds import store
from calendar_app.feeds.specs import FeedSpec
from tests import factories
from tests.conftest import DEMO_NOW
from tests.feeds.conftest import (
    expanded,
    expanded_by_icaljs,
    icaljs_available,
    parse,
    stored,
    unfolded_lines,
    window_for,
)


def _feed(client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.data


def assert_feed_is_storage(app, db, client, path: str, *conditions) -> bytes:
    """The feed at `path` expands (recurring-ical-events, and ical.js when present) to the stored rows."""
    db.session.commit()
    store.render_pending()  # the change log marks what to re-render; a fresh feed renders on request
    db.session.commit()
    body = _feed(client, path)
    window = window_for(app)
    want = stored(db, window, *conditions)
    assert want, "the scenario must store occurrences in the window"
    assert expanded(body, window) == want
    if icaljs_available():
        assert expanded_by_icaljs(body, window) == want
    return body


@pytest.fixture
def town(db):
    district = factories.district()
    return factories.town(district)


def _occurrences(db, event: Event) -> list[Occurrence]:
    return db.session.scalars(select(Occurrence).where(Occurrence.event_id == event.id)
                              .order_by(Occurrence.original_starts_at)).all()


def test_all_day_series_is_published_with_dates_and_exclusive_end(app, db, client, town):
    event = factories.event(town, title="周末农民画展", start=date(2026, 11, 28), end=date(2026, 11, 30),
                            is_all_day=True, rrule="FREQ=WEEKLY;UNTIL=20270131", exdates=["2026-12-12"], now=DEMO_NOW)
    rows = _occurrences(db, event)
    edit_occurrence(rows[2], cancelled=True, reason="场地维修", now=DEMO_NOW)
    edit_occurrence(rows[3], starts_at=rows[3].starts_at + timedelta(days=1), now=DEMO_NOW)
    body = assert_feed_is_storage(app, db, client, links.feed_path("event", event.id), Occurrence.event_id == event.id)
    lines = unfolded_lines(body)
    assert "DTSTART;VALUE=DATE:20261128" in lines
    assert "DTEND;VALUE=DATE:20261130" in lines  # exclusive: a two-day event ends the morning after
    assert "RRULE:FREQ=WEEKLY;UNTIL=20270131" in lines  # UNTIL is a DATE when DTSTART is
    assert "EXDATE;VALUE=DATE:20261212" in lines
    assert not any(line.startswith(("DTSTART;TZID", "RECURRENCE-ID;TZID")) for line in lines)


def test_start_off_the_rule_is_published_as_rdate_and_the_rule_starts_on_its_own_first_day(app, db, client, town):
    # Friday start for an every-Saturday rule: RFC 5545 counts the Friday; ICAL.md wants DTSTART on the rule.
    event = factories.event(town, start=datetime(2026, 11, 27, 19), end=datetime(2026, 11, 27, 21),
                            rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=4", now=DEMO_NOW)
    assert len(_occurrences(db, event)) == 5
    body = assert_feed_is_storage(app, db, client, links.feed_path("event", event.id), Occurrence.event_id == event.id)
    lines = unfolded_lines(body)
    assert "DTSTART;TZID=Asia/Shanghai:20261128T190000" in lines
    assert "RDATE;TZID=Asia/Shanghai:20261127T190000" in lines


def test_occurrence_held_elsewhere_appears_only_in_that_venue_feed(app, db, client, town):
    square = factories.venue(town, name="文化广场")
    theatre = factories.venue(town, name="镇剧场")
    event = factories.event(town, venue_id=square.id, start=datetime(2026, 11, 25, 19), end=datetime(2026, 11, 25, 21),
                            rrule="FREQ=WEEKLY;COUNT=8", now=DEMO_NOW)
    moved = _occurrences(db, event)[2]
    edit_occurrence(moved, venue_id=theatre.id, reason="下雨改在室内", now=DEMO_NOW)

    theatre_feed = assert_feed_is_storage(app, db, client, links.feed_path("venue", theatre.id),
                                          Occurrence.venue_id == theatre.id)
    assert_feed_is_storage(app, db, client, links.feed_path("venue", square.id), Occurrence.venue_id == square.id)
    everything = assert_feed_is_storage(app, db, client, "/calendar.ics")
    assert not any(line.startswith("RRULE") for line in unfolded_lines(theatre_feed))
    overrides = [c for c in parse(everything).walk("VEVENT") if "RECURRENCE-ID" in c]
    assert [str(c["LOCATION"]) for c in overrides] == ["镇剧场"]


def test_held_occurrence_the_new_rule_no_longer_yields_stays_as_rdate(app, db, client, town):
    event = factories.event(town, start=datetime(2026, 11, 4, 19), end=datetime(2026, 11, 4, 21),
                            rrule="FREQ=WEEKLY;BYDAY=WE;COUNT=10", now=DEMO_NOW - timedelta(days=30))
    held = _occurrences(db, event)[1]  # 11 November, reported attendance
    report_attendance(held, 120, now=DEMO_NOW)
    data = replace(EventData.from_event(event), rrule="FREQ=WEEKLY;BYDAY=TH;COUNT=10",
                   starts_local=datetime(2026, 11, 5, 19), ends_local=datetime(2026, 11, 5, 21))
    update_series(event, data, now=DEMO_NOW)
    body = assert_feed_is_storage(app, db, client, links.feed_path("event", event.id), Occurrence.event_id == event.id)
    assert "RDATE;TZID=Asia/Shanghai:20261111T190000" in unfolded_lines(body)


def test_event_cancelled_after_publication_is_published_as_cancelled(app, db, client, town):
    event = factories.event(town, title="冬季长跑", start=datetime(2026, 12, 6, 8), end=datetime(2026, 12, 6, 10),
                            rrule="FREQ=WEEKLY;COUNT=3", now=DEMO_NOW)
    set_status(event, "cancelled", now=DEMO_NOW)
    body = assert_feed_is_storage(app, db, client, "/calendar.ics")
    vevents = list(parse(body).walk("VEVENT"))
    assert [str(v["STATUS"]) for v in vevents] == ["CANCELLED"]
    assert int(vevents[0]["SEQUENCE"]) == 1
    assert client.get(links.feed_path("event", event.id)).status_code == 200


def test_event_cancelled_before_publication_never_appears(app, db, client, town):
    event = factories.event(town, title="内部排练", status="draft", start=datetime(2026, 12, 6, 8),
                            end=datetime(2026, 12, 6, 10), now=DEMO_NOW)
    set_status(event, "cancelled", now=DEMO_NOW)
    db.session.commit()
    assert b"BEGIN:VEVENT" not in _feed(client, "/calendar.ics")
    assert client.get(links.feed_path("event", event.id)).status_code == 404


def test_series_in_a_daylight_saving_zone_keeps_its_wall_clock_time(app, db, client, town):
    event = factories.event(town, title="柏林中国文化周", start=datetime(2027, 3, 1, 19), end=datetime(2027, 3, 1, 21),
                            timezone="Europe/Berlin", rrule="FREQ=WEEKLY;COUNT=8", now=DEMO_NOW)
    body = assert_feed_is_storage(app, db, client, links.feed_path("event", event.id), Occurrence.event_id == event.id)
    lines = unfolded_lines(body)
    assert "TZID:Europe/Berlin" in lines
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU" in lines  # the rule, not a list of historic dates
    starts = sorted(s for _uid, s, _e, _c in expanded(body, window_for(app)))
    assert {s.hour for s in starts} == {18, 17}  # 19:00 CET is 18:00Z, 19:00 CEST is 17:00Z


def test_rule_beyond_the_storage_horizon_is_the_rule_and_its_exdates(app, db, client, town):
    # Stored ten days ago, so rows stop ten days before the window's end; the rule carries on.
    event = factories.event(town, start=datetime(2026, 11, 3, 19), end=datetime(2026, 11, 3, 21),
                            rrule="FREQ=DAILY", exdates=["2028-05-16T19:00"], now=DEMO_NOW - timedelta(days=10))
    window = window_for(app)
    assert event.stored_until < window.end
    db.session.commit()
    body = _feed(client, links.feed_path("event", event.id))
    got = expanded(body, window)
    beyond = sorted(s for _uid, s, _e, _c in got if s >= event.stored_until)
    # 11 to 20 May 2028 at 19:00 local, except 16 May, which the series itself excludes.
    assert beyond == [datetime(2028, 5, d, 11, tzinfo=timezone.utc) for d in range(11, 21) if d != 16]
    assert {t for t in got if t[1] < event.stored_until} == stored(db, window, Occurrence.event_id == event.id)


def test_occurrences_moved_across_the_window_edges_are_where_they_were_moved(app, db, client, town):
    event = factories.event(town, start=datetime(2026, 10, 1, 19), end=datetime(2026, 10, 1, 21),
                            rrule="FREQ=DAILY;COUNT=40", now=DEMO_NOW - timedelta(days=60))
    window = window_for(app)
    rows = _occurrences(db, event)
    before = next(r for r in rows if r.starts_at < window.start - timedelta(days=2))
    inside = next(r for r in rows if r.starts_at > window.start + timedelta(days=2))
    edit_occurrence(before, starts_at=window.start + timedelta(days=5, hours=3), now=DEMO_NOW)  # moved into the window
    edit_occurrence(inside, starts_at=window.start - timedelta(days=5), now=DEMO_NOW)  # moved out of it
    assert_feed_is_storage(app, db, client, links.feed_path("event", event.id), Occurrence.event_id == event.id)


def test_lunar_series_has_no_rrule_and_lists_its_dates(app, db, client, town):
    event = factories.event(town, title="中秋游园", start=datetime(2026, 9, 25, 19), end=datetime(2026, 9, 25, 21),
                            lunar_rule="FESTIVAL=中秋节", now=DEMO_NOW)
    body = assert_feed_is_storage(app, db, client, links.feed_path("event", event.id), Occurrence.event_id == event.id)
    lines = unfolded_lines(body)
    assert not any(line.startswith("RRULE") for line in lines)
    assert "DTSTART;TZID=Asia/Shanghai:20260925T190000" in lines
    assert "RDATE;TZID=Asia/Shanghai:20270915T190000" in lines  # 中秋 2027


def test_feed_key_of_every_kind_round_trips():
    for spec in (FeedSpec("all"), FeedSpec("program", 3), FeedSpec("venue", 9, "opera"), FeedSpec("category", "film"),
                 FeedSpec("private", 17)):
        assert FeedSpec.from_key(spec.key) == spec
