"""Behaviour of the recurrence engine: the bureau programs' real cadences and every refusal."""
from __future__ import annotations

import ast
import time as time_module
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path

import pytest

import calendar_app.recurrence as recurrence
from calendar_app.festivals import lunar
from calendar_app.recurrence import (
    Instance,
    LunarRule,
    RecurrenceError,
    SeriesSpec,
    expand,
    format_lunar_rule,
    ical_rrule,
    parse_lunar_rule,
    parse_rrule,
    validate,
)

UTC = timezone.utc
HORIZON = date(2027, 12, 31)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def starts(spec: SeriesSpec, ws: datetime = utc(1990, 1, 1), we: datetime = utc(2099, 1, 1)) -> list:
    return [i.start for i in expand(spec, ws, we)]


def rule_refused(text: str) -> RecurrenceError:
    """Assert parse_rrule() refuses ``text``, naming the rrule field; return the error."""
    with pytest.raises(RecurrenceError) as err:
        parse_rrule(text)
    assert err.value.field == "rrule", (err.value.field, str(err.value))
    return err.value


def timed(start: datetime, minutes: int = 120, **kw) -> SeriesSpec:
    return SeriesSpec(start=start, end=start + timedelta(minutes=minutes), **kw)


def refused(spec: SeriesSpec, field: str, message: str, **kw) -> RecurrenceError:
    """Assert validate() refuses ``spec`` naming ``field`` with a message containing ``message``."""
    with pytest.raises(RecurrenceError) as err:
        validate(spec, horizon_end=kw.pop("horizon_end", HORIZON), **kw)
    assert err.value.field == field, (err.value.field, str(err.value))
    assert message in str(err.value), str(err.value)
    return err.value


# --------------------------------------------------------------------------- programs


def test_every_saturday_heritage_series_falls_on_saturdays() -> None:
    # 非遗星期六 at 尼山书院: every Saturday 09:30-11:30.
    spec = timed(datetime(2026, 1, 3, 9, 30), rrule="FREQ=WEEKLY;BYDAY=SA")
    instances = expand(spec, utc(2025, 12, 31, 16), utc(2026, 12, 31, 16))  # = calendar year 2026 in Beijing
    assert len(instances) == 52
    assert all(i.start.weekday() == 5 and i.start.time() == time(9, 30) for i in instances)
    assert instances[0].start_utc == utc(2026, 1, 3, 1, 30)
    assert instances[-1].start == datetime(2026, 12, 26, 9, 30)
    assert validate(spec, horizon_end=HORIZON) == []


def test_linzi_summer_evenings_skip_mondays() -> None:
    # 临淄之夏: every evening June-August except Mondays, 19:30-21:30 Beijing time.
    spec = timed(
        datetime(2026, 6, 2, 19, 30),
        rrule="FREQ=DAILY;BYDAY=TU,WE,TH,FR,SA,SU;UNTIL=20260831T133000Z",
    )
    got = starts(spec)
    assert got[0] == datetime(2026, 6, 2, 19, 30)
    assert got[-1] == datetime(2026, 8, 30, 19, 30)  # 08-31 is a Monday
    assert all(d.weekday() != 0 for d in got)
    assert all(d.time() == time(19, 30) for d in got)
    # 91 days from 06-02 to 08-31, minus 13 Mondays.
    assert len(got) == 78


def test_monthly_rendezvous_every_month() -> None:
    # 月季有约: at least one activity every month, here the 2nd Saturday.
    spec = timed(datetime(2026, 1, 10, 14, 0), rrule="FREQ=MONTHLY;BYDAY=2SA;COUNT=12")
    got = starts(spec)
    assert len(got) == 12
    assert sorted({d.month for d in got}) == list(range(1, 13))
    assert all(d.weekday() == 5 and 8 <= d.day <= 14 for d in got)


def test_last_sunday_of_month() -> None:
    spec = timed(datetime(2026, 1, 25, 10, 0), rrule="FREQ=MONTHLY;BYDAY=-1SU;UNTIL=20260630T235959Z")
    assert [d.date() for d in starts(spec)] == [
        date(2026, 1, 25), date(2026, 2, 22), date(2026, 3, 29),
        date(2026, 4, 26), date(2026, 5, 31), date(2026, 6, 28),
    ]


def test_first_saturday() -> None:
    spec = timed(datetime(2026, 1, 3, 10, 0), rrule="FREQ=MONTHLY;BYDAY=1SA;COUNT=5")
    assert [d.date() for d in starts(spec)] == [
        date(2026, 1, 3), date(2026, 2, 7), date(2026, 3, 7), date(2026, 4, 4), date(2026, 5, 2),
    ]


def test_bysetpos() -> None:
    # The last working weekday of each month.
    spec = timed(datetime(2026, 1, 30, 15, 0), rrule="FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=8")
    assert [d.date() for d in starts(spec)] == [
        date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 31), date(2026, 4, 30),
        date(2026, 5, 29), date(2026, 6, 30), date(2026, 7, 31), date(2026, 8, 31),
    ]


# Boundaries of ordinals, BYSETPOS and negative month days (expected dates read off a printed calendar).


@pytest.mark.parametrize(("byday", "expected"), [
    # Only January, May, August and October 2026 have five Saturdays.
    ("5SA", [date(2026, 1, 31), date(2026, 5, 30), date(2026, 8, 29), date(2026, 10, 31), date(2027, 1, 30)]),
    # Its negative twin: in exactly those months, the first Saturday is the 5th from the end.
    ("-5SA", [date(2026, 1, 3), date(2026, 5, 2), date(2026, 8, 1), date(2026, 10, 3), date(2027, 1, 2)]),
    ("4SA", [date(2026, 1, 24), date(2026, 2, 28), date(2026, 3, 28), date(2026, 4, 25), date(2026, 5, 23)]),
    ("-4SA", [date(2026, 1, 10), date(2026, 2, 7), date(2026, 3, 7), date(2026, 4, 4), date(2026, 5, 9)]),
])
def test_fifth_and_fourth_weekday_ordinals_skip_months_without_them(byday: str, expected: list) -> None:
    spec = timed(datetime(2026, 1, 3, 9, 30), rrule=f"FREQ=MONTHLY;BYDAY={byday};COUNT=5")
    got = starts(spec)
    assert got[0] == datetime(2026, 1, 3, 9, 30)  # DTSTART itself
    assert [d.date() for d in got if d != datetime(2026, 1, 3, 9, 30)] == [d for d in expected if d != date(2026, 1, 3)]


def test_fifth_saturday_of_the_year_and_of_a_month_in_a_yearly_rule() -> None:
    assert [d.date() for d in starts(timed(datetime(2026, 1, 31, 10), rrule="FREQ=YEARLY;BYDAY=5SA;COUNT=2"))] == [
        date(2026, 1, 31), date(2027, 1, 30)]
    # May has a 5th Saturday in 2026 and 2027, not in 2028-2030.
    may = timed(datetime(2026, 5, 30, 10), rrule="FREQ=YEARLY;BYMONTH=5;BYDAY=5SA;COUNT=3")
    assert [d.date() for d in starts(may)] == [date(2026, 5, 30), date(2027, 5, 29), date(2031, 5, 31)]


def test_a_fifth_saturday_missing_from_one_listed_month_does_not_spill_into_the_next() -> None:
    # February and March 2026-2028 have four Saturdays each: their "5th" (or 5th from the end) would fall in
    # the neighbouring listed month. Expected dates as dateutil.rrule computes them (checked by hand: March
    # 2029 has Saturdays 3-31, March 2030 2-30, March 2031 1-29, March 2035 3-31).
    first = timed(datetime(2026, 1, 1, 9, 30), rrule="FREQ=YEARLY;BYMONTH=2,3;BYDAY=5SA;COUNT=4")
    assert [d.date() for d in starts(first)][1:] == [date(2029, 3, 31), date(2030, 3, 30), date(2031, 3, 29), date(2035, 3, 31)]
    last = timed(datetime(2026, 1, 1, 9, 30), rrule="FREQ=YEARLY;BYMONTH=2,3;BYDAY=-5SA;COUNT=4")
    assert [d.date() for d in starts(last)][1:] == [date(2029, 3, 3), date(2030, 3, 2), date(2031, 3, 1), date(2035, 3, 3)]


def test_the_first_and_last_weekday_of_a_year_can_be_new_years_day_and_new_years_eve() -> None:
    # 2026-01-01 and 2026-12-31 are Thursdays.
    first = timed(datetime(2026, 1, 1, 9, 30), rrule="FREQ=YEARLY;BYDAY=1TH;COUNT=3")
    assert [d.date() for d in starts(first)] == [date(2026, 1, 1), date(2027, 1, 7), date(2028, 1, 6)]
    last = timed(datetime(2026, 1, 1, 9, 30), rrule="FREQ=YEARLY;BYDAY=-1TH;COUNT=3")
    assert [d.date() for d in starts(last)][1:] == [date(2026, 12, 31), date(2027, 12, 30), date(2028, 12, 28)]


