"""Every public feed of the demo year expands to exactly the stored occurrences it selects.

For each program, edition, area (a town includes its villages), venue and category feed and the
all-events feed, the occurrences recurring-ical-events expands over the feed window equal the rows
of `occurrences` with the same filter: same UID, start and end (UTC) and cancellation.
"""
from __future__ import annotations


from datetime import date

import pytest
from sqlalchemy import select

from calendar_app import links
from calendar_app.areas.models import Area
from calendar_app.areas.services import descendant_ids_query
from calendar_app.events.models import Event, Occurrence
from calendar_app.programs.models import CATEGORIES, Edition, Program
from calendar_app.venues.models import Venue
from tests.feeds.conftest import SHANGHAI, expanded, expanded_by_icaljs, stored, window_for


def _feeds(kind: str):
    """(URL path, conditions selecting the feed's stored occurrences) of every feed of a kind."""
    from calendar_app.extensions import db

    if kind == "all":
        return [(links.feed_path("all"), ())]
    if kind == "program":
        return [(links.feed_path("program", p.slug), (Occurrence.program_id == p.id,))
                for p in db.session.scalars(select(Program))]
    if kind == "edition":
        return [(links.feed_path("edition", e.id), (Occurrence.edition_id == e.id,))
                for e in db.session.scalars(select(Edition))]
    if kind == "area":
        return [(links.feed_path("area", a.id), (Occurrence.area_id.in_(descendant_ids_query(a)),))
                for a in db.session.scalars(select(Area))]
    if kind == "venue":
        return [(links.feed_path("venue", v.id), (Occurrence.venue_id == v.id,))
                for v in db.session.scalars(select(Venue))]
    return [(links.feed_path("category", c), (Event.category == c,)) for c in CATEGORIES]


@pytest.mark.parametrize("kind", ["all", "program", "edition", "area", "venue", "category"])
def test_feed_expands_to_exactly_the_stored_occurrences(app, demo, demo_client, kind):
    window = window_for(app)
    mismatches, compared = {}, 0
    for path, conditions in _feeds(kind):
        response = demo_client.get(path)
        assert response.status_code == 200, path
        got, want = expanded(response.data, window), stored(demo, window, *conditions)
        compared += len(want)
        if got != want:
            mismatches[path] = {"extra in feed": sorted(got - want)[:5], "missing from feed": sorted(want - got)[:5]}
    assert mismatches == {}
    assert compared > 0


def test_every_event_feed_expands_to_its_stored_occurrences(app, demo, demo_client):
    window = window_for(app)
    events = demo.session.scalars(select(Event).where(Event.status == "published")).all()
    mismatches = {}
    for event in events:
        response = demo_client.get(links.feed_path("event", event.id))
        assert response.status_code == 200
        got, want = expanded(response.data, window), stored(demo, window, Occurrence.event_id == event.id)
        if got != want:
            mismatches[event.uid] = (sorted(got - want)[:3], sorted(want - got)[:3])
    assert mismatches == {}


def test_demo_feed_includes_series_overrides_lunar_dates_and_cancellations(app, demo, demo_client):
    window = window_for(app)
    got = expanded(demo_client.get("/calendar.ics").data, window)
    uids = {uid for uid, *_ in got}
    assert {"demo-feiyi-saturday@calendar-app.local", "demo-feiyi-daji-spring@calendar-app.local",
            "demo-feiyi-daji-lantern@calendar-app.local"} <= uids
    assert any(cancelled for *_, cancelled in got), "the demo's cancelled occurrence is in the feed"
    spring = sorted(start.astimezone(SHANGHAI).date() for uid, start, _end, _c in got
                    if uid == "demo-feiyi-daji-spring@calendar-app.local")
    # 春节 and the two days after, in both lunar years the window reaches: dates no RRULE can express.
    assert spring == [date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8),
                      date(2028, 1, 26), date(2028, 1, 27), date(2028, 1, 28)]


@pytest.mark.parametrize("kind", ["all", "venue", "area"])
def test_icaljs_expands_the_same_occurrences_as_the_database(app, demo, demo_client, kind, icaljs):
    window = window_for(app)
    mismatches = {}
    for path, conditions in _feeds(kind):
        body = demo_client.get(path).data
        got, want = expanded_by_icaljs(body, window), stored(demo, window, *conditions)
        if got != want:
            mismatches[path] = (sorted(got - want)[:3], sorted(want - got)[:3])
    assert mismatches == {}
