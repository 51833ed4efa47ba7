"""Statutory holidays and make-up working days (调休) announced by the State Council.

Pure module (no Flask, no database), a thin layer over chinesecalendar. The data
covers only the years whose 国务院办公厅 notice has been published; for any other
year we fail closed with :class:`NoHolidayData` rather than guess.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from chinese_calendar import constants as _cc

__all__ = [
    "HOLIDAY_NAMES",
    "NoHolidayData",
    "OfficialDay",
    "known_years",
    "official_days",
    "official_day",
]

#: chinesecalendar's English holiday names → the Chinese names used in the notices.
HOLIDAY_NAMES: dict[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class NoHolidayData(LookupError):
    """No State Council holiday data for the requested year."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(f"尚无 {year} 年的法定节假日数据（国务院通知尚未录入）")


@dataclass(frozen=True)
class OfficialDay:
    """One day of the official calendar: a day off ("holiday") or a 调休 working day ("workday")."""

    date: date
    kind: str  # "holiday" | "workday"
    name: str  # Chinese holiday name, e.g. "春节"


def _chinese_name(english: str) -> str:
    # A holiday added by a future chinesecalendar release keeps its English name
    # rather than breaking the page; a test pins the mapping for known names.
    return HOLIDAY_NAMES.get(english, english)


@lru_cache(maxsize=1)
def _known_years() -> frozenset[int]:
    return frozenset({d.year for d in _cc.holidays} | {d.year for d in _cc.workdays})


def known_years() -> list[int]:
    """Years for which the installed chinesecalendar has the State Council's data, ascending."""
    return sorted(_known_years())


@lru_cache(maxsize=None)
def _official_days(year: int) -> tuple[OfficialDay, ...]:
    if year not in _known_years():
        raise NoHolidayData(year)
    days = [
        OfficialDay(d, "holiday", _chinese_name(name))
        for d, name in _cc.holidays.items()
        if d.year == year
    ] + [
        OfficialDay(d, "workday", _chinese_name(name))
        for d, name in _cc.workdays.items()
        if d.year == year
    ]
    return tuple(sorted(days, key=lambda o: o.date))


def official_days(year: int) -> list[OfficialDay]:
    """All statutory days off and 调休 working days of ``year``, sorted by date.

    Raises NoHolidayData for a year whose notice is not in the data.
    """
    if isinstance(year, bool) or not isinstance(year, int):
        raise TypeError("year must be an int")
    return list(_official_days(year))


def official_day(d: date) -> OfficialDay | None:
    """The official holiday/调休 entry for date ``d``, or None for an ordinary day."""
    for o in _official_days(d.year):
        if o.date == d:
            return o
    return None
