"""Venue load: booked against available hours per venue and bucket, measured against each venue's own
opening hours (evenings and weekends count, closed days do not).

What counts, and how:

- Every occurrence at the venue that is not cancelled and whose event is not cancelled (drafts and
  submissions too: they hold the venue as bookings do). A moved occurrence counts where and when it
  moved to: `starts_at`, `ends_at` and `venue_id` are the effective ones.
- Booked hours are cut to the period and split exactly at bucket boundaries (an evening that runs
  past midnight into a new week books both weeks). An all-day occurrence books the venue's opening
  hours on its days (24 hours a day at a venue without opening hours).
- An occurrence counts once, in the bucket where it starts (cut to the period). One that does not
  fit inside a single opening interval is flagged `outside_hours` and still counts as booked.
- A clash is an occurrence that starts before an earlier one at the same exclusive venue has ended;
  a tight changeover one that starts after it ended but within the venue's changeover minutes.
- Utilisation is booked / available hours of the bucket, at most 1 (the excess is what
  `outside_hours` flags); None when the venue is never open in the bucket.

One query reads the window from index `ix_occurrences_venue_window` alone, instants as integer seconds;
one more looks up, by primary key, which of the window's events are cancelled or all-day; a single pass
in Python does the rest. The cost follows the period, not the history.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from operator import itemgetter
from zoneinfo import ZoneInfo

from sqlalchemy import BindParameter, Select, bindparam, null, select

from calendar_app.accounts.scope import Scope, ScopeError
from calendar_app.areas.models import Area
from calendar_app.db import ValidationError
from calendar_app.events.models import Event, Occurrence
from calendar_app.events.services import MAX_INSTANCE_LENGTH
from calendar_app.extensions import db
from calendar_app.reports.hours import DAY, HOUR, OpenIntervals, Pattern, day_seconds, hour_of, pattern_of, weekday_of
from calendar_app.reports.periods import Period, buckets
from calendar_app.reports.sql import epoch, seconds_of_day
from calendar_app.venues.models import VENUE_KINDS, WEEKDAY_LABELS, Venue, VenueOpeningHours

#: How far before and after the period an occurrence may reach (the longest instance and a day), in local seconds.
REACH = int(MAX_INSTANCE_LENGTH.total_seconds()) + DAY
#: Clashes and flagged occurrences listed by id (counts are always complete).
MAX_LISTED = 200
#: Event ids looked up per statement (a statement of bounded length).
EVENTS_PER_QUERY = 10_000
_UNSCOPED = {"unscoped": True}


class NotFound(ValidationError):
    """A parameter names an area, venue or edition that does not exist (HTTP 404)."""


@dataclass
class VenueLoad:
    id: int
    name: str
    kind: str
    area_name: str
    capacity: int | None
    is_exclusive: bool
    changeover: int
    has_hours: bool
    #: Per bucket, in seconds / counts.
    booked: list[int]
    available: list[int]
    occurrences: list[int]
    conflicts: list[int]
    tight: list[int]
    outside: list[int]
    #: Occurrences starting on each weekday (0 = Monday) and in each hour of the day.
    by_weekday: list[int] = field(default_factory=lambda: [0] * 7)
    by_hour: list[int] = field(default_factory=lambda: [0] * 24)
    expected_attendance: int = 0
    expected_known: int = 0

    @property
    def kind_label(self) -> str:
        return VENUE_KINDS.get(self.kind, self.kind)

    @property
    def booked_hours(self) -> float:
        return sum(self.booked) / HOUR

    @property
    def available_hours(self) -> float:
        return sum(self.available) / HOUR

    @property
    def utilization(self) -> float | None:
        return utilization(sum(self.booked), sum(self.available))

    def cell_utilization(self, i: int) -> float | None:
        return utilization(self.booked[i], self.available[i])

    @property
    def total_occurrences(self) -> int:
        return sum(self.occurrences)

    @property
    def total_conflicts(self) -> int:
        return sum(self.conflicts)

    @property
    def total_tight(self) -> int:
        return sum(self.tight)

    @property
    def total_outside(self) -> int:
        return sum(self.outside)

    @property
    def busiest_weekday(self) -> str | None:
        best = max(range(7), key=lambda d: self.by_weekday[d])
        return WEEKDAY_LABELS[best] if self.by_weekday[best] else None

    @property
    def busiest_hour(self) -> str | None:
        best = max(range(24), key=lambda h: self.by_hour[h])
        return f"{best:02d}:00" if self.by_hour[best] else None

    @property
    def average_attendance(self) -> int | None:
        """Expected people per occurrence: reported 人次, else the event's planned capacity."""
        return round(self.expected_attendance / self.expected_known) if self.expected_known else None

    @property
    def fill_rate(self) -> float | None:
        avg = self.average_attendance
        return avg / self.capacity if avg is not None and self.capacity else None


