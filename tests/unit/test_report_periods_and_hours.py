"""Report periods and opening-hours arithmetic (pure: no app, no database)."""
from __future__ import annotations

from datetime import date, time

import pytest

from calendar_app.db import ValidationError
from calendar_app.reports.hours import DAY, HOUR, OpenIntervals, day_seconds, weekday_of
from calendar_app.reports.periods import Period, around, buckets, checked, parse_year, shifted


def test_periods_around_a_date():
    d = date(2026, 12, 3)  # a Thursday
    assert around("week", d) == Period(date(2026, 11, 30), date(2026, 12, 6))
    assert around("month", d) == Period(date(2026, 12, 1), date(2026, 12, 31))
    assert around("quarter", d) == Period(date(2026, 10, 1), date(2026, 12, 31))
    assert around("year", d) == Period(date(2026, 1, 1), date(2026, 12, 31))
    assert shifted("month", around("month", d), 1) == Period(date(2027, 1, 1), date(2027, 1, 31))
    assert shifted("quarter", around("quarter", d), -1) == Period(date(2026, 7, 1), date(2026, 9, 30))


def test_week_buckets_start_on_mondays_and_are_cut_to_the_period():
    spans = buckets(Period(date(2026, 12, 3), date(2026, 12, 16)), "week")
    assert spans == [(date(2026, 12, 3), date(2026, 12, 7)), (date(2026, 12, 7), date(2026, 12, 14)),
                     (date(2026, 12, 14), date(2026, 12, 17))]
    assert [first for first, _ in buckets(Period(date(2026, 1, 15), date(2026, 3, 2)), "month")] == \
        [date(2026, 1, 15), date(2026, 2, 1), date(2026, 3, 1)]


@pytest.mark.parametrize(("start", "end", "ok"), [
    (date(2028, 1, 1), date(2028, 12, 31), True),   # 366 days
    (date(2026, 1, 1), date(2027, 1, 1), True),     # 366 days
    (date(2026, 1, 1), date(2027, 1, 2), False),    # 367
    (date(2026, 2, 1), date(2026, 1, 31), False),
])
def test_a_period_is_at_most_366_days_and_not_reversed(start, end, ok):
    if ok:
        assert checked(start, end).days <= 366
    else:
        with pytest.raises(ValidationError):
            checked(start, end)


@pytest.mark.parametrize("raw", ["26", "20266", "２０２６", "1900", "2100", "-202", ""])
def test_years_are_four_ascii_digits_in_range(raw):
    with pytest.raises(ValidationError):
        parse_year(raw)


def test_day_seconds_and_weekdays():
    assert day_seconds(date(1970, 1, 2)) == DAY
    assert weekday_of(day_seconds(date(2026, 12, 7))) == 0  # a Monday
    assert weekday_of(day_seconds(date(2026, 12, 13)) + 23 * HOUR) == 6


def test_hours_that_cross_midnight_belong_to_the_day_they_open():
    monday = day_seconds(date(2026, 12, 7))
    # Open Sunday 20:00-02:00 only.
    hours = OpenIntervals(((6, 20 * HOUR, 2 * HOUR),), monday, monday + 7 * DAY)
    # Sunday 12-06's night reaches into Monday 00:00-02:00; Sunday 12-13 20:00-24:00 is cut at the end.
    assert hours.total(monday, monday + 7 * DAY) == 2 * HOUR + 4 * HOUR
    assert hours.covers(monday, monday + HOUR) and not hours.covers(monday + HOUR, monday + 3 * HOUR)


def test_split_and_touching_slots_merge():
    monday = day_seconds(date(2026, 12, 7))
    hours = OpenIntervals(((0, 9 * HOUR, 12 * HOUR), (0, 12 * HOUR, 17 * HOUR), (0, 18 * HOUR, 22 * HOUR)),
                          monday, monday + DAY)
    assert hours.covers(monday + 10 * HOUR, monday + 16 * HOUR)  # across the 12:00 seam
    assert not hours.covers(monday + 16 * HOUR, monday + 19 * HOUR)  # across the 17:00-18:00 gap
    assert hours.pieces(monday + 16 * HOUR, monday + 19 * HOUR) == [(monday + 16 * HOUR, monday + 17 * HOUR),
                                                                     (monday + 18 * HOUR, monday + 19 * HOUR)]
    assert hours.total(monday, monday + DAY) == 12 * HOUR


def test_midnight_to_midnight_is_the_whole_day():
    monday = day_seconds(date(2026, 12, 7))
    hours = OpenIntervals(((0, 0, 0),), monday, monday + 7 * DAY)
    assert hours.total(monday, monday + 7 * DAY) == DAY
    assert time(0) < time(1)
