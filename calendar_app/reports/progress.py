"""Program progress: per edition and town, target against scheduled and held 场次, reported 人次,
held occurrences still without a report, and a pace line (is the town where a steady pace towards
its quota by the due date would have it today?).

Held means: published, not cancelled, ended by now. One grouped query over the editions asked for
(index `ix_occurrences_edition_window`) gives every figure, per town and month.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from calendar_app.accounts.scope import Scope, ScopeError
from calendar_app.areas.models import Area
from calendar_app.events.models import Event, Occurrence
from calendar_app.extensions import db
from calendar_app.programs.models import Assignment, Edition, Program
from calendar_app.reports.towns import Place, TownIndex
from calendar_app.reports.venue_load import NotFound, scoped_area


@dataclass
class TownProgress:
    edition: Edition
    town: Place
    target_events: int | None
    target_attendance: int | None
    due_on: date
    scheduled: int = 0
    held: int = 0
    reported_attendance: int = 0
    unreported: int = 0

    def expected_by(self, day: date) -> int | None:
        """Held events a steady pace from the edition's start would have reached on `day`."""
        start = self.edition.starts_on
        if self.target_events is None or self.due_on <= start:
            return None
        fraction = min(1.0, max(0.0, (day - start).days / (self.due_on - start).days))
        return int(self.target_events * fraction)

    def on_pace(self, today: date) -> bool | None:
        expected = self.expected_by(today)
        return None if expected is None else self.held >= expected

    def to_json(self, today: date) -> dict:
        e = self.edition
        return {"program_id": e.program_id, "program": e.program.name, "edition_id": e.id, "edition": e.name,
                "town_id": self.town.id, "town": self.town.name, "target_events": self.target_events,
                "scheduled_events": self.scheduled, "held_events": self.held,
                "target_attendance": self.target_attendance, "reported_attendance": self.reported_attendance,
                "unreported": self.unreported, "due_on": self.due_on.isoformat(),
                "expected_by_now": self.expected_by(today), "on_pace": self.on_pace(today)}