@dataclass(frozen=True)
class Finding:
    """A clash, a tight changeover or an occurrence outside opening hours, by occurrence id."""

    kind: str  # "clash" | "tight" | "outside"
    venue_id: int
    occurrence_id: int
    #: The earlier occurrence it clashes with (None for "outside").
    other_id: int | None
    #: Local start, local seconds.
    at: int


@dataclass
class VenueLoadReport:
    period: Period
    granularity: str
    buckets: list[tuple[date, date]]
    venues: list[VenueLoad]
    findings: list[Finding]
    findings_total: int
    area: Area | None = None
    kind: str | None = None

    def items(self) -> list[dict]:
        """The API's items: one per venue and bucket."""
        out = []
        for v in self.venues:
            for i, (first, _after) in enumerate(self.buckets):
                out.append({
                    "venue_id": v.id, "venue": v.name, "period_start": first.isoformat(),
                    "booked_hours": round(v.booked[i] / HOUR, 2),
                    "available_hours": round(v.available[i] / HOUR, 2),
                    "utilization": _rounded(v.cell_utilization(i)),
                    "occurrences": v.occurrences[i], "conflicts": v.conflicts[i],
                    "tight_changeovers": v.tight[i], "outside_hours": v.outside[i],
                })
        return out

    def ranked(self) -> list[VenueLoad]:
        """Venues with opening hours in the period, busiest first."""
        return sorted((v for v in self.venues if v.utilization is not None),
                      key=lambda v: (-v.utilization, -v.booked_hours, v.name))

    def busiest(self, n: int = 5) -> list[VenueLoad]:
        return [v for v in self.ranked() if v.booked_hours > 0][:n]

    def idlest(self, n: int = 5) -> list[VenueLoad]:
        return list(reversed(self.ranked()))[:n]

    def clashes(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "clash"]

    def totals(self) -> dict:
        return {"venues": len(self.venues), "occurrences": sum(v.total_occurrences for v in self.venues),
                "conflicts": sum(v.total_conflicts for v in self.venues),
                "tight": sum(v.total_tight for v in self.venues),
                "outside": sum(v.total_outside for v in self.venues)}


def utilization(booked: int, available: int) -> float | None:
    if available <= 0:
        return None
    return min(1.0, booked / available)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# --- the filters --------------------------------------------------------------------------------

def scoped_area(scope: Scope, area_id: int | None) -> Area | None:
    """The area a report is asked for: unknown is NotFound (404), another's is ScopeError (403)."""
    if area_id is None:
        return None
    area = db.session.get(Area, area_id)
    if area is None:
        raise NotFound(f"区域不存在：{area_id}", "area")
    if not scope.contains(area):
        raise ScopeError("所选区域不在您的管辖范围内", "area")
    return area


def resolve_filters(scope: Scope, area_id: int | None, venue_id: int | None, kind: str | None
                    ) -> tuple[Area | None, Venue | None, str | None]:
    """Check the scope parameters: unknown ids are NotFound (404), others' areas ScopeError (403)."""
    area = scoped_area(scope, area_id)
    venue = None
    if venue_id is not None:
        venue = db.session.execute(select(Venue).where(Venue.id == venue_id).execution_options(**_UNSCOPED)
                                   ).scalar_one_or_none()
        if venue is None:
            raise NotFound(f"场馆不存在：{venue_id}", "venue")
        if not scope.contains(venue.area):
            raise ScopeError("所选场馆不在您的管辖范围内", "venue")
    if kind is not None and kind not in VENUE_KINDS:
        raise ValidationError(f"未知的场馆类型：{kind}（可选 {', '.join(VENUE_KINDS)}）", "kind")
    return area, venue, kind


