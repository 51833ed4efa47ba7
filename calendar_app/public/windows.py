"""Pure date logic of the public pages: which instants "today", "this weekend" or a month mean locally.

No Flask, no database: the windows are computed from an injected `now` and an IANA zone, so tests can
pin them (the pages read `now` from `FIXED_NOW` when set).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Protocol, TypeVar
from zoneinfo import ZoneInfo

#: The time windows of the home page, in the order of its tabs.
WHENS = ("today", "tomorrow", "weekend", "next30")
DEFAULT_WHEN = "next30"
NEXT_DAYS = 30


@dataclass(frozen=True)
class Window:
    """A half-open UTC interval [start, end) and the local dates it covers."""

    start: datetime
    end: datetime
    first_day: date
    last_day: date


def midnight(day: date, tz: ZoneInfo) -> datetime:
    """Local midnight starting `day`, as a UTC instant."""
    return datetime.combine(day, time(), tzinfo=tz).astimezone(timezone.utc)


def local_today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


def window_for(when: str, now: datetime, tz: ZoneInfo) -> Window:
    """The window of a home-page tab. Windows that include today start at `now`: what has ended is gone."""
    today = local_today(now, tz)
    if when == "today":
        first, last = today, today
    elif when == "tomorrow":
        first = last = today + timedelta(days=1)
    elif when == "weekend":
        weekday = today.weekday()  # Saturday = 5, Sunday = 6
        first = today if weekday >= 5 else today + timedelta(days=5 - weekday)
        last = first + timedelta(days=6 - first.weekday())
    elif when == "next30":
        first, last = today, today + timedelta(days=NEXT_DAYS - 1)
    else:
        raise ValueError(f"unknown window {when!r}")
    return day_window(first, last, now, tz)


def day_window(first: date, last: date, now: datetime, tz: ZoneInfo) -> Window:
    """Local days [first, last]; when that includes today, it starts at `now` rather than at midnight."""
    start = midnight(first, tz)
    if first <= local_today(now, tz) <= last:
        start = max(start, now)
    return Window(start=start, end=midnight(last + timedelta(days=1), tz), first_day=first, last_day=last)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First and last date of a month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def month_weeks(year: int, month: int) -> list[list[date | None]]:
    """The month as Monday-first weeks; days of neighbouring months are None."""
    return [[d if d.month == month else None for d in week]
            for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)]


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


class _Timed(Protocol):
    starts_at: datetime


T = TypeVar("T", bound=_Timed)


def group_by_day(items: Iterable[T], tz: ZoneInfo, first_day: date) -> list[tuple[date, list[T]]]:
    """Items grouped by local start date, in order; one that began before `first_day` (still running)
    is shown under `first_day`."""
    groups: dict[date, list[T]] = {}
    for item in items:
        day = max(item.starts_at.astimezone(tz).date(), first_day)
        groups.setdefault(day, []).append(item)
    return sorted(groups.items(), key=lambda pair: pair[0])