@pytest.mark.parametrize(("wkst", "august", "december"), [
    # RFC 5545 section 3.8.5.3's own example: changing only WKST from MO to SU changes the dates.
    ("MO", [5, 10, 19, 24], [9, 14, 23, 28]),
    ("SU", [5, 17, 19, 31], [7, 9, 21, 23]),
])
def test_the_week_start_decides_which_days_share_a_fortnight(wkst: str, august: list, december: list) -> None:
    counted = timed(datetime(1997, 8, 5, 9), rrule=f"FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST={wkst}")
    assert [d.date() for d in starts(counted)] == [date(1997, 8, d) for d in august]
    # The same rhythm in a window months later (the walk starts at the window, not at DTSTART).
    open_ended = timed(datetime(1997, 8, 5, 9), rrule=f"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST={wkst}")
    assert [d.date() for d in starts(open_ended, utc(1997, 12, 1), utc(1997, 12, 31))] == [
        date(1997, 12, d) for d in december]


_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@pytest.mark.parametrize("first_day", range(7))
@pytest.mark.parametrize("wkst", range(7))
def test_a_weekly_rules_first_week_runs_from_dtstart_to_the_day_before_the_week_start(first_day: int,
                                                                                       wkst: int) -> None:
    # The day before WKST closes the first (cut) week: a rule on that day meets it there, as dateutil says.
    from dateutil.rrule import rrulestr

    start = datetime(2026, 11, 30, 19) + timedelta(days=first_day)  # 30 November 2026 is a Monday
    day = _WEEKDAY_CODES[(wkst - 1) % 7]
    rule = f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day};WKST={_WEEKDAY_CODES[wkst]};COUNT=3"
    expected = sorted({start, *rrulestr(rule, dtstart=start)})  # the engine always adds DTSTART itself
    assert starts(timed(start, rrule=rule)) == expected


def test_every_saturday_of_july_and_august_is_a_weekly_rule_limited_to_two_months() -> None:
    # 临淄之夏: Saturday evenings through the summer, every year.
    summer = timed(datetime(2027, 7, 3, 19, 30), rrule="FREQ=WEEKLY;BYDAY=SA;BYMONTH=7,8")
    assert [d.date() for d in starts(summer, utc(2027, 1, 1), utc(2028, 7, 10))] == [
        date(2027, 7, 3), date(2027, 7, 10), date(2027, 7, 17), date(2027, 7, 24), date(2027, 7, 31),
        date(2027, 8, 7), date(2027, 8, 14), date(2027, 8, 21), date(2027, 8, 28), date(2028, 7, 1),
        date(2028, 7, 8)]
    # A season of five, and every other Saturday: each week is its own, counted once.
    five = timed(datetime(2027, 7, 3, 19, 30), rrule="FREQ=WEEKLY;BYDAY=SA;BYMONTH=7,8;COUNT=5")
    assert [d.date() for d in starts(five)] == [date(2027, 7, d) for d in (3, 10, 17, 24, 31)]
    fortnightly = timed(datetime(2027, 7, 3, 19, 30), rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;BYMONTH=7,8")
    assert [d.date() for d in starts(fortnightly, utc(2027, 1, 1), utc(2027, 12, 31))] == [
        date(2027, 7, 3), date(2027, 7, 17), date(2027, 7, 31), date(2027, 8, 14), date(2027, 8, 28)]


def test_bysetpos_one_is_the_first_candidate_of_each_month() -> None:
    # The first working day (Monday to Friday) of each month: 2026-01-01 is a Thursday, 2 February and
    # 2 March are Mondays, 1 April a Wednesday.
    spec = timed(datetime(2026, 1, 1, 9), rrule="FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1;COUNT=4")
    assert [d.date() for d in starts(spec)] == [date(2026, 1, 1), date(2026, 2, 2), date(2026, 3, 2), date(2026, 4, 1)]


def test_a_counted_series_seen_through_a_later_window_shows_only_its_own_last_occurrences() -> None:
    spec = timed(datetime(2026, 1, 1, 9), rrule="FREQ=DAILY;COUNT=5")
    assert starts(spec, utc(2026, 1, 3), utc(2026, 1, 31)) == [datetime(2026, 1, d, 9) for d in (3, 4, 5)]
    lunar_spec = timed(datetime(2026, 3, 3, 19), lunar=LunarRule(festival="元宵节", count=3))
    # 元宵 2026-03-03, 2027-02-20, 2028-02-09 (lunar-python): a window in 2028-2029 holds only the third.
    assert starts(lunar_spec, utc(2028, 1, 1), utc(2029, 12, 31)) == [datetime(2028, 2, 9, 19)]
    assert starts(lunar_spec, utc(2029, 1, 1), utc(2030, 12, 31)) == []


@pytest.mark.parametrize(("spec", "field", "third", "fourth"), [
    (timed(datetime(2026, 1, 1, 9), rrule="FREQ=DAILY"), "rrule", datetime(2026, 1, 3, 9), datetime(2026, 1, 4, 9)),
    # 元宵 2026-03-03, 2027-02-20, 2028-02-09, 2029-02-27 (lunar-python).
    (timed(datetime(2026, 3, 3, 9), lunar=LunarRule(festival="元宵节")), "lunar", datetime(2028, 2, 9, 9),
     datetime(2029, 2, 27, 9)),
    (timed(datetime(2026, 1, 1, 9), rdates=tuple(datetime(2026, 1, d, 9) for d in (2, 3, 4))), "rdates",
     datetime(2026, 1, 3, 9), datetime(2026, 1, 4, 9)),
], ids=["rule", "lunar", "extra dates"])
def test_an_occurrence_starting_exactly_at_the_horizon_counts_towards_the_limit(spec: SeriesSpec, field: str,
                                                                                 third: datetime, fourth: datetime) -> None:
    assert validate(spec, horizon_end=third, max_occurrences=3) == []
    refused(spec, field, "超过 3 次活动", horizon_end=fourth, max_occurrences=3)
    refused(spec, field, "超过 2 次活动", horizon_end=third, max_occurrences=2)


def test_a_horizon_at_the_very_start_still_counts_the_start_as_an_occurrence() -> None:
    start = datetime(2026, 1, 2, 9)  # a Friday: an instance only because it is the start
    # Excluding the start is excluding an occurrence: no "not an occurrence of this series" warning.
    assert validate(timed(start, rrule="FREQ=WEEKLY;BYDAY=SA", exdates=(start,)), horizon_end=start) == [
        "开始时间不符合重复规则，但按 RFC 5545 仍算作第一次活动；如不需要，请把开始时间改到规则上的第一天"]


@pytest.mark.parametrize("tzid", [None, 8, ""])
def test_a_zone_that_is_not_a_name_is_refused_on_the_zone_field(tzid) -> None:
    refused(timed(datetime(2026, 1, 1, 9), tzid=tzid), "tzid", f"未知的时区：{tzid}")


def test_every_fifth_month_counts_its_months_from_the_start_across_new_year() -> None:
    counted = timed(datetime(2026, 11, 15, 9, 30), rrule="FREQ=MONTHLY;INTERVAL=5;COUNT=4")
    assert [d.date() for d in starts(counted)] == [date(2026, 11, 15), date(2027, 4, 15), date(2027, 9, 15), date(2028, 2, 15)]
    # Without COUNT, a window far from the start lands on the same months.
    open_ended = timed(datetime(2026, 11, 15, 9, 30), rrule="FREQ=MONTHLY;INTERVAL=5")
    assert [d.date() for d in starts(open_ended, utc(2027, 9, 1), utc(2028, 3, 1))] == [date(2027, 9, 15), date(2028, 2, 15)]


def test_a_new_years_day_series_until_a_new_years_day_includes_that_day() -> None:
    spec = timed(datetime(2026, 1, 1, 9, 30), rrule="FREQ=YEARLY;UNTIL=20280101")
    assert [d.date() for d in starts(spec)] == [date(2026, 1, 1), date(2027, 1, 1), date(2028, 1, 1)]


def test_every_third_day_keeps_its_rhythm_in_a_window_that_starts_between_two_occurrences() -> None:
    spec = timed(datetime(2026, 1, 1, 9, 30), rrule="FREQ=DAILY;INTERVAL=3")
    # 1 January + 3k days: 2 March is the 20th occurrence after the start (60 days).
    assert [d.date() for d in starts(spec, utc(2026, 3, 1), utc(2026, 3, 12))] == [
        date(2026, 3, 2), date(2026, 3, 5), date(2026, 3, 8), date(2026, 3, 11)]


@pytest.mark.parametrize(("setpos", "expected"), [
    # Weekend days, February to June 2026: Feb 8 (1st to 28th), Mar 9 (1st to 29th), Apr 8, May 10 (2nd to 31st), Jun 8.
    ("-8", [date(2026, 2, 1), date(2026, 3, 7), date(2026, 4, 4), date(2026, 5, 9), date(2026, 6, 6)]),
    ("8", [date(2026, 2, 28), date(2026, 3, 28), date(2026, 4, 26), date(2026, 5, 24), date(2026, 6, 28)]),
    ("-9", [date(2026, 3, 1), date(2026, 5, 3)]),
    ("9", [date(2026, 3, 29), date(2026, 5, 30)]),
    ("-10", [date(2026, 5, 2)]),
    ("10", [date(2026, 5, 31)]),
])
def test_bysetpos_reaching_exactly_the_first_or_last_candidate(setpos: str, expected: list) -> None:
    spec = timed(datetime(2026, 2, 1, 9, 30), rrule=f"FREQ=MONTHLY;BYDAY=SA,SU;BYSETPOS={setpos}")
    # DTSTART (2026-02-01) is always an instance: leave it out to compare the rule's own picks.
    got = [d.date() for d in starts(spec, utc(2026, 1, 31, 16), utc(2026, 6, 30, 16)) if d != datetime(2026, 2, 1, 9, 30)]
    assert got == [d for d in expected if d != date(2026, 2, 1)]


@pytest.mark.parametrize(("monthday", "expected"), [
    ("-1", [date(2026, 2, 28), date(2027, 2, 28), date(2028, 2, 29), date(2029, 2, 28)]),
    ("-28", [date(2026, 2, 1), date(2027, 2, 1), date(2028, 2, 2), date(2029, 2, 1)]),
    # The 29th day from the end exists only in a leap February.
    ("-29", [date(2028, 2, 1), date(2032, 2, 1), date(2036, 2, 1), date(2040, 2, 1)]),
])
def test_negative_monthday_in_february_of_leap_and_common_years(monthday: str, expected: list) -> None:
    spec = timed(datetime(2026, 1, 1, 9, 30), rrule=f"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY={monthday};COUNT=4")
    assert [d.date() for d in starts(spec)][1:] == expected


def test_last_day_of_every_month_through_a_leap_february() -> None:
    spec = timed(datetime(2028, 1, 31, 9, 30), rrule="FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=4")
    assert [d.date() for d in starts(spec)] == [date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31), date(2028, 4, 30)]


