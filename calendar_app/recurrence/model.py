"""Value types of the recurrence engine (all immutable)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

__all__ = ["Instance", "LunarRule", "RecurrenceError", "SeriesSpec"]

#: Fields a RecurrenceError may point at (form field names).
FIELDS = ("rrule", "lunar", "start", "end", "tzid", "rdates", "exdates")


class RecurrenceError(ValueError):
    """A series that cannot be scheduled; ``str(e)`` is a Chinese message, ``e.field`` the culprit."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message = message
        self.field = field

    def __repr__(self) -> str:
        return f"RecurrenceError({self.message!r}, field={self.field!r})"


@dataclass(frozen=True)
class LunarRule:
    """A yearly rule on the lunar calendar: a festival, or a lunar month/day."""

    festival: str | None = None  # a name from FESTIVALS (aliases are accepted and normalised)
    month: int | None = None  # lunar month 1..12 (when festival is None); leap months are never used
    day: int | None = None  # lunar day 1..30
    span_days: int = 1  # consecutive days, e.g. 春节 and the five days after = 6
    missing: str = "error"  # "error" | "skip" | "last_day" for a lunar day missing that year
    until: date | None = None  # last Gregorian date a yearly start may fall on
    count: int | None = None  # or number of yearly starts (not both)


@dataclass(frozen=True)
class SeriesSpec:
    """A series as stored: first instance, zone, and at most one of rrule / lunar."""

    start: datetime | date  # naive LOCAL wall-clock datetime in tzid, or a date for all-day
    end: datetime | date  # end of the first instance (all-day: exclusive end date, like DTEND)
    tzid: str = "Asia/Shanghai"
    rrule: str | None = None  # RFC 5545 RRULE value, e.g. "FREQ=WEEKLY;BYDAY=SA"
    rdates: tuple = ()  # extra local naive starts (dates for all-day)
    exdates: tuple = ()  # removed local naive starts (dates: every instance on that day)
    lunar: LunarRule | None = None


@dataclass(frozen=True)
class Instance:
    """One occurrence of a series."""

    recurrence_id: datetime | date  # the ORIGINAL local start: the identity of the instance
    start: datetime | date  # local naive start (date for all-day)
    end: datetime | date
    start_utc: datetime  # aware UTC (all-day: local midnight in tzid, in UTC)
    end_utc: datetime
