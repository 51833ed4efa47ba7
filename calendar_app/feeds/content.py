"""What a feed contains: its subject, its events, and each event as an `ical.Series`.

The stored occurrences (table `occurrences`) are the truth, and a feed is that truth in iCalendar
form: a client expanding the feed over the feed window gets exactly the stored occurrences the feed
selects. Each event is published as a series (DTSTART + RRULE from the recurrence engine) and then
corrected inside the window against the stored rows:

* a rule instance with no stored row, or whose row the feed does not select (it moved to another
  venue, for a venue feed), becomes an EXDATE;
* a stored row that differs from its rule instance (time, status, venue, a reason) becomes a
  RECURRENCE-ID override; a cancelled one an override with STATUS:CANCELLED;
* a stored row the rule does not produce (an RDATE, a lunar festival date, a pinned occurrence whose
  rule changed) becomes an RDATE, plus an override where it differs.

Lunar and RDATE-only series have no RRULE: DTSTART is the first instance and every other date in the
window is an RDATE. An event that enters a venue feed only through occurrences moved to that venue
is published with just those occurrences (DTSTART + RDATEs, no RRULE).

Beyond an event's storage horizon (`Event.stored_until`, which the daily job moves forward) the
rule's own instances stand for the rows that will be stored; outside the window the RRULE simply
goes on, uncorrected.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import NamedTuple
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from flask import current_app
from sqlalchemy import and_, or_, select

from calendar_app import links, recurrence
from calendar_app.areas.models import Area
from calendar_app.areas.services import descendant_ids_query
from calendar_app.audit.models import AuditLog
from calendar_app import clock
from calendar_app.events.models import Event, Occurrence
from calendar_app.events.services import MAX_INSTANCE_LENGTH, series_spec
from calendar_app.extensions import db
from calendar_app.feeds import ical
from calendar_app.feeds.specs import FeedSpec, Window, feed_window
from calendar_app.programs.models import CATEGORIES, Edition, Program
from calendar_app.venues.models import Venue

__all__ = ["FeedBuilder", "Rendered", "Subject", "feed_clock", "publicly_visible", "published_before", "resolve"]

DEFAULT_SITE_NAME = "文旅活动日历"
#: Event status -> (VEVENT STATUS, SUMMARY prefix).
_EVENT_STATUS = {
    "published": ("CONFIRMED", ""),
    "cancelled": ("CANCELLED", "【已取消】"),
    "draft": ("TENTATIVE", "【草稿】"),
    "submitted": ("TENTATIVE", "【待审核】"),
}
_CHUNK = 500


@dataclass(frozen=True)
class Subject:
    """A resolved feed: what it is called and which stored occurrences it selects."""

    spec: FeedSpec
    info: ical.CalendarInfo
    #: Public URL path (with its ?category=), None for a private feed.
    path: str | None
    #: SQL conditions on Occurrence (and Event) that select the feed's occurrences.
    conditions: tuple
    #: Venue feeds select occurrences by their own venue; other feeds take events whole.
    venue_id: int | None = None
    #: Public feeds show published events (and cancelled ones that had been published); private all.
    public: bool = True


class Rendered(NamedTuple):
    spec: FeedSpec
    path: str | None
    body: bytes
    vevent_count: int


class _Row(NamedTuple):
    id: int
    event_id: int
    original_starts_at: datetime
    starts_at: datetime
    ends_at: datetime
    status: str
    status_reason: str | None
    venue_id: int | None


@dataclass(frozen=True)
class _Place:
    location: str
    geo: tuple[float, float] | None


# --- subjects --------------------------------------------------------------------------------------

def published_before(event_ids: list[int]) -> set[int]:
    """Those of the given events that were published at some point (their audit trail says so)."""
    if not event_ids:
        return set()
    found: set[int] = set()
    for start in range(0, len(event_ids), _CHUNK):
        rows = db.session.execute(
            select(AuditLog.entity_id, AuditLog.changes).where(
                AuditLog.entity_type == "event", AuditLog.entity_id.in_(event_ids[start:start + _CHUNK]),
                AuditLog.action.in_(("event.status", "event.update")))
        ).all()
        for entity_id, changes in rows:
            status = changes.get("status") if isinstance(changes, dict) else None
            if isinstance(status, list) and "published" in status:
                found.add(entity_id)
    return found


def publicly_visible(event: Event) -> bool:
    """Published, or cancelled after having been published (subscribers must learn of the cancellation)."""
    if event.status == "published":
        return True
    return event.status == "cancelled" and event.id in published_before([event.id])


def feed_clock() -> datetime:
    """Now, for feeds: FEEDS_NOW pins the feeds alone (reproducible exports), else the app's clock (FIXED_NOW)."""
    return current_app.config.get("FEEDS_NOW") or clock.now()