def test_yearly_rule_defaults_to_dtstart_day() -> None:
    spec = timed(datetime(2024, 2, 29, 9, 0), rrule="FREQ=YEARLY;COUNT=3")
    assert starts(spec) == [datetime(2024, 2, 29, 9), datetime(2028, 2, 29, 9), datetime(2032, 2, 29, 9)]


def test_exdate_removes_and_rdate_adds() -> None:
    spec = timed(
        datetime(2026, 1, 3, 9, 30),
        rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=4",
        exdates=(datetime(2026, 1, 10, 9, 30),),
        rdates=(datetime(2026, 1, 14, 19, 0),),
    )
    assert starts(spec) == [
        datetime(2026, 1, 3, 9, 30), datetime(2026, 1, 14, 19, 0),
        datetime(2026, 1, 17, 9, 30), datetime(2026, 1, 24, 9, 30),
    ]
    # The RDATE keeps the series' duration.
    assert [i.end - i.start for i in expand(spec, utc(2026, 1, 1), utc(2026, 2, 1))] == [timedelta(hours=2)] * 4


def test_exdate_as_date_removes_every_instance_that_day() -> None:
    spec = timed(datetime(2026, 1, 3, 9, 30), rrule="FREQ=DAILY;COUNT=3", exdates=(date(2026, 1, 4),))
    assert starts(spec) == [datetime(2026, 1, 3, 9, 30), datetime(2026, 1, 5, 9, 30)]


def test_exdate_can_remove_dtstart() -> None:
    spec = timed(datetime(2026, 1, 3, 9, 30), rrule="FREQ=WEEKLY;COUNT=2", exdates=(datetime(2026, 1, 3, 9, 30),))
    assert starts(spec) == [datetime(2026, 1, 10, 9, 30)]


def test_all_day_instances_are_dates() -> None:
    spec = SeriesSpec(start=date(2026, 6, 1), end=date(2026, 6, 3), rrule="FREQ=MONTHLY;COUNT=3")
    instances = expand(spec, utc(2026, 1, 1), utc(2027, 1, 1))
    assert [(i.start, i.end) for i in instances] == [
        (date(2026, 6, 1), date(2026, 6, 3)),
        (date(2026, 7, 1), date(2026, 7, 3)),
        (date(2026, 8, 1), date(2026, 8, 3)),
    ]
    first = instances[0]
    assert type(first.start) is date and type(first.recurrence_id) is date
    # Local midnight in Beijing is 16:00 UTC the day before.
    assert first.start_utc == utc(2026, 5, 31, 16) and first.end_utc == utc(2026, 6, 2, 16)


def test_all_day_end_equal_to_start_is_one_day() -> None:
    spec = SeriesSpec(start=date(2026, 6, 1), end=date(2026, 6, 1))
    assert validate(spec, horizon_end=HORIZON) == ["全天活动的结束日期与开始日期相同，按一天处理"]
    (only,) = expand(spec, utc(2026, 1, 1), utc(2027, 1, 1))
    assert only.end == date(2026, 6, 2)


