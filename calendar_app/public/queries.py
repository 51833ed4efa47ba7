"""Read-only queries behind the public pages. Each reads only the window asked for."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from calendar_app.events.models import Event, Occurrence
from calendar_app.extensions import db

#: No single occurrence lasts longer than this; it bounds the index range scanned for a window.
MAX_OCCURRENCE_SPAN = timedelta(days=31)


def window_query(start: datetime, end: datetime):
    """Public occurrences overlapping [start, end), ordered by start; uses the (is_public, starts_at) index."""
    return (
        select(Occurrence)
        .where(
            Occurrence.is_public.is_(True),
            Occurrence.starts_at >= start - MAX_OCCURRENCE_SPAN,
            Occurrence.starts_at < end,
            Occurrence.ends_at > start,
        )
        .order_by(Occurrence.starts_at, Occurrence.id)
    )


def upcoming_by_day(now: datetime, days: int, tz: ZoneInfo, limit: int = 300) -> list[tuple]:
    """Occurrences from now for `days` days, grouped by local date: [(date, [occurrence, ...]), ...]."""
    end = now + timedelta(days=days)
    query = (
        window_query(now, end)
        .join(Occurrence.event)
        .options(contains_eager(Occurrence.event), joinedload(Occurrence.venue))
        .limit(limit)
    )
    groups: dict = {}
    for occ in db.session.scalars(query).unique():
        local_day = occ.starts_at.astimezone(tz).date()
        groups.setdefault(max(local_day, now.astimezone(tz).date()), []).append(occ)
    return sorted(groups.items())


def now_utc() -> datetime:
    return datetime.now(timezone.utc)
