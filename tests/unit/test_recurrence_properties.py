"""Property tests: our expansion agrees with recurring-ical-events on the equivalent VEVENT.

recurring-ical-events is what many calendar back ends use to read a feed; if our
expansion of a series and its reading of the equivalent VEVENT (DTSTART with
TZID, DTEND, RRULE, EXDATE, RDATE) ever differ, subscribers see a different
calendar from our own pages. The RRULE given to it is written by the test itself
(UNTIL turned into UTC here, not by ical_rrule()), so that a mistake shared by our
expansion and our feed writer cannot hide; ical_rrule() is then checked against it.
Lunar series are checked against lunar-python's calendar directly.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from calendar_app.recurrence import RecurrenceError, SeriesSpec, expand, ical_rrule, parse_rrule
from tests.hypothesis_budget import examples

UTC = timezone.utc
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SETTINGS = settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


#: BYSETPOS values: the small ones, those that reach the first or last candidate of a period, and RFC 5545's ends.
SETPOS = st.one_of(st.integers(1, 10), st.integers(-10, -1), st.sampled_from([31, -31, 53, -53, 366, -366]))


@st.composite
def rrules(draw, freq: str, start: datetime | date, all_day: bool, tz: ZoneInfo) -> tuple[str, str]:
    """A rule as a coordinator may write it, and the same rule as RFC 5545 publishes it (UNTIL in UTC or a DATE)."""
    parts = [f"FREQ={freq}"]
    interval = draw(st.integers(1, 4))
    if interval > 1 or draw(st.booleans()):
        parts.append(f"INTERVAL={interval}")
    has_by = False
    months: list[int] = []
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
        # Within a month ordinals go to the 5th (and 5th from the end); within a whole year to the 53rd.
        month_ordinals = [1, 2, 3, 4, 5, -1, -2, -3, -4, -5]
        year_ordinals = month_ordinals + [20, -20, 52, 53, -52, -53]
        ordinals = ((year_ordinals if freq == "YEARLY" and not months else month_ordinals) if with_ordinals
                    else [None])
        items = draw(
            st.lists(st.tuples(st.sampled_from(ordinals), st.sampled_from(WEEKDAYS)), min_size=1, max_size=3,
                     unique_by=lambda x: x[1])
        )
        parts.append("BYDAY=" + ",".join(f"{n or ''}{wd}" for n, wd in items))
        has_by = True
    if has_by and freq != "DAILY" and draw(st.integers(0, 3)) == 0:
        pos = draw(st.lists(SETPOS, min_size=1, max_size=2, unique=True))
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
        if all_day:
            text = published = until.strftime("%Y%m%d")
        elif ending == "until_utc":
            text = published = until.replace(tzinfo=tz).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        elif ending == "until_floating":
            text = until.strftime("%Y%m%dT%H%M%S")
            published = until.replace(tzinfo=tz).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        else:
            # A DATE UNTIL with a timed DTSTART includes that whole local day.
            text = until.strftime("%Y%m%d")
            last_second = datetime.combine(until.date(), time(23, 59, 59), tz)
            published = last_second.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        return ";".join(parts + [f"UNTIL={text}"]), ";".join(parts + [f"UNTIL={published}"])
    return ";".join(parts), ";".join(parts)


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
    rule, published = draw(rrules(freq, start, all_day, tz))
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
    spec = SeriesSpec(
        start=start, end=end, tzid=tzid, rrule=rule, rdates=tuple(rdates), exdates=tuple(dict.fromkeys(exdates))
    )
    return spec, published


def _aware(value: datetime | date, tz: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    return value.replace(tzinfo=tz)


def _vevent_value(value: datetime | date, tz: ZoneInfo):
    return value.replace(tzinfo=tz) if isinstance(value, datetime) else value


def _reference(spec: SeriesSpec, published: str, window_start: datetime, window_end: datetime) -> list[tuple]:
    """Occurrences recurring-ical-events reads from the VEVENT of ``spec`` with the RRULE ``published``."""
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
    event.add("rrule", icalendar.vRecur.from_ical(published))
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


def _recur(text: str) -> dict:
    """A rule's parts, INTERVAL=1 (the default, which we do not publish) left out."""
    parts = dict(icalendar.vRecur.from_ical(text))
    if parts.get("INTERVAL") == [1]:
        del parts["INTERVAL"]
    return parts


