"""iCalendar writer for the published feeds (RFC 5545 / 7986): values in, bytes out.

No Flask, no database. Components are built with `icalendar` (Calendar, Event, Timezone) and
serialised by it; this module adds what icalendar 7.3 leaves to the caller (ICAL.md rules, and
/work/shared/DEPENDENCIES.md):

* Text values are `_Text`, a `vText` that strips control characters before icalendar sees the value
  and escapes with `escape_text`. icalendar's own TEXT escaping turns a literal backslash-N into a
  line break ("C:\\New" would read back as "C:" newline "ew"), and it writes X- properties given as
  plain strings verbatim (a lone CR passes): X-WR-CALNAME and X-WR-CALDESC are `_Text` too.
* Lines are folded here (`fold`), from icalendar's unfolded content lines: icalendar's folding
  avoids splitting "\\;" but not "\\\\" (it moves only the last backslash to the next line, which
  splits an escaped backslash from the one before it). `fold` cuts at 75 octets, never inside a
  UTF-8 character or a backslash escape.
* UID and DTSTAMP are always ours (DTSTAMP = LAST-MODIFIED = the series' revision time, never now);
  `REFRESH-INTERVAL` gets its `VALUE=DURATION` explicitly and `X-PUBLISHED-TTL` is the text "PT1H".
* VTIMEZONEs come from `vtimezone.vtimezone` (icalendar components; see there why not icalendar's
  generator). Properties are written in the order they are added (`sorted=False`).

Lines end in CRLF. The tests read the output back with icalendar, recurring-ical-events and (when
installed) Mozilla's ical.js.

A `Series` is one event as published: the master VEVENT (DTSTART, RRULE, RDATE, EXDATE) and its
RECURRENCE-ID overrides. Rendering a series is memoised on the series' value (icalendar takes a few
hundred µs per VEVENT), so a feed re-render only pays for the events that changed.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Self

from icalendar import Calendar, Component, Event, vCategory, vDDDTypes, vGeo, vRecur, vText, vUri

from calendar_app.feeds.vtimezone import checked_zone, vtimezone

__all__ = ["CalendarInfo", "Details", "Override", "Series", "escape_text", "fold", "render_calendar", "render_series"]

#: A wall-clock start or end in the series' zone (naive datetime), or a date for all-day events.
Local = datetime | date

PRODID = "-//calendar-app//feeds 1.0//ZH"
STATUSES = ("CONFIRMED", "TENTATIVE", "CANCELLED")
POLL = "PT1H"
_CRLF = "\r\n"
_LIMIT = 75
# Control characters (C0 except tab/newline, DEL, C1) and the Unicode line/paragraph separators.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_URI_UNSAFE = re.compile(r"[^\x21-\x7e]|[\"<>\\^`{|}]")
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_RRULE_SAFE = re.compile(r"^[A-Z0-9=;,+\-]+$")

# CSS3 colour names (RFC 7986 COLOR takes a name, not #rrggbb): a palette wide enough that the
# nearest name is recognisably the programme's colour.
_CSS_COLOURS = {
    "black": (0, 0, 0), "white": (255, 255, 255), "gray": (128, 128, 128), "silver": (192, 192, 192),
    "slategray": (112, 128, 144), "red": (255, 0, 0), "darkred": (139, 0, 0), "maroon": (128, 0, 0),
    "firebrick": (178, 34, 34), "crimson": (220, 20, 60), "tomato": (255, 99, 71), "coral": (255, 127, 80),
    "orangered": (255, 69, 0), "darkorange": (255, 140, 0), "orange": (255, 165, 0), "gold": (255, 215, 0),
    "goldenrod": (218, 165, 32), "yellow": (255, 255, 0), "olive": (128, 128, 0), "chocolate": (210, 105, 30),
    "sienna": (160, 82, 45), "brown": (165, 42, 42), "saddlebrown": (139, 69, 19), "green": (0, 128, 0),
    "darkgreen": (0, 100, 0), "forestgreen": (34, 139, 34), "seagreen": (46, 139, 87), "limegreen": (50, 205, 50),
    "teal": (0, 128, 128), "darkcyan": (0, 139, 139), "lightseagreen": (32, 178, 170), "blue": (0, 0, 255),
    "navy": (0, 0, 128), "royalblue": (65, 105, 225), "steelblue": (70, 130, 180), "dodgerblue": (30, 144, 255),
    "deepskyblue": (0, 191, 255), "purple": (128, 0, 128), "indigo": (75, 0, 130), "darkviolet": (148, 0, 211),
    "mediumpurple": (147, 112, 219), "orchid": (218, 112, 214), "hotpink": (255, 105, 180),
    "deeppink": (255, 20, 147), "mediumvioletred": (199, 21, 133),
}


@dataclass(frozen=True)
class Details:
    """What a subscriber reads about an event or one occurrence of it."""

    summary: str
    status: str = "CONFIRMED"  # one of STATUSES
    description: str | None = None
    location: str | None = None
    geo: tuple[float, float] | None = None  # latitude, longitude
    url: str | None = None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Override:
    """One occurrence that differs from what the series' rule says (RECURRENCE-ID = its original start)."""

    recurrence_id: Local
    start: Local
    end: Local
    details: Details


