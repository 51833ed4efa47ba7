"""Day facts for the public calendar, the API and scheduling hints."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import extract, func, select

from calendar_app.db import ValidationError, transaction_memo
from calendar_app.extensions import db
from calendar_app.festivals import holidays, lunar
from calendar_app.festivals.models import OfficialDay
from calendar_app.text import clean_text


@dataclass(frozen=True)
class Day:
    date: date
    festivals: tuple[str, ...]
    solar_term: str | None
    lunar: str
    #: None when no official data is loaded for that year (we do not guess).
    is_holiday: bool | None
    is_makeup_workday: bool | None
    holiday_name: str | None

    def to_json(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "festivals": list(self.festivals),
            "solar_term": self.solar_term,
            "lunar": self.lunar,
            "is_holiday": self.is_holiday,
            "is_makeup_workday": self.is_makeup_workday,
            "holiday_name": self.holiday_name,
        }


def known_years(first: int, last: int) -> set[int]:
    """Years in [first, last] with official holiday data loaded."""
    year = extract("year", OfficialDay.day)
    rows = db.session.execute(
        select(year).where(OfficialDay.day >= date(first, 1, 1), OfficialDay.day <= date(last, 12, 31)).group_by(year)
    )
    return {int(y) for (y,) in rows}


def days(start: date, end: date) -> list[Day]:
    """One Day per date in [start, end] (inclusive), with one query for the official days."""
    try:
        lunar.day_info(start), lunar.day_info(end)
    except lunar.LunarDateError as exc:
        raise ValidationError(str(exc), "start") from None
    official = {
        row.day: row for row in db.session.scalars(
            select(OfficialDay).where(OfficialDay.day >= start, OfficialDay.day <= end))
    }
    years = known_years(start.year, end.year)
    result = []
    current = start
    while current <= end:
        info = lunar.day_info(current)
        row = official.get(current)
        known = current.year in years
        result.append(Day(
            date=current,
            festivals=tuple(info.festivals),
            solar_term=info.solar_term,
            lunar=info.lunar,
            is_holiday=(row is not None and row.kind == "holiday") if known else None,
            is_makeup_workday=(row is not None and row.kind == "workday") if known else None,
            holiday_name=row.name if row else None,
        ))
        current += timedelta(days=1)
    return result


_CACHE_KEY = "festivals.official_days"


def _official_days_of(years: set[int]) -> dict[date, tuple]:
    """The official days of `years` (day -> (day, kind, name)), read once per transaction: a
    spreadsheet import asks for every row, and the table changes only through the two writers below."""
    memo = transaction_memo(_CACHE_KEY)
    loaded, days = memo.setdefault("years", set()), memo.setdefault("days", {})
    missing = years - loaded
    if missing:
        # One query for the span of the missing years (a series crossing New Year wants two).
        first, last = min(missing), max(missing)
        for row in db.session.execute(select(OfficialDay.day, OfficialDay.kind, OfficialDay.name).where(
                OfficialDay.day >= date(first, 1, 1), OfficialDay.day <= date(last, 12, 31))):
            days[row.day] = row
        loaded.update(range(first, last + 1))
    return days


def hints_for_dates(dates: list[date]) -> list[str]:
    """Warnings for dates on a statutory holiday or a 调休 working day, one line per kind."""
    if not dates:
        return []
    official = _official_days_of({d.year for d in dates})
    rows = [official[d] for d in sorted(set(dates)) if d in official]
    hints = []
    workdays = [r for r in rows if r.kind == "workday"]
    holidays_ = [r for r in rows if r.kind == "holiday"]
    if workdays:
        listed = "、".join(f"{r.day.month}月{r.day.day}日（{r.name}调休）" for r in workdays[:5])
        more = f"等 {len(workdays)} 天" if len(workdays) > 5 else ""
        hints.append(f"有场次安排在调休上班日：{listed}{more}，观众可能较少")
    if holidays_:
        listed = "、".join(f"{r.day.month}月{r.day.day}日（{r.name}）" for r in holidays_[:5])
        more = f"等 {len(holidays_)} 天" if len(holidays_) > 5 else ""
        hints.append(f"有场次安排在法定节假日：{listed}{more}，请确认场馆开放与人员安排")
    return hints


def sync_official_days(years: list[int]) -> dict[int, int]:
    """Load chinesecalendar's data for `years` into the table; staff rows are kept. Returns rows per year."""
    db.session.info.pop(_CACHE_KEY, None)
    loaded = {}
    for year in years:
        try:
            entries = holidays.official_days(year)
        except holidays.NoHolidayData:
            continue
        existing = {row.day: row for row in db.session.scalars(
            select(OfficialDay).where(OfficialDay.day >= date(year, 1, 1), OfficialDay.day <= date(year, 12, 31)))}
        for entry in entries:
            row = existing.get(entry.date)
            if row is None:
                db.session.add(OfficialDay(day=entry.date, kind=entry.kind, name=entry.name, source="chinesecalendar"))
            elif row.source == "chinesecalendar":
                row.kind, row.name = entry.kind, entry.name
        loaded[year] = len(entries)
    db.session.flush()
    return loaded


def set_official_day(day: date, kind: str, name: str) -> OfficialDay:
    """Add or change one day by hand (when the State Council publishes a year the package lacks)."""
    if kind not in ("holiday", "workday"):
        raise ValidationError("类型只能是 holiday（放假）或 workday（调休上班）", "kind")
    if not date(1901, 1, 1) <= day <= date(2099, 12, 31):
        raise ValidationError(f"日期超出支持范围（1901–2099 年）：{day}", "day")
    name = clean_text(name, field="name", label="节日名称", max_length=64, required=True)
    db.session.info.pop(_CACHE_KEY, None)
    row = db.session.get(OfficialDay, day)
    if row is None:
        row = OfficialDay(day=day)
        db.session.add(row)
    row.kind, row.name, row.source = kind, name, "staff"
    db.session.flush()
    return row


def official_day_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OfficialDay)) or 0