def _site_name() -> str:
    return current_app.config.get("SITE_NAME") or DEFAULT_SITE_NAME


def resolve(spec: FeedSpec) -> Subject | None:
    """The subject of a feed, or None when it does not exist (the view answers 404)."""
    site = _site_name()
    kind, ident = spec.kind, spec.ident
    colour = description = url = None
    venue_id = None
    conditions: list = []
    if kind == "all":
        name, url, path_key = f"{site}·全部活动", links.stable_absolute("/"), None
    elif kind == "program":
        program = db.session.get(Program, ident)
        if program is None:
            return None
        name, colour, description = program.name, program.colour, program.description
        url, path_key = links.stable_absolute(links.program_path(program.slug)), program.slug
        conditions.append(Occurrence.program_id == program.id)
    elif kind == "edition":
        edition = db.session.get(Edition, ident)
        if edition is None:
            return None
        name = f"{edition.program.name}·{edition.name}"
        colour = edition.theme_colour or edition.program.colour
        url, path_key = links.stable_absolute(links.edition_path(edition.id)), edition.id
        conditions.append(Occurrence.edition_id == edition.id)
    elif kind in ("area", "private"):
        area = db.session.get(Area, ident)
        if area is None:
            return None
        # Ids first: a literal IN list lets the (area_id, starts_at) index drive the query on SQLite too.
        area_ids = sorted(db.session.scalars(descendant_ids_query(area)))
        conditions.append(Occurrence.area_id.in_(area_ids))
        if kind == "private":
            name, path_key = f"{area.name}·工作日历（含草稿、待审核）", None
        else:
            name, url, path_key = f"{area.name}·文旅活动", links.stable_absolute(links.area_path(area.id)), area.id
    elif kind == "venue":
        venue = db.session.get(Venue, ident)
        if venue is None:
            return None
        name, venue_id = f"{venue.name}·活动", venue.id
        url, path_key = links.stable_absolute(links.venue_path(venue.id)), venue.id
        conditions.append(Occurrence.venue_id == venue.id)
    elif kind == "category":
        if ident not in CATEGORIES:
            return None
        name, path_key = f"{site}·{CATEGORIES[ident]}", ident
        conditions.append(Event.category == ident)
    else:  # event
        event = db.session.get(Event, ident)
        if event is None or not publicly_visible(event):
            return None
        name, description = event.title, None
        url, path_key = links.stable_absolute(links.event_path(event.id)), event.id
        conditions.append(Occurrence.event_id == event.id)
    if spec.category is not None:
        if spec.category not in CATEGORIES:
            return None
        name = f"{name}·{CATEGORIES[spec.category]}"
        conditions.append(Event.category == spec.category)
    path = None
    if not spec.is_private:
        path = links.feed_path(kind, path_key)
        if spec.category is not None:
            path += f"?category={spec.category}"
    info = ical.CalendarInfo(name=name, description=description, url=url,
                             source=links.stable_absolute(path) if path else None, colour=colour)
    return Subject(spec=spec, info=info, path=path, conditions=tuple(conditions), venue_id=venue_id,
                   public=not spec.is_private)


# --- the builder -----------------------------------------------------------------------------------

