"""Which feed is meant (FeedSpec, its store key) and the rolling window every feed publishes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

#: Feed kinds: the public ones have a URL from calendar_app.links.feed_path; "private" is per area.
PUBLIC_KINDS = ("all", "program", "edition", "area", "venue", "category", "event", "holidays")
#: Kinds that name no subject: one feed each.
_SINGLE_KINDS = ("all", "holidays")
KINDS = PUBLIC_KINDS + ("private",)
#: Kinds whose feed may be narrowed with ?category=.
NARROWABLE = ("all", "program", "edition", "area", "venue")
_INT_KINDS = ("program", "edition", "area", "venue", "event", "private")


@dataclass(frozen=True)
class FeedSpec:
    """A feed: kind, the id (category name for "category") of its subject, and an optional narrowing."""

    kind: str
    ident: int | str | None = None
    category: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown feed kind {self.kind!r}")
        if (self.kind in _SINGLE_KINDS) != (self.ident is None):
            raise ValueError(f"feed {self.kind!r} needs {'no' if self.kind in _SINGLE_KINDS else 'an'} id")
        if self.category is not None and self.kind not in NARROWABLE:
            raise ValueError(f"feed {self.kind!r} cannot be narrowed by category")

    @property
    def key(self) -> str:
        """The store key: "all", "program:3", "venue:9?category=opera", "private:17"."""
        base = self.kind if self.ident is None else f"{self.kind}:{self.ident}"
        return base if self.category is None else f"{base}?category={self.category}"

    @property
    def is_private(self) -> bool:
        return self.kind == "private"

    @classmethod
    def from_key(cls, key: str) -> FeedSpec:
        """The spec of a store key (raises ValueError for a malformed one)."""
        base, _, query = key.partition("?")
        category = query.removeprefix("category=") if query else None
        if query and (not query.startswith("category=") or not category):
            raise ValueError(f"malformed feed key {key!r}")
        kind, _, ident = base.partition(":")
        if kind in _SINGLE_KINDS:
            if ident:
                raise ValueError(f"malformed feed key {key!r}")
            return cls(kind, None, category)
        if kind in _INT_KINDS:
            if not ident.isdigit():
                raise ValueError(f"malformed feed key {key!r}")
            return cls(kind, int(ident), category)
        return cls(kind, ident or None, category)


@dataclass(frozen=True)
class Window:
    """The instants a feed covers: occurrences overlapping [start, end) in UTC."""

    start: datetime
    end: datetime


def feed_window(now: datetime, *, days_back: int, months_ahead: int, tz: str) -> Window:
    """From local midnight `days_back` days ago to local midnight `months_ahead` months ahead.

    Whole local days keep a feed byte-identical through the day: the window only moves at midnight.
    """
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()

    def midnight(day) -> datetime:
        return datetime.combine(day, time(), tzinfo=zone).astimezone(timezone.utc)

    return Window(midnight(today - timedelta(days=days_back)), midnight(today + relativedelta(months=months_ahead)))
