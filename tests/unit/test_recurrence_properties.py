"""Property tests: our expansion agrees with recurring-ical-events on the VEVENT we would publish.

recurring-ical-events is what many calendar back ends use to read a feed; if our
expansion of a series and its reading of the equivalent VEVENT (DTSTART with
TZID, DTEND, RRULE from ical_rrule(), EXDATE, RDATE) ever differ, subscribers see
a different calendar from our own pages.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from calendar_app.recurrence import RecurrenceError, SeriesSpec, expand, ical_rrule, parse_rrule

UTC = timezone.utc
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@st.composite
def rrules(draw, freq: str, start: datetime | date, all_day: bool, tz: ZoneInfo) -> str:
    parts = [f"FREQ={freq}"]
    interval = draw(st.integers(1, 4))
    if interval > 1 or draw(st.booleans()):
        parts.append(f"INTERVAL={interval}")
    has_by = False
    if draw(st.integers(0, 3)) == 0:
        months = draw(st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True))
        parts.append("BYMONTH=" + ",".join(map(str, months)))
        has_by = True
    if freq != "WEEKLY" and draw(st.integers(0, 3)) == 0:
        days = draw(st.lists(st.sampled_from([1, 2, 5, 13, 15, 28, 29, 30, 31, -1, -2]), min_size=1, max_size=2, unique=True))
        parts.append("BYMONTHDAY=" + ",".join(map(str, days)))
        has_by = True
    if draw(st.integers(0, 2)) != 0:
        with_ordinals = freq in ("MONTHLY", "YEARLY") and draw(st.booleans())
        ordinals = [1, 2, 3, 4, -1, -2] if with_ordinals else [None]
        items = draw(
            st.lists(st.tuples(st.sampled_from(ordinals), st.sampled_from(WEEKDAYS)), min_size=1, max_size=3,
                     unique_by=lambda x: x[1])
        )
        parts.append("BYDAY=" + ",".join(f"{n or ''}{wd}" for n, wd in items))
        has_by = True
    if has_by and freq != "DAILY" and draw(st.integers(0, 3)) == 0:
        pos = draw(st.lists(st.sampled_from([1, 2, 3, -1, -2]), min_size=1, max_size=2, unique=True))
        parts.append("BYSETPOS=" + ",".join(map(str, pos)))
    if draw(st.integers(0, 4)) == 0:
        parts.append("WKST=" + draw(st.sampled_from(WEEKDAYS)))
    ending = draw(st.sampled_from(["none", "count", "until_utc", "until_floating", "until_date"]))
    if ending == "count":
        parts.append(f"COUNT={draw(st.integers(1, 40))}")
    elif ending != "none":
        base = start if isinstance(start, datetime) else datetime.combine(start, time())
        until = base + timedelta(days=draw(st.integers(0, 700)), minutes=draw(st.sampled_from([-30, 0, 0, 30, 600])))
        until = max(until, base)
        if ending == "until_utc" and not all_day:
            text = until.replace(tzinfo=tz).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        elif ending == "until_floating" and not all_day:
            text = until.strftime("%Y%m%dT%H%M%S")
        else:
            text = until.strftime("%Y%m%d")
        parts.append(f"UNTIL={text}")
    return ";".join(parts)


@st.composite
def series(draw):
    tzid = draw(st.sampled_from(["Asia/Shanghai", "Europe/Berlin"]))
    tz = ZoneInfo(tzid)
    all_day = draw(st.integers(0, 3)) == 0
    day = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)))
    if all_day:
        start: datetime | date = day
        end: datetime | date = day + timedelta(days=draw(st.integers(1, 3)))
    else:
        start = datetime.combine(day, time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30]))))
        end = start + timedelta(minutes=draw(st.sampled_from([30, 60, 90, 150, 24 * 60, 49 * 60])))
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]))
    rule = draw(rrules(freq, start, all_day, tz))
    try:
        parse_rrule(rule)
        spec = SeriesSpec(start=start, end=end, tzid=tzid, rrule=rule)
        ical_rrule(spec)  # also rejects UNTIL before DTSTART
    except RecurrenceError:
        assume(False)

    # EXDATEs: mostly real instances (so that removal is exercised), sometimes not.
    base = expand(spec, _aware(start, tz), _aware(start, tz) + timedelta(days=800))
    exdates: list = []
    if base and draw(st.booleans()):
        picked = draw(st.lists(st.sampled_from(base), max_size=3))
        exdates = [i.start for i in picked]
        if not all_day and exdates and draw(st.integers(0, 3)) == 0:
            exdates[0] = exdates[0].date()  # a DATE EXDATE removes that whole day
    if draw(st.integers(0, 4)) == 0:
        # An EXDATE matching no instance must change nothing. Keep it off the
        # quarter hours: recurring-ical-events 3.8.2 wrongly drops an instance whose
        # local time equals the EXDATE's UTC time (it mixes both in one id set).
        exdates.append(start + timedelta(days=draw(st.integers(1, 300)), minutes=0 if all_day else 7))
    rdates: list = []
    for _ in range(draw(st.integers(0, 3))):
        offset = timedelta(days=draw(st.integers(-10, 600)))
        rd = start + offset
        if not all_day:
            rd = rd.replace(hour=draw(st.integers(0, 23)), minute=draw(st.sampled_from([0, 30])))
        rdates.append(rd)
    return SeriesSpec(
        start=start, end=end, tzid=tzid, rrule=rule, rdates=tuple(rdates), exdates=tuple(dict.fromkeys(exdates))
    )


def _aware(value: datetime | date, tz: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    return value.replace(tzinfo=tz)


def _vevent_value(value: datetime | date, tz: ZoneInfo):
    return value.replace(tzinfo=tz) if isinstance(value, datetime) else value


def _reference(spec: SeriesSpec, window_start: datetime, window_end: datetime) -> list[tuple]:
    """Occurrences recurring-ical-events reads from the VEVENT we would publish."""
    tz = ZoneInfo(spec.tzid)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//test//recurrence//")
    cal.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", "series@test")
    event.add("dtstamp", datetime(2026, 1, 1, tzinfo=UTC))
    event.add("summary", "非遗星期六")
    event.add("dtstart", _vevent_value(spec.start, tz))
    event.add("dtend", _vevent_value(spec.end, tz))
    event.add("rrule", icalendar.vRecur.from_ical(ical_rrule(spec)))
    for value in spec.exdates:
        event.add("exdate", [_vevent_value(value, tz)])
    for value in spec.rdates:
        event.add("rdate", [_vevent_value(value, tz)])
    cal.add_component(event)
    # Round-trip through text, as a subscriber would read the feed.
    parsed = icalendar.Calendar.from_ical(cal.to_ical())
    out = []
    for occurrence in recurring_ical_events.of(parsed).between(window_start, window_end):
        s, e = occurrence["DTSTART"].dt, occurrence["DTEND"].dt
        if isinstance(s, datetime):
            out.append((s.replace(tzinfo=None), e.replace(tzinfo=None), s.astimezone(UTC), e.astimezone(UTC)))
        else:
            out.append((s, e))
    return sorted(out)


def _ours(spec: SeriesSpec, window_start: datetime, window_end: datetime) -> list[tuple]:
    out = []
    for i in expand(spec, window_start, window_end):
        if isinstance(i.start, datetime):
            out.append((i.start, i.end, i.start_utc, i.end_utc))
        else:
            out.append((i.start, i.end))
    return sorted(out)


@SETTINGS
@given(spec=series(), data=st.data())
def test_expand_matches_recurring_ical_events(spec: SeriesSpec, data) -> None:
    tz = ZoneInfo(spec.tzid)
    # Mostly near DTSTART (where most instances are), sometimes far after it.
    days = data.draw(st.one_of(st.integers(-40, 60), st.integers(-40, 1000)))
    offset = timedelta(days=days, hours=data.draw(st.integers(0, 23)))
    length = timedelta(days=data.draw(st.integers(1, 400)), hours=data.draw(st.integers(0, 23)))
    window_start = _aware(spec.start, tz) + offset
    window_end = window_start + length
    assert _ours(spec, window_start, window_end) == _reference(spec, window_start, window_end)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(spec=series(), data=st.data())
def test_expand_is_sorted_overlapping_and_splits_cleanly(spec: SeriesSpec, data) -> None:
    tz = ZoneInfo(spec.tzid)
    window_start = _aware(spec.start, tz) + timedelta(days=data.draw(st.integers(-5, 500)))
    cut = window_start + timedelta(hours=data.draw(st.integers(1, 24 * 200)))
    window_end = cut + timedelta(hours=data.draw(st.integers(1, 24 * 200)))
    whole = expand(spec, window_start, window_end)
    assert [i.start_utc for i in whole] == sorted(i.start_utc for i in whole)
    for i in whole:
        assert i.start_utc < window_end and i.end_utc > window_start
        assert i.recurrence_id == i.start
    halves = {i.recurrence_id for i in expand(spec, window_start, cut)} | {
        i.recurrence_id for i in expand(spec, cut, window_end)
    }
    assert halves == {i.recurrence_id for i in whole}


@settings(max_examples=60, deadline=None)
@given(
    festival=st.sampled_from(["春节", "元宵节", "端午节", "七夕", "中秋节", "重阳节", "腊八节", "除夕", "清明"]),
    start=st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)),
    span=st.integers(1, 7),
    years=st.integers(1, 8),
)
def test_lunar_series_are_the_festival_dates_from_dtstart_on(festival: str, start: date, span: int, years: int) -> None:
    from calendar_app.festivals.lunar import festivals_in_range
    from calendar_app.recurrence import LunarRule

    end_of_window = date(start.year + years, 12, 31)
    spec = SeriesSpec(
        start=datetime.combine(start, time(19, 30)),
        end=datetime.combine(start, time(21, 0)),
        lunar=LunarRule(festival=festival, span_days=span),
    )
    tz = ZoneInfo(spec.tzid)
    got = [i.start for i in expand(spec, _aware(start, tz), _aware(end_of_window, tz))]
    expected = {datetime.combine(start, time(19, 30))}
    for d in festivals_in_range(festival, start, end_of_window):
        for k in range(span):
            if d + timedelta(days=k) < end_of_window:
                expected.add(datetime.combine(d + timedelta(days=k), time(19, 30)))
    assert got == sorted(expected)
