"""Chinese lunar calendar: festival dates, solar terms and lunar day names.

Pure module (no Flask, no database). Built on lunar-python, whose astronomical
calculation is right on every published reference date we checked; everything
is cached per year so that calendar pages can call :func:`day_info` for every
day they show.

Supported range: 1901-01-01 .. 2099-12-31 (Gregorian).
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from lunar_python import Lunar, LunarYear
from lunar_python.util import LunarUtil

__all__ = [
    "FESTIVALS",
    "FESTIVAL_ALIASES",
    "MIN_DATE",
    "MAX_DATE",
    "DayInfo",
    "LunarDateError",
    "canonical_festival",
    "check_date_range",
    "day_info",
    "festival_date",
    "festivals_in_range",
    "lunar_day_name",
    "lunar_month_name",
    "lunar_to_solar",
    "lunar_year_of",
    "month_length",
    "solar_terms",
]

MIN_DATE = date(1901, 1, 1)
MAX_DATE = date(2099, 12, 31)
RANGE_MESSAGE = "日期超出支持范围（1901–2099 年）"

#: Supported festivals, in display order. 清明 is a solar term, not a lunar date.
FESTIVALS: tuple[str, ...] = (
    "春节",
    "元宵节",
    "端午节",
    "七夕",
    "中秋节",
    "重阳节",
    "腊八节",
    "除夕",
    "清明",
)

#: Common alternative names accepted by :func:`canonical_festival`.
FESTIVAL_ALIASES: dict[str, str] = {
    "新春": "春节",
    "大年初一": "春节",
    "元宵": "元宵节",
    "上元节": "元宵节",
    "端午": "端午节",
    "端阳": "端午节",
    "端阳节": "端午节",
    "七夕节": "七夕",
    "乞巧节": "七夕",
    "中秋": "中秋节",
    "重阳": "重阳节",
    "重九": "重阳节",
    "腊八": "腊八节",
    "大年三十": "除夕",
    "年三十": "除夕",
    "除夕夜": "除夕",
    "清明节": "清明",
}

# Lunar (month, day) of the festivals that are fixed lunar dates.
_LUNAR_FESTIVALS: dict[str, tuple[int, int]] = {
    "春节": (1, 1),
    "元宵节": (1, 15),
    "端午节": (5, 5),
    "七夕": (7, 7),
    "中秋节": (8, 15),
    "重阳节": (9, 9),
    "腊八节": (12, 8),
}

# lunar-python names the solar terms of the neighbouring years with pinyin keys.
_PINYIN_TERMS = {
    "DONG_ZHI": "冬至",
    "XIAO_HAN": "小寒",
    "DA_HAN": "大寒",
    "LI_CHUN": "立春",
    "YU_SHUI": "雨水",
    "JING_ZHE": "惊蛰",
    "DA_XUE": "大雪",
}

# lunar-python's Julian days are at noon: ordinal = JD - this.
_JD_TO_ORDINAL = 1721425

# Lunar years we can compute (lunar year 1900 covers January 1901; 除夕 of 2099 needs 2100).
_MIN_LUNAR_YEAR = 1900
_MAX_LUNAR_YEAR = 2100


class LunarDateError(ValueError):
    """A lunar date that does not exist, an unknown festival, or a date out of range."""


@dataclass(frozen=True)
class DayInfo:
    """What the Chinese calendar says about one Gregorian day."""

    date: date
    festivals: tuple[str, ...]
    solar_term: str | None
    lunar: str


class _Month(NamedTuple):
    year: int  # lunar year
    month: int  # 1..12, negative for a leap month (lunar-python convention)
    start: int  # date ordinal of day 1
    days: int  # 29 or 30


def check_date_range(d: date) -> None:
    """Raise LunarDateError when ``d`` is outside 1901-01-01..2099-12-31."""
    if isinstance(d, datetime):
        d = d.date()
    if not (MIN_DATE <= d <= MAX_DATE):
        raise LunarDateError(RANGE_MESSAGE)


def canonical_festival(name: str) -> str:
    """Return the canonical festival name for ``name`` or an alias of it (e.g. 中秋 → 中秋节)."""
    if not isinstance(name, str):
        raise LunarDateError("节日名称必须是文字")
    key = name.strip()
    if key in FESTIVALS:
        return key
    if key in FESTIVAL_ALIASES:
        return FESTIVAL_ALIASES[key]
    raise LunarDateError(f"不支持的节日：{key}（可选：{'、'.join(FESTIVALS)}）")


def lunar_month_name(month: int) -> str:
    """Chinese name of a lunar month: 1 → 正月, 11 → 冬月, 12 → 腊月, -6 → 闰六月."""
    prefix = "闰" if month < 0 else ""
    return f"{prefix}{LunarUtil.MONTH[abs(month)]}月"


def lunar_day_name(day: int) -> str:
    """Chinese name of a lunar day: 1 → 初一, 15 → 十五, 29 → 廿九, 30 → 三十."""
    return LunarUtil.DAY[day]


@lru_cache(maxsize=None)
def _lunar_year_months(lunar_year: int) -> tuple[_Month, ...]:
    """The months of one lunar year in order (12 or 13, leap month included)."""
    if not (_MIN_LUNAR_YEAR <= lunar_year <= _MAX_LUNAR_YEAR):
        raise LunarDateError(RANGE_MESSAGE)
    months = tuple(
        _Month(
            year=m.getYear(),
            month=m.getMonth(),
            start=int(m.getFirstJulianDay()) - _JD_TO_ORDINAL,
            days=m.getDayCount(),
        )
        for m in LunarYear.fromYear(lunar_year).getMonths()
        if m.getYear() == lunar_year
    )
    return months


def _month(lunar_year: int, month: int) -> _Month:
    for m in _lunar_year_months(lunar_year):
        if m.month == month:
            return m
    raise LunarDateError(f"农历{lunar_year}年没有{lunar_month_name(month)}")  # pragma: no cover


def _check_month_day(month: int, day: int) -> None:
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise LunarDateError(f"农历月份必须在 1–12 之间，收到：{month}")
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 30:
        raise LunarDateError(f"农历日期必须在 1–30 之间，收到：{day}")


def month_length(lunar_year: int, month: int) -> int:
    """Number of days (29 or 30) of the ordinary (non-leap) lunar month ``month`` of ``lunar_year``."""
    _check_month_day(month, 1)
    return _month(lunar_year, month).days


def _ordinal_to_date(ordinal: int) -> date:
    d = date.fromordinal(ordinal)
    check_date_range(d)
    return d


def lunar_to_solar(
    lunar_year: int, month: int, day: int, missing: str = "error"
) -> date | None:
    """Gregorian date of lunar ``month``/``day`` (ordinary month, 1..12) in ``lunar_year``.

    ``missing`` says what to do when the day does not exist that year (day 30 of a
    29-day month): "error" raises LunarDateError naming year and month, "skip"
    returns None, "last_day" returns the month's last day.
    """
    _check_month_day(month, day)
    if missing not in ("error", "skip", "last_day"):
        raise LunarDateError(f"缺日处理方式必须是 error、skip 或 last_day，收到：{missing}")
    if isinstance(lunar_year, bool) or not isinstance(lunar_year, int):
        raise LunarDateError(f"农历年份必须是整数，收到：{lunar_year}")
    m = _month(lunar_year, month)
    if day > m.days:
        if missing == "skip":
            return None
        if missing == "error":
            raise LunarDateError(
                f"农历{lunar_year}年{lunar_month_name(month)}只有{m.days}天，"
                f"没有{lunar_day_name(day)}日"
            )
        day = m.days
    return _ordinal_to_date(m.start + day - 1)


@lru_cache(maxsize=None)
def solar_terms(year: int) -> dict[date, str]:
    """The 24 solar terms (节气) of Gregorian ``year``, as {date: name}, Beijing time."""
    if not (MIN_DATE.year <= year <= MAX_DATE.year):
        raise LunarDateError(RANGE_MESSAGE)
    # The table of lunar year `year` runs from 大雪 of year-1 to 惊蛰 of year+1,
    # so it holds every term of Gregorian `year`.
    table = Lunar.fromYmd(year, 1, 1).getJieQiTable()
    terms: dict[date, str] = {}
    for key, solar in table.items():
        if solar.getYear() != year:
            continue
        terms[date(year, solar.getMonth(), solar.getDay())] = _PINYIN_TERMS.get(key, key)
    return terms


def festival_date(name: str, lunar_year: int) -> date:
    """Gregorian date of festival ``name`` in lunar year ``lunar_year``.

    除夕 of lunar year Y is the last day of its 腊月 (the eve of 春节 of Y+1), whether
    腊月 has 29 or 30 days. 清明 is the solar term in Gregorian year ``lunar_year``.
    """
    name = canonical_festival(name)
    if isinstance(lunar_year, bool) or not isinstance(lunar_year, int):
        raise LunarDateError(f"农历年份必须是整数，收到：{lunar_year}")
    if name == "清明":
        for d, term in solar_terms(lunar_year).items():
            if term == "清明":
                return d
        raise LunarDateError(f"{lunar_year}年没有找到清明")  # pragma: no cover
    if name == "除夕":
        return _ordinal_to_date(_month(lunar_year + 1, 1).start - 1)
    month, day = _LUNAR_FESTIVALS[name]
    result = lunar_to_solar(lunar_year, month, day)
    assert result is not None  # festivals fall on days every month has
    return result


def festivals_in_range(name: str, start: date, end: date) -> list[date]:
    """All dates of festival ``name`` in [start, end] (inclusive), sorted."""
    name = canonical_festival(name)
    start, end = _as_date(start), _as_date(end)
    check_date_range(start)
    check_date_range(end)
    if start > end:
        return []
    found: list[date] = []
    # A lunar year Y can put 腊八/除夕 into January/February of Y+1: start one year early.
    for year in range(start.year - 1, end.year + 1):
        try:
            d = festival_date(name, year)
        except LunarDateError:
            continue  # that year's date lies outside the supported range
        if start <= d <= end:
            found.append(d)
    return sorted(found)


def _as_date(d: date) -> date:
    return d.date() if isinstance(d, datetime) else d


@lru_cache(maxsize=256)
def _year_index(year: int) -> tuple[tuple[int, ...], tuple[_Month, ...], dict[date, tuple[str, ...]]]:
    """Per Gregorian year: month starts (for bisect), months, and festivals by date."""
    months = tuple(
        m
        for lunar_year in (year - 1, year)
        for m in _lunar_year_months(lunar_year)
    )
    starts = tuple(m.start for m in months)
    by_date: dict[date, list[str]] = {}
    for name in FESTIVALS:
        candidates: list[date] = []
        if name == "清明":
            candidates.append(festival_date(name, year))
        else:
            for lunar_year in (year - 1, year):
                try:
                    candidates.append(festival_date(name, lunar_year))
                except LunarDateError:
                    continue
        for d in candidates:
            if d.year == year:
                by_date.setdefault(d, []).append(name)
    return starts, months, {d: tuple(names) for d, names in by_date.items()}


def _locate(d: date) -> _Month:
    starts, months, _ = _year_index(d.year)
    i = bisect_right(starts, d.toordinal()) - 1
    return months[i]


def lunar_year_of(d: date) -> int:
    """The lunar year that contains Gregorian date ``d`` (e.g. 2026-02-16 → 2025)."""
    d = _as_date(d)
    check_date_range(d)
    return _locate(d).year


def day_info(d: date) -> DayInfo:
    """Festivals, solar term and lunar date name (e.g. "正月十五") of Gregorian date ``d``."""
    d = _as_date(d)
    check_date_range(d)
    starts, months, festivals = _year_index(d.year)
    i = bisect_right(starts, d.toordinal()) - 1
    m = months[i]
    lunar = lunar_month_name(m.month) + lunar_day_name(d.toordinal() - m.start + 1)
    return DayInfo(
        date=d,
        festivals=festivals.get(d, ()),
        solar_term=solar_terms(d.year).get(d),
        lunar=lunar,
    )

