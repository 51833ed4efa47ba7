"""How lists read as a program guide: towns and cities of places, highlights, and same-day repeats collapsed.

The area tree and the programs are small (hundreds of rows, whatever the number of occurrences), so each
is read once per request and kept on `flask.g`; a list then names the town and the city of every row
without a query per row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import g
from sqlalchemy import and_, or_, select

from calendar_app.areas.models import Area
from calendar_app.events.models import Event, Occurrence
from calendar_app.extensions import db
from calendar_app.programs.models import Edition, Program
from calendar_app.public import queries
from calendar_app.public.windows import midnight, window_for

#: Same-day occurrences of one program collapse into one expandable row from this many on.
COLLAPSE_FROM = 3
#: Rows in the highlights block at the top of the home page.
HIGHLIGHTS = 8
#: How far ahead the highlights look.
HIGHLIGHT_DAYS = 30


# --- places ------------------------------------------------------------------------------------------

def areas() -> dict[int, Area]:
    """Every area by id, read once per request."""
    if "public_areas" not in g:
        g.public_areas = {a.id: a for a in db.session.scalars(select(Area))}
    return g.public_areas


def programs() -> dict[int, Program]:
    if "public_programs" not in g:
        g.public_programs = {p.id: p for p in db.session.scalars(select(Program))}
    return g.public_programs


def town_of(area_id: int | None) -> Area | None:
    """The town (镇/街道) an area belongs to: itself for a town, its parent for a village, else None."""
    area = areas().get(area_id) if area_id is not None else None
    if area is None:
        return None
    if area.kind == "town":
        return area
    if area.kind == "village":
        return areas().get(area.parent_id)
    return None


def several_cities() -> bool:
    """Whether the deployment holds more than one city, or districts of different cities: rows then name the city."""
    return sum(1 for a in areas().values() if a.kind == "city" or (a.kind == "district" and a.parent_id is None)) > 1


def city_of(area_id: int | None) -> Area | None:
    """The top of an area's tree: its city (or a district without a city above it)."""
    area = areas().get(area_id) if area_id is not None else None
    if area is None:
        return None
    top = areas().get(area.ancestor_ids()[0]) if area.ancestor_ids() else area
    return top


@dataclass(frozen=True)
class District:
    area: Area
    towns: list[Area]


@dataclass(frozen=True)
class CityTowns:
    city: Area | None
    districts: list[District]


def town_groups() -> list[CityTowns]:
    """Towns grouped by district, and districts by city, in tree order; districts without towns are left out."""
    every = sorted(areas().values(), key=lambda a: a.ancestor_ids())
    children: dict[int | None, list[Area]] = {}
    for a in every:
        children.setdefault(a.parent_id, []).append(a)
    result: list[CityTowns] = []
    loose: list[District] = []
    for top in children.get(None, []):
        if top.kind == "city":
            districts = [District(d, children.get(d.id, [])) for d in children.get(top.id, []) if d.kind == "district"]
            districts = [d for d in districts if d.towns]
            if districts:
                result.append(CityTowns(top, districts))
        elif top.kind == "district" and children.get(top.id):
            loose.append(District(top, children[top.id]))
    if loose:
        result.append(CityTowns(None, loose))
    return result


# --- collapsing ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Group:
    """Same-day occurrences of one program, shown as one row that expands."""

    program: Program
    occurrences: list[Occurrence]
    towns: int

    @property
    def first(self) -> Occurrence:
        return self.occurrences[0]


def collapse(occurrences: list[Occurrence]) -> list[Occurrence | Group]:
    """One day's occurrences with each program's repeats (COLLAPSE_FROM or more) folded into a Group,
    placed where that program's first occurrence was."""
    by_program: dict[int, list[Occurrence]] = {}
    for occ in occurrences:
        if occ.program_id is not None:
            by_program.setdefault(occ.program_id, []).append(occ)
    folded = {pid for pid, occs in by_program.items() if len(occs) >= COLLAPSE_FROM and pid in programs()}
    rows: list[Occurrence | Group] = []
    for occ in occurrences:
        if occ.program_id in folded:
            members = by_program[occ.program_id]
            if occ is members[0]:
                towns = {t.id for t in (town_of(o.area_id) for o in members) if t is not None}
                rows.append(Group(programs()[occ.program_id], members, len(towns)))
            continue
        rows.append(occ)
    return rows


