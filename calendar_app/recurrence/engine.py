"""Expansion of series into instances, validation, and the RRULE to publish.

Design decisions (see also the package docstring):

* All rule arithmetic happens on naive LOCAL wall-clock datetimes in the series'
  zone, so 19:30 stays 19:30 across DST; only the final instants are converted to
  UTC. All-day series are computed on local midnights and returned as dates.
* DTSTART is always an instance (RFC 5545 §3.8.5.3, and what recurring-ical-events,
  Google and Apple do), even when it does not match the rule; COUNT then counts the
  rule's own occurrences (dateutil's and recurring-ical-events' reading).
  :func:`validate` warns when DTSTART is off-rule. The same holds for lunar rules.
* UNTIL: "…Z" is compared with the UTC instant; a floating date-time with the local
  wall clock; a DATE with a timed DTSTART includes that whole local day. For all-day
  series only the date part of UNTIL is used.
* Instances are limited to the supported range 1901–2099.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..festivals import lunar as _lunar
from .lunar_text import check_lunar_rule, parse_lunar_rule
from .model import Instance, LunarRule, RecurrenceError, SeriesSpec
from .rrule_eval import RuleEvaluator
from .rrule_text import ParsedRule, parse_rrule_parts

__all__ = ["expand", "ical_rrule", "validate"]

UTC = timezone.utc
RANGE_MESSAGE = _lunar.RANGE_MESSAGE
_MIN_LOCAL = datetime(1901, 1, 1)
_MAX_LOCAL = datetime(2099, 12, 31, 23, 59, 59)
# Comfortably more than any UTC offset or DST jump, so that a window converted to
# local wall-clock time never misses an instance; exact filtering happens in UTC.
_SLACK = timedelta(days=1)

DTSTART_OFF_RULE_WARNING = "开始时间不符合重复规则，但按 RFC 5545 仍算作第一次活动；如不需要，请把开始时间改到规则上的第一天"
DTSTART_OFF_LUNAR_WARNING = "开始日期不是农历规则所指的日子，但仍算作第一次活动；如不需要，请把开始日期改为第一个节日当天"


@dataclass(frozen=True)
class _Until:
    kind: str  # "utc" | "local" | "day"
    value: datetime | date


@dataclass(frozen=True)
class _Compiled:
    tz: ZoneInfo
    all_day: bool
    start: datetime  # naive local (midnight for all-day)
    duration: timedelta
    rule: ParsedRule | None
    evaluator: RuleEvaluator | None
    until: _Until | None
    lunar: LunarRule | None
    rdates: frozenset[datetime]
    exdates: frozenset[datetime]
    exdate_days: frozenset[date]
    end_adjusted: bool  # all-day end == start, read as one day


# --------------------------------------------------------------------------- compile


def _zone(tzid: object) -> ZoneInfo:
    if not isinstance(tzid, str) or not tzid.strip() or len(tzid) > 64:
        raise RecurrenceError(f"未知的时区：{tzid}", "tzid")
    try:
        return ZoneInfo(tzid)
    except (ZoneInfoNotFoundError, ValueError, OSError, TypeError):
        raise RecurrenceError(f"未知的时区：{tzid}", "tzid") from None


def _in_range(d: date) -> bool:
    return 1901 <= d.year <= 2099


def _local_point(value: object, *, all_day: bool, field: str, label: str, is_end: bool = False) -> datetime:
    """A start/end/rdate as a naive local datetime (midnight for all-day)."""
    if isinstance(value, datetime):
        if all_day:
            raise RecurrenceError(f"全天活动的{label}必须是日期（不含时间）", field)
        if value.tzinfo is not None:
            raise RecurrenceError(f"{label}必须是不带时区的本地时间（时区由 tzid 指定）", field)
        result = value
    elif isinstance(value, date):
        if not all_day:
            raise RecurrenceError(f"{label}必须包含时间（只有全天活动才用日期）", field)
        result = datetime.combine(value, time())
    else:
        raise RecurrenceError(f"{label}必须是日期或日期时间", field)
    # An end may fall on 2100-01-01: the (exclusive) end of an instance on 2099-12-31.
    if not (_in_range(result) or (is_end and result.date() == date(2100, 1, 1))):
        raise RecurrenceError(RANGE_MESSAGE, field)
    return result


def _compile_until(rule: ParsedRule, tz: ZoneInfo, all_day: bool) -> _Until | None:
    u = rule.until
    if u is None:
        return None
    if all_day:
        return _Until("day", u.date() if isinstance(u, datetime) else u)
    if isinstance(u, datetime):
        return _Until("utc" if u.tzinfo is not None else "local", u)
    return _Until("day", u)


def _compile(spec: SeriesSpec) -> _Compiled:
    """Check a spec's shape and precompute what expansion needs (cached for hashable specs)."""
    if not isinstance(spec, SeriesSpec):
        raise TypeError("spec must be a SeriesSpec")
    try:
        hash(spec)
    except TypeError:  # e.g. rdates given as a list
        return _compile_uncached(spec)
    return _compile_cached(spec)


