"""VTIMEZONE components in the form every client reads: today's rule, no historic RDATE lists.

Pure module (no Flask, no database). A zone's current rule is read from the POSIX TZ string at the
end of its TZif file ("CST-8", "CET-1CEST,M3.5.0,M10.5.0/3"): a fixed zone becomes one STANDARD
observance (Asia/Shanghai: +0800 since 1970), a zone with daylight saving time two observances with
yearly RRULEs. The rule is checked against zoneinfo for the years feeds cover; the rare zone it does
not describe (Morocco's Ramadan changes, transitions at negative hours) gets its actual changes in those
years listed as RDATEs instead. The result is an `icalendar.Timezone` component.

Why not icalendar's own generator (`Timezone.from_tzid(tzid, first_date=...)`, which
`Calendar.add_missing_timezones` uses)? Measured with icalendar 7.3.0 and first_date 2025-01-01:
for a fixed zone it gives the right single STANDARD observance, but starting at first_date (older
series' DTSTARTs fall before it) and with a COMMENT "only works from 2025-01-01 to 2038-01-01"; for
a zone with daylight saving time it lists every change up to 2037 as RDATEs instead of the yearly
RRULE (ICAL.md rule 1: clients misread RDATE lists); for Africa/Casablanca it misses Morocco's 2027
Ramadan change (the offset is wrong for 35 days in February-March 2027; with first_date 2020, 2024's
too). So the observances are derived here, and only built and serialised with icalendar.
"""
from __future__ import annotations

import importlib.resources
import re
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

__all__ = ["checked_zone", "vtimezone"]

#: Years in which the derived rule must agree with zoneinfo (feeds cover a window around today).
CHECK_YEARS = range(2015, 2041)
#: Observances start here; any date a feed uses is later.
EPOCH_YEAR = 1970
_TZID = re.compile(r"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*$")
_NAME = r"(<[^>]+>|[A-Za-z]{3,})"
_OFFSET = r"([+-]?\d{1,2}(?::\d{2}){0,2})"
_RULE = r"M(\d{1,2})\.(\d)\.(\d)(?:/([+-]?\d{1,3}(?::\d{2}){0,2}))?"
_POSIX = re.compile(rf"^{_NAME}{_OFFSET}(?:{_NAME}{_OFFSET}?,{_RULE},{_RULE})?$")
_DAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")  # POSIX weekday 0 = Sunday


class _YearlyRule(vRecur):
    """A VTIMEZONE's yearly RRULE in the usual order ("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"): icalendar
    would otherwise write BYDAY before BYMONTH."""

    canonical_order = ("FREQ", "BYMONTH", "BYDAY")


@dataclass(frozen=True)
class _Observance:
    """One STANDARD or DAYLIGHT sub-component: onset (local wall time in the offset before it), offsets."""

    kind: str  # "STANDARD" or "DAYLIGHT"
    start: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    rule: _Change | None = None  # a yearly RRULE
    rdates: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class _Change:
    """A yearly change: month, week (5 = last), POSIX weekday, local wall time of the change."""

    month: int
    week: int
    weekday: int
    at: timedelta

    def day(self, year: int) -> date:
        first = date(year, self.month, 1)
        # Python weekday: Monday 0; POSIX: Sunday 0.
        offset = (self.weekday - (first.weekday() + 1) % 7) % 7
        day = first + timedelta(days=offset + 7 * (self.week - 1))
        while day.month != self.month:  # week 5 means "the last one"
            day -= timedelta(days=7)
        return day

    def rrule(self) -> vRecur:
        ordinal = "-1" if self.week == 5 else str(self.week)
        return _YearlyRule({"FREQ": "YEARLY", "BYMONTH": self.month, "BYDAY": f"{ordinal}{_DAYS[self.weekday]}"})


def _seconds(text: str) -> timedelta:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")]
    parts += [0] * (3 - len(parts))
    return sign * timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2])


def _utc_offset(posix: str) -> timedelta:
    return -_seconds(posix)  # POSIX offsets count west of Greenwich


def _tzname(name: str) -> str:
    return name.strip("<>")


def _footer(tzid: str) -> str | None:
    """The POSIX TZ string of a zone, from the same TZif data zoneinfo reads."""
    data = None
    for base in zoneinfo.TZPATH:
        path = Path(base, *tzid.split("/"))
        if path.is_file():
            data = path.read_bytes()
            break
    if data is None:
        try:
            data = importlib.resources.files("tzdata").joinpath("zoneinfo", *tzid.split("/")).read_bytes()
        except (ModuleNotFoundError, FileNotFoundError, OSError):
            return None
    if not data.startswith(b"TZif") or data[4:5] < b"2":
        return None  # version 1 files carry no footer
    return data.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode("ascii", "replace")


def _fixed(tzid: str, name: str, offset: timedelta) -> list[_Observance] | None:
    zone = zoneinfo.ZoneInfo(tzid)
    for year in CHECK_YEARS:
        for month in (1, 4, 7, 10):
            if datetime(year, month, 1, 12, tzinfo=timezone.utc).astimezone(zone).utcoffset() != offset:
                return None
    return [_Observance("STANDARD", datetime(EPOCH_YEAR, 1, 1), offset, offset, name)]


def _observance(kind: str, name: str, change: _Change, before: timedelta, after: timedelta) -> _Observance:
    onset = datetime.combine(change.day(EPOCH_YEAR), time()) + change.at
    return _Observance(kind, onset, before, after, name, rule=change)