def finding_details(findings: list[Finding]) -> list[dict]:
    """Titles and times of the listed clashes, tight changeovers and occurrences outside opening hours."""
    ids = {f.occurrence_id for f in findings} | {f.other_id for f in findings if f.other_id}
    if not ids:
        return []
    rows = db.session.execute(
        select(Occurrence.id, Occurrence.event_id, Event.title, Occurrence.venue_id).join(Event, Event.id == Occurrence.event_id)
        .where(Occurrence.id.in_(ids)).execution_options(unscoped=True)).all()
    info = {r[0]: r for r in rows}
    names = dict(db.session.execute(select(Venue.id, Venue.name).where(Venue.id.in_({f.venue_id for f in findings}))
                                    .execution_options(unscoped=True)).all())
    out = []
    for f in findings:
        me, other = info.get(f.occurrence_id), info.get(f.other_id)
        out.append({"kind": f.kind, "venue": names.get(f.venue_id, ""), "venue_id": f.venue_id, "at": local_text(f.at),
                    "title": me[2] if me else "", "event_id": me[1] if me else None,
                    "other_title": other[2] if other else None, "other_event_id": other[1] if other else None})
    order = {"clash": 0, "tight": 1, "outside": 2}
    return sorted(out, key=lambda d: (order[d["kind"]], d["at"]))


# --- time ---------------------------------------------------------------------------------------