def _ours(spec: SeriesSpec, window_start: datetime, window_end: datetime) -> list[tuple]:
    out = []
    for i in expand(spec, window_start, window_end):
        if isinstance(i.start, datetime):
            out.append((i.start, i.end, i.start_utc, i.end_utc))
        else:
            out.append((i.start, i.end))
    return sorted(out)


@SETTINGS
@given(generated=series(), data=st.data())
def test_expand_matches_recurring_ical_events(generated: tuple[SeriesSpec, str], data) -> None:
    spec, published = generated
    tz = ZoneInfo(spec.tzid)
    # Mostly near DTSTART (where most instances are), sometimes far after it.
    days = data.draw(st.one_of(st.integers(-40, 60), st.integers(-40, 1000)))
    offset = timedelta(days=days, hours=data.draw(st.integers(0, 23)))
    length = timedelta(days=data.draw(st.integers(1, 400)), hours=data.draw(st.integers(0, 23)))
    window_start = _aware(spec.start, tz) + offset
    window_end = window_start + length
    assert _ours(spec, window_start, window_end) == _reference(spec, published, window_start, window_end)
    # The feed publishes that same rule.
    assert _recur(ical_rrule(spec)) == _recur(published)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(generated=series(), data=st.data())
def test_expand_is_sorted_overlapping_and_splits_cleanly(generated: tuple[SeriesSpec, str], data) -> None:
    spec, _ = generated
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


#: Fixed lunar (month, day) of each festival; 除夕 is the eve of 春节 and 清明 a solar term.
_LUNAR_DAYS = {"春节": (1, 1), "元宵节": (1, 15), "端午节": (5, 5), "七夕": (7, 7), "中秋节": (8, 15), "重阳节": (9, 9),
               "腊八节": (12, 8)}


def _festival_days_by_lunar_python(festival: str, first: date, last: date) -> list[date]:
    """The festival's solar dates in [first, last], read from lunar-python (not from our festivals module)."""
    from lunar_python import Lunar

    found = []
    for year in range(first.year - 1, last.year + 1):
        if festival == "清明":
            ymd = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
            d = date(ymd.getYear(), ymd.getMonth(), ymd.getDay())
        elif festival == "除夕":
            solar = Lunar.fromYmd(year + 1, 1, 1).getSolar()
            d = date(solar.getYear(), solar.getMonth(), solar.getDay()) - timedelta(days=1)
        else:
            solar = Lunar.fromYmd(year, *_LUNAR_DAYS[festival]).getSolar()
            d = date(solar.getYear(), solar.getMonth(), solar.getDay())
        if first <= d <= last:
            found.append(d)
    return sorted(set(found))


def test_lunar_python_oracle_reads_the_published_festival_dates() -> None:
    assert _festival_days_by_lunar_python("元宵节", date(2024, 1, 1), date(2027, 12, 31)) == [
        date(2024, 2, 24), date(2025, 2, 12), date(2026, 3, 3), date(2027, 2, 20)]
    assert _festival_days_by_lunar_python("除夕", date(2026, 1, 1), date(2026, 12, 31)) == [date(2026, 2, 16)]
    assert _festival_days_by_lunar_python("清明", date(2026, 1, 1), date(2026, 12, 31)) == [date(2026, 4, 5)]
    # 腊八 of lunar 2025 falls in January 2026; that of lunar 2026 in January 2027.
    assert _festival_days_by_lunar_python("腊八节", date(2026, 1, 1), date(2027, 1, 31)) == [
        date(2026, 1, 26), date(2027, 1, 15)]


@settings(max_examples=examples(60), deadline=None)
@given(
    festival=st.sampled_from(["春节", "元宵节", "端午节", "七夕", "中秋节", "重阳节", "腊八节", "除夕", "清明"]),
    start=st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)),
    span=st.integers(1, 7),
    years=st.integers(1, 8),
)
def test_lunar_series_are_the_festival_dates_from_dtstart_on(festival: str, start: date, span: int, years: int) -> None:
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
    for d in _festival_days_by_lunar_python(festival, start, end_of_window):
        for k in range(span):
            if d + timedelta(days=k) < end_of_window:
                expected.add(datetime.combine(d + timedelta(days=k), time(19, 30)))
    assert got == sorted(expected)