class FeedBuilder:
    """Renders feeds for one instant; feeds rendered by the same builder share the per-event work.

    Use one builder per pass (a request, a job run): it caches what it read from the database.
    """

    def __init__(self, now: datetime | None = None) -> None:
        config = current_app.config
        self.now = now or feed_clock()
        self.window: Window = feed_window(self.now, days_back=config["FEED_WINDOW_DAYS_BACK"],
                                          months_ahead=config["FEED_WINDOW_MONTHS_AHEAD"],
                                          tz=config["CALENDAR_TIMEZONE"])
        self._events: dict[int, Event] = {}
        self._rows: dict[int, list[_Row]] = {}
        self._places: dict[int, _Place] = {}
        self._programs: dict[int, str] = {}
        self._visible_cancelled: dict[int, bool] = {}
        self._series: dict[tuple[int, int | None], tuple[tuple, ical.Series] | None] = {}

    def render(self, spec: FeedSpec) -> Rendered | None:
        """The feed's bytes, or None when its subject does not exist."""
        if spec.kind == "holidays":
            from calendar_app.feeds.holidays import render_holidays

            return render_holidays(spec, self.window)
        subject = resolve(spec)
        if subject is None:
            return None
        event_ids = self._event_ids(subject)
        self._load(event_ids)
        entries = [self._entry(event_id, subject.venue_id) for event_id in event_ids]
        series = [s for _key, s in sorted((e for e in entries if e is not None), key=lambda e: e[0])]
        body = ical.render_calendar(subject.info, series)
        return Rendered(spec, subject.path, body, sum(1 + len(s.overrides) for s in series))

    # -- queries

    def _event_ids(self, subject: Subject) -> list[int]:
        """Events with at least one selected occurrence overlapping the window."""
        w = self.window
        stmt = (
            select(Occurrence.event_id, Event.status).join(Event, Event.id == Occurrence.event_id)
            .where(Occurrence.starts_at < w.end, Occurrence.ends_at > w.start,
                   Occurrence.starts_at > w.start - MAX_INSTANCE_LENGTH, *subject.conditions)
            .distinct()
        )
        if subject.public:
            stmt = stmt.where(Event.status.in_(("published", "cancelled")))
        found = db.session.execute(stmt).all()
        if subject.public:
            unknown = [i for i, status in found if status == "cancelled" and i not in self._visible_cancelled]
            visible = published_before(unknown)
            self._visible_cancelled.update({i: i in visible for i in unknown})
            found = [(i, s) for i, s in found if s != "cancelled" or self._visible_cancelled[i]]
        return sorted(i for i, _status in found)

    def _load(self, event_ids: list[int]) -> None:
        missing = [i for i in event_ids if i not in self._events]
        w = self.window
        venue_ids: set[int] = set()
        program_ids: set[int] = set()
        for start in range(0, len(missing), _CHUNK):
            chunk = missing[start:start + _CHUNK]
            for event in db.session.scalars(select(Event).where(Event.id.in_(chunk))):
                self._events[event.id] = event
                self._rows[event.id] = []
                venue_ids.add(event.venue_id)
                program_ids.add(event.program_id)
            rows = db.session.execute(
                select(Occurrence.id, Occurrence.event_id, Occurrence.original_starts_at, Occurrence.starts_at,
                       Occurrence.ends_at, Occurrence.status, Occurrence.status_reason, Occurrence.venue_id)
                .where(Occurrence.event_id.in_(chunk), or_(
                    # rows whose rule instance may overlap the window, and rows moved into it
                    and_(Occurrence.original_starts_at >= w.start - MAX_INSTANCE_LENGTH,
                         Occurrence.original_starts_at < w.end),
                    and_(Occurrence.starts_at < w.end, Occurrence.ends_at > w.start)))
            ).all()
            for row in rows:
                self._rows[row.event_id].append(_Row(*row))
                venue_ids.add(row.venue_id)
        self._load_places({v for v in venue_ids if v is not None and v not in self._places})
        program_ids = {p for p in program_ids if p is not None and p not in self._programs}
        if program_ids:
            self._programs.update(db.session.execute(
                select(Program.id, Program.name).where(Program.id.in_(sorted(program_ids)))).all())

    def _load_places(self, venue_ids: set[int]) -> None:
        ids = sorted(venue_ids)
        for start in range(0, len(ids), _CHUNK):
            for vid, name, address, lat, lon in db.session.execute(
                    select(Venue.id, Venue.name, Venue.address, Venue.latitude, Venue.longitude)
                    .where(Venue.id.in_(ids[start:start + _CHUNK]))):
                location = f"{name}，{address}" if address else name
                self._places[vid] = _Place(location, (lat, lon) if lat is not None and lon is not None else None)

    # -- per event

    def _entry(self, event_id: int, venue_filter: int | None) -> tuple[tuple, ical.Series] | None:
        event, rows = self._events[event_id], self._rows[event_id]
        if venue_filter == event.venue_id and all(r.venue_id == venue_filter for r in rows):
            venue_filter = None  # the venue feed shows this event exactly as every other feed does
        memo_key = (event_id, venue_filter)
        if memo_key not in self._series:
            self._series[memo_key] = publish_event(
                event, rows, self.window, venue_filter=venue_filter,
                places=self._places, program_name=self._programs.get(event.program_id))
        return self._series[memo_key]