def _compile_uncached(spec: SeriesSpec) -> _Compiled:
    tz = _zone(spec.tzid)
    all_day = not isinstance(spec.start, datetime)
    if not isinstance(spec.start, date):
        raise RecurrenceError("开始时间必须是日期或日期时间", "start")
    start = _local_point(spec.start, all_day=all_day, field="start", label="开始时间")
    if isinstance(spec.end, datetime) == all_day or not isinstance(spec.end, date):
        raise RecurrenceError(
            "结束时间与开始时间的类型不一致：全天活动的结束也必须是日期，定时活动的结束必须是日期时间", "end"
        )
    end = _local_point(spec.end, all_day=all_day, field="end", label="结束时间", is_end=True)
    end_adjusted = False
    if end < start:
        raise RecurrenceError("结束时间早于开始时间", "end")
    if end == start:
        if not all_day:
            raise RecurrenceError("结束时间必须晚于开始时间", "end")
        # An all-day event whose exclusive end equals its start is read as one day,
        # as iCalendar does for an all-day VEVENT without DTEND.
        end = start + timedelta(days=1)
        end_adjusted = True

    rrule_text = spec.rrule
    if rrule_text is not None and isinstance(rrule_text, str) and not rrule_text.strip():
        rrule_text = None  # a blank form field means "no rule"
    lunar = spec.lunar
    if rrule_text is not None and lunar is not None:
        raise RecurrenceError("重复规则与农历规则只能二选一", "lunar")

    rule = until = None
    if rrule_text is not None:
        rule = parse_rrule_parts(rrule_text)
        until = _compile_until(rule, tz, all_day)
        if until is not None and not _until_ok(until, tz, start):
            raise RecurrenceError("UNTIL 早于开始时间", "rrule")
    if lunar is not None:
        lunar = parse_lunar_rule(lunar) if isinstance(lunar, str) else check_lunar_rule(lunar)
        if lunar.until is not None and lunar.until < start.date():
            raise RecurrenceError("UNTIL 早于开始时间", "lunar")

    rdates = frozenset(
        _local_point(v, all_day=all_day, field="rdates", label="追加日期")
        for v in _sequence(spec.rdates, "rdates", "追加日期")
    )
    exdates: set[datetime] = set()
    exdate_days: set[date] = set()
    for v in _sequence(spec.exdates, "exdates", "排除日期"):
        if isinstance(v, date) and not isinstance(v, datetime):
            if not _in_range(v):
                raise RecurrenceError(RANGE_MESSAGE, "exdates")
            exdate_days.add(v)  # a date removes every instance starting that local day
        else:
            exdates.add(_local_point(v, all_day=all_day, field="exdates", label="排除日期"))
    return _Compiled(
        tz=tz,
        all_day=all_day,
        start=start,
        duration=end - start,
        rule=rule,
        evaluator=RuleEvaluator(rule, start) if rule is not None else None,
        until=until,
        lunar=lunar,
        rdates=rdates,
        exdates=frozenset(exdates),
        exdate_days=frozenset(exdate_days),
        end_adjusted=end_adjusted,
    )