@dataclass(frozen=True)
class Series:
    """One event as published: master VEVENT plus overrides, all wall-clock values in `tzid`."""

    uid: str
    sequence: int
    revised_at: datetime  # aware; DTSTAMP and LAST-MODIFIED, never "now"
    tzid: str
    start: Local
    end: Local
    details: Details
    rrule: str | None = None
    rdates: tuple[Local, ...] = ()
    exdates: tuple[Local, ...] = ()
    overrides: tuple[Override, ...] = ()


@dataclass(frozen=True)
class CalendarInfo:
    """The VCALENDAR's own properties."""

    name: str
    description: str | None = None
    url: str | None = None  # the public page the feed belongs to
    source: str | None = None  # the feed's own URL (RFC 7986 SOURCE)
    colour: str | None = None  # "#rrggbb"


# --- values ----------------------------------------------------------------------------------------

def _clean(value: str) -> str:
    """Line breaks as \\n, tabs as spaces, control characters and unencodable surrogates dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    value = _CONTROL.sub("", value)
    if not value.isascii():
        value = value.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be encoded
    return value


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): control characters dropped, \\ ; , and newlines escaped."""
    return _clean(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


class _Text(vText):
    """A TEXT value, cleaned on the way in and escaped by `escape_text` (not icalendar's escaping)."""

    __slots__ = ()

    def __new__(cls, value: str, params: dict | None = None) -> Self:
        return super().__new__(cls, _clean(value), params=params)

    def to_ical(self) -> bytes:
        return escape_text(self).encode("utf-8")


class _Categories(vCategory):
    """CATEGORIES with each category a `_Text`."""

    def __init__(self, categories: Iterable[str]) -> None:
        super().__init__([])
        self.cats = [_Text(c) for c in categories]


def _uri(value: str) -> vUri:
    """A URI value: characters that are not allowed in a URI (or would end the line) are percent-encoded."""
    return vUri(_URI_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), value))


def _utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc)


def _is_date(value: Local) -> bool:
    return not isinstance(value, datetime)


def _in_zone(value: Local, tzid: str) -> Local:
    """A wall-clock value as icalendar wants it: dates as they are, date-times aware in the series' zone."""
    return value if _is_date(value) else value.replace(tzinfo=checked_zone(tzid))


@lru_cache(maxsize=64)
def _writes_tzid(tzid: str) -> bool:
    """Whether icalendar writes date-times of the zone with a TZID (it writes UTC ones with "Z" instead)."""
    return "TZID" in vDDDTypes(datetime(2000, 1, 1, tzinfo=checked_zone(tzid))).params


def _add_times(component: Component, name: str, values: Iterable[Local], tzid: str) -> None:
    """RDATE / EXDATE: one property per value type, values sorted."""
    dates = sorted(v for v in values if _is_date(v))
    times = sorted(v for v in values if not _is_date(v))
    if dates:
        component.add(name, dates)
    if times:
        component.add(name, [_in_zone(v, tzid) for v in times])


def _rrule(text: str) -> vRecur:
    if not _RRULE_SAFE.match(text):
        raise ValueError(f"unexpected characters in RRULE {text!r}")
    rule = vRecur.from_ical(text)
    if "FREQ" not in rule:
        raise ValueError(f"RRULE without FREQ: {text!r}")
    return rule


def css_colour_name(hex_colour: str) -> str:
    """The CSS3 colour name nearest to "#rrggbb" (for RFC 7986 COLOR)."""
    rgb = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return min(_CSS_COLOURS, key=lambda name: sum((a - b) ** 2 for a, b in zip(_CSS_COLOURS[name], rgb)))


# --- lines -----------------------------------------------------------------------------------------

def fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character or a backslash escape."""
    if len(line) <= _LIMIT // 4 or len(line.encode("utf-8")) <= _LIMIT:
        return line
    parts: list[str] = []
    current: list[str] = []
    size = 0
    limit = _LIMIT
    i = 0
    while i < len(line):
        # A backslash always starts a two-character escape: text values double literal backslashes.
        step = 2 if line[i] == "\\" and i + 1 < len(line) else 1
        token = line[i:i + step]
        width = len(token.encode("utf-8"))
        if size + width > limit and current:
            parts.append("".join(current))
            current, size, limit = [], 0, _LIMIT - 1  # continuation lines begin with a space
        current.append(token)
        size += width
        i += step
    parts.append("".join(current))
    return (_CRLF + " ").join(parts)


def _serialise(lines: Iterable[str]) -> str:
    """icalendar's unfolded content lines, folded and CRLF-terminated (its trailing "" is skipped)."""
    return "".join(fold(line) + _CRLF for line in lines if line)