# --- one event as a series -------------------------------------------------------------------------

def _to_local(instant: datetime, tz: ZoneInfo, all_day: bool) -> datetime | date:
    local = instant.astimezone(tz).replace(tzinfo=None)
    return local.date() if all_day and local.time() == time() else local


def _to_utc(local: datetime | date, tz: ZoneInfo) -> datetime:
    if not isinstance(local, datetime):
        local = datetime.combine(local, time())
    return local.replace(tzinfo=tz).astimezone(timezone.utc)


def _first_rule_start(rule: str, start: datetime | date, tz: ZoneInfo) -> datetime | date | None:
    """The first instance the RRULE itself produces from DTSTART (DTSTART not counted), or None."""
    if isinstance(start, datetime):
        dtstart = start.replace(tzinfo=tz)  # UNTIL is in UTC for timed series: dateutil wants an aware start
    else:
        dtstart = datetime.combine(start, time())
    first = next(iter(rrulestr(rule, dtstart=dtstart)), None)
    if first is None:
        return None
    return first.replace(tzinfo=None) if isinstance(start, datetime) else first.date()


def _description(event: Event) -> str:
    parts = [event.description] if event.description else []
    facts = []
    if event.organiser:
        facts.append(f"主办：{event.organiser}")
    if event.contact:
        facts.append(f"联系方式：{event.contact}")
    facts.append("费用：免费" if event.is_free else "费用：收费")
    if event.registration_url:
        facts.append(f"报名：{event.registration_url}")
    parts.append("\n".join(facts))
    return "\n\n".join(parts)


