"""Read-side queries over stored occurrences, shared by the API, pages and reports.

Every query reads only the window asked for: the lower bound on starts_at (window start minus the
longest instance) lets the database range-scan the (…, starts_at) indexes instead of the history.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, or_, select

from calendar_app.areas.models import Area
from calendar_app.areas.services import descendant_ids_query
from calendar_app.events.models import Event, Occurrence
from calendar_app.events.services import MAX_INSTANCE_LENGTH
from calendar_app.venues.models import Venue


def narrowing(*, area: Area | None = None, program_id: int | None = None, edition_id: int | None = None,
              venue_id: int | None = None, category: str | None = None, free: bool | None = None,
              q: str | None = None) -> list:
    """WHERE clauses that narrow occurrences the way readers ask (API, pages, reports): one meaning everywhere.

    An area includes its descendants (a town its villages). The keyword matches title, description,
    organiser or venue name literally (LIKE wildcards escaped). Clauses on Event need the event joined,
    the keyword also the venue (outer-joined): see `joins_for`.
    """
    clauses = []
    if area is not None:
        clauses.append(Occurrence.area_id.in_(descendant_ids_query(area)))
    if program_id is not None:
        clauses.append(Occurrence.program_id == program_id)
    if edition_id is not None:
        clauses.append(Occurrence.edition_id == edition_id)
    if venue_id is not None:
        clauses.append(Occurrence.venue_id == venue_id)
    if category is not None:
        clauses.append(Event.category == category)
    if free is not None:
        clauses.append(Event.is_free.is_(free))
    if q:
        clauses.append(or_(Event.title.icontains(q, autoescape=True), Event.description.icontains(q, autoescape=True),
                           Event.organiser.icontains(q, autoescape=True), Venue.name.icontains(q, autoescape=True)))
    return clauses


def with_venue_for_keyword(query: Select, q: str | None) -> Select:
    """Outer-join the venue when a keyword needs its name (occurrences without a venue still match on text)."""
    return query.outerjoin(Venue, Occurrence.venue_id == Venue.id) if q else query


@dataclass(frozen=True)
class OccurrenceFilter:
    """What a reader asks for: a UTC window and optional narrowing (ids already checked to exist)."""

    start: datetime
    end: datetime
    program_id: int | None = None
    edition_id: int | None = None
    area: Area | None = None
    venue_id: int | None = None
    category: str | None = None
    free: bool | None = None
    q: str | None = None
    public_only: bool = True


def overlapping(start: datetime, end: datetime) -> list:
    """WHERE clauses for occurrences overlapping [start, end) that a (…, starts_at, ends_at) index answers."""
    return [
        Occurrence.starts_at >= start - MAX_INSTANCE_LENGTH,
        Occurrence.starts_at < end,
        Occurrence.ends_at > start,
    ]


def occurrences_query(flt: OccurrenceFilter) -> Select:
    """Occurrences overlapping [start, end) that match `flt`, ordered by (starts_at, id), event joined."""
    query = (
        select(Occurrence)
        .join(Occurrence.event)
        .where(*overlapping(flt.start, flt.end),
               *narrowing(area=flt.area, program_id=flt.program_id, edition_id=flt.edition_id,
                          venue_id=flt.venue_id, category=flt.category, free=flt.free, q=flt.q))
        .order_by(Occurrence.starts_at, Occurrence.id)
    )
    if flt.public_only:
        query = query.where(Occurrence.is_public.is_(True))
    return with_venue_for_keyword(query, flt.q)


def after_cursor(query: Select, starts_at: datetime, occurrence_id: int) -> Select:
    """Keyset paging: rows strictly after (starts_at, id)."""
    return query.where(or_(Occurrence.starts_at > starts_at,
                           and_(Occurrence.starts_at == starts_at, Occurrence.id > occurrence_id)))