def test_wall_clock_kept_across_dst_in_berlin() -> None:
    # Summer time starts in Berlin on 2026-03-29.
    spec = timed(datetime(2026, 3, 21, 19, 30), tzid="Europe/Berlin", rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=3")
    instances = expand(spec, utc(2026, 3, 1), utc(2026, 5, 1))
    assert [i.start.time() for i in instances] == [time(19, 30)] * 3
    assert [i.start_utc for i in instances] == [utc(2026, 3, 21, 18, 30), utc(2026, 3, 28, 18, 30), utc(2026, 4, 4, 17, 30)]
    assert all(i.end_utc - i.start_utc == timedelta(hours=2) for i in instances)


def test_non_recurring_spec_yields_single_instance_when_it_overlaps() -> None:
    spec = timed(datetime(2026, 9, 25, 19, 0))  # 中秋 evening gala
    (only,) = expand(spec, utc(2026, 9, 1), utc(2026, 10, 1))
    assert only == Instance(
        recurrence_id=datetime(2026, 9, 25, 19, 0),
        start=datetime(2026, 9, 25, 19, 0),
        end=datetime(2026, 9, 25, 21, 0),
        start_utc=utc(2026, 9, 25, 11),
        end_utc=utc(2026, 9, 25, 13),
    )
    assert expand(spec, utc(2026, 10, 1), utc(2026, 11, 1)) == []


def test_window_overlap_is_half_open() -> None:
    spec = timed(datetime(2026, 9, 25, 19, 0))  # 11:00-13:00 UTC
    assert expand(spec, utc(2026, 9, 25, 12), utc(2026, 9, 25, 12, 30))  # running instance included
    assert expand(spec, utc(2026, 9, 25, 13), utc(2026, 9, 26)) == []  # ended exactly at window start
    assert expand(spec, utc(2026, 9, 25), utc(2026, 9, 25, 11)) == []  # starts exactly at window end
    assert expand(spec, utc(2026, 9, 26), utc(2026, 9, 25)) == []  # empty window


class _NoOffset(tzinfo):
    """A zone object that does not know its offset: as good as none."""

    def utcoffset(self, dt):
        return None


@pytest.mark.parametrize(("window_start", "window_end", "message"), [
    (datetime(2026, 9, 1), utc(2026, 10, 1), "window_start 必须是带时区的 datetime"),
    (utc(2026, 9, 1), datetime(2026, 10, 1), "window_end 必须是带时区的 datetime"),
    (date(2026, 9, 1), utc(2026, 10, 1), "window_start 必须是带时区的 datetime"),
    (utc(2026, 9, 1), datetime(2026, 10, 1, tzinfo=_NoOffset()), "window_end 必须是带时区的 datetime"),
])
def test_window_must_be_timezone_aware(window_start, window_end, message) -> None:
    spec = timed(datetime(2026, 9, 25, 19, 0))
    with pytest.raises(ValueError) as refused_window:
        expand(spec, window_start, window_end)
    assert str(refused_window.value) == message


def test_an_empty_window_holds_nothing_even_inside_an_instance() -> None:
    spec = timed(datetime(2026, 9, 25, 19, 0))  # 11:00-13:00 UTC
    assert expand(spec, utc(2026, 9, 25, 12), utc(2026, 9, 25, 12)) == []
    assert [i.start for i in expand(spec, utc(2026, 9, 25, 12), utc(2026, 9, 25, 12, 0, 1))] == [datetime(2026, 9, 25, 19)]


def test_recurrence_id_is_the_original_local_start() -> None:
    spec = timed(datetime(2026, 1, 3, 9, 30), rrule="FREQ=WEEKLY;COUNT=3")
    assert all(i.recurrence_id == i.start for i in expand(spec, utc(2026, 1, 1), utc(2026, 2, 1)))


# --------------------------------------------------------------------------- DTSTART and COUNT/UNTIL


def test_dtstart_is_always_an_instance_and_count_counts_rule_occurrences() -> None:
    # 2026-01-05 is a Monday: not a Saturday, yet (RFC 5545 / recurring-ical-events) still an instance.
    spec = timed(datetime(2026, 1, 5, 9, 30), rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=2")
    assert starts(spec) == [datetime(2026, 1, 5, 9, 30), datetime(2026, 1, 10, 9, 30), datetime(2026, 1, 17, 9, 30)]
    assert validate(spec, horizon_end=HORIZON) == [
        "开始时间不符合重复规则，但按 RFC 5545 仍算作第一次活动；如不需要，请把开始时间改到规则上的第一天"
    ]


def test_until_in_utc_is_compared_with_the_utc_instant() -> None:
    base = datetime(2026, 6, 1, 19, 30)  # 11:30 UTC
    assert starts(timed(base, rrule="FREQ=DAILY;UNTIL=20260605T113000Z"))[-1] == datetime(2026, 6, 5, 19, 30)
    assert starts(timed(base, rrule="FREQ=DAILY;UNTIL=20260605T112959Z"))[-1] == datetime(2026, 6, 4, 19, 30)


def test_a_utc_until_that_is_already_the_next_local_day_keeps_that_days_occurrence() -> None:
    # UNTIL 19:00 UTC on 1 March is 03:00 on 2 March in Beijing: the 03:00 occurrence of 2 March is the last.
    spec = timed(datetime(2026, 2, 27, 3), rrule="FREQ=DAILY;UNTIL=20260301T190000Z")
    assert starts(spec) == [datetime(2026, 2, d, 3) for d in (27, 28)] + [datetime(2026, 3, d, 3) for d in (1, 2)]


@pytest.fixture
def server_twelve_hours_behind_utc(monkeypatch):
    monkeypatch.setenv("TZ", "Etc/GMT+12")  # POSIX sign: UTC-12
    time_module.tzset()
    yield
    monkeypatch.undo()
    time_module.tzset()


def test_a_utc_until_does_not_depend_on_the_servers_own_time_zone(server_twelve_hours_behind_utc) -> None:
    # Kiritimati is UTC+14: UNTIL 10:00 UTC on 1 March is midnight starting 2 March there, 26 hours ahead of
    # the server's clock; the occurrence at that midnight is still the series' last.
    spec = timed(datetime(2026, 2, 28, 0, 0), tzid="Pacific/Kiritimati", rrule="FREQ=DAILY;UNTIL=20260301T100000Z")
    instances = expand(spec, utc(2026, 1, 1), utc(2026, 12, 31))
    assert [i.start for i in instances] == [datetime(2026, 2, 28), datetime(2026, 3, 1), datetime(2026, 3, 2)]
    # The instants are given in UTC, not in the server's zone (feeds print them as they are).
    assert [i.start_utc.utcoffset() for i in instances] == [timedelta(0)] * 3
    # A window ending 11:00 UTC on 28 February holds the midnight starting 1 March in Kiritimati (10:00 UTC).
    assert [i.start for i in expand(spec, utc(2026, 2, 28, 9), utc(2026, 2, 28, 11))] == [datetime(2026, 3, 1)]


def test_floating_and_date_until_are_local() -> None:
    base = datetime(2026, 6, 1, 19, 30)
    assert starts(timed(base, rrule="FREQ=DAILY;UNTIL=20260605T193000"))[-1] == datetime(2026, 6, 5, 19, 30)
    assert starts(timed(base, rrule="FREQ=DAILY;UNTIL=20260605T192959"))[-1] == datetime(2026, 6, 4, 19, 30)
    # A DATE UNTIL with a timed start includes that whole local day.
    assert starts(timed(base, rrule="FREQ=DAILY;UNTIL=20260605"))[-1] == datetime(2026, 6, 5, 19, 30)


def test_ical_rrule_publishes_until_in_utc_or_as_date() -> None:
    base = datetime(2026, 6, 1, 19, 30)
    assert ical_rrule(timed(base, rrule="FREQ=DAILY;UNTIL=20260605")) == "FREQ=DAILY;UNTIL=20260605T155959Z"
    assert ical_rrule(timed(base, rrule="FREQ=DAILY;UNTIL=20260605T193000")) == "FREQ=DAILY;UNTIL=20260605T113000Z"
    assert ical_rrule(timed(base, rrule="rrule:freq=daily;until=20260605T113000Z")) == "FREQ=DAILY;UNTIL=20260605T113000Z"
    all_day = SeriesSpec(start=date(2026, 6, 1), end=date(2026, 6, 2), rrule="FREQ=DAILY;UNTIL=20260605T155959Z")
    assert ical_rrule(all_day) == "FREQ=DAILY;UNTIL=20260605"
    assert ical_rrule(timed(base, rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=3")) == "FREQ=WEEKLY;BYDAY=SA;COUNT=3"
    assert ical_rrule(timed(base)) is None
    assert ical_rrule(timed(base, lunar=LunarRule(festival="元宵节"))) is None


# --------------------------------------------------------------------------- lunar rules


def test_lantern_festival_series_moves_with_lunar_calendar() -> None:
    # 非遗大集 on 元宵节, 09:00-17:00.
    spec = timed(datetime(2024, 2, 24, 9, 0), minutes=480, lunar=LunarRule(festival="元宵节"))
    got = starts(spec, utc(2024, 1, 1), utc(2027, 12, 31))
    assert got == [
        datetime(2024, 2, 24, 9), datetime(2025, 2, 12, 9), datetime(2026, 3, 3, 9), datetime(2027, 2, 20, 9),
    ]
    assert validate(spec, horizon_end=HORIZON) == []


def test_spring_festival_span_six_days() -> None:
    spec = SeriesSpec(start=date(2026, 2, 17), end=date(2026, 2, 18), lunar=parse_lunar_rule("FESTIVAL=春节;DAYS=6"))
    got = starts(spec, utc(2026, 1, 1), utc(2027, 12, 31))
    assert got == [date(2026, 2, 17) + timedelta(days=i) for i in range(6)] + [
        date(2027, 2, 6) + timedelta(days=i) for i in range(6)
    ]


def test_lunar_series_keeps_time_of_day_and_duration() -> None:
    spec = timed(datetime(2025, 10, 6, 19, 30), minutes=90, tzid="Asia/Shanghai", lunar=LunarRule(festival="中秋"))
    instances = expand(spec, utc(2025, 1, 1), utc(2027, 1, 1))
    assert [(i.start, i.end) for i in instances] == [
        (datetime(2025, 10, 6, 19, 30), datetime(2025, 10, 6, 21, 0)),
        (datetime(2026, 9, 25, 19, 30), datetime(2026, 9, 25, 21, 0)),
    ]


def test_lunar_rule_from_a_date_mid_lunar_year() -> None:
    # 腊八 of lunar 2025 lies in January 2026; a series starting then must find it.
    spec = SeriesSpec(start=date(2026, 1, 26), end=date(2026, 1, 27), lunar=LunarRule(festival="腊八节", count=2))
    assert starts(spec) == [date(2026, 1, 26), date(2027, 1, 15)]


def test_lunar_chuxi_series_handles_29_and_30_day_layue() -> None:
    spec = SeriesSpec(start=date(2024, 2, 9), end=date(2024, 2, 10), lunar=LunarRule(festival="除夕", count=3))
    assert starts(spec) == [date(2024, 2, 9), date(2025, 1, 28), date(2026, 2, 16)]


def test_lunar_until_and_count() -> None:
    base = dict(start=date(2024, 2, 24), end=date(2024, 2, 25))
    assert starts(SeriesSpec(**base, lunar=LunarRule(festival="元宵节", until=date(2026, 3, 3)))) == [
        date(2024, 2, 24), date(2025, 2, 12), date(2026, 3, 3),
    ]
    assert starts(SeriesSpec(**base, lunar=LunarRule(festival="元宵节", until=date(2026, 3, 2)))) == [
        date(2024, 2, 24), date(2025, 2, 12),
    ]
    assert starts(SeriesSpec(**base, lunar=LunarRule(festival="元宵节", count=2))) == [
        date(2024, 2, 24), date(2025, 2, 12),
    ]


def test_lunar_series_with_exdate_and_rdate() -> None:
    spec = SeriesSpec(
        start=date(2024, 2, 24), end=date(2024, 2, 25), lunar=LunarRule(festival="元宵节", count=3),
        exdates=(date(2025, 2, 12),), rdates=(date(2025, 2, 15),),
    )
    assert starts(spec) == [date(2024, 2, 24), date(2025, 2, 15), date(2026, 3, 3)]


def test_lunar_series_stops_at_end_of_supported_range() -> None:
    spec = SeriesSpec(start=date(2095, 1, 1), end=date(2095, 1, 2), lunar=LunarRule(festival="除夕"))
    got = starts(spec, utc(2090, 1, 1), utc(2100, 6, 1))
    assert got[0] == date(2095, 1, 1) and got[-1].year == 2099
    assert all(d <= date(2099, 12, 31) for d in got)


def test_a_lunar_series_reaches_the_last_supported_day() -> None:
    # 2099-12-31 is lunar 2099-11-20; lunar 2098-11-20 is 2098-12-12 (lunar-python).
    spec = SeriesSpec(start=date(2098, 12, 12), end=date(2098, 12, 13), lunar=parse_lunar_rule("LUNAR=11-20"))
    assert starts(spec, utc(2098, 1, 1), utc(2100, 1, 2)) == [date(2098, 12, 12), date(2099, 12, 31)]


def test_lunar_dtstart_off_rule_is_an_instance_with_a_warning() -> None:
    spec = SeriesSpec(start=date(2026, 1, 1), end=date(2026, 1, 2), lunar=LunarRule(festival="元宵节", count=1))
    assert starts(spec) == [date(2026, 1, 1), date(2026, 3, 3)]
    assert validate(spec, horizon_end=HORIZON) == [
        "开始日期不是农历规则所指的日子，但仍算作第一次活动；如不需要，请把开始日期改为第一个节日当天"
    ]


def test_missing_lunar_day_policies() -> None:
    # 腊月三十: lunar 2023 has it (2024-02-09); 2024 and 2025 have a 29-day 腊月.
    assert [lunar.month_length(y, 12) for y in (2023, 2024, 2025)] == [30, 29, 29]
    base = dict(start=date(2024, 2, 9), end=date(2024, 2, 10))
    skip = SeriesSpec(**base, lunar=parse_lunar_rule("LUNAR=12-30;MISSING=SKIP"))
    assert starts(skip, utc(2024, 1, 1), utc(2026, 12, 31)) == [date(2024, 2, 9)]
    # Skipping goes on past the short years: 腊月 of lunar 2029 and 2032 has 30 days (lunar-python).
    assert starts(skip, utc(2024, 1, 1), utc(2033, 12, 31)) == [date(2024, 2, 9), date(2030, 2, 2), date(2033, 1, 30)]
    last = SeriesSpec(**base, lunar=parse_lunar_rule("LUNAR=12-30;MISSING=LAST_DAY"))
    assert starts(last, utc(2024, 1, 1), utc(2026, 12, 31)) == [date(2024, 2, 9), date(2025, 1, 28), date(2026, 2, 16)]
    error = SeriesSpec(**base, lunar=parse_lunar_rule("LUNAR=12-30"))
    refused(error, "lunar", "农历2024年腊月只有29天，没有三十日")
    # Within a horizon that holds only years that have the day, it is fine.
    assert validate(error, horizon_end=date(2024, 12, 31)) == []
    with pytest.raises(RecurrenceError, match="农历2024年腊月只有29天") as err:
        expand(error, utc(2024, 1, 1), utc(2026, 1, 1))
    assert err.value.field == "lunar"


def test_lunar_rule_as_text_in_spec() -> None:
    spec = SeriesSpec(start=date(2024, 2, 24), end=date(2024, 2, 25), lunar="农历正月十五")  # type: ignore[arg-type]
    assert starts(spec, utc(2024, 1, 1), utc(2025, 12, 31)) == [date(2024, 2, 24), date(2025, 2, 12)]


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("FREQ=WEEKLY;BYDAY=SA", "FREQ=WEEKLY;BYDAY=SA"),
        ("RRULE:FREQ=WEEKLY;BYDAY=SA", "FREQ=WEEKLY;BYDAY=SA"),
        ("rrule:freq=weekly;byday=sa;", "FREQ=WEEKLY;BYDAY=SA"),
        ("FREQ=MONTHLY;BYDAY=+1SA", "FREQ=MONTHLY;BYDAY=1SA"),
        ("FREQ=MONTHLY;BYDAY=-1SU;INTERVAL=1", "FREQ=MONTHLY;BYDAY=-1SU"),
        ("UNTIL=20260831T133000Z;FREQ=DAILY;INTERVAL=2", "FREQ=DAILY;INTERVAL=2;UNTIL=20260831T133000Z"),
        ("FREQ=YEARLY;BYMONTH=6,7,8;BYMONTHDAY=1,-1;WKST=SU;COUNT=10", "FREQ=YEARLY;BYMONTH=6,7,8;BYMONTHDAY=1,-1;WKST=SU;COUNT=10"),
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"),
    ],
)
def test_parse_rrule_normalizes(text: str, normalized: str) -> None:
    assert parse_rrule(text) == normalized


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "重复规则不能为空"),
        ("RRULE:", "重复规则不能为空"),
        ("FREQ=WEEKLY;BYDAY=SA\nDTSTART:20260101", "重复规则包含不允许的控制字符"),
        ("FREQ=WEEKLY\x00", "重复规则包含不允许的控制字符"),
        ("FREQ=WEEKLY;BYDAY=" + ",".join(["SA"] * 200), "重复规则过长（最多 500 个字符）"),
        ("FREQ=SOMETIMES", "重复规则无法解析：未知的重复频率 SOMETIMES"),
        ("BYDAY=SA", "重复规则无法解析：缺少 FREQ（重复频率）"),
        ("FREQ=WEEKLY;WEEKLY", "重复规则无法解析：“WEEKLY”不是“名称=值”的形式"),
        ("FREQ=WEEKLY;FREQ=DAILY", "重复规则无法解析：FREQ 出现了多次"),
        ("FREQ=HOURLY", "不支持按秒/分钟/小时重复"),
        ("FREQ=MINUTELY", "不支持按秒/分钟/小时重复"),
        ("FREQ=SECONDLY", "不支持按秒/分钟/小时重复"),
        ("FREQ=DAILY;BYHOUR=9,19", "不支持按秒/分钟/小时重复（BYHOUR）"),
        ("FREQ=YEARLY;BYWEEKNO=20", "重复规则无法解析：不支持的规则部分 BYWEEKNO"),
        ("FREQ=YEARLY;BYEASTER=0", "重复规则无法解析：不支持的规则部分 BYEASTER"),
        ("FREQ=WEEKLY;COUNT=5;UNTIL=20261231", "COUNT 与 UNTIL 不能同时使用"),
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL 必须是 1–1000 之间的整数，收到：0"),
        ("FREQ=WEEKLY;INTERVAL=two", "INTERVAL 必须是 1–1000 之间的整数，收到：TWO"),
        ("FREQ=WEEKLY;COUNT=0", "COUNT 必须是 1–5000 之间的整数，收到：0"),
        ("FREQ=WEEKLY;BYDAY=SAT", "BYDAY 无法解析：SAT（应为 MO、TU、WE、TH、FR、SA、SU，可带序号如 1SA、-1SU）"),
        ("FREQ=WEEKLY;BYDAY=1SA", "只有按月或按年重复时，BYDAY 才能带序号（如 1SA、-1SU）"),
        ("FREQ=MONTHLY;BYDAY=6SA", "BYDAY 的序号超出范围：6SA（应在 1–5 或 -5–-1 之间）"),
        ("FREQ=MONTHLY;BYDAY=MO,1SA", "BYDAY 不能混用带序号和不带序号的星期（如 MO,1SA），各日历软件对此理解不一；请拆成两个系列"),
        ("FREQ=WEEKLY;BYMONTHDAY=1", "按周重复时不能使用 BYMONTHDAY"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY 必须是 1–31（或 -31–-1）之间的整数，收到：32"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY 必须是 1–31（或 -31–-1）之间的整数，收到：0"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH 必须是 1–12 之间的整数，收到：13"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "重复规则不会产生任何日期：所选月份里没有这些日子"),
        ("FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS 必须与 BYDAY、BYMONTHDAY 或 BYMONTH 一起使用"),
        ("FREQ=DAILY;BYDAY=MO;BYSETPOS=1", "按天重复时不能使用 BYSETPOS（每个周期只有一天）"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0", "BYSETPOS 必须是 1–366（或 -366–-1）之间的整数，收到：0"),
        ("FREQ=WEEKLY;UNTIL=2026-12-31", "UNTIL 无法解析：2026-12-31（格式应为 YYYYMMDD 或 YYYYMMDDTHHMMSSZ）"),
        ("FREQ=WEEKLY;UNTIL=20261332", "UNTIL 不是有效的日期：20261332"),
        ("FREQ=WEEKLY;UNTIL=21000101", "日期超出支持范围（1901–2099 年）"),
        ("FREQ=WEEKLY;WKST=XX", "WKST 无法解析：XX（应为 MO、TU、WE、TH、FR、SA、SU）"),
        ("FREQ=WEEKLY;BYDAY=", "重复规则无法解析：BYDAY 没有值"),
    ],
)
def test_parse_rrule_refuses(text: str, message: str) -> None:
    err = rule_refused(text)
    assert str(err) == err.message == message


@pytest.mark.parametrize(("accepted", "refused_text", "message"), [
    ("FREQ=MONTHLY;BYDAY=5SA", "FREQ=MONTHLY;BYDAY=6SA", "BYDAY 的序号超出范围：6SA"),
    ("FREQ=MONTHLY;BYDAY=-5SA", "FREQ=MONTHLY;BYDAY=-6SA", "BYDAY 的序号超出范围：-6SA"),
    ("FREQ=YEARLY;BYMONTH=5;BYDAY=5SA", "FREQ=YEARLY;BYMONTH=5;BYDAY=6SA", "BYDAY 的序号超出范围：6SA"),
    ("FREQ=YEARLY;BYDAY=53SA", "FREQ=YEARLY;BYDAY=54SA", "BYDAY 的序号超出范围：54SA"),
    ("FREQ=YEARLY;BYDAY=-53SA", "FREQ=YEARLY;BYDAY=-54SA", "BYDAY 的序号超出范围：-54SA"),
    ("FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY 必须是 1–31"),
    ("FREQ=MONTHLY;BYMONTHDAY=-31", "FREQ=MONTHLY;BYMONTHDAY=-32", "BYMONTHDAY 必须是 1–31"),
    ("FREQ=YEARLY;BYMONTH=1", "FREQ=YEARLY;BYMONTH=0", "BYMONTH 必须是 1–12 之间的整数"),
    ("FREQ=WEEKLY;INTERVAL=1000", "FREQ=WEEKLY;INTERVAL=1001", "INTERVAL 必须是 1–1000 之间的整数"),
    ("FREQ=WEEKLY;COUNT=5000", "FREQ=WEEKLY;COUNT=5001", "COUNT 必须是 1–5000 之间的整数"),
    ("FREQ=WEEKLY;COUNT=1", "FREQ=WEEKLY;COUNT=0", "COUNT 必须是 1–5000 之间的整数"),
    ("FREQ=YEARLY;BYDAY=SA;BYSETPOS=366", "FREQ=YEARLY;BYDAY=SA;BYSETPOS=367", "BYSETPOS 必须是 1–366"),
    ("FREQ=YEARLY;BYDAY=SA;BYSETPOS=-366", "FREQ=YEARLY;BYDAY=SA;BYSETPOS=-367", "BYSETPOS 必须是 1–366"),
    ("FREQ=WEEKLY;UNTIL=20991231", "FREQ=WEEKLY;UNTIL=21000101", "日期超出支持范围（1901–2099 年）"),
])
def test_parse_rrule_limits_accept_the_limit_and_refuse_one_past_it(accepted: str, refused_text: str, message: str) -> None:
    assert parse_rrule(accepted) == accepted
    assert message in str(rule_refused(refused_text))


@pytest.mark.parametrize(("text", "message"), [
    # A minus sign means "from the end" only where RFC 5545 allows it (BYMONTHDAY, BYSETPOS, BYDAY ordinals).
    ("FREQ=WEEKLY;INTERVAL=-2", "INTERVAL 必须是 1–1000 之间的整数，收到：-2"),
    ("FREQ=WEEKLY;COUNT=-3", "COUNT 必须是 1–5000 之间的整数，收到：-3"),
    ("FREQ=YEARLY;BYMONTH=-1", "BYMONTH 必须是 1–12 之间的整数，收到：-1"),
    ("FREQ=MONTHLY;BYDAY=-SA", "BYDAY 无法解析：-SA"),
])
def test_a_minus_sign_where_the_rule_has_no_from_the_end_is_refused(text: str, message: str) -> None:
    assert str(rule_refused(text)) == message


@pytest.mark.parametrize("text", [
    "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30",  # February never has a 30th
    "FREQ=DAILY;BYMONTH=4,6;BYMONTHDAY=31",  # nor April or June a 31st
])
def test_a_monthly_or_daily_rule_on_a_day_its_months_lack_is_refused(text: str) -> None:
    assert str(rule_refused(text)) == "重复规则不会产生任何日期：所选月份里没有这些日子"


@pytest.mark.parametrize(("start", "rule", "expected"), [
    # The later of the 1st and the 15th of each month: BYSETPOS over month days alone.
    (datetime(2026, 1, 15, 10), "FREQ=MONTHLY;BYMONTHDAY=1,15;BYSETPOS=-1;COUNT=3",
     [datetime(2026, 1, 15, 10), datetime(2026, 2, 15, 10), datetime(2026, 3, 15, 10)]),
    # The first of June and September each year (on DTSTART's day): BYSETPOS over months alone.
    (datetime(2026, 6, 6, 10), "FREQ=YEARLY;BYMONTH=6,9;BYSETPOS=1;COUNT=2",
     [datetime(2026, 6, 6, 10), datetime(2027, 6, 6, 10)]),
])
def test_bysetpos_may_pick_among_month_days_or_months_alone(start: datetime, rule: str, expected: list) -> None:
    assert parse_rrule(rule) == rule
    assert starts(timed(start, rrule=rule)) == expected


@pytest.mark.parametrize(("text", "normalized"), [
    ("FREQ=WEEKLY;;BYDAY=SA", "FREQ=WEEKLY;BYDAY=SA"),  # an empty part is ignored, not the end of the rule
    ("FREQ=WEEKLY;UNTIL=20261231", "FREQ=WEEKLY;UNTIL=20261231"),
    ("FREQ=WEEKLY;UNTIL=19010101", "FREQ=WEEKLY;UNTIL=19010101"),
    ("FREQ=MONTHLY;BYDAY=SA,SU;BYSETPOS=1,-1", "FREQ=MONTHLY;BYDAY=SA,SU;BYSETPOS=1,-1"),
    # Exactly 500 characters is still accepted.
    ("FREQ=WEEKLY;BYDAY=" + ",".join(["SA"] * 161), "FREQ=WEEKLY;BYDAY=SA"),
])
def test_parse_rrule_normalizes_edge_forms(text: str, normalized: str) -> None:
    assert parse_rrule(text) == normalized


@pytest.mark.parametrize(("text", "message"), [
    ("FREQ=WEEKLY;BYDAY=" + ",".join(["SA"] * 161) + "X", "重复规则过长（最多 500 个字符）"),
    ("FREQ=WEEKLY;UNTIL=19001231", "日期超出支持范围（1901–2099 年）"),
    ("FREQ=WEEKLY;BYDAY=SA=1", "BYDAY 无法解析：SA=1（应为 MO、TU、WE、TH、FR、SA、SU，可带序号如 1SA、-1SU）"),
])
def test_parse_rrule_refuses_edge_forms(text: str, message: str) -> None:
    assert str(rule_refused(text)) == message


@pytest.mark.parametrize(("text", "rule"), [
    ("FESTIVAL=春节;UNTIL=2030-12-31", LunarRule(festival="春节", until=date(2030, 12, 31))),
    ("FESTIVAL=春节;UNTIL=19010101", LunarRule(festival="春节", until=date(1901, 1, 1))),
    ("FESTIVAL=春节;UNTIL=20991231", LunarRule(festival="春节", until=date(2099, 12, 31))),
    ("农历8月15", LunarRule(month=8, day=15)),
    ("农历八月15日", LunarRule(month=8, day=15)),
    ("FESTIVAL=春节;;DAYS=3;", LunarRule(festival="春节", span_days=3)),
    ("FESTIVAL=春节;COUNT=200", LunarRule(festival="春节", count=200)),
    ("LUNAR=1-1;DAYS=31", LunarRule(month=1, day=1, span_days=31)),
])
def test_parse_lunar_rule_edge_forms(text: str, rule: LunarRule) -> None:
    assert parse_lunar_rule(text) == rule


@pytest.mark.parametrize(("text", "message"), [
    ("FESTIVAL=春节;UNTIL=2030/12/31", "农历规则无法解析：UNTIL 应为 YYYYMMDD，收到：2030/12/31"),
    ("FESTIVAL=春节;UNTIL=19001231", "日期超出支持范围（1901–2099 年）"),
    ("农历八月卅五", "农历规则无法解析：不认识的农历日期“卅五”"),
    ("FESTIVAL=春节;DAYS=x", "农历规则无法解析：DAYS 必须是整数，收到：x"),
    ("LUNAR=8-15;COUNT=x", "农历规则无法解析：COUNT 必须是整数，收到：x"),
    ("FESTIVAL=春节;DAYS", "农历规则无法解析：“DAYS”不是“名称=值”的形式"),
    ("LUNAR=8-15=3", "农历规则无法解析：LUNAR 应为“月-日”，如 1-15，收到：8-15=3"),
    ("FESTIVAL=春节;FESTIVAL=中秋", "农历规则无法解析：FESTIVAL 出现了多次"),
    ("FESTIVAL=春节;DAYS=32", "持续天数必须在 1–31 之间，收到：32"),
    ("FESTIVAL=春节;COUNT=201", "COUNT 必须是 1–200 之间的整数"),
])
def test_parse_lunar_rule_refuses_edge_forms(text: str, message: str) -> None:
    with pytest.raises(RecurrenceError) as err:
        parse_lunar_rule(text)
    assert err.value.field == "lunar"
    assert str(err.value).startswith(message), str(err.value)


def test_a_lunar_rule_of_200_characters_is_accepted_and_201_refused() -> None:
    assert parse_lunar_rule("FESTIVAL=春节" + ";" * 189) == LunarRule(festival="春节")
    with pytest.raises(RecurrenceError) as err:
        parse_lunar_rule("FESTIVAL=春节" + ";" * 190)
    assert str(err.value) == "农历规则过长（最多 200 个字符）"


def test_parse_lunar_rule_refuses_non_text() -> None:
    with pytest.raises(RecurrenceError) as err:
        parse_lunar_rule(None)  # type: ignore[arg-type]
    assert str(err.value) == "农历规则必须是文字" and err.value.field == "lunar"


def test_parse_rrule_refuses_non_text() -> None:
    with pytest.raises(RecurrenceError, match="^重复规则必须是文字$"):
        parse_rrule(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "rule", "canonical"),
    [
        ("FESTIVAL=元宵节", LunarRule(festival="元宵节"), "FESTIVAL=元宵节"),
        ("FESTIVAL=春节;DAYS=6", LunarRule(festival="春节", span_days=6), "FESTIVAL=春节;DAYS=6"),
        ("LUNAR=1-15", LunarRule(month=1, day=15), "LUNAR=1-15"),
        ("LUNAR=12-30;MISSING=LAST_DAY", LunarRule(month=12, day=30, missing="last_day"), "LUNAR=12-30;MISSING=LAST_DAY"),
        ("lunar=12-30;missing=skip", LunarRule(month=12, day=30, missing="skip"), "LUNAR=12-30;MISSING=SKIP"),
        ("FESTIVAL=中秋;UNTIL=20301231", LunarRule(festival="中秋节", until=date(2030, 12, 31)), "FESTIVAL=中秋节;UNTIL=20301231"),
        ("LUNAR=8-15;COUNT=5", LunarRule(month=8, day=15, count=5), "LUNAR=8-15;COUNT=5"),
        ("农历正月十五", LunarRule(month=1, day=15), "LUNAR=1-15"),
        ("每年农历腊月初八", LunarRule(month=12, day=8), "LUNAR=12-8"),
        ("农历八月十五日", LunarRule(month=8, day=15), "LUNAR=8-15"),
        ("冬月廿三", LunarRule(month=11, day=23), "LUNAR=11-23"),
        ("农历十二月三十", LunarRule(month=12, day=30), "LUNAR=12-30"),
        ("中秋", LunarRule(festival="中秋节"), "FESTIVAL=中秋节"),
        ("农历七夕节", LunarRule(festival="七夕"), "FESTIVAL=七夕"),
        ("清明", LunarRule(festival="清明"), "FESTIVAL=清明"),
    ],
)
def test_parse_and_format_lunar_rule(text: str, rule: LunarRule, canonical: str) -> None:
    assert parse_lunar_rule(text) == rule
    assert format_lunar_rule(rule) == canonical
    assert parse_lunar_rule(canonical) == rule


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "农历规则不能为空"),
        ("农历闰四月初一", "不支持按闰月重复：闰月不是每年都有"),
        ("圣诞节", "农历规则无法解析：圣诞节"),
        ("FESTIVAL=圣诞节", "不支持的节日：圣诞节（可选：春节、元宵节、端午节、七夕、中秋节、重阳节、腊八节、除夕、清明）"),
        ("LUNAR=13-1", "农历月份必须在 1–12 之间，收到：13"),
        ("LUNAR=1-31", "农历日期必须在 1–30 之间，收到：31"),
        ("LUNAR=1/15", "农历规则无法解析：LUNAR 应为“月-日”，如 1-15，收到：1/15"),
        ("FESTIVAL=春节;LUNAR=1-1", "农历规则只能指定节日或农历月日之一，不能同时指定"),
        ("DAYS=3", "农历规则必须指定节日或农历月日"),
        ("FESTIVAL=春节;DAYS=0", "持续天数必须在 1–31 之间，收到：0"),
        ("FESTIVAL=春节;MISSING=GUESS", "缺日处理方式必须是 ERROR、SKIP 或 LAST_DAY，收到：GUESS"),
        ("FESTIVAL=春节;COUNT=3;UNTIL=20301231", "COUNT 与 UNTIL 不能同时使用"),
        ("FESTIVAL=春节;UNTIL=21001231", "日期超出支持范围（1901–2099 年）"),
        ("FESTIVAL=春节;FREQ=YEARLY", "农历规则无法解析：不支持的规则部分 FREQ"),
        ("FESTIVAL=春节\n", "农历规则包含不允许的控制字符"),
    ],
)
def test_parse_lunar_rule_refuses(text: str, message: str) -> None:
    with pytest.raises(RecurrenceError) as err:
        parse_lunar_rule(text)
    assert err.value.field == "lunar"
    assert str(err.value) == err.value.message == message


