"""Read-only queries behind the public pages. Each reads only the window asked for.

Every page runs a fixed number of queries whatever the data size: occurrence lists load their event
and venue in the same statement, and are bounded both by time (the (is_public, starts_at) index or
the per-program/area/venue/edition indexes) and by a row limit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, false, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from calendar_app.areas.models import Area
from calendar_app.areas.services import descendant_ids_query
from calendar_app.events.models import Event, Occurrence
from calendar_app.events.queries import narrowing, overlapping
from calendar_app.events.services import MAX_INSTANCE_LENGTH
from calendar_app.extensions import db
from calendar_app.params import Position
from calendar_app.programs.models import Edition, Program
from calendar_app.public.windows import midnight
from calendar_app.venues.models import Venue

#: Rows on one page of a list; the next page continues after the last one (keyset, not OFFSET).
PAGE_SIZE = 50
#: How far ahead the program, edition, area and venue pages look, and how many dates they show.
UPCOMING_HORIZON = timedelta(days=366)
UPCOMING_LIMIT = 30
#: Event pages show this many further dates of a series.
SERIES_LIMIT = 10
#: Statuses whose event page is public: a cancelled event stays visible so people learn of it.
VISIBLE_EVENT_STATUSES = ("published", "cancelled")




@dataclass(frozen=True)
class Filters:
    """The home and month filters, resolved to ids. `impossible` is set when a filter names nothing that
    exists (an unknown program slug): the list is then empty rather than unfiltered."""

    area: Area | None = None
    program_id: int | None = None
    category: str | None = None
    venue_id: int | None = None
    free: bool | None = None
    q: str | None = None
    impossible: bool = False

    @property
    def needs_event(self) -> bool:
        """Whether the conditions read the events table (category, price, keyword)."""
        return self.category is not None or self.free is not None or bool(self.q)

    @property
    def needs_venue(self) -> bool:
        return bool(self.q)

    @property
    def active(self) -> bool:
        values = (self.area, self.program_id, self.category, self.venue_id, self.free, self.q)
        return self.impossible or any(v is not None for v in values)

    def conditions(self) -> list:
        """WHERE clauses over Occurrence, Event and (outer-joined) Venue: the shared narrowing."""
        if self.impossible:
            return [false()]
        return narrowing(area=self.area, program_id=self.program_id, venue_id=self.venue_id,
                         category=self.category, free=self.free, q=self.q)


@dataclass(frozen=True)
class FilterOptions:
    """What the filter form offers: districts and towns (villages are reached through their town),
    programs, and venues (within the chosen area when there is one)."""

    areas: list[Area] = field(default_factory=list)
    programs: list[Program] = field(default_factory=list)
    venues: list[Venue] = field(default_factory=list)


def area_and_program_choices() -> tuple[list[Area], list[Program]]:
    """Districts and towns (tree order) and programs for the filter form; sized by places, not occurrences.
    Read through the per-request indexes of calendar_app.public.presentation, which the lists share."""
    from calendar_app.public import presentation

    areas = [a for a in presentation.areas().values() if a.kind != "village"]
    programs = sorted(presentation.programs().values(), key=lambda p: p.id)
    # Paths compare as strings ("/1/10/" < "/1/4/"); as lists of ids they give the tree in creation order.
    return sorted(areas, key=lambda a: a.ancestor_ids()), programs


def venue_choices(area: Area | None) -> list[Venue]:
    """Active venues, within `area` and its descendants when one is chosen."""
    query = select(Venue).where(Venue.is_active.is_(True)).order_by(Venue.area_id, Venue.name)
    if area is not None:
        query = query.where(Venue.area_id.in_(descendant_ids_query(area)))
    return list(db.session.scalars(query))


def get_area(area_id: int) -> Area | None:
    return db.session.get(Area, area_id)


def window_query(start: datetime, end: datetime) -> Select:
    """Public occurrences overlapping [start, end), ordered by start; uses the (is_public, starts_at) index."""
    return (
        select(Occurrence)
        .where(Occurrence.is_public.is_(True), *overlapping(start, end))
        .order_by(Occurrence.starts_at, Occurrence.id)
    )


def list_options() -> tuple:
    """Loader options of a list row: the event and venue columns a list shows, from the joined rows."""
    return (
        contains_eager(Occurrence.event).load_only(Event.title, Event.category, Event.is_free, Event.is_all_day,
                                                   Event.status, Event.is_featured, Event.rrule, Event.lunar_rule,
                                                   Event.poster_key,
                                                   raiseload=True),
    )


def with_event_and_venue(query: Select) -> Select:
    """Load each occurrence's event and venue in the same statement (no query per row), reading only
    the columns a list shows: a page of 100 rows should not decode 100 descriptions and rules."""
    return (
        query.join(Occurrence.event)
        .outerjoin(Venue, Occurrence.venue_id == Venue.id)
        .options(
            *list_options(),
            contains_eager(Occurrence.venue).load_only(Venue.name, Venue.address, raiseload=True),
        )
    )


@dataclass(frozen=True)
class Page:
    occurrences: list[Occurrence]
    #: Where the next page starts (written into the page's `after` link), None on the last page.
    next_cursor: Position | None


def listing(start: datetime, end: datetime, filters: Filters, *, after: Position | None = None,
            limit: int = PAGE_SIZE) -> Page:
    """One page of public occurrences in [start, end) matching `filters`; a single SQL statement."""
    query = with_event_and_venue(window_query(start, end)).where(*filters.conditions())
    if after is not None:
        query = query.where(or_(Occurrence.starts_at > after.starts_at,
                                and_(Occurrence.starts_at == after.starts_at, Occurrence.id > after.id)))
    rows = list(db.session.scalars(query.limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = Position(rows[-1].starts_at, rows[-1].id) if more and rows else None
    return Page(rows, cursor)


def day_counts(first: date, last: date, tz: ZoneInfo, filters: Filters) -> dict[date, int]:
    """Public occurrences per local start date in [first, last], counted by the database in one row.

    Each day is a COUNT over [local midnight, next local midnight) in UTC, so the count is right in any
    zone, DST included, without date functions that differ between SQLite and PostgreSQL; without
    filters the (is_public, starts_at) index alone answers it.
    """
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    bounds = [midnight(d, tz) for d in days] + [midnight(last + timedelta(days=1), tz)]
    columns = [func.count(case((and_(Occurrence.starts_at >= lo, Occurrence.starts_at < hi), 1)))
               for lo, hi in zip(bounds, bounds[1:])]
    query = select(*columns).select_from(Occurrence).where(
        Occurrence.is_public.is_(True), Occurrence.starts_at >= bounds[0], Occurrence.starts_at < bounds[-1],
        *filters.conditions())
    if filters.needs_event:
        query = query.join(Occurrence.event)
    if filters.needs_venue:
        query = query.outerjoin(Venue, Occurrence.venue_id == Venue.id)
    row = db.session.execute(query).one()
    return {day: count for day, count in zip(days, row) if count}


def upcoming(condition, now: datetime, limit: int = UPCOMING_LIMIT) -> Page:
    """The next public occurrences of one program, edition, area or venue (`condition` on its key).

    Here the (key, starts_at) index is the selective one. `is_public` is written as IS NOT false (the
    same rows: the column is NOT NULL) so that a planner without statistics, such as SQLite before
    ANALYZE, does not pick the public-window index and walk every program's rows for a year.
    """
    end = now + UPCOMING_HORIZON
    query = (
        select(Occurrence)
        .where(condition, Occurrence.is_public.is_not(False), Occurrence.starts_at >= now - MAX_INSTANCE_LENGTH,
               Occurrence.starts_at < end, Occurrence.ends_at > now)
        .order_by(Occurrence.starts_at, Occurrence.id)
    )
    rows = list(db.session.scalars(with_event_and_venue(query).limit(limit + 1)).unique())
    return Page(rows[:limit], Position(rows[limit - 1].starts_at, rows[limit - 1].id) if len(rows) > limit else None)


# --- single objects -------------------------------------------------------------------------------

def public_event(event_id: int) -> Event | None:
    """An event the public may see (published or cancelled), with its place, program and edition."""
    query = (
        select(Event)
        .where(Event.id == event_id, Event.status.in_(VISIBLE_EVENT_STATUSES))
        .options(joinedload(Event.venue), joinedload(Event.program), joinedload(Event.edition),
                 joinedload(Event.area))
    )
    return db.session.scalar(query)


def occurrence_of(event: Event, occurrence_id: int) -> Occurrence | None:
    query = (select(Occurrence).where(Occurrence.id == occurrence_id, Occurrence.event_id == event.id)
             .options(joinedload(Occurrence.venue)))
    return db.session.scalar(query)


def series_dates(event: Event, now: datetime, limit: int = SERIES_LIMIT + 1) -> list[Occurrence]:
    """The event's occurrences not yet over, in order (a cancelled event's too: they show as cancelled)."""
    query = (select(Occurrence).where(Occurrence.event_id == event.id, Occurrence.ends_at > now,
                                      Occurrence.starts_at >= now - MAX_INSTANCE_LENGTH)
             .order_by(Occurrence.starts_at, Occurrence.id).limit(limit).options(joinedload(Occurrence.venue)))
    return list(db.session.scalars(query))


def last_occurrence(event: Event) -> Occurrence | None:
    """The latest occurrence, for an event that is entirely in the past."""
    query = (select(Occurrence).where(Occurrence.event_id == event.id)
             .order_by(Occurrence.starts_at.desc()).limit(1).options(joinedload(Occurrence.venue)))
    return db.session.scalar(query)


def program_by_slug(slug: str) -> Program | None:
    return db.session.scalar(select(Program).where(Program.slug == slug)
                             .options(selectinload(Program.editions), joinedload(Program.area)))


def edition_by_id(edition_id: int) -> Edition | None:
    return db.session.scalar(select(Edition).where(Edition.id == edition_id).options(joinedload(Edition.program)))


def area_by_id(area_id: int) -> Area | None:
    return db.session.scalar(select(Area).where(Area.id == area_id).options(selectinload(Area.children)))


def areas_by_ids(ids: list[int]) -> list[Area]:
    """Areas in the order of `ids` (an ancestor path), in one query."""
    if not ids:
        return []
    found = {a.id: a for a in db.session.scalars(select(Area).where(Area.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def venue_by_id(venue_id: int) -> Venue | None:
    return db.session.scalar(select(Venue).where(Venue.id == venue_id)
                             .options(joinedload(Venue.area), selectinload(Venue.opening_hours)))