# A feed or a week view expands the same stored specs again and again. Errors are
# not cached (lru_cache does not cache exceptions).
_compile_cached = lru_cache(maxsize=4096)(_compile_uncached)


def _sequence(values: object, field: str, label: str) -> Iterable:
    if values is None:
        return ()
    if not isinstance(values, (tuple, list, set, frozenset)):
        raise RecurrenceError(f"{label}必须是日期的列表", field)
    return values


def _to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    return local.replace(tzinfo=tz).astimezone(UTC)


def _until_ok(until: _Until, tz: ZoneInfo, t: datetime) -> bool:
    if until.kind == "utc":
        return _to_utc(t, tz) <= until.value
    if until.kind == "local":
        return t <= until.value
    return t.date() <= until.value


def _until_bound(until: _Until, tz: ZoneInfo) -> datetime:
    """A naive local datetime no earlier than the last start UNTIL allows."""
    if until.kind == "utc":
        return until.value.astimezone(tz).replace(tzinfo=None) + _SLACK
    if until.kind == "local":
        return until.value
    return datetime.combine(until.value, time.max)


# --------------------------------------------------------------------------- rule starts


def _rule_starts(c: _Compiled, lo: datetime, hi: datetime, limit: int | None = None) -> Iterator[datetime]:
    """Starts produced by the RRULE itself (DTSTART not added) in [lo, hi], in order."""
    assert c.evaluator is not None
    hi = min(hi, _MAX_LOCAL)
    last_day = hi.date()
    if c.until is not None:
        last_day = min(last_day, _until_bound(c.until, c.tz).date())
    produced = 0
    for t in c.evaluator.between(lo, hi, last_day):
        if c.until is not None and not _until_ok(c.until, c.tz, t):
            continue  # the bound has slack: the exact UNTIL test is done here
        yield t
        produced += 1
        if limit is not None and produced >= limit:
            return


def _lunar_base_dates(c: _Compiled, lo: date, hi: date) -> Iterator[date]:
    """The yearly first days of a lunar rule that fall on or after DTSTART, up to hi."""
    rule = c.lunar
    assert rule is not None
    start_day = c.start.date()
    # Lunar year Y can put its date into January of Y+1 (腊八, 除夕): start a year early.
    first_year = _lunar.lunar_year_of(start_day) - 1
    if rule.count is None:
        # Without COUNT, years wholly before the window cannot matter.
        window_first = min(max(lo - timedelta(days=rule.span_days), _lunar.MIN_DATE), _lunar.MAX_DATE)
        first_year = max(first_year, _lunar.lunar_year_of(window_first) - 1)
    produced = 0
    for year in range(first_year, _lunar.MAX_DATE.year + 1):
        try:
            d, missing = _lunar_date(rule, year)
        except _lunar.LunarDateError as exc:
            if str(exc) != RANGE_MESSAGE:
                raise
            if year <= start_day.year:
                continue  # the year before 1901, looked at only for its 腊月
            return  # past 2099
        if d < start_day:
            continue
        if (rule.until is not None and d > rule.until) or d > hi:
            return
        if missing:
            if rule.missing == "skip":
                continue
            if rule.missing == "error":
                assert rule.month is not None and rule.day is not None
                raise RecurrenceError(
                    f"农历{year}年{_lunar.lunar_month_name(rule.month)}只有{_lunar.month_length(year, rule.month)}天，"
                    f"没有{_lunar.lunar_day_name(rule.day)}日；请选择“跳过这一年”或“改为当月最后一天”",
                    "lunar",
                )
        produced += 1
        if rule.count is not None and produced > rule.count:
            return
        yield d


def _lunar_date(rule: LunarRule, year: int) -> tuple[date, bool]:
    """That year's date of the rule, and whether the lunar day is missing (then: the month's last day)."""
    if rule.festival is not None:
        return _lunar.festival_date(rule.festival, year), False
    assert rule.month is not None and rule.day is not None
    d = _lunar.lunar_to_solar(year, rule.month, rule.day, missing="skip")
    if d is not None:
        return d, False
    last = _lunar.lunar_to_solar(year, rule.month, rule.day, missing="last_day")
    assert last is not None
    return last, True