# --------------------------------------------------------------------------- validate: every refusal


START = datetime(2026, 1, 3, 9, 30)


def test_refuses_end_before_start() -> None:
    refused(SeriesSpec(start=START, end=START - timedelta(minutes=1)), "end", "结束时间早于开始时间")
    refused(SeriesSpec(start=date(2026, 1, 3), end=date(2026, 1, 2)), "end", "结束时间早于开始时间")


def test_refuses_timed_end_equal_to_start() -> None:
    refused(SeriesSpec(start=START, end=START), "end", "结束时间必须晚于开始时间")


def test_refuses_mixed_date_and_datetime() -> None:
    refused(SeriesSpec(start=date(2026, 1, 3), end=START), "end", "结束时间与开始时间的类型不一致")
    refused(SeriesSpec(start=START, end=date(2026, 1, 4)), "end", "结束时间与开始时间的类型不一致")


def test_refuses_aware_start() -> None:
    aware = START.replace(tzinfo=UTC)
    refused(SeriesSpec(start=aware, end=aware + timedelta(hours=1)), "start", "开始时间必须是不带时区的本地时间")


@pytest.mark.parametrize("tzid", ["Mars/Olympus", "", "../../etc/passwd", "Asia"])
def test_refuses_unknown_tzid(tzid: str) -> None:
    refused(timed(START, tzid=tzid), "tzid", "未知的时区")