def _seasonal(tzid: str, std_name: str, std: timedelta, dst_name: str, dst: timedelta,
              to_dst: _Change, to_std: _Change) -> list[_Observance] | None:
    zone = zoneinfo.ZoneInfo(tzid)
    for change in (to_dst, to_std):
        if not timedelta(0) <= change.at < timedelta(hours=24):
            return None  # a change at "-1:00" or "24:00" does not fit an RRULE by weekday
    # Check the rule against zoneinfo: the offset at noon UTC on the 2nd and 27th of every month.
    for year in CHECK_YEARS:
        start, end = to_dst.day(year), to_std.day(year)
        for month in range(1, 13):
            for day_of_month in (2, 27):
                day = date(year, month, day_of_month)
                in_dst = start <= day < end if start < end else not end <= day < start
                expected = dst if in_dst else std
                actual = datetime(year, month, day_of_month, 12, tzinfo=timezone.utc).astimezone(zone).utcoffset()
                if actual != expected and abs((day - start).days) > 1 and abs((day - end).days) > 1:
                    return None
    return [_observance("DAYLIGHT", dst_name, to_dst, std, dst),
            _observance("STANDARD", std_name, to_std, dst, std)]


def _from_rule(tzid: str) -> list[_Observance] | None:
    footer = _footer(tzid)
    match = _POSIX.match(footer or "")
    if match is None:
        return None
    std_name, std_off, dst_name, dst_off, *rules = match.groups()
    std = _utc_offset(std_off)
    if dst_name is None:
        return _fixed(tzid, _tzname(std_name), std)
    dst = _utc_offset(dst_off) if dst_off else std + timedelta(hours=1)
    changes = []
    for month, week, weekday, at in (rules[0:4], rules[4:8]):
        if not (1 <= int(month) <= 12 and 1 <= int(week) <= 5 and 0 <= int(weekday) <= 6):
            return None
        changes.append(_Change(int(month), int(week), int(weekday), _seconds(at) if at else timedelta(hours=2)))
    return _seasonal(tzid, _tzname(std_name), std, _tzname(dst_name), dst, changes[0], changes[1])


def _transitions(zone: zoneinfo.ZoneInfo) -> list[tuple[datetime, timedelta, timedelta]]:
    """(UTC instant, offset before, offset after) of every change in CHECK_YEARS, to the minute."""
    def offset(instant: datetime) -> timedelta:
        return instant.astimezone(zone).utcoffset()

    found = []
    day = datetime(CHECK_YEARS.start, 1, 1, tzinfo=timezone.utc)
    end = datetime(CHECK_YEARS.stop, 1, 1, tzinfo=timezone.utc)
    before = offset(day)
    while day < end:
        after = offset(day + timedelta(days=1))
        if after != before:
            lo, hi = day, day + timedelta(days=1)
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if offset(mid) == before else (lo, mid)
            found.append((hi, before, after))
            before = after
        day += timedelta(days=1)
    return found


def _listed(tzid: str) -> list[_Observance]:
    """Observances with the zone's actual changes as RDATEs (for zones no yearly rule describes)."""
    zone = zoneinfo.ZoneInfo(tzid)
    first = datetime(CHECK_YEARS.start, 1, 1, tzinfo=timezone.utc)
    initial = first.astimezone(zone)
    observances = [_Observance("STANDARD", initial.replace(tzinfo=None), initial.utcoffset(), initial.utcoffset(),
                               initial.tzname())]
    groups: dict[tuple, list[datetime]] = {}
    for instant, before, after in _transitions(zone):
        local = instant.astimezone(zone)
        kind = "DAYLIGHT" if local.dst() else "STANDARD"
        # DTSTART/RDATE of an observance are wall-clock times in the offset in force before it.
        groups.setdefault((kind, before, after, local.tzname()), []).append((instant + before).replace(tzinfo=None))
    for (kind, before, after, name), onsets in groups.items():
        observances.append(_Observance(kind, onsets[0], before, after, name, rdates=tuple(onsets[1:])))
    return observances


@lru_cache(maxsize=64)
def checked_zone(tzid: str) -> zoneinfo.ZoneInfo:
    """The zone of an IANA name; ValueError for a malformed or unknown one (never a path outside the database)."""
    if not isinstance(tzid, str) or not _TZID.match(tzid) or ".." in tzid:
        raise ValueError(f"invalid time zone name {tzid!r}")
    try:
        return zoneinfo.ZoneInfo(tzid)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone {tzid!r}") from None


@lru_cache(maxsize=64)
def _observances(tzid: str) -> tuple[_Observance, ...]:
    checked_zone(tzid)
    return tuple(_from_rule(tzid) or _listed(tzid))


def vtimezone(tzid: str) -> Timezone:
    """A new VTIMEZONE component for an IANA zone name (ValueError for an unknown one).

    Properties are added in the order they are to be written: serialise with `sorted=False`.
    """
    component = Timezone()
    component.add("TZID", tzid)
    for o in _observances(tzid):
        sub = TimezoneDaylight() if o.kind == "DAYLIGHT" else TimezoneStandard()
        sub.add("DTSTART", o.start)  # a naive date-time: local time, as RFC 5545 wants here
        if o.rule is not None:
            sub.add("RRULE", o.rule.rrule())
        if o.rdates:
            sub.add("RDATE", list(o.rdates))
        sub.add("TZOFFSETFROM", o.offset_from)
        sub.add("TZOFFSETTO", o.offset_to)
        sub.add("TZNAME", o.name)
        component.add_component(sub)
    return component
