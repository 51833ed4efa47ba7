"""The year summary: per program, 场次 held and 人次 reported in an area, by town and by month, with the
sentence a year-end 工作总结 quotes ("全年组织戏曲进乡村N场，惠及群众M人次") and a total line.

Held means: published, not cancelled, ended by the cut-off (now, or the end of the year if that is
earlier, or the end of a day staff choose: figures "as of 30 November" for a report written later),
and started in the year (local time). One grouped query over the year's window
(index `ix_occurrences_area_window`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select

from calendar_app.areas.models import Area
from calendar_app.db import ValidationError
from calendar_app.events.models import Occurrence
from calendar_app.extensions import db
from calendar_app.programs.models import Program
from calendar_app.reports.periods import month_starts
from calendar_app.reports.towns import TownIndex

OTHER_PROGRAM = "其他活动"


@dataclass
class ProgramYear:
    program_id: int | None
    program: str
    held: int = 0
    attendance: int = 0
    #: town id -> [name, held, attendance]
    towns: dict = field(default_factory=dict)
    months: list[list[int]] = field(default_factory=lambda: [[0, 0] for _ in range(12)])

    @property
    def sentence(self) -> str:
        return f"全年组织{self.program}{self.held}场，惠及群众{self.attendance}人次"

    def to_json(self, year: int) -> dict:
        return {"program_id": self.program_id, "program": self.program, "held_events": self.held,
                "reported_attendance": self.attendance,
                "by_town": [{"town_id": tid, "town": name, "held_events": h, "reported_attendance": a}
                            for tid, (name, h, a) in sorted(self.towns.items(), key=lambda kv: kv[1][0])],
                "by_month": [{"month": f"{year}-{m + 1:02d}", "held_events": h, "reported_attendance": a}
                             for m, (h, a) in enumerate(self.months)],
                "sentence": self.sentence}


@dataclass
class YearSummary:
    area: Area
    year: int
    cutoff: datetime
    programs: list[ProgramYear]

    @property
    def held(self) -> int:
        return sum(p.held for p in self.programs)

    @property
    def attendance(self) -> int:
        return sum(p.attendance for p in self.programs)

    @property
    def sentence(self) -> str:
        return f"全年共组织各类文旅活动{self.held}场，惠及群众{self.attendance}人次"

    def towns(self) -> list[tuple[int, str]]:
        seen = {}
        for p in self.programs:
            for tid, (name, _h, _a) in p.towns.items():
                seen[tid] = name
        return sorted(seen.items(), key=lambda kv: kv[1])

    def month_totals(self) -> list[tuple[int, int]]:
        return [(sum(p.months[m][0] for p in self.programs), sum(p.months[m][1] for p in self.programs))
                for m in range(12)]

    def to_json(self) -> dict:
        return {"area": {"id": self.area.id, "name": self.area.name}, "year": self.year,
                "cutoff": self.cutoff.isoformat(), "items": [p.to_json(self.year) for p in self.programs],
                "total": {"held_events": self.held, "reported_attendance": self.attendance,
                          "sentence": self.sentence}}


def year_summary(area: Area, year: int, *, now: datetime, tz: ZoneInfo, until: date | None = None) -> YearSummary:
    """The year's held 场次 and 人次 under `area` (the caller checked it is in their scope), counting
    what ended by the end of local day `until` when given (never later than now)."""
    bounds = [datetime.combine(d, time(0), tz).astimezone(timezone.utc) for d in month_starts(year)]
    cutoff = min(now, bounds[-1])
    if until is not None:
        if until.year < year:
            raise ValidationError(f"截止日期 {until} 早于 {year} 年，请选择 {year} 年内或之后的日期", "cutoff")
        cutoff = min(cutoff, datetime.combine(until + timedelta(days=1), time(0), tz).astimezone(timezone.utc))
    month = case(*((Occurrence.starts_at < b, i) for i, b in enumerate(bounds[1:-1])), else_=11)
    # The area ids as a list, not a subquery: PostgreSQL then reads one index range of the year per
    # area (ix_occurrences_area_window) instead of joining against all of history.
    area_ids = list(db.session.scalars(select(Area.id).where(Area.path.startswith(area.path, autoescape=True))))
    query = (select(Occurrence.program_id, Occurrence.area_id, month, func.count(),
                    func.coalesce(func.sum(Occurrence.attendance), 0))
             .where(Occurrence.area_id.in_(area_ids),
                    Occurrence.starts_at >= bounds[0], Occurrence.starts_at < bounds[-1],
                    Occurrence.is_public.is_(True), Occurrence.status != "cancelled", Occurrence.ends_at <= cutoff)
             .group_by(Occurrence.program_id, Occurrence.area_id, month))
    rows = db.session.execute(query).all()
    towns = TownIndex({row[1] for row in rows})
    program_ids = {row[0] for row in rows if row[0] is not None}
    names = dict(db.session.execute(select(Program.id, Program.name).where(Program.id.in_(program_ids))).all()) \
        if program_ids else {}
    programs: dict[int | None, ProgramYear] = {}
    for program_id, area_id, m, n, attendance in rows:
        p = programs.get(program_id)
        if p is None:
            p = programs[program_id] = ProgramYear(program_id, names.get(program_id, OTHER_PROGRAM))
        attendance = int(attendance or 0)
        p.held += n
        p.attendance += attendance
        town = towns.town_of(area_id)
        entry = p.towns.setdefault(town.id, [town.name, 0, 0])
        entry[1] += n
        entry[2] += attendance
        p.months[int(m)][0] += n
        p.months[int(m)][1] += attendance
    ordered = sorted(programs.values(), key=lambda p: (p.program_id is None, -p.held, p.program))
    return YearSummary(area, year, cutoff, ordered)