@dataclass
class EditionMonths:
    """Scheduled and held 场次 per month of one edition (all towns in the scope), for the chart."""

    edition: Edition
    months: list[date]
    scheduled: list[int]
    held: list[int]
    #: The target the pace line leads to: the edition's, or the quotas of the towns shown when the
    #: report covers only some of them (`narrowed_to` names the area then).
    target_events: int | None
    narrowed_to: str | None = None

    def pace(self) -> list[int | None]:
        """The pace line: where a steady pace reaches by the end of each month."""
        start, due = self.edition.starts_on, self.edition.ends_on
        if self.target_events is None or due <= start:
            return [None] * len(self.months)
        out = []
        for m in self.months:
            month_end = date(m.year + m.month // 12, m.month % 12 + 1, 1)
            fraction = min(1.0, max(0.0, (month_end - start).days / ((due - start).days + 1)))
            out.append(round(self.target_events * fraction))
        return out


@dataclass
class ProgressReport:
    rows: list[TownProgress]
    charts: list[EditionMonths] = field(default_factory=list)


def _months(first: date, last: date) -> list[date]:
    out, m = [], date(first.year, first.month, 1)
    while m <= last:
        out.append(m)
        m = date(m.year + m.month // 12, m.month % 12 + 1, 1)
    return out


def editions_for(scope: Scope, *, edition_id: int | None, year: int | None, area_id: int | None
                 ) -> tuple[list[Edition], Area | None]:
    """The editions asked for: one by id, or all that run in `year` (for `area`'s programs and above)."""
    area = scoped_area(scope, area_id)
    if edition_id is not None:
        edition = db.session.get(Edition, edition_id)
        if edition is None:
            raise NotFound(f"届次不存在：{edition_id}", "edition")
        if not db.session.scalar(visible_editions(scope).where(Edition.id == edition.id).exists().select()):
            raise ScopeError("所选届次不在您的管辖范围内", "edition")
        return [edition], area
    query = (visible_editions(scope)
             .where(Edition.starts_on <= date(year, 12, 31), Edition.ends_on >= date(year, 1, 1))
             .options(selectinload(Edition.program)).order_by(Edition.starts_on, Edition.id))
    return list(db.session.scalars(query)), area


def visible_editions(scope: Scope):
    """Editions the caller may report on: of a program run in or above their area, or with a quota
    for one of their towns."""
    query = select(Edition)
    if scope.is_everything:
        return query
    program_areas = select(Area.id).where(or_(Area.path.startswith(scope.path, autoescape=True),
                                              Area.id.in_(scope.ancestor_ids or [-1])))
    with_quota = select(Assignment.edition_id).where(Assignment.area_id.in_(scope.area_ids()))
    return query.where(or_(Edition.program_id.in_(select(Program.id).where(Program.area_id.in_(program_areas))),
                           Edition.id.in_(with_quota)))


def _narrowed(scope: Scope, area: Area | None, edition: Edition) -> bool:
    """Whether the report shows only part of the edition's towns (a filter, or a town's own scope)."""
    home = edition.program.area.path
    return any(path and not home.startswith(path) for path in (scope.path, area.path if area else None))


def scope_area_name(scope: Scope) -> str | None:
    area = db.session.get(Area, scope.area_id)
    return area.name if area is not None else None


def progress(scope: Scope, editions: list[Edition], *, area: Area | None, now: datetime, tz: ZoneInfo,
             today: date) -> ProgressReport:
    """Per edition and town, for the towns in the caller's scope (and under `area`)."""
    if not editions:
        return ProgressReport([])
    edition_ids = [e.id for e in editions]
    by_id = {e.id: e for e in editions}
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.edition_id.in_(edition_ids)).options(selectinload(Assignment.area))
        .order_by(Assignment.edition_id, Assignment.area_id)).all()
    first = min(e.starts_on for e in editions)
    last = max(e.ends_on for e in editions)
    months = _months(first, last)
    bounds = [datetime.combine(m, time(0), tz).astimezone(timezone.utc) for m in months[1:]]
    month_index = case(*((Occurrence.starts_at < b, i) for i, b in enumerate(bounds)), else_=len(bounds)) \
        if bounds else 0
    held = (Occurrence.is_public.is_(True), Occurrence.ends_at <= now)
    query = (select(Occurrence.edition_id, Occurrence.area_id, month_index, func.count(),
                    func.count().filter(*held),
                    func.coalesce(func.sum(Occurrence.attendance).filter(*held), 0),
                    func.count().filter(*held, Occurrence.attendance.is_(None)))
             .join(Event, Event.id == Occurrence.event_id)
             .where(Occurrence.edition_id.in_(edition_ids), Occurrence.status != "cancelled",
                    Event.status != "cancelled")
             .group_by(Occurrence.edition_id, Occurrence.area_id, month_index))
    if area is not None:
        query = query.where(Occurrence.area_id.in_(select(Area.id).where(Area.path.startswith(area.path, autoescape=True))))
    counts = db.session.execute(query).all()  # the active scope limits occurrences to the caller's areas
    towns = TownIndex([row[1] for row in counts] + [a.area_id for a in assignments])
    rows: dict[tuple[int, int], TownProgress] = {}
    for a in assignments:
        if area is not None and not a.area.path.startswith(area.path):
            continue
        edition = by_id[a.edition_id]
        rows[(a.edition_id, a.area_id)] = TownProgress(edition, towns.town_of(a.area_id), a.target_events,
                                                        a.target_attendance, a.due_on or edition.ends_on)
    charts = {e.id: EditionMonths(e, list(months), [0] * len(months), [0] * len(months), e.target_events)
              for e in editions}
    for edition_id, area_id, month, n, n_held, attendance, unreported in counts:
        town = towns.town_of(area_id)
        row = rows.get((edition_id, town.id))
        if row is None:
            edition = by_id[edition_id]
            row = rows[(edition_id, town.id)] = TownProgress(edition, town, None, None, edition.ends_on)
        row.scheduled += n
        row.held += n_held
        row.reported_attendance += int(attendance or 0)
        row.unreported += unreported
        chart = charts[edition_id]
        chart.scheduled[int(month)] += n
        chart.held[int(month)] += n_held
    for e in editions:
        if _narrowed(scope, area, e):
            # A town's chart leads to the town's quota, not to the whole edition's target.
            quotas = [a.target_events for a in assignments
                      if a.edition_id == e.id and a.target_events is not None and scope.contains(a.area)
                      and (area is None or a.area.path.startswith(area.path))]
            charts[e.id].target_events = sum(quotas) if quotas else None
            charts[e.id].narrowed_to = area.name if area is not None else scope_area_name(scope)
    for chart in charts.values():
        keep = [i for i, m in enumerate(chart.months)
                if date(chart.edition.starts_on.year, chart.edition.starts_on.month, 1) <= m <= chart.edition.ends_on]
        chart.months = [chart.months[i] for i in keep]
        chart.scheduled = [chart.scheduled[i] for i in keep]
        chart.held = [chart.held[i] for i in keep]
    ordered = sorted(rows.values(), key=lambda r: (r.edition.starts_on, r.edition.id, r.town.name))
    return ProgressReport(ordered, [charts[e.id] for e in editions])
