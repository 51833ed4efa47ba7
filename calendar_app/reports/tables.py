"""The numbers behind every chart as plain tables (headers, rows): shown on the pages and written to
CSV and .xlsx, so what a person reads, downloads and pastes is the same."""
from __future__ import annotations

from calendar_app.reports.progress import ProgressReport
from calendar_app.reports.summary import YearSummary
from calendar_app.reports.venue_load import VenueLoadReport


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _h(seconds_or_hours: float) -> float:
    return round(seconds_or_hours, 2)


VENUE_HEADERS = ["场馆", "所在区域", "类型", "已预订（小时）", "开放（小时）", "利用率", "场次", "冲突", "换场紧张",
                 "开放时间外", "最忙的星期", "最忙的时段", "平均每场人数（报告或计划）", "容量"]


def venue_rows(report: VenueLoadReport) -> list[list]:
    return [[v.name, v.area_name, v.kind_label, _h(v.booked_hours), _h(v.available_hours) if v.has_hours else None,
             _pct(v.utilization), v.total_occurrences, v.total_conflicts, v.total_tight, v.total_outside,
             v.busiest_weekday or "—", v.busiest_hour or "—",
             v.average_attendance, v.capacity] for v in report.venues]


BUCKET_HEADERS = ["场馆", "起始日期", "已预订（小时）", "开放（小时）", "利用率", "场次", "冲突", "换场紧张", "开放时间外"]


def bucket_rows(report: VenueLoadReport) -> list[list]:
    return [[i["venue"], i["period_start"], i["booked_hours"], i["available_hours"],
             _pct(i["utilization"]), i["occurrences"], i["conflicts"], i["tight_changeovers"], i["outside_hours"]]
            for i in report.items()]


PROGRESS_HEADERS = ["品牌活动", "届次", "镇街", "目标场次", "已排期", "已举办", "目标人次", "已报人次", "未填报人次场次",
                    "截止日期", "按进度此时应举办", "进度"]


def progress_rows(report: ProgressReport, today) -> list[list]:
    out = []
    for r in report.rows:
        on_pace = r.on_pace(today)
        out.append([r.edition.program.name, r.edition.name, r.town.name, r.target_events, r.scheduled, r.held,
                    r.target_attendance, r.reported_attendance, r.unreported, r.due_on.isoformat(),
                    r.expected_by(today), "—" if on_pace is None else ("正常" if on_pace else "落后")])
    return out


SUMMARY_HEADERS = ["品牌活动", "举办场次", "惠及人次", "总结表述"]


def summary_rows(summary: YearSummary) -> list[list]:
    rows = [[p.program, p.held, p.attendance, p.sentence] for p in summary.programs]
    rows.append(["合计", summary.held, summary.attendance, summary.sentence])
    return rows


def summary_town_table(summary: YearSummary) -> tuple[list[str], list[list]]:
    towns = summary.towns()
    headers = ["品牌活动"] + [f"{name}（场次）" for _id, name in towns] + [f"{name}（人次）" for _id, name in towns]
    rows = []
    for p in summary.programs:
        rows.append([p.program] + [p.towns.get(tid, [None, 0, 0])[1] for tid, _ in towns]
                    + [p.towns.get(tid, [None, 0, 0])[2] for tid, _ in towns])
    rows.append(["合计"] + [sum(p.towns.get(tid, [None, 0, 0])[1] for p in summary.programs) for tid, _ in towns]
                + [sum(p.towns.get(tid, [None, 0, 0])[2] for p in summary.programs) for tid, _ in towns])
    return headers, rows


def summary_month_table(summary: YearSummary) -> tuple[list[str], list[list]]:
    headers = ["品牌活动"] + [f"{m}月场次" for m in range(1, 13)] + [f"{m}月人次" for m in range(1, 13)]
    rows = [[p.program] + [h for h, _a in p.months] + [a for _h, a in p.months] for p in summary.programs]
    totals = summary.month_totals()
    rows.append(["合计"] + [h for h, _a in totals] + [a for _h, a in totals])
    return headers, rows


def _pair(held: int, attendance: int) -> str:
    return f"{held} 场 / {attendance} 人次" if held or attendance else "—"


def summary_town_view(summary: YearSummary) -> tuple[list[str], list[list]]:
    """For the page: one row per town, one column per program ("N 场 / M 人次"), and the total."""
    headers = ["镇街"] + [p.program for p in summary.programs] + ["合计"]
    rows = []
    for tid, name in summary.towns():
        cells = [p.towns.get(tid, [name, 0, 0]) for p in summary.programs]
        rows.append([name] + [_pair(c[1], c[2]) for c in cells]
                    + [_pair(sum(c[1] for c in cells), sum(c[2] for c in cells))])
    return headers, rows


def summary_month_view(summary: YearSummary) -> tuple[list[str], list[list]]:
    """For the page: one row per month, one column per program ("N 场 / M 人次"), and the total."""
    headers = ["月份"] + [p.program for p in summary.programs] + ["合计"]
    totals = summary.month_totals()
    rows = [[f"{m + 1}月"] + [_pair(*p.months[m]) for p in summary.programs] + [_pair(*totals[m])] for m in range(12)]
    return headers, rows
