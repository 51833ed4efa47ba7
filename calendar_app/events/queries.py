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
    q: str | None = None
    public_only: bool = True


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


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
        .where(*overlapping(flt.start, flt.end))
        .order_by(Occurrence.starts_at, Occurrence.id)
    )
    if flt.public_only:
        query = query.where(Occurrence.is_public.is_(True))
    if flt.program_id is not None:
        query = query.where(Occurrence.program_id == flt.program_id)
    if flt.edition_id is not None:
        query = query.where(Occurrence.edition_id == flt.edition_id)
    if flt.venue_id is not None:
        query = query.where(Occurrence.venue_id == flt.venue_id)
    if flt.area is not None:
        query = query.where(Occurrence.area_id.in_(descendant_ids_query(flt.area)))
    if flt.category:
        query = query.where(Event.category == flt.category)
    if flt.q:
        pattern = _like_pattern(flt.q)
        query = query.where(or_(Event.title.ilike(pattern, escape="\\"), Event.organiser.ilike(pattern, escape="\\")))
    return query


def after_cursor(query: Select, starts_at: datetime, occurrence_id: int) -> Select:
    """Keyset paging: rows strictly after (starts_at, id)."""
    return query.where(or_(Occurrence.starts_at > starts_at,
                           and_(Occurrence.starts_at == starts_at, Occurrence.id > occurrence_id)))