def _add_details(component: Event, details: Details) -> None:
    if details.status not in STATUSES:
        raise ValueError(f"unknown STATUS {details.status!r}")
    component.add("SUMMARY", _Text(details.summary))
    if details.description:
        component.add("DESCRIPTION", _Text(details.description))
    if details.location:
        component.add("LOCATION", _Text(details.location))
    if details.geo is not None:
        lat, lon = details.geo
        component.add("GEO", vGeo((round(float(lat), 6), round(float(lon), 6))))
    if details.url:
        component.add("URL", _uri(details.url))
    if details.categories:
        component.add("CATEGORIES", _Categories(details.categories))
    component.add("STATUS", _Text(details.status))


def _vevent(series: Series) -> Event:
    """A VEVENT with the series' identity and stamps (UID, SEQUENCE, DTSTAMP, LAST-MODIFIED): never icalendar's."""
    event = Event()
    event.add("UID", _Text(series.uid))
    event.add("SEQUENCE", int(series.sequence))
    event.add("DTSTAMP", _utc(series.revised_at))
    event.add("LAST-MODIFIED", _utc(series.revised_at))
    return event


@lru_cache(maxsize=10_000)  # a few KB each; more than the events of a large district
def render_series(series: Series) -> str:
    """The VEVENT components of one series (master, then overrides by RECURRENCE-ID), CRLF-terminated."""
    tz = series.tzid
    master = _vevent(series)
    master.add("DTSTART", _in_zone(series.start, tz))
    master.add("DTEND", _in_zone(series.end, tz))
    if series.rrule:
        master.add("RRULE", _rrule(series.rrule))
    _add_times(master, "RDATE", series.rdates, tz)
    _add_times(master, "EXDATE", series.exdates, tz)
    _add_details(master, series.details)
    parts = [_serialise(master.content_lines(sorted=False))]
    for override in sorted(series.overrides, key=lambda o: _sort_key(o.recurrence_id)):
        event = _vevent(series)
        event.add("RECURRENCE-ID", _in_zone(override.recurrence_id, tz))
        event.add("DTSTART", _in_zone(override.start, tz))
        event.add("DTEND", _in_zone(override.end, tz))
        _add_details(event, override.details)
        parts.append(_serialise(event.content_lines(sorted=False)))
    return "".join(parts)


def _sort_key(value: Local) -> tuple:
    return (value.year, value.month, value.day) + ((value.hour, value.minute, value.second) if not _is_date(value) else ())


def _uses_tzid(series: Series) -> bool:
    """Whether any value of the series is written with TZID (all-day series use dates only; UTC is "Z")."""
    values = [series.start, series.end, *series.rdates, *series.exdates]
    values += [v for o in series.overrides for v in (o.recurrence_id, o.start, o.end)]
    return any(not _is_date(v) for v in values) and _writes_tzid(series.tzid)


def _calendar(info: CalendarInfo) -> Calendar:
    """The VCALENDAR with its own properties (no components yet)."""
    cal = Calendar()
    cal.add("VERSION", "2.0")
    cal.add("PRODID", PRODID)
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("NAME", _Text(info.name))
    cal.add("X-WR-CALNAME", _Text(info.name))
    if info.description:
        cal.add("DESCRIPTION", _Text(info.description))
        cal.add("X-WR-CALDESC", _Text(info.description))
    if info.url:
        cal.add("URL", _uri(info.url))
    if info.source:
        cal.add("SOURCE", _uri(info.source), parameters={"VALUE": "URI"})
    if info.colour and _HEX_COLOUR.match(info.colour):
        cal.add("COLOR", _Text(css_colour_name(info.colour)))
        cal.add("X-APPLE-CALENDAR-COLOR", _Text(info.colour.upper()))
    # icalendar's refresh_interval would omit VALUE=DURATION; a timedelta X-PUBLISHED-TTL would be "1:00:00".
    cal.add("REFRESH-INTERVAL", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", _Text(POLL))
    return cal


@lru_cache(maxsize=64)
def _vtimezone_block(tzid: str) -> str:
    """The VTIMEZONE of a zone, serialised once per process (it only changes with the tz database)."""
    return _serialise(vtimezone(tzid).content_lines(sorted=False))


@lru_cache(maxsize=10_000)  # one per feed; the hourly job renders every feed
def _header(info: CalendarInfo) -> str:
    """BEGIN:VCALENDAR and the calendar's properties, serialised."""
    lines = _calendar(info).content_lines(sorted=False)
    if [str(line) for line in lines[-2:]] != ["END:VCALENDAR", ""]:
        raise RuntimeError("unexpected end of icalendar's content lines")
    return _serialise(lines[:-2])


def render_calendar(info: CalendarInfo, series: Iterable[Series]) -> bytes:
    """A whole VCALENDAR: header, one VTIMEZONE per zone used, the series in the order given.

    The header, VTIMEZONE and VEVENT blocks are built with icalendar and serialised (and cached) on
    their own; the VEVENT blocks go before END:VCALENDAR.
    """
    series = list(series)
    parts = [_header(info)]
    parts.extend(_vtimezone_block(tzid) for tzid in sorted({s.tzid for s in series if _uses_tzid(s)}))
    parts.extend(render_series(s) for s in series)
    parts.append("END:VCALENDAR" + _CRLF)
    return "".join(parts).encode("utf-8")