def collapsed_days(days: list[tuple[date, list[Occurrence]]]) -> list[tuple[date, list[Occurrence | Group]]]:
    return [(day, collapse(occs)) for day, occs in days]


# --- highlights ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Highlight:
    occurrence: Occurrence
    #: featured, special (a one-off night of an edition), opening, closing, weekend
    reason: str


def _edition_day_conditions(first: date, last: date, tz: ZoneInfo) -> tuple[list, dict[int, tuple[date, date]]]:
    """Occurrence conditions for the first and last days of the editions running between first and last."""
    editions = db.session.scalars(select(Edition).where(Edition.starts_on <= last, Edition.ends_on >= first)).all()
    conditions, bounds = [], {}
    for e in editions:
        bounds[e.id] = (e.starts_on, e.ends_on)
        for day in {e.starts_on, e.ends_on}:
            if first <= day <= last:
                conditions.append(and_(Occurrence.edition_id == e.id, Occurrence.starts_at >= midnight(day, tz),
                                       Occurrence.starts_at < midnight(day + timedelta(days=1), tz)))
    return conditions, bounds


def highlights(now: datetime, tz: ZoneInfo, limit: int = HIGHLIGHTS) -> list[Highlight]:
    """What the home page opens on: featured events (the event or its edition marked by staff), an
    edition's special one-off nights and its first and last nights within the coming weeks, this weekend's
    first; then, to fill up, this weekend's events, one per program. One row per event."""
    start = now
    today = now.astimezone(tz).date()
    end = midnight(today + timedelta(days=HIGHLIGHT_DAYS), tz)
    edition_days, bounds = _edition_day_conditions(today, today + timedelta(days=HIGHLIGHT_DAYS), tz)
    featured_editions = select(Edition.id).where(Edition.is_featured.is_(True))
    special = and_(Occurrence.edition_id.is_not(None), Event.rrule.is_(None), Event.lunar_rule.is_(None))
    wanted = or_(Event.is_featured.is_(True), Occurrence.edition_id.in_(featured_editions), special, *edition_days)
    query = (queries.with_event_and_venue(queries.window_query(start, end))
             .where(wanted, Occurrence.status != "cancelled").limit(200))
    rows = list(db.session.scalars(query).unique())
    weekend = window_for("weekend", now, tz)
    picked: dict[int, Highlight] = {}
    for occ in rows:
        if occ.event_id in picked:
            continue
        local_day = occ.starts_at.astimezone(tz).date()
        if occ.event.is_featured or (occ.edition_id is not None and _edition_featured(occ.edition_id)):
            reason = "featured"
        elif occ.edition_id in bounds and local_day == bounds[occ.edition_id][0]:
            reason = "opening"
        elif occ.edition_id in bounds and local_day == bounds[occ.edition_id][1]:
            reason = "closing"
        else:
            reason = "special"
        picked[occ.event_id] = Highlight(occ, reason)
    chosen = sorted(picked.values(), key=lambda h: (not (weekend.start <= h.occurrence.starts_at < weekend.end),
                                                    h.occurrence.starts_at, h.occurrence.id))[:limit]
    if len(chosen) < limit:
        seen_programs = {h.occurrence.program_id for h in chosen if h.occurrence.program_id}
        seen_events = {h.occurrence.event_id for h in chosen}
        fill = queries.listing(weekend.start, weekend.end, queries.Filters(), limit=100).occurrences
        for occ in fill:
            if len(chosen) >= limit:
                break
            if occ.status == "cancelled" or occ.event_id in seen_events or (occ.program_id and occ.program_id in seen_programs):
                continue
            chosen.append(Highlight(occ, "weekend"))
            seen_events.add(occ.event_id)
            if occ.program_id:
                seen_programs.add(occ.program_id)
    return sorted(chosen, key=lambda h: (h.occurrence.starts_at, h.occurrence.id))


def _edition_featured(edition_id: int) -> bool:
    if "featured_editions" not in g:
        g.featured_editions = set(db.session.scalars(select(Edition.id).where(Edition.is_featured.is_(True))))
    return edition_id in g.featured_editions