def publish_event(event: Event, rows: list[_Row], window: Window, *, venue_filter: int | None,
                  places: dict[int, _Place], program_name: str | None) -> tuple[tuple, ical.Series] | None:
    """The event as published in a feed that selects `rows` (all, or those at `venue_filter`).

    Returns (sort key, series), or None when the feed selects none of its occurrences in the window.
    Reads no database: `rows` are the event's stored occurrences near the window.
    """
    tz = ZoneInfo(event.timezone)
    all_day = event.is_all_day
    spec = series_spec(event)
    duration = spec.end - spec.start  # dates for all-day series: whole days

    def selected(row: _Row) -> bool:
        return venue_filter is None or row.venue_id == venue_filter

    def overlaps(row: _Row) -> bool:
        return row.starts_at < window.end and row.ends_at > window.start

    by_key = {row.original_starts_at: row for row in rows}
    shown = [row for row in rows if selected(row) and overlaps(row)]
    if not shown:
        return None

    home_venue = event.venue_id
    if venue_filter is None or event.venue_id == venue_filter:
        rule = recurrence.ical_rrule(spec) if spec.rrule else None
        start = spec.start
        if rule is not None:
            # ICAL.md: DTSTART must be an instance of its RRULE. When the stored DTSTART is off-rule it is
            # still an instance (RFC 5545), so publish the rule from its first own instance and let
            # the real first instance come back as an RDATE.
            first = _first_rule_start(rule, spec.start, tz)
            if first is None:
                rule = None
            else:
                start = first
        # Beyond the storage horizon the engine's own instances stand for the rows still to be stored.
        if event.stored_until is not None and event.stored_until < window.end:
            for inst in recurrence.expand(spec, event.stored_until, window.end):
                if inst.start_utc >= event.stored_until and inst.start_utc not in by_key:
                    by_key[inst.start_utc] = _Row(0, event.id, inst.start_utc, inst.start_utc, inst.end_utc,
                                                  "scheduled", None, event.venue_id)
                    if overlaps(by_key[inst.start_utc]):
                        shown.append(by_key[inst.start_utc])
    else:
        # Only some occurrences moved to this venue: publish exactly those, at this venue.
        rule, home_venue = None, venue_filter
        start = _to_local(min(row.original_starts_at for row in shown), tz, all_day)
    master = recurrence.SeriesSpec(start=start, end=start + duration, tzid=event.timezone, rrule=rule)
    base = {inst.start_utc: inst for inst in recurrence.expand(master, window.start, window.end)}

    def produced(key: datetime) -> bool:
        return any(i.start_utc == key for i in recurrence.expand(master, key, key + timedelta(seconds=1)))

    status, prefix = _EVENT_STATUS[event.status]
    place = places.get(home_venue) if home_venue is not None else None
    categories = (CATEGORIES.get(event.category, event.category),) + ((program_name,) if program_name else ())
    details = ical.Details(
        summary=prefix + event.title, status=status, description=_description(event),
        location=place.location if place else None, geo=place.geo if place else None,
        url=links.stable_absolute(links.event_path(event.id)), categories=categories,
    )

    exdates: list = []
    rdates: list = []
    overrides: list[ical.Override] = []
    for key in sorted(set(base) | {row.original_starts_at for row in shown}):
        row = by_key.get(key)
        if key in base:
            if row is None or not selected(row):
                exdates.append(_to_local(key, tz, all_day))
                continue
        elif not produced(key):
            rdates.append(_to_local(key, tz, all_day))
        expected_end = _to_utc(_to_local(key, tz, all_day) + duration, tz)
        if (row.starts_at, row.ends_at, row.status, row.venue_id, row.status_reason) != \
                (key, expected_end, "scheduled", home_venue, None):
            overrides.append(_override(row, event, details, tz, all_day, places))

    series = ical.Series(
        uid=event.uid, sequence=event.sequence or 0, revised_at=event.revised_at, tzid=event.timezone,
        start=start, end=start + duration, details=details, rrule=rule,
        rdates=tuple(rdates), exdates=tuple(exdates), overrides=tuple(overrides),
    )
    return (_to_utc(start, tz), event.uid), series


def _override(row: _Row, event: Event, details: ical.Details, tz: ZoneInfo, all_day: bool,
              places: dict[int, _Place]) -> ical.Override:
    cancelled = row.status == "cancelled" or event.status == "cancelled"
    summary = details.summary
    if cancelled and not summary.startswith("【已取消】"):
        summary = "【已取消】" + event.title
    description = details.description
    if row.status_reason:
        label = "取消原因" if row.status == "cancelled" else "调整说明"
        description = f"{label}：{row.status_reason}" + (f"\n\n{description}" if description else "")
    place = places.get(row.venue_id) if row.venue_id is not None else None
    start = _to_local(row.starts_at, tz, all_day)
    end = _to_local(row.ends_at, tz, all_day)
    if isinstance(start, datetime) != isinstance(end, datetime):  # a moved all-day occurrence not on midnights
        start, end = row.starts_at.astimezone(tz).replace(tzinfo=None), row.ends_at.astimezone(tz).replace(tzinfo=None)
    return ical.Override(
        recurrence_id=_to_local(row.original_starts_at, tz, all_day), start=start, end=end,
        details=replace(details, summary=summary, status="CANCELLED" if cancelled else details.status,
                        description=description, location=place.location if place else None,
                        geo=place.geo if place else None,
                        url=links.stable_absolute(links.occurrence_path(event.id, row.id)) if row.id else details.url),
    )