def test_refuses_start_outside_supported_range() -> None:
    refused(timed(datetime(1900, 12, 31, 9)), "start", "日期超出支持范围（1901–2099 年）")
    refused(timed(datetime(2100, 1, 1, 9)), "start", "日期超出支持范围（1901–2099 年）")
    refused(SeriesSpec(start=date(2099, 12, 30), end=date(2100, 1, 2)), "end", "日期超出支持范围（1901–2099 年）")
    # An all-day instance on the last supported day ends (exclusively) on 2100-01-01.
    assert validate(SeriesSpec(start=date(2099, 12, 31), end=date(2100, 1, 1)), horizon_end=date(2099, 12, 31)) == []


def test_refuses_rdates_and_exdates_outside_supported_range() -> None:
    refused(timed(START, rdates=(datetime(2100, 1, 1, 9, 30),)), "rdates", "日期超出支持范围（1901–2099 年）")
    refused(timed(START, exdates=(datetime(1900, 1, 1, 9, 30),)), "exdates", "日期超出支持范围（1901–2099 年）")
    refused(timed(START, exdates=(date(2100, 1, 1),)), "exdates", "日期超出支持范围（1901–2099 年）")


def test_refuses_wrong_kinds_of_rdates_and_exdates() -> None:
    all_day = dict(start=date(2026, 1, 3), end=date(2026, 1, 4))
    refused(SeriesSpec(**all_day, rdates=(START,)), "rdates", "全天活动的追加日期必须是日期")
    refused(SeriesSpec(**all_day, exdates=(START,)), "exdates", "全天活动的排除日期必须是日期")
    refused(timed(START, rdates=(date(2026, 1, 4),)), "rdates", "追加日期必须包含时间")
    refused(timed(START, rdates=(START.replace(tzinfo=UTC),)), "rdates", "不带时区")
    refused(timed(START, exdates=("2026-01-04",)), "exdates", "排除日期必须是日期或日期时间")
    refused(timed(START, rdates="2026-01-04"), "rdates", "追加日期必须是日期的列表")


