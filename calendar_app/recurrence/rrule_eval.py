"""Window-bounded evaluation of a ParsedRule.

Why not dateutil's rrule.between()? dateutil checks UNTIL (and the end of a
``between`` window) only when it has found an occurrence. A rule with no
occurrence at all (e.g. "FREQ=DAILY;INTERVAL=7;BYDAY=MO" starting on a Tuesday,
or a BYSETPOS beyond the set) makes it scan day by day to the year 9999: seconds
of CPU per call. This evaluator walks the rule's periods (day/week/month/year)
inside the requested window only, so its cost grows with the window.

It reproduces dateutil's reading of RFC 5545 for the subset parse_rrule accepts
(filters ANDed, DTSTART-derived defaults, the first WEEKLY period running from
DTSTART to the next WKST, BYSETPOS applied per period), because that is what
recurring-ical-events and other dateutil-based readers of our feeds compute;
tests/unit/test_recurrence_properties.py checks the two against each other.
"""
from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Iterator

from .rrule_text import WEEKDAYS, ParsedRule

__all__ = ["RuleEvaluator"]

_WD = {name: i for i, name in enumerate(WEEKDAYS)}


def _month_len(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _nth_weekday(first: date, last: date, n: int, wd: int) -> date | None:
    """The n-th (negative: from the end) weekday ``wd`` within [first, last], if any."""
    if n > 0:
        d = first + timedelta(days=(wd - first.weekday()) % 7 + 7 * (n - 1))
        return d if d <= last else None
    d = last - timedelta(days=(last.weekday() - wd) % 7 - 7 * (n + 1))
    return d if d >= first else None


class RuleEvaluator:
    """Occurrences of a ParsedRule anchored at a naive local DTSTART (DTSTART itself not added)."""

    def __init__(self, rule: ParsedRule, dtstart: datetime):
        self.rule = rule
        self.dtstart = dtstart
        self.start_day = dtstart.date()
        self.time = dtstart.time()
        self.freq = rule.freq
        self.n = rule.interval
        self.wkst = _WD[rule.wkst] if rule.wkst else 0
        bymonth = set(rule.bymonth)
        bymonthday = set(rule.bymonthday)
        self.plain = frozenset(_WD[wd] for n, wd in rule.byday if n is None)
        self.nth = tuple((n, _WD[wd]) for n, wd in rule.byday if n is not None)
        # dateutil's (and RFC 5545's) defaults taken from DTSTART.
        if not (rule.bymonthday or rule.byday):
            if self.freq == "YEARLY":
                bymonth = bymonth or {dtstart.month}
                bymonthday = {dtstart.day}
            elif self.freq == "MONTHLY":
                bymonthday = {dtstart.day}
            elif self.freq == "WEEKLY":
                self.plain = frozenset({dtstart.weekday()})
        self.bymonth = frozenset(bymonth)
        self.pos_md = frozenset(d for d in bymonthday if d > 0)
        self.neg_md = frozenset(d for d in bymonthday if d < 0)
        self.has_md = bool(bymonthday)
        self.bysetpos = rule.bysetpos
        #: A WEEKLY rule whose only filter is plain weekdays (BYDAY=SA,SU, or DTSTART's weekday by default).
        self.weekdays_only = self.freq == "WEEKLY" and bool(self.plain) and not (self.bymonth or self.has_md or self.nth)
        self._week0 = self.start_day - timedelta(days=(self.start_day.weekday() - self.wkst) % 7)

    # ------------------------------------------------------------------ periods

    def _period_index(self, day: date) -> int:
        """Index of the last period starting on or before ``day`` (0 if before the first)."""
        s = self.start_day
        if day <= s:
            return 0
        if self.freq == "DAILY":
            return (day - s).days // self.n
        if self.freq == "WEEKLY":
            return (day - self._week0).days // (7 * self.n)
        if self.freq == "MONTHLY":
            return ((day.year - s.year) * 12 + day.month - s.month) // self.n
        return (day.year - s.year) // self.n

    def _period_start(self, k: int) -> date:
        s = self.start_day
        if self.freq == "DAILY":
            return s + timedelta(days=k * self.n)
        if self.freq == "WEEKLY":
            return s if k == 0 else self._week0 + timedelta(days=7 * self.n * k)
        if self.freq == "MONTHLY":
            m = s.month - 1 + k * self.n
            return date(s.year + m // 12, m % 12 + 1, 1)
        return date(s.year + k * self.n, 1, 1)

    def _candidates(self, k: int, first: date) -> list[date]:
        """Days of period k (starting on ``first``) that pass the BYxxx filters, BYSETPOS applied."""
        if self.freq == "DAILY":
            days = [first]
        elif self.freq == "WEEKLY":
            length = 7 - (first.weekday() - self.wkst) % 7  # the first week is cut at DTSTART, as in dateutil
            if self.weekdays_only:
                # The common weekly rule ("every Saturday", "Tuesdays and Fridays"): its days, not seven tests.
                offsets = ((wd - first.weekday()) % 7 for wd in self.plain)
                return self._positions(sorted(first + timedelta(days=offset) for offset in offsets if offset < length))
            days = [first + timedelta(days=i) for i in range(length)]
        elif self.freq == "MONTHLY":
            if self.bymonth and first.month not in self.bymonth:
                return []
            days = [first + timedelta(days=i) for i in range(_month_len(first.year, first.month))]
        else:
            months = sorted(self.bymonth) if self.bymonth else range(1, 13)
            days = [
                date(first.year, m, d)
                for m in months
                for d in range(1, _month_len(first.year, m) + 1)
            ]
        nth_days = self._nth_days(first) if self.nth else None
        return self._positions([d for d in days if self._match(d, nth_days)])

    def _positions(self, kept: list[date]) -> list[date]:
        """The days of one period that BYSETPOS picks (all of them without BYSETPOS), in order."""
        if not self.bysetpos:
            return kept
        picked = set()
        for pos in self.bysetpos:
            i = pos - 1 if pos > 0 else pos
            if -len(kept) <= i < len(kept):
                picked.add(kept[i])
        return sorted(picked)

    def _nth_days(self, first: date) -> frozenset[date]:
        """Days selected by ordinal BYDAY (e.g. 1SA, -1SU) in the period starting ``first``."""
        if self.freq == "MONTHLY":
            ranges = [(first, first.replace(day=_month_len(first.year, first.month)))]
        elif self.bymonth:  # YEARLY with BYMONTH: ordinals count within each month
            ranges = [
                (date(first.year, m, 1), date(first.year, m, _month_len(first.year, m)))
                for m in sorted(self.bymonth)
            ]
        else:
            ranges = [(date(first.year, 1, 1), date(first.year, 12, 31))]
        out = set()
        for lo, hi in ranges:
            for n, wd in self.nth:
                d = _nth_weekday(lo, hi, n, wd)
                if d is not None:
                    out.add(d)
        return frozenset(out)

    def _match(self, d: date, nth_days: frozenset[date] | None) -> bool:
        if self.bymonth and d.month not in self.bymonth:
            return False
        if self.plain and d.weekday() not in self.plain:
            return False
        if nth_days is not None and d not in nth_days:
            return False
        if self.has_md and d.day not in self.pos_md:
            if d.day - _month_len(d.year, d.month) - 1 not in self.neg_md:
                return False
        return True

    # ------------------------------------------------------------------ public

    def between(self, lo: datetime, hi: datetime, last_day: date) -> Iterator[datetime]:
        """Occurrences t with lo <= t <= hi, in order; periods after ``last_day`` are not visited.

        COUNT is honoured by counting from DTSTART; without COUNT the walk starts at
        the period containing ``lo``.
        """
        count = self.rule.count
        k = 0 if count is not None else self._period_index(lo.date())
        produced = 0
        stop_day = min(hi.date(), last_day)
        while True:
            first = self._period_start(k)
            if first > stop_day:
                return
            for d in self._candidates(k, first):
                t = datetime.combine(d, self.time)
                if t < self.dtstart:
                    continue
                if count is not None:
                    produced += 1
                    if produced > count:
                        return
                if t > hi:
                    return
                if t >= lo:
                    yield t
            k += 1
