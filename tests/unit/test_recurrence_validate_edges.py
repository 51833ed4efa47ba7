"""validate() at its exact edges: the occurrence limit, the "nothing but the start" warning, useless
extra/excluded dates around the horizon, and horizons given as an instant. Expected texts are literals."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from calendar_app.recurrence import LunarRule, RecurrenceError, SeriesSpec, validate

UTC = timezone.utc
ONLY_START = "按此规则，到 {} 为止除开始时间外没有其他活动，请检查规则"


def timed(start: datetime, minutes: int = 120, **kw) -> SeriesSpec:
    return SeriesSpec(start=start, end=start + timedelta(minutes=minutes), **kw)


def _refusal(spec: SeriesSpec, **kw) -> RecurrenceError:
    with pytest.raises(RecurrenceError) as refused:
        validate(spec, **kw)
    return refused.value


# --- the occurrence limit ------------------------------------------------------------------------------

def test_the_default_limit_is_2000_occurrences_up_to_the_horizon():
    daily = timed(datetime(2026, 1, 1, 9), rrule="FREQ=DAILY")
    # 2026-01-01 + 1999 days = 2031-06-23: exactly 2000 daily starts up to that day.
    assert validate(daily, horizon_end=date(2031, 6, 23)) == []
    refused = _refusal(daily, horizon_end=date(2031, 6, 24))
    assert (str(refused), refused.field) == (
        "重复次数过多：到 2031-06-24 为止超过 2000 次活动，请缩短重复范围或减少频率", "rrule")


def test_too_many_extra_dates_alone_are_refused_on_the_extra_dates_field():
    spec = timed(datetime(2026, 1, 1, 9), rdates=tuple(datetime(2026, 2, d, 9) for d in range(1, 6)))
    refused = _refusal(spec, horizon_end=date(2026, 12, 31), max_occurrences=3)
    assert (str(refused), refused.field) == (
        "重复次数过多：到 2026-12-31 为止超过 3 次活动，请缩短重复范围或减少频率", "rdates")


def test_an_instant_horizon_is_read_in_the_series_zone():
    # 2026-12-31 16:00 UTC is 2027-01-01 00:00 in Beijing: the message names the local day.
    refused = _refusal(timed(datetime(2026, 1, 1, 9), rrule="FREQ=DAILY"), horizon_end=datetime(2026, 12, 31, 16, tzinfo=UTC),
                       max_occurrences=100)
    assert str(refused) == "重复次数过多：到 2027-01-01 为止超过 100 次活动，请缩短重复范围或减少频率"


def test_a_horizon_that_is_not_a_date_is_a_programming_error():
    with pytest.raises(TypeError, match="^horizon_end must be a date or datetime$"):
        validate(timed(datetime(2026, 1, 1, 9)), horizon_end="2026-12-31")


def test_excluded_dates_that_are_occurrences_raise_no_warning():
    spec = timed(datetime(2026, 1, 3, 9, 30), rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=5",
                 exdates=(datetime(2026, 1, 10, 9, 30), date(2026, 1, 17)))
    assert validate(spec, horizon_end=date(2026, 12, 31)) == []


# --- a rule that gives nothing but its start -------------------------------------------------------------

LEAP_DAY = datetime(2028, 2, 29, 9, 30)  # FREQ=YEARLY on 29 February: the next one is in 2032


def test_a_yearly_rule_warns_only_once_its_horizon_is_more_than_367_days_past_the_start():
    spec = timed(LEAP_DAY, rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29")
    assert validate(spec, horizon_end=LEAP_DAY + timedelta(days=367)) == []
    assert validate(spec, horizon_end=LEAP_DAY + timedelta(days=367, minutes=1)) == [
        ONLY_START.format("2029-03-02")]
    assert validate(spec, horizon_end=LEAP_DAY + timedelta(days=366)) == []


def test_a_rule_of_one_occurrence_does_not_warn_that_it_has_only_one():
    assert validate(timed(LEAP_DAY, rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=1"),
                    horizon_end=date(2031, 12, 31)) == []
    assert validate(timed(datetime(2026, 1, 3, 9, 30), rrule="FREQ=DAILY;COUNT=1"), horizon_end=date(2031, 12, 31)) == []


def test_a_lunar_rule_warns_only_once_its_horizon_is_more_than_400_days_past_the_start():
    # 元宵 2026 is 3 March; UNTIL the same day leaves nothing but the start.
    start = datetime(2026, 3, 3, 18)
    spec = timed(start, lunar=LunarRule(festival="元宵节", until=date(2026, 3, 3)))
    assert validate(spec, horizon_end=start + timedelta(days=400)) == []
    assert validate(spec, horizon_end=start + timedelta(days=400, minutes=1)) == [ONLY_START.format("2027-04-07")]


def test_a_lunar_rule_of_one_occurrence_does_not_warn():
    spec = timed(datetime(2026, 3, 3, 18), lunar=LunarRule(festival="元宵节", count=1))
    assert validate(spec, horizon_end=date(2031, 12, 31)) == []


# --- extra and excluded dates around the horizon -------------------------------------------------------

def test_an_extra_date_off_the_rule_raises_no_warning():
    spec = timed(datetime(2026, 1, 3, 9, 30), rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=3", rdates=(datetime(2026, 1, 11, 9, 30),))
    assert validate(spec, horizon_end=date(2026, 12, 31)) == []


def test_all_day_useless_dates_are_named_by_day_only():
    spec = SeriesSpec(start=date(2026, 1, 3), end=date(2026, 1, 4), rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=3",
                      rdates=(date(2026, 1, 10),), exdates=(date(2026, 1, 11),))
    assert validate(spec, horizon_end=date(2026, 12, 31)) == [
        "追加日期 2026-01-10 本来就是规则内的活动，无需追加",
        "排除日期 2026-01-11 当天没有本系列的活动，已忽略",
    ]


def test_an_excluded_time_is_checked_up_to_and_including_the_horizon_and_not_beyond():
    spec = timed(datetime(2026, 1, 3, 9, 30), rrule="FREQ=WEEKLY;BYDAY=SA", exdates=(datetime(2026, 6, 1, 9, 30),))
    warning = "排除日期 2026-06-01 09:30 不是本系列的活动，已忽略"
    assert validate(spec, horizon_end=datetime(2026, 6, 1, 9, 30)) == [warning]
    assert validate(spec, horizon_end=datetime(2026, 6, 1, 9, 29)) == []


def test_an_excluded_day_is_checked_from_its_midnight_up_to_the_horizon():
    spec = timed(datetime(2026, 1, 3, 9, 30), rrule="FREQ=WEEKLY;BYDAY=SA", exdates=(date(2026, 6, 1),))
    warning = "排除日期 2026-06-01 当天没有本系列的活动，已忽略"
    assert validate(spec, horizon_end=datetime(2026, 6, 1, 0, 0)) == [warning]
    assert validate(spec, horizon_end=datetime(2026, 5, 31, 23, 59)) == []


@pytest.mark.parametrize("rule,days", [
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29", 2),  # the longest healthy daily gap is a day, plus a day's margin
    ("FREQ=DAILY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=29", 3),
    # 29 February 2028 is a Tuesday; the next February Tuesday is in 2029.
    ("FREQ=WEEKLY;BYMONTH=2", 8),
    ("FREQ=WEEKLY;INTERVAL=2;BYMONTH=2", 15),
    ("FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=29", 32),
])
def test_the_only_the_start_warning_waits_one_healthy_gap_of_the_rule(rule, days):
    spec = timed(LEAP_DAY, rrule=rule)
    assert validate(spec, horizon_end=LEAP_DAY + timedelta(days=days)) == []
    horizon = LEAP_DAY + timedelta(days=days, minutes=1)
    assert validate(spec, horizon_end=horizon) == [ONLY_START.format(f"{horizon:%Y-%m-%d}")]