def test_refuses_unparseable_or_unsupported_rrule() -> None:
    refused(timed(START, rrule="FREQ=EVERY_SATURDAY"), "rrule", "重复规则无法解析")
    refused(timed(START, rrule="FREQ=HOURLY;INTERVAL=2"), "rrule", "不支持按秒/分钟/小时重复")


def test_refuses_until_before_start() -> None:
    refused(timed(START, rrule="FREQ=WEEKLY;UNTIL=20260102T000000Z"), "rrule", "UNTIL 早于开始时间")
    refused(timed(START, rrule="FREQ=WEEKLY;UNTIL=20260102"), "rrule", "UNTIL 早于开始时间")
    # 01:29 UTC is 09:29 in Beijing: one minute before DTSTART.
    refused(timed(START, rrule="FREQ=WEEKLY;UNTIL=20260103T012900Z"), "rrule", "UNTIL 早于开始时间")
    assert validate(timed(START, rrule="FREQ=WEEKLY;UNTIL=20260103T013000Z"), horizon_end=HORIZON) == [
        "按此规则，到 2027-12-31 为止除开始时间外没有其他活动，请检查规则"
    ]
    refused(
        SeriesSpec(start=date(2026, 3, 3), end=date(2026, 3, 4), lunar=LunarRule(festival="元宵节", until=date(2026, 3, 2))),
        "lunar",
        "UNTIL 早于开始时间",
    )


def test_refuses_count_and_until_together() -> None:
    refused(timed(START, rrule="FREQ=WEEKLY;COUNT=3;UNTIL=20261231T000000Z"), "rrule", "COUNT 与 UNTIL 不能同时使用")
    refused(
        timed(START, lunar=LunarRule(festival="春节", count=3, until=date(2030, 1, 1))), "lunar", "COUNT 与 UNTIL 不能同时使用"
    )


def test_refuses_rrule_and_lunar_together() -> None:
    refused(
        timed(START, rrule="FREQ=YEARLY", lunar=LunarRule(festival="春节")), "lunar", "重复规则与农历规则只能二选一"
    )


def test_refuses_lunar_rule_without_or_with_both_targets() -> None:
    refused(timed(START, lunar=LunarRule()), "lunar", "农历规则必须指定节日或农历月日")
    refused(timed(START, lunar=LunarRule(festival="春节", month=1, day=1)), "lunar", "只能指定节日或农历月日之一")
    refused(timed(START, lunar=LunarRule(month=1)), "lunar", "农历规则必须同时指定农历月和日")
    refused(timed(START, lunar=LunarRule(festival="圣诞节")), "lunar", "不支持的节日：圣诞节")


@pytest.mark.parametrize(("lunar_rule", "message"), [
    (5, "农历规则格式不正确"),
    (LunarRule(month=1), "农历规则必须同时指定农历月和日"),
    (LunarRule(festival="春节", month=1), "农历规则只能指定节日或农历月日之一，不能同时指定"),
    (LunarRule(festival="春节", until="20301231"), "农历规则的 UNTIL 必须是日期"),
    (LunarRule(month=True, day=15), "农历月份必须在 1–12 之间，收到：True"),
    (LunarRule(festival="春节", span_days=2.0), "持续天数必须在 1–31 之间，收到：2.0"),
])
def test_a_lunar_rule_of_the_wrong_shape_or_type_gets_its_exact_message(lunar_rule, message: str) -> None:
    err = refused(timed(START, lunar=lunar_rule), "lunar", message)
    assert str(err) == message


def test_a_lunar_until_given_as_a_datetime_ends_the_series_on_that_day() -> None:
    spec = SeriesSpec(start=date(2024, 2, 24), end=date(2024, 2, 25),
                      lunar=LunarRule(festival="元宵节", until=datetime(2026, 3, 3, 18, 0)))
    assert validate(spec, horizon_end=HORIZON) == []
    assert starts(spec) == [date(2024, 2, 24), date(2025, 2, 12), date(2026, 3, 3)]