def _lunar_starts(c: _Compiled, lo: datetime, hi: datetime, limit: int | None = None) -> Iterator[datetime]:
    rule = c.lunar
    assert rule is not None
    produced = 0
    for base in _lunar_base_dates(c, lo.date(), hi.date()):
        for i in range(rule.span_days):
            day = base + timedelta(days=i)
            if day > _lunar.MAX_DATE:
                return
            t = datetime.combine(day, c.start.time())
            if lo <= t <= hi:
                yield t
                produced += 1
                if limit is not None and produced >= limit:
                    return


def _excluded(c: _Compiled, t: datetime) -> bool:
    return t in c.exdates or t.date() in c.exdate_days


def _local_starts(
    c: _Compiled, lo: datetime, hi: datetime, *, limit: int | None = None, apply_exdates: bool = True
) -> list[datetime]:
    """All local starts in [lo, hi]: DTSTART, rule, RDATEs, minus EXDATEs; sorted."""
    lo, hi = max(lo, _MIN_LOCAL), min(hi, _MAX_LOCAL)
    if hi < lo:
        return []
    starts: set[datetime] = {t for t in c.rdates if lo <= t <= hi}
    if lo <= c.start <= hi:
        starts.add(c.start)
    if limit is not None:
        # EXDATEs may remove some of the first `limit`: ask for enough to still exceed it.
        limit += len(c.exdates) + 1
    if c.rule is not None:
        starts.update(_rule_starts(c, lo, hi, limit))
    elif c.lunar is not None:
        starts.update(_lunar_starts(c, lo, hi, limit))
    if apply_exdates:
        starts = {t for t in starts if not _excluded(c, t)}
    return sorted(starts)


# --------------------------------------------------------------------------- public API


def _aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} 必须是带时区的 datetime")
    return value


def expand(spec: SeriesSpec, window_start: datetime, window_end: datetime) -> list[Instance]:
    """Instances whose [start_utc, end_utc) overlaps [window_start, window_end), sorted by start_utc.

    The window bounds must be timezone-aware. Raises RecurrenceError for an invalid spec.
    """
    c = _compile(spec)
    ws = _aware(window_start, "window_start").astimezone(UTC)
    we = _aware(window_end, "window_end").astimezone(UTC)
    if we <= ws:
        return []
    lo = _local_naive(ws, c.tz) - c.duration - _SLACK
    hi = _local_naive(we, c.tz) + _SLACK
    out: list[Instance] = []
    for t in _local_starts(c, lo, hi):
        end = t + c.duration
        start_utc, end_utc = _to_utc(t, c.tz), _to_utc(end, c.tz)
        if start_utc < we and end_utc > ws:
            s, e = (t.date(), end.date()) if c.all_day else (t, end)
            out.append(Instance(recurrence_id=s, start=s, end=e, start_utc=start_utc, end_utc=end_utc))
    out.sort(key=lambda i: (i.start_utc, i.end_utc))
    return out


def _local_naive(instant: datetime, tz: ZoneInfo) -> datetime:
    """An aware instant as local wall-clock time, clamped to the supported range."""
    lo_utc = datetime(1900, 12, 30, tzinfo=UTC)
    hi_utc = datetime(2100, 1, 2, tzinfo=UTC)
    instant = min(max(instant, lo_utc), hi_utc)
    return instant.astimezone(tz).replace(tzinfo=None)


def _horizon_local(horizon_end: datetime | date, tz: ZoneInfo) -> datetime:
    if isinstance(horizon_end, datetime):
        if horizon_end.tzinfo is not None:
            return _local_naive(horizon_end, tz)
        return horizon_end
    if isinstance(horizon_end, date):
        return datetime.combine(horizon_end, time.max)  # a date horizon includes that whole day
    raise TypeError("horizon_end must be a date or datetime")


