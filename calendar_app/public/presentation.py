"""How lists read as a program guide: towns and cities of places, highlights, and same-day repeats collapsed.

The area tree, the programs and the editions are small (hundreds of rows, whatever the number of
occurrences), so each is read once per request; a list then names the town and the city of every row
without a query per row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import request
from sqlalchemy import and_, or_, select, union_all

from calendar_app.areas.models import Area
from calendar_app.events.models import Event, Occurrence
from calendar_app.events.services import MAX_INSTANCE_LENGTH
from calendar_app.extensions import db
from calendar_app.programs.models import Edition, Program
from calendar_app.public import queries
from calendar_app.public.windows import midnight, window_for

#: Same-day occurrences of one program collapse into one expandable row from this many on.
COLLAPSE_FROM = 3
#: Rows in the highlights block at the top of the home page.
HIGHLIGHTS = 8
#: Highlights one edition may take (featured ones aside), so that one program's town nights leave room.
PER_EDITION = 2
#: How far ahead the highlights look.
HIGHLIGHT_DAYS = 30


# --- places ------------------------------------------------------------------------------------------

def _per_request(name: str, load):
    """`load()` once per request, kept on the request object (not on `g`, whose app context may outlive a
    request, e.g. in tests, and would hold objects expired by a commit)."""
    cache = request.environ.setdefault("calendar_app.public", {})
    if name not in cache:
        cache[name] = load()
    return cache[name]


def areas() -> dict[int, Area]:
    """Every area by id, read once per request."""
    return _per_request("areas", lambda: {a.id: a for a in db.session.scalars(select(Area))})


def programs() -> dict[int, Program]:
    """Every program by id, read once per request."""
    return _per_request("programs", lambda: {p.id: p for p in db.session.scalars(select(Program))})


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
    return _per_request("several_cities", lambda: sum(
        1 for a in areas().values() if a.kind == "city" or (a.kind == "district" and a.parent_id is None)) > 1)


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


def editions() -> dict[int, Edition]:
    """Every edition by id, read once per request (tens to hundreds of rows)."""
    return _per_request("editions", lambda: {e.id: e for e in db.session.scalars(select(Edition))})


def _edition_day_conditions(first: date, last: date, tz: ZoneInfo) -> list:
    """Occurrence conditions for the first and last days of the editions running between first and last."""
    conditions = []
    for e in editions().values():
        if e.starts_on > last or e.ends_on < first:
            continue
        for day in {e.starts_on, e.ends_on}:
            if first <= day <= last:
                conditions.append(and_(Occurrence.edition_id == e.id, Occurrence.starts_at >= midnight(day, tz),
                                       Occurrence.starts_at < midnight(day + timedelta(days=1), tz)))
    return conditions


def highlights(now: datetime, tz: ZoneInfo, limit: int = HIGHLIGHTS) -> list[Highlight]:
    """What the home page opens on: featured events (the event or its edition marked by staff), an
    edition's special one-off nights and its first and last nights within the coming weeks, this weekend's
    first; then, to fill up, this weekend's other events, one per program. One row per event; one query."""
    today = now.astimezone(tz).date()
    end = midnight(today + timedelta(days=HIGHLIGHT_DAYS), tz)
    weekend = window_for("weekend", now, tz)
    running = [e for e in editions().values() if e.starts_on <= today + timedelta(days=HIGHLIGHT_DAYS)
               and e.ends_on >= today]
    featured_editions = [e.id for e in running if e.is_featured]
    special = and_(Event.rrule.is_(None), Event.lunar_rule.is_(None))
    nights = or_(special, *_edition_day_conditions(today, today + timedelta(days=HIGHLIGHT_DAYS), tz))
    live = Occurrence.status != "cancelled"

    def upcoming(*conditions, until=end):
        """Occurrence ids in [now, until) by start. `is_public IS NOT false` keeps SQLite on the index of
        the narrowing condition (event, edition) rather than walking the whole public window."""
        return (select(Occurrence.id).where(Occurrence.is_public.is_not(False), live, *conditions,
                                            Occurrence.starts_at >= now - MAX_INSTANCE_LENGTH,
                                            Occurrence.starts_at < until, Occurrence.ends_at > now)
                .order_by(Occurrence.starts_at, Occurrence.id))

    def first(query, n: int):
        return select(query.limit(n).subquery().c.id)

    # One statement of bounded index walks: featured events (through their few ids), featured editions'
    # and running editions' nights (the edition index), and this weekend's first rows to fill up with.
    parts = [first(upcoming(Occurrence.event_id.in_(select(Event.id).where(Event.is_featured.is_(True)))), 50),
             first(queries.window_query(max(now, weekend.start), weekend.end).where(live)
                   .with_only_columns(Occurrence.id), 100)]
    if running:
        parts.append(first(upcoming(Occurrence.edition_id.in_([e.id for e in running]))
                           .join(Occurrence.event).where(nights), 150))
    if featured_editions:
        parts.append(first(upcoming(Occurrence.edition_id.in_(featured_editions)), 50))
    query = queries.with_event_and_venue(select(Occurrence).where(Occurrence.id.in_(union_all(*parts)))).order_by(
        Occurrence.starts_at, Occurrence.id)
    rows = list(db.session.scalars(query).unique())
    picked: dict[int, Highlight] = {}
    fill: list[Occurrence] = []
    for occ in rows:
        if occ.event_id in picked:
            continue
        reason = _reason(occ, tz)
        if reason is None:
            fill.append(occ)
        else:
            picked[occ.event_id] = Highlight(occ, reason)
    ranked = sorted(picked.values(), key=lambda h: (h.reason != "featured",
                                                    not (weekend.start <= h.occurrence.starts_at < weekend.end),
                                                    h.occurrence.starts_at, h.occurrence.id))
    chosen, per_edition, marks = [], {}, set()
    for h in ranked:
        # Variety: an edition's many town nights do not fill the block (one opening, one closing, two in all).
        edition_id = h.occurrence.edition_id
        if edition_id is not None and h.reason != "featured":
            if per_edition.get(edition_id, 0) >= PER_EDITION or (edition_id, h.reason) in marks and \
                    h.reason in ("opening", "closing"):
                continue
            per_edition[edition_id] = per_edition.get(edition_id, 0) + 1
            marks.add((edition_id, h.reason))
        chosen.append(h)
        if len(chosen) >= limit:
            break
    seen_programs = {h.occurrence.program_id for h in chosen if h.occurrence.program_id}
    seen_events = {h.occurrence.event_id for h in chosen}
    for occ in sorted(fill, key=lambda o: (o.starts_at, o.id)):
        if len(chosen) >= limit:
            break
        if occ.event_id in seen_events or (occ.program_id and occ.program_id in seen_programs):
            continue
        chosen.append(Highlight(occ, "weekend"))
        seen_events.add(occ.event_id)
        if occ.program_id:
            seen_programs.add(occ.program_id)
    return sorted(chosen, key=lambda h: (h.occurrence.starts_at, h.occurrence.id))


def _reason(occ: Occurrence, tz: ZoneInfo) -> str | None:
    """Why an occurrence is a highlight (featured, opening, closing, special), or None."""
    edition = editions().get(occ.edition_id) if occ.edition_id is not None else None
    if occ.event.is_featured or (edition is not None and edition.is_featured):
        return "featured"
    if edition is None:
        return None
    local_day = occ.starts_at.astimezone(tz).date()
    if local_day == edition.starts_on:
        return "opening"
    if local_day == edition.ends_on:
        return "closing"
    if occ.event.rrule is None and occ.event.lunar_rule is None:
        return "special"
    return None
