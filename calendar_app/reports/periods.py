"""Report periods: a week, month, quarter, year or custom span of local dates, and its buckets.

Pure: no Flask, no database. Dates are local calendar dates; `end` is inclusive, as everywhere in the
API. A period is at most MAX_DAYS long, so every report costs one bounded window of occurrences.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from calendar_app.db import ValidationError

MAX_DAYS = 366
PERIOD_KINDS = {"week": "本周", "month": "本月", "quarter": "本季度", "year": "本年", "custom": "自定义"}
GRANULARITIES = {"day": "按日", "week": "按周", "month": "按月"}


@dataclass(frozen=True)
class Period:
    start: date
    #: Inclusive.
    end: date

    @property
    def end_exclusive(self) -> date:
        return self.end + timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def label(self) -> str:
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"


def checked(start: date, end: date) -> Period:
    """The period [start, end], refused with a Chinese message when reversed or over MAX_DAYS."""
    if end < start:
        raise ValidationError(f"结束日期 {end} 早于开始日期 {start}", "end")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationError(f"统计时段最长 {MAX_DAYS} 天，当前 {(end - start).days + 1} 天", "end")
    return Period(start, end)


def parse_year(raw: str, field: str = "year") -> int:
    """A year written as four ASCII digits, 1901-2099 (the supported calendar years)."""
    if not raw.isascii() or not raw.isdigit() or len(raw) != 4 or not 1901 <= int(raw) <= 2099:
        shown = "".join(ch if ch.isalnum() else "?" for ch in raw[:8])
        raise ValidationError(f"参数 {field} 应为 1901–2099 之间的四位年份：{shown}", field)
    return int(raw)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def around(kind: str, anchor: date) -> Period:
    """The week (Monday to Sunday), month, quarter or year that contains `anchor`."""
    if kind == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return Period(start, start + timedelta(days=6))
    if kind == "month":
        start = _month_start(anchor)
        return Period(start, _add_months(start, 1) - timedelta(days=1))
    if kind == "quarter":
        start = date(anchor.year, (anchor.month - 1) // 3 * 3 + 1, 1)
        return Period(start, _add_months(start, 3) - timedelta(days=1))
    if kind == "year":
        return Period(date(anchor.year, 1, 1), date(anchor.year, 12, 31))
    raise ValidationError(f"未知的统计时段：{kind}", "period")


def shifted(kind: str, period: Period, steps: int) -> Period:
    """The period `steps` before (negative) or after this one, for "previous / next" links."""
    if kind == "week":
        return around(kind, period.start + timedelta(days=7 * steps))
    if kind == "month":
        return around(kind, _add_months(period.start, steps))
    if kind == "quarter":
        return around(kind, _add_months(period.start, 3 * steps))
    if kind == "year":
        return around(kind, date(period.start.year + steps, 1, 1))
    length = timedelta(days=period.days * steps)
    return Period(period.start + length, period.end + length)


def buckets(period: Period, granularity: str) -> list[tuple[date, date]]:
    """Half-open [first day, day after last) spans covering the period: days, Monday weeks or calendar
    months, the first and last cut to the period."""
    spans = []
    day = period.start
    end = period.end_exclusive
    while day < end:
        if granularity == "day":
            nxt = day + timedelta(days=1)
        elif granularity == "week":
            nxt = day - timedelta(days=day.weekday()) + timedelta(days=7)
        elif granularity == "month":
            nxt = _add_months(day, 1)
        else:
            raise ValidationError(f"未知的统计粒度：{granularity}", "granularity")
        nxt = min(nxt, end)
        spans.append((day, nxt))
        day = nxt
    return spans


def month_starts(year: int) -> list[date]:
    """1 January ... 1 December, then 1 January of the next year (13 boundaries)."""
    return [date(year, m, 1) for m in range(1, 13)] + [date(year + 1, 1, 1)]
