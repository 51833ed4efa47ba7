"""Venue load equals what a person counts from the stored occurrences, minute by minute.

The fortnight of tests/reports/conftest.py: each figure is checked twice, against hours worked out by
hand in the comments, and against a plain minute-by-minute count over the stored occurrences and the
venues' opening hours (no code shared with the report).
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from tests.reports.conftest import stored_occurrences

WEEKS = [datetime(2026, 12, 7), datetime(2026, 12, 14)]
PERIOD_END = datetime(2026, 12, 21)
URL = "/api/v1/reports/venue-load?start=2026-12-07&end=2026-12-20&granularity=week"

# Opening hours as the conftest gave them: weekday -> (opens, closes); closes <= opens runs past midnight.
HOURS = {
    "evening": {d: (time(18), time(22)) for d in range(7)},
    "library": {d: (time(9), time(17)) for d in range(1, 7)},
    "night": {d: (time(20), time(2)) for d in range(7)},
}


def is_open(hours: dict, minute: datetime) -> bool:
    t = minute.time()
    for weekday, (opens, closes) in hours.items():
        if opens < closes:
            if minute.weekday() == weekday and opens <= t < closes:
                return True
        elif (minute.weekday() == weekday and t >= opens) or \
                ((minute - timedelta(days=1)).weekday() == weekday and t < closes):
            return True
    return False


def minutes(start: datetime, end: datetime):
    m = start
    while m < end:
        yield m
        m += timedelta(minutes=1)


def count_by_hand(db, venue, hours: dict) -> list[dict]:
    """Per week: open hours, booked hours, occurrences (by clipped start), outside opening hours."""
    occs = stored_occurrences(db, venue.id)
    out = []
    for week_start in WEEKS:
        week_end = min(week_start + timedelta(days=7), PERIOD_END)
        available = sum(1 for m in minutes(week_start, week_end) if is_open(hours, m))
        booked = count = outside = 0
        for start, end, all_day in occs:
            lo, hi = max(start, week_start), min(end, week_end)
            if lo < hi:
                booked += sum(1 for m in minutes(lo, hi) if not all_day or is_open(hours, m))
            first = max(start, WEEKS[0])
            if week_start <= first < week_end and end > WEEKS[0]:
                count += 1
                if all_day:
                    outside += not any(is_open(hours, m) for m in minutes(start, end))
                else:
                    outside += not all(is_open(hours, m) for m in minutes(start, end))
        out.append({"available_hours": round(available / 60, 2), "booked_hours": round(booked / 60, 2),
                    "occurrences": count, "outside_hours": outside})
    return out


@pytest.fixture
def items(client, world, bookings):
    response = client.get(URL + f"&area={world.areas['linzi'].id}", headers=world.auth("staff"))
    assert response.status_code == 200, response.get_data(as_text=True)
    by_venue = {}
    for item in response.get_json()["items"]:
        by_venue.setdefault(item["venue_id"], []).append(item)
    return by_venue


@pytest.mark.parametrize("name", ["evening", "library", "night"])
def test_venue_load_equals_a_minute_by_minute_count_of_the_stored_occurrences(db, items, bookings, name):
    venue = bookings.venues[name]
    got = [{k: item[k] for k in ("available_hours", "booked_hours", "occurrences", "outside_hours")}
           for item in items[venue.id]]
    assert got == count_by_hand(db, venue, HOURS[name])
    assert [item["period_start"] for item in items[venue.id]] == ["2026-12-07", "2026-12-14"]


def test_evening_venue_counts_only_its_evenings_and_not_the_cancelled_or_moved_away_ones(items, bookings):
    first, second = items[bookings.venues["evening"].id]
    # Open 18:00-22:00 daily: 4 h x 7. Week 1: Tuesday 19-21 and the 17-19 one (outside hours, still booked);
    # the Friday evening moved to the library does not count here.
    assert (first["available_hours"], first["booked_hours"], first["occurrences"], first["outside_hours"]) == (28, 4, 2, 1)
    assert first["utilization"] == pytest.approx(4 / 28, abs=1e-4)
    # Week 2: the second Tuesday is cancelled; Friday 19-21 plus a clash 19:30-20:30; Saturday 18-19 then
    # 19:10-20:00, ten minutes after (changeover 30 minutes): 2 + 1 + 1 + 50/60 hours.
    assert second["booked_hours"] == round(4 + 50 / 60, 2)
    assert (second["occurrences"], second["conflicts"], second["tight_changeovers"]) == (4, 1, 1)


def test_closed_monday_and_all_day_booking_at_the_library(items, bookings):
    first, second = items[bookings.venues["library"].id]
    # 09:00-17:00 Tuesday to Sunday: 8 h x 6; the Monday lecture is on a closed day: booked and flagged.
    assert (first["available_hours"], first["booked_hours"], first["outside_hours"]) == (48, 1, 1)
    # The moved occurrence (Wednesday 10-12) and the all-day fair, which books the Saturday's 8 opening hours.
    assert (second["booked_hours"], second["occurrences"], second["outside_hours"]) == (10, 2, 0)


def test_hours_across_midnight_and_period_boundaries_at_the_night_market(items, bookings):
    first, second = items[bookings.venues["night"].id]
    # 20:00-02:00 daily, cut to the fortnight: 2 h (Sunday's night before) + 6 x 6 h + 4 h (Sunday to midnight).
    assert first["available_hours"] == second["available_hours"] == 42
    # 00:00-01:30 of the night that began before the fortnight, and Sunday 21:00-24:00 of the weekend night.
    assert (first["booked_hours"], first["occurrences"], first["outside_hours"]) == (4.5, 2, 0)
    # Monday 00:00-01:00 of that weekend night and Sunday 23:00-24:00 of the last; the cancelled event is gone.
    assert (second["booked_hours"], second["occurrences"]) == (2, 1)


def test_day_and_month_granularity_split_the_same_hours(client, world, bookings):
    venue = bookings.venues["night"]
    base = f"/api/v1/reports/venue-load?start=2026-12-07&end=2026-12-20&venue={venue.id}"
    days = client.get(base + "&granularity=day", headers=world.auth("staff")).get_json()["items"]
    month = client.get(base + "&granularity=month", headers=world.auth("staff")).get_json()["items"]
    assert len(days) == 14 and len(month) == 1
    assert days[0] == {**days[0], "period_start": "2026-12-07", "booked_hours": 1.5, "available_hours": 6}
    assert days[6]["booked_hours"] == 3 and days[7]["booked_hours"] == 1  # the weekend night split at midnight
    assert month[0]["booked_hours"] == 6.5 and month[0]["available_hours"] == 84
    assert round(sum(d["booked_hours"] for d in days), 2) == month[0]["booked_hours"]


def test_a_day_when_the_venue_is_closed_has_no_utilization(client, world, bookings):
    venue = bookings.venues["library"]
    body = client.get(f"/api/v1/reports/venue-load?start=2026-12-07&end=2026-12-07&granularity=day&venue={venue.id}",
                      headers=world.auth("staff")).get_json()
    assert body["items"] == [{"venue_id": venue.id, "venue": "尼山书院", "period_start": "2026-12-07",
                              "booked_hours": 1.0, "available_hours": 0.0, "utilization": None, "occurrences": 1,
                              "conflicts": 0, "tight_changeovers": 0, "outside_hours": 1}]