def test_refuses_lunar_month_or_day_out_of_range() -> None:
    refused(timed(START, lunar=LunarRule(month=13, day=1)), "lunar", "农历月份必须在 1–12 之间")
    refused(timed(START, lunar=LunarRule(month=0, day=1)), "lunar", "农历月份必须在 1–12 之间")
    refused(timed(START, lunar=LunarRule(month=1, day=31)), "lunar", "农历日期必须在 1–30 之间")
    refused(timed(START, lunar=LunarRule(month=1, day=0)), "lunar", "农历日期必须在 1–30 之间")
    refused(timed(START, lunar=LunarRule(festival="春节", span_days=40)), "lunar", "持续天数必须在 1–31 之间")
    refused(timed(START, lunar=LunarRule(festival="春节", missing="maybe")), "lunar", "缺日处理方式")
    refused(timed(START, lunar=LunarRule(festival="春节", count=0)), "lunar", "COUNT 必须是 1–200 之间的整数")


def test_refuses_missing_lunar_day_naming_the_year() -> None:
    spec = SeriesSpec(start=date(2026, 1, 1), end=date(2026, 1, 2), lunar=LunarRule(month=12, day=30))
    err = refused(spec, "lunar", "农历2025年腊月只有29天，没有三十日")
    assert "跳过" in str(err) and "最后一天" in str(err)


def test_refuses_too_many_occurrences() -> None:
    spec = timed(START, rrule="FREQ=DAILY")
    refused(spec, "rrule", "重复次数过多", horizon_end=date(2031, 12, 31))
    refused(spec, "rrule", "超过 100 次活动", horizon_end=date(2026, 12, 31), max_occurrences=100)
    assert validate(spec, horizon_end=date(2026, 12, 31), max_occurrences=363) == []
    refused(SeriesSpec(start=date(2026, 1, 1), end=date(2026, 1, 2), lunar=LunarRule(festival="春节", span_days=10)),
            "lunar", "重复次数过多", horizon_end=date(2040, 12, 31), max_occurrences=50)


# --------------------------------------------------------------------------- validate: warnings


def test_validate_warns_about_useless_exdates_and_rdates() -> None:
    spec = timed(
        START,
        rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=3",
        exdates=(datetime(2026, 1, 11, 9, 30), date(2026, 1, 12)),
        rdates=(datetime(2026, 1, 10, 9, 30),),
    )
    assert validate(spec, horizon_end=HORIZON) == [
        "追加日期 2026-01-10 09:30 本来就是规则内的活动，无需追加",
        "排除日期 2026-01-11 09:30 不是本系列的活动，已忽略",
        "排除日期 2026-01-12 当天没有本系列的活动，已忽略",
    ]


def test_blank_rrule_means_no_rule() -> None:
    spec = timed(START, rrule="  ")
    assert validate(spec, horizon_end=HORIZON) == []
    assert len(expand(spec, utc(2026, 1, 1), utc(2027, 1, 1))) == 1


# --------------------------------------------------------------------------- work done (speed is in bench/)


@pytest.fixture
def periods_visited(monkeypatch) -> list:
    """Every rule period (day/week/month/year) the evaluator looks into, in order."""
    from calendar_app.recurrence.rrule_eval import RuleEvaluator

    visited: list = []
    original = RuleEvaluator._candidates

    def counting(self, k, first):
        visited.append(first)
        return original(self, k, first)

    monkeypatch.setattr(RuleEvaluator, "_candidates", counting)
    return visited


def test_expanding_a_daily_series_over_18_months_visits_each_day_once(periods_visited) -> None:
    spec = timed(datetime(2026, 1, 1, 19, 30), rrule="FREQ=DAILY")
    instances = expand(spec, utc(2026, 1, 1), utc(2027, 7, 1))
    assert len(instances) == 546
    assert len(periods_visited) == len(set(periods_visited))
    assert len(periods_visited) <= 546 + 2


@pytest.mark.parametrize(("start", "rule", "expected", "first_period", "most_periods"), [
    (date(1901, 1, 1), "FREQ=DAILY", [date(2099, 6, d) for d in range(1, 8)], date(2099, 5, 30), 10),
    (date(1901, 1, 5), "FREQ=WEEKLY;BYDAY=SA", [date(2099, 6, 6)], date(2099, 5, 25), 3),
    (date(1901, 1, 3), "FREQ=MONTHLY;BYMONTHDAY=3", [date(2099, 6, 3)], date(2099, 5, 1), 2),
    (date(1901, 6, 1), "FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=3", [date(2099, 6, 3)], date(2099, 1, 1), 1),
])
def test_work_grows_with_the_window_not_the_age_of_the_series(periods_visited, start, rule, expected, first_period,
                                                               most_periods) -> None:
    old = timed(datetime.combine(start, time(19, 30)), rrule=rule)
    week = expand(old, utc(2099, 6, 1), utc(2099, 6, 8))
    assert [i.start.date() for i in week] == expected
    # Two centuries of history, yet only the periods (days, weeks, months, years) that reach the week (with the
    # day of slack before it for time zones) are looked at.
    assert min(periods_visited) >= first_period and len(periods_visited) <= most_periods


def test_rule_without_occurrences_stops_at_the_window_not_year_9999(periods_visited) -> None:
    # Every 7th day from a Tuesday is never a Monday; dateutil would scan for seconds.
    spec = timed(datetime(2026, 1, 6, 19, 30), rrule="FREQ=DAILY;INTERVAL=7;BYDAY=MO")
    assert starts(spec, utc(2026, 1, 1), utc(2030, 1, 1)) == [datetime(2026, 1, 6, 19, 30)]
    assert max(periods_visited) <= date(2030, 1, 1)
    periods_visited.clear()
    assert validate(spec, horizon_end=HORIZON) == [
        "开始时间不符合重复规则，但按 RFC 5545 仍算作第一次活动；如不需要，请把开始时间改到规则上的第一天",
        "按此规则，到 2027-12-31 为止除开始时间外没有其他活动，请检查规则",
    ]
    assert periods_visited and max(periods_visited) <= HORIZON


# --------------------------------------------------------------------------- purity


def test_recurrence_package_is_pure() -> None:
    package = Path(recurrence.__file__).parent
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith(("flask", "sqlalchemy", "calendar_app")), (path.name, alias.name)
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level == 0:
                    assert not module.startswith(("flask", "sqlalchemy", "calendar_app")), (path.name, module)
                elif node.level == 2:
                    # Only the pure festivals package may be used from outside recurrence/.
                    assert module.startswith("festivals"), (path.name, module)


def test_lunar_series_from_the_first_supported_day() -> None:
    qingming = SeriesSpec(start=date(1901, 1, 1), end=date(1901, 1, 2), lunar=LunarRule(festival="清明", count=2))
    # 清明 of 1901 and 1902 as the almanacs print them.
    assert starts(qingming, utc(1901, 1, 1), utc(1903, 1, 1)) == [date(1901, 1, 1), date(1901, 4, 5), date(1902, 4, 6)]
    chuxi = SeriesSpec(start=date(1901, 1, 1), end=date(1901, 1, 2), lunar=LunarRule(festival="除夕", count=1))
    assert starts(chuxi, utc(1901, 1, 1), utc(1903, 1, 1)) == [date(1901, 1, 1), date(1901, 2, 18)]


def test_specs_with_list_fields_still_work() -> None:
    spec = timed(START, rrule="FREQ=WEEKLY;COUNT=2", exdates=[datetime(2026, 1, 10, 9, 30)])  # type: ignore[arg-type]
    assert starts(spec) == [START]


@pytest.mark.parametrize(("spec", "field", "message"), [
    (SeriesSpec(start="2026-01-03", end="2026-01-04"), "start", "开始时间必须是日期或日期时间"),  # type: ignore[arg-type]
    (SeriesSpec(start=START, end=date(2026, 1, 4)), "end",
     "结束时间与开始时间的类型不一致：全天活动的结束也必须是日期，定时活动的结束必须是日期时间"),
    (SeriesSpec(start=START, end=(START + timedelta(hours=1)).replace(tzinfo=UTC)), "end",
     "结束时间必须是不带时区的本地时间（时区由 tzid 指定）"),
    (SeriesSpec(start=START, end=START - timedelta(minutes=1)), "end", "结束时间早于开始时间"),
    (SeriesSpec(start=START, end=START), "end", "结束时间必须晚于开始时间"),
    (timed(START, rrule="FREQ=DAILY", lunar=LunarRule(festival="元宵节")), "lunar", "重复规则与农历规则只能二选一"),
    (timed(START, rrule="FREQ=DAILY;UNTIL=20260102"), "rrule", "UNTIL 早于开始时间"),
    (timed(START, lunar=LunarRule(festival="元宵节", until=date(2026, 1, 2))), "lunar", "UNTIL 早于开始时间"),
    (timed(START, exdates="2026-01-10"), "exdates", "排除日期必须是日期的列表"),
])
def test_a_malformed_start_or_end_gets_its_exact_message(spec: SeriesSpec, field: str, message: str) -> None:
    assert str(refused(spec, field, message)) == message


def test_something_that_is_not_a_series_is_a_programming_error() -> None:
    with pytest.raises(TypeError) as wrong:
        expand({"start": START}, utc(2026, 1, 1), utc(2026, 2, 1))  # type: ignore[arg-type]
    assert str(wrong.value) == "spec must be a SeriesSpec"


def test_an_all_day_series_reads_only_the_date_of_a_timed_until() -> None:
    # 17:00 UTC on 4 June is already 5 June 01:00 in Beijing, but the rule's UNTIL day is 4 June.
    spec = SeriesSpec(start=date(2026, 6, 1), end=date(2026, 6, 2), rrule="FREQ=DAILY;UNTIL=20260604T170000Z")
    assert starts(spec) == [date(2026, 6, d) for d in (1, 2, 3, 4)]
