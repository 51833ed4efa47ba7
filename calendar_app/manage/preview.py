"""The next dates of a series that is not saved yet, as the event form shows them before saving.

Each date carries its day facts (festival, solar term, statutory holiday 休, 调休 working day 班) and any
booking already holding the chosen venue then, found with the same rule the save applies
(`events.conflicts.find_clashes`, over unsaved occurrence-like objects). Read-only: nothing is flushed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from calendar_app import clock, recurrence
from calendar_app.accounts.scope import unscoped
from calendar_app.events import conflicts, services
from calendar_app.events.services import EventData
from calendar_app.extensions import db
from calendar_app.festivals.services import Day, days, hints_for_dates
from calendar_app.venues.models import Venue

#: How many dates the form lists.
SHOWN = 12


@dataclass
class PreviewRow:
    start: datetime | date  # local
    end: datetime | date
    day: Day | None
    skipped: bool = False
    clashes: list = field(default_factory=list)

    @property
    def date(self) -> date:
        return self.start.date() if isinstance(self.start, datetime) else self.start


@dataclass
class Preview:
    rows: list[PreviewRow]
    #: Instances stored when saved (up to the rolling horizon), and how many of them clash.
    total: int
    clash_count: int
    warnings: list[str]
    horizon: date
    #: Without an end: the system keeps adding dates (the daily job extends the horizon).
    open_ended: bool
    last: date | None
    all_day: bool
    venue: Venue | None

    @property
    def later_clashes(self) -> int:
        return self.clash_count - sum(1 for r in self.rows if r.clashes)


def _spec(data: EventData) -> recurrence.SeriesSpec:
    def conv(value):
        return services._parse_local(value, all_day=data.is_all_day, field_name="rdates", label="日期")

    return recurrence.SeriesSpec(
        start=data.starts_local, end=data.ends_local, tzid=data.timezone, rrule=data.rrule,
        rdates=tuple(conv(v) for v in data.rdates), exdates=tuple(conv(v) for v in data.exdates),
        lunar=recurrence.parse_lunar_rule(data.lunar_rule) if data.lunar_rule else None)


def build(data: EventData, *, event_id: int | None = None, shown: int = SHOWN) -> Preview:
    """Validate `data` as a save would (ValidationError) and describe its next dates; nothing is written."""
    clean, warnings, _rows = services._validated(data, clock.now())
    tz = ZoneInfo(clean.timezone)
    spec = _spec(clean)
    first = services._as_naive_datetime(clean.starts_local).replace(tzinfo=tz).astimezone(timezone.utc)
    horizon = services.horizon_end(clean.starts_local, tz, clock.now())
    instances = recurrence.expand(spec, first - timedelta(days=1), horizon)
    now = clock.now()
    upcoming = [i for i in instances if i.end_utc > now] or instances[-shown:]
    if clean.lunar_rule and len(upcoming) < shown:
        # Yearly dates: look further than the stored horizon, so the coordinator sees a few years.
        upcoming = [i for i in recurrence.expand(spec, max(first, now), horizon + relativedelta(years=6))
                    if i.end_utc > now]
    shown_instances = upcoming[:shown]

    venue = db.session.get(Venue, clean.venue_id) if clean.venue_id else None
    clashes = _clashes(instances, clean.title, venue, event_id) if venue is not None else []
    by_start: dict[datetime, list] = {}
    for clash in clashes:
        by_start.setdefault(clash.wanted_start, []).append(clash)

    rows = [PreviewRow(i.start, i.end, None, clashes=by_start.get(i.start_utc, [])) for i in shown_instances]
    if rows:
        lo, hi = rows[0].date, rows[-1].date
        for skipped in spec.exdates:
            day = skipped.date() if isinstance(skipped, datetime) else skipped
            if lo <= day <= hi:
                rows.append(PreviewRow(skipped, skipped, None, skipped=True))
        rows.sort(key=lambda r: (r.date, r.skipped))
        facts = _day_facts([r.date for r in rows])
        for row in rows:
            row.day = facts.get(row.date)
    dates = sorted({i.start_utc.astimezone(tz).date() for i in instances})
    lunar = recurrence.parse_lunar_rule(clean.lunar_rule) if clean.lunar_rule else None
    open_ended = bool(clean.rrule and "UNTIL=" not in clean.rrule and "COUNT=" not in clean.rrule) or \
        bool(lunar and lunar.until is None and lunar.count is None)
    return Preview(rows=rows, total=len(instances), clash_count=len({c.wanted_start for c in clashes}),
                   warnings=warnings + hints_for_dates(dates), horizon=horizon.astimezone(tz).date(),
                   open_ended=open_ended, last=dates[-1] if dates else None, all_day=clean.is_all_day, venue=venue)


def _clashes(instances, title: str, venue: Venue, event_id: int | None) -> list[conflicts.Clash]:
    if not venue.is_exclusive or not instances:
        return []
    stub = SimpleNamespace(title=title)
    candidates = [SimpleNamespace(id=None, venue_id=venue.id, starts_at=i.start_utc, ends_at=i.end_utc,
                                  blocks_until=conflicts.blocks_until(i.end_utc, venue), event=stub)
                  for i in instances]
    # Other towns' bookings hold the venue too: the check looks past the coordinator's scope, as the save does.
    with unscoped():
        found = conflicts.find_clashes(candidates, {venue.id: venue})
    return [c for c in found if event_id is None or c.event_id != event_id]


def _day_facts(wanted: list[date]) -> dict[date, Day]:
    if not wanted:
        return {}
    lo, hi = min(wanted), max(wanted)
    if (hi - lo).days <= 400:
        return {d.date: d for d in days(lo, hi)}
    return {d: days(d, d)[0] for d in sorted(set(wanted))}