def utc_bounds(period: Period, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return (datetime.combine(period.start, time(0), tz).astimezone(timezone.utc),
            datetime.combine(period.end_exclusive, time(0), tz).astimezone(timezone.utc))


def fixed_offset(tz: ZoneInfo, lo: datetime, hi: datetime) -> int | None:
    """The zone's UTC offset in seconds when it does not change between lo and hi (else None)."""
    offsets = set()
    t = lo - MAX_INSTANCE_LENGTH - timedelta(days=1)
    while t <= hi + timedelta(days=1):
        offsets.add(t.astimezone(tz).utcoffset())
        t += timedelta(hours=12)
    return int(offsets.pop().total_seconds()) if len(offsets) == 1 else None


def local_converter(tz: ZoneInfo, lo: datetime, hi: datetime):
    """UTC epoch seconds -> local seconds (a constant shift unless the zone changes offset)."""
    offset = fixed_offset(tz, lo, hi)
    if offset is not None:
        return lambda s: s + offset
    return lambda s: s + int(datetime.fromtimestamp(s, tz).utcoffset().total_seconds())


def local_text(local_seconds: int) -> str:
    return (datetime(1970, 1, 1) + timedelta(seconds=local_seconds)).strftime("%Y-%m-%d %H:%M")


# --- the report ---------------------------------------------------------------------------------

def _venues(scope: Scope, area: Area | None, venue: Venue | None, kind: str | None) -> list[tuple]:
    query = (select(Venue.id, Venue.name, Venue.kind, Area.name, Venue.capacity, Venue.is_exclusive,
                    Venue.changeover_minutes)
             .join(Area, Area.id == Venue.area_id).order_by(Venue.name, Venue.id).execution_options(**_UNSCOPED))
    if venue is not None:
        query = query.where(Venue.id == venue.id)
    else:
        query = query.where(Venue.is_active.is_(True))
    if not scope.is_everything:
        query = query.where(Area.path.startswith(scope.path, autoescape=True))
    if area is not None:
        query = query.where(Area.path.startswith(area.path, autoescape=True))
    if kind is not None:
        query = query.where(Venue.kind == kind)
    return list(db.session.execute(query))


def _patterns(venue_ids: list[int]) -> dict[int, Pattern]:
    rows = defaultdict(list)
    if venue_ids:
        h = VenueOpeningHours.__table__.c
        # Times as seconds from the database: parsing 3,500 Time values costs more than the query.
        query = select(h.venue_id, h.weekday, seconds_of_day(h.opens_at), seconds_of_day(h.closes_at))
        if len(venue_ids) <= 1000:
            query = query.where(h.venue_id.in_(id_list("venue_ids", venue_ids)))
        wanted = set(venue_ids)
        for vid, weekday, opens, closes in _driver_rows(query):
            if vid in wanted:
                rows[vid].append((weekday, opens, closes))
    return {vid: tuple(sorted(slots)) for vid, slots in rows.items()}


def id_list(name: str, ids: list[int]) -> BindParameter:
    """A list of ids for IN, written into the SQL as integer literals: binding thousands of them one by
    one costs psycopg more than the query (measured: 48 ms against 7 for 3,300 event ids)."""
    return bindparam(name, ids, expanding=True, literal_execute=True)


def _driver_rows(query) -> list[tuple]:
    """The rows of a Core statement straight from the driver, for columns that are all integers or flags
    (SQLAlchemy's per-row processing would only add a third to the time)."""
    result = db.session.connection().execute(query)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def occurrence_query(venue_ids: list[int], lo_utc: datetime, hi_utc: datetime, *, shift: int,
                     with_attendance: bool = False) -> Select:
    """(venue, start, end, id, event, attendance) of the occurrences that are not cancelled and overlap
    [lo - 1 day, hi) at the venues; instants as epoch seconds plus `shift`, attendance NULL unless asked for.

    Without attendance every column is in `ix_occurrences_venue_window`, so the database answers from
    the index alone (no row lookups) and needs no join: whether an event is cancelled or all-day is
    `_event_facts`'s lookup. No ORDER BY either (PostgreSQL sorts an IN-list scan itself and spilled a
    year to disk): the rows come in index order, which `occurrence_rows` sorts in one pass.
    """
    o = Occurrence.__table__.c
    columns = [o.venue_id, epoch(o.starts_at) + shift, epoch(o.ends_at) + shift, o.id, o.event_id,
               o.attendance if with_attendance else null()]
    return select(*columns).where(
        o.starts_at >= lo_utc - MAX_INSTANCE_LENGTH - timedelta(days=1), o.starts_at < hi_utc,
        # A day before the window: a booking that ended just before it still makes a tight changeover.
        o.ends_at > lo_utc - timedelta(days=1), o.status != "cancelled",
        # An explicit list of venues even for "all of them": PostgreSQL then reads one index range per
        # venue (it has no skip scan, and `venue_id IS NOT NULL` made it read the whole index, all of history).
        o.venue_id.in_(id_list("venue_ids", venue_ids)))


def occurrence_rows(venue_ids: list[int], lo_utc: datetime, hi_utc: datetime, *, shift: int,
                    with_attendance: bool = False) -> list[tuple]:
    """The rows of `occurrence_query`, sorted by venue, start, end and id."""
    rows = _driver_rows(occurrence_query(venue_ids, lo_utc, hi_utc, shift=shift, with_attendance=with_attendance))
    rows.sort()
    return rows


@dataclass
class EventFacts:
    """What venue load needs of the events of a window's occurrences."""

    cancelled: set[int]
    all_day: set[int]
    #: Planned capacity by event (only when asked for).
    capacity: dict[int, int | None]


def _event_facts(event_ids: set[int], with_capacity: bool) -> EventFacts:
    """Which of these events are cancelled or all-day (and, with_capacity, each one's capacity): by
    primary key, so the work follows the window's events, not all events ever stored."""
    e = Event.__table__.c
    columns = [e.id, e.status == "cancelled", e.is_all_day]
    if with_capacity:
        columns.append(e.capacity)
    facts = EventFacts(set(), set(), {})
    ordered = sorted(event_ids)
    for offset in range(0, len(ordered), EVENTS_PER_QUERY):
        query = select(*columns).where(e.id.in_(id_list("event_ids", ordered[offset:offset + EVENTS_PER_QUERY])))
        if not with_capacity:  # then only the few exceptions matter
            query = query.where((e.status == "cancelled") | e.is_all_day)
        for row in _driver_rows(query):
            if row[1]:
                facts.cancelled.add(row[0])
            if row[2]:
                facts.all_day.add(row[0])
            if with_capacity:
                facts.capacity[row[0]] = row[3]
    return facts


def venue_load(scope: Scope, period: Period, granularity: str, *, tz: ZoneInfo, area: Area | None = None,
               venue: Venue | None = None, kind: str | None = None, with_attendance: bool = False) -> VenueLoadReport:
    """The load of every venue in the scope (narrowed by area, venue or kind) over the period.

    `with_attendance` adds expected attendance against capacity and the busiest weekday and hour (the
    pages show them; the API does not).
    """
    spans = buckets(period, granularity)
    lo, hi = day_seconds(period.start), day_seconds(period.end_exclusive)
    bucket_starts = [day_seconds(first) for first, _ in spans]
    bucket_ends = bucket_starts[1:] + [hi]
    n = len(spans)
    venue_rows = _venues(scope, area, venue, kind)
    ids = [row[0] for row in venue_rows]
    patterns = _patterns(ids)
    intervals_by_pattern: dict[Pattern, tuple[OpenIntervals, list[int]]] = {}
    loads: dict[int, VenueLoad] = {}
    hours: dict[int, OpenIntervals | None] = {}
    for vid, name, vkind, area_name, capacity, exclusive, changeover in venue_rows:
        pattern = patterns.get(vid, ())
        if pattern not in intervals_by_pattern:
            # Wider than the period: an occurrence that starts before it or ends after it is checked
            # against its whole opening interval (totals are still cut to the period).
            intervals = OpenIntervals(pattern, lo - REACH, hi + REACH)
            intervals_by_pattern[pattern] = (intervals, [intervals.total(s, e) for s, e in zip(bucket_starts, bucket_ends)])
        intervals, available = intervals_by_pattern[pattern]
        hours[vid] = intervals if pattern else None
        loads[vid] = VenueLoad(vid, name, vkind, area_name, capacity, bool(exclusive), (changeover or 0) * 60,
                               bool(pattern), [0] * n, list(available), [0] * n, [0] * n, [0] * n, [0] * n)
    report = VenueLoadReport(period, granularity, spans, list(loads.values()), [], 0, area=area, kind=kind)
    if not ids:
        return report

    lo_utc, hi_utc = utc_bounds(period, tz)
    offset = fixed_offset(tz, lo_utc, hi_utc)
    rows = occurrence_rows(ids, lo_utc, hi_utc, shift=offset or 0, with_attendance=with_attendance)
    events = _event_facts(set(map(itemgetter(4), rows)), with_attendance)
    if events.cancelled:
        rows = [row for row in rows if row[4] not in events.cancelled]
    if offset is None:  # a zone that changes offset inside the window: convert each instant
        rows = [(r[0], _to_local(r[1], tz), _to_local(r[2], tz), *r[3:]) for r in rows]
    _accumulate(report, rows, loads, hours, events, bucket_starts, bucket_ends, lo, hi, with_attendance)
    return report


def _to_local(epoch_seconds: int, tz: ZoneInfo) -> int:
    return epoch_seconds + int(datetime.fromtimestamp(epoch_seconds, tz).utcoffset().total_seconds())


def _accumulate(report: VenueLoadReport, rows, loads, hours, events: EventFacts, bucket_starts, bucket_ends,
                lo: int, hi: int, with_attendance: bool) -> None:
    """The single pass over the occurrences, in local seconds, ordered by venue and start.

    Written for speed (a year of a province holds over 100,000 rows): locals instead of attributes,
    the common case first, the rare ones (clashes, outside hours, all-day, crossing a bucket) aside.
    """
    findings = report.findings
    all_day_events, capacity = events.all_day, events.capacity
    bisect = bisect_right
    current = None
    skip = True
    busy_until = busy_id = 0
    i = bucket_end = 0
    for vid, s, e, occ_id, event_id, attendance in rows:
        if vid != current:
            current = vid
            load = loads.get(vid)
            skip = load is None
            if skip:
                continue
            busy_until, busy_id = -1, None
            exclusive, changeover = load.is_exclusive, load.changeover
            intervals = hours[vid]
            open_starts = intervals.starts if intervals is not None else None
            open_ends = intervals.ends if intervals is not None else None
            booked, counts, by_weekday, by_hour = load.booked, load.occurrences, load.by_weekday, load.by_hour
            i, bucket_end = 0, bucket_ends[0]
        elif skip:
            continue
        inside = e > lo
        if exclusive and s < busy_until + changeover:
            kind_found = "clash" if s < busy_until else "tight"
            if inside:
                j = bisect(bucket_starts, s if s > lo else lo) - 1
                (load.conflicts if kind_found == "clash" else load.tight)[j] += 1
                report.findings_total += 1
                if len(findings) < MAX_LISTED:
                    findings.append(Finding(kind_found, vid, occ_id, busy_id, s))
        if e > busy_until:
            busy_until, busy_id = e, occ_id
        if not inside:
            continue
        first = s if s > lo else lo
        last = e if e < hi else hi
        while first >= bucket_end:  # the rows come by start: a venue's bucket only moves forward
            i += 1
            bucket_end = bucket_ends[i]
        counts[i] += 1
        if with_attendance:
            day = first // DAY
            by_weekday[(day + 3) % 7] += 1
            by_hour[(first - day * DAY) // HOUR] += 1
            expected = attendance if attendance is not None else capacity[event_id]
            if expected is not None:
                load.expected_attendance += expected
                load.expected_known += 1
        if open_starts is not None:
            if event_id in all_day_events:
                pieces = intervals.pieces(first, last)
                outside = not pieces
            else:
                k = bisect(open_starts, s) - 1
                outside = k < 0 or open_ends[k] < e
                pieces = None
            if outside:
                load.outside[i] += 1
                report.findings_total += 1
                if len(findings) < MAX_LISTED:
                    findings.append(Finding("outside", vid, occ_id, None, s))
            if pieces is not None:
                for a, b in pieces:
                    _book(booked, bucket_starts, bucket_ends, a, b)
                continue
        if last <= bucket_end:
            booked[i] += last - first
        else:
            _book(booked, bucket_starts, bucket_ends, first, last)


def _book(booked: list[int], bucket_starts: list[int], bucket_ends: list[int], a: int, b: int) -> None:
    """Add [a, b) to the buckets it covers, split at their boundaries."""
    j = bisect_right(bucket_starts, a) - 1
    while a < b:
        end = bucket_ends[j]
        if b <= end:
            booked[j] += b - a
            return
        booked[j] += end - a
        a = end
        j += 1


# --- one venue in detail ------------------------------------------------------------------------

@dataclass(frozen=True)
class Booking:
    occurrence_id: int
    event_id: int
    title: str
    start: int
    end: int
    status: str
    outside: bool


def week_hour_grid(load_venue: Venue, period: Period, tz: ZoneInfo) -> tuple[list[list[int]], list[list[int]], list[Booking]]:
    """For one venue: booked and open seconds per (weekday, hour) over the period, and its bookings."""
    lo, hi = day_seconds(period.start), day_seconds(period.end_exclusive)

    pattern = pattern_of(load_venue.opening_hours)
    intervals = OpenIntervals(pattern, lo - REACH, hi + REACH) if pattern else None
    booked = [[0] * 24 for _ in range(7)]
    open_ = [[0] * 24 for _ in range(7)]
    if intervals is not None:
        for a, b in intervals.pieces(lo, hi):
            _spread(open_, a, b)
    lo_utc, hi_utc = utc_bounds(period, tz)
    to_local = local_converter(tz, lo_utc, hi_utc)
    rows = db.session.execute(
        select(Occurrence.id, Occurrence.event_id, Event.title, epoch(Occurrence.starts_at), epoch(Occurrence.ends_at),
               Occurrence.status, Event.is_all_day)
        .join(Event, Event.id == Occurrence.event_id)
        .where(Occurrence.venue_id == load_venue.id, Occurrence.starts_at >= lo_utc - MAX_INSTANCE_LENGTH,
               Occurrence.starts_at < hi_utc, Occurrence.ends_at > lo_utc,
               Occurrence.status != "cancelled", Event.status != "cancelled")
        .order_by(Occurrence.starts_at, Occurrence.id).limit(2000).execution_options(**_UNSCOPED))
    bookings = []
    for occ_id, event_id, title, s_utc, e_utc, status, all_day in rows:
        s, e = to_local(s_utc), to_local(e_utc)
        first, last = max(s, lo), min(e, hi)
        if all_day and intervals is not None:
            pieces = intervals.pieces(first, last)
            outside = not pieces
        else:
            pieces = [(first, last)]
            outside = intervals is not None and not intervals.covers(s, e)
        for a, b in pieces:
            _spread(booked, a, b)
        bookings.append(Booking(occ_id, event_id, title, s, e, status, outside))
    return booked, open_, bookings


def _spread(grid: list[list[int]], a: int, b: int) -> None:
    """Add [a, b) to the (weekday, hour) cells it covers."""
    while a < b:
        end = min(b, (a // HOUR + 1) * HOUR)
        grid[weekday_of(a)][hour_of(a)] += end - a
        a = end


__all__ = ["DAY", "NotFound", "VenueLoadReport", "finding_details", "venue_load", "resolve_filters", "week_hour_grid"]
