"""Opening hours as intervals of local time, and the arithmetic venue load needs over them.

Pure: no Flask, no database. Times are "local seconds": seconds since 1970-01-01 00:00 of the
deployment's wall clock, so a day is always 86,400 of them and a weekday is plain division. A
weekly pattern is a tuple of (weekday, opens, closes) with times as seconds after midnight; a slot
whose closing time is not after its opening time runs past midnight into the next day (a night
market 18:00-02:00; 00:00-00:00 is the whole day).
"""
from __future__ import annotations

from bisect import bisect_right
from datetime import date, time

DAY = 86_400
HOUR = 3_600
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
#: 1970-01-01 was a Thursday (Monday = 0).
_EPOCH_WEEKDAY = 3

Pattern = tuple[tuple[int, int, int], ...]


def day_seconds(day: date) -> int:
    """Local seconds at the start of `day`."""
    return (day.toordinal() - _EPOCH_ORDINAL) * DAY


def weekday_of(local_seconds: int) -> int:
    return (local_seconds // DAY + _EPOCH_WEEKDAY) % 7


def hour_of(local_seconds: int) -> int:
    return local_seconds % DAY // HOUR


def seconds_of(t: time) -> int:
    return t.hour * HOUR + t.minute * 60 + t.second


def pattern_of(rows) -> Pattern:
    """A hashable weekly pattern from rows with .weekday, .opens_at and .closes_at."""
    return tuple(sorted((r.weekday, seconds_of(r.opens_at), seconds_of(r.closes_at)) for r in rows))


class OpenIntervals:
    """The merged open intervals of one weekly pattern between two local instants [lo, hi)."""

    def __init__(self, pattern: Pattern, lo: int, hi: int):
        spans = []
        # A slot of the day before `lo` may run into it: start a day early.
        first_day = lo // DAY - 1
        last_day = (hi - 1) // DAY
        by_weekday: dict[int, list[tuple[int, int]]] = {}
        for weekday, opens, closes in pattern:
            length = closes - opens if closes > opens else DAY - opens + closes
            by_weekday.setdefault(weekday, []).append((opens, length))
        for day in range(first_day, last_day + 1):
            base = day * DAY
            for opens, length in by_weekday.get((day + _EPOCH_WEEKDAY) % 7, ()):
                s, e = max(base + opens, lo), min(base + opens + length, hi)
                if s < e:
                    spans.append((s, e))
        spans.sort()
        merged: list[list[int]] = []
        for s, e in spans:
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.starts = [s for s, _ in merged]
        self.ends = [e for _, e in merged]

    def __bool__(self) -> bool:
        return bool(self.starts)

    def total(self, lo: int, hi: int) -> int:
        """Open seconds inside [lo, hi)."""
        i = max(0, bisect_right(self.starts, lo) - 1)
        total = 0
        starts, ends = self.starts, self.ends
        while i < len(starts) and starts[i] < hi:
            s, e = max(starts[i], lo), min(ends[i], hi)
            if s < e:
                total += e - s
            i += 1
        return total

    def covers(self, lo: int, hi: int) -> bool:
        """Whether [lo, hi) lies inside one open interval."""
        i = bisect_right(self.starts, lo) - 1
        return i >= 0 and self.ends[i] >= hi

    def pieces(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """The open parts of [lo, hi)."""
        i = max(0, bisect_right(self.starts, lo) - 1)
        out = []
        starts, ends = self.starts, self.ends
        while i < len(starts) and starts[i] < hi:
            s, e = max(starts[i], lo), min(ends[i], hi)
            if s < e:
                out.append((s, e))
            i += 1
        return out