def _longest_period(c: _Compiled) -> timedelta:
    """More than the longest gap a healthy rule leaves between occurrences (for a warning)."""
    if c.rule is None:
        return timedelta(days=400)  # lunar years are at most 385 days
    days = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}[c.rule.freq]
    return timedelta(days=days * c.rule.interval + 1)


def _fmt(t: datetime, all_day: bool) -> str:
    return t.strftime("%Y-%m-%d") if all_day else t.strftime("%Y-%m-%d %H:%M")


def validate(spec: SeriesSpec, *, horizon_end: datetime | date, max_occurrences: int = 2000) -> list[str]:
    """Check a series before saving it; raise RecurrenceError or return non-fatal warnings (Chinese).

    ``horizon_end`` (a date counts as its whole day; naive = local; aware = that instant)
    bounds the checks that need expansion: the occurrence limit and, for lunar rules
    with missing="error", the years whose lunar day must exist.
    """
    c = _compile(spec)
    warnings: list[str] = []
    if c.end_adjusted:
        warnings.append("全天活动的结束日期与开始日期相同，按一天处理")
    horizon = min(_horizon_local(horizon_end, c.tz), _MAX_LOCAL)

    starts = _local_starts(c, c.start, horizon, limit=max_occurrences, apply_exdates=False)
    kept = [t for t in starts if not _excluded(c, t)]
    if len(kept) > max_occurrences:
        field = "lunar" if c.lunar is not None else "rrule" if c.rule is not None else "rdates"
        raise RecurrenceError(
            f"重复次数过多：到 {_fmt(horizon, True)} 为止超过 {max_occurrences} 次活动，请缩短重复范围或减少频率",
            field,
        )

    if c.rule is not None or c.lunar is not None:
        # Known to be at most about max_occurrences long after the check above.
        upto = max(horizon, c.start)
        ruled = set(_rule_starts(c, c.start, upto) if c.rule is not None else _lunar_starts(c, c.start, upto))
        if c.start not in ruled:
            warnings.append(DTSTART_OFF_RULE_WARNING if c.rule is not None else DTSTART_OFF_LUNAR_WARNING)
        count = c.rule.count if c.rule is not None else c.lunar.count if c.lunar is not None else None
        if not ruled - {c.start} and count != 1 and horizon - c.start > _longest_period(c):
            warnings.append(f"按此规则，到 {_fmt(horizon, True)} 为止除开始时间外没有其他活动，请检查规则")
        for t in sorted(c.rdates):
            if t in ruled or t == c.start:
                warnings.append(f"追加日期 {_fmt(t, c.all_day)} 本来就是规则内的活动，无需追加")
    start_set = set(starts)
    start_days = {t.date() for t in starts}
    for t in sorted(c.exdates):
        if t <= horizon and t not in start_set:
            warnings.append(f"排除日期 {_fmt(t, c.all_day)} 不是本系列的活动，已忽略")
    for d in sorted(c.exdate_days):
        if datetime.combine(d, time()) <= horizon and d not in start_days:
            warnings.append(f"排除日期 {d:%Y-%m-%d} 当天没有本系列的活动，已忽略")
    return warnings


def ical_rrule(spec: SeriesSpec) -> str | None:
    """The RRULE value to publish in an iCalendar feed, or None (no rule, or a lunar rule).

    UNTIL becomes a UTC date-time ("…Z") for a timed DTSTART and a DATE for an
    all-day one, as RFC 5545 requires.
    """
    c = _compile(spec)
    if c.rule is None:
        return None
    if c.until is None:
        return c.rule.text()
    if c.all_day:
        return c.rule.text(until=f"{c.until.value:%Y%m%d}")
    if c.until.kind == "utc":
        until_utc = c.until.value
    elif c.until.kind == "local":
        until_utc = _to_utc(c.until.value, c.tz)
    else:
        until_utc = _to_utc(datetime.combine(c.until.value, time(23, 59, 59)), c.tz)
    return c.rule.text(until=until_utc.strftime("%Y%m%dT%H%M%SZ"))
