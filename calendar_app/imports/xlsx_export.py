"""Spreadsheets out: occurrences and attendance of the caller's scope and a period; the import template.

The export reads only the asked window (at most 366 days) from the occurrences table, with the
caller's scope active, so it holds exactly what the caller may see. Its first sheet uses the import
columns (plus 届次, 状态, 人次, 填报时间, which the import ignores), so an exported one-off event can
be imported again into another edition. A second sheet sums 场次 and 人次 per town and program.
"""
from __future__ import annotations

import io
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from calendar_app import clock
from calendar_app.accounts.models import User
from calendar_app.accounts.scope import Scope
from calendar_app.areas.models import Area
from calendar_app.db import ValidationError
from calendar_app.params import parse_date, parse_id
from calendar_app.events import workflow
from calendar_app.events.models import EVENT_STATUSES, OCCURRENCE_STATUSES, Event, Occurrence
from calendar_app.events.services import MAX_INSTANCE_LENGTH
from calendar_app.extensions import db
from calendar_app.imports.repeat import GRAMMAR
from calendar_app.imports.sheet import REQUIRED
from calendar_app.programs.models import Edition, Program

MAX_EXPORT_DAYS = 366
EXPORT_COLUMNS = ("活动名称", "品牌活动", "届次", "镇街", "场馆", "日期", "开始时间", "结束时间", "状态", "人次", "填报时间")
IMPORT_COLUMNS = ("活动名称", "品牌活动", "镇街", "场馆", "日期", "开始时间", "结束时间", "重复", "备注")
_WIDTHS = {"活动名称": 30, "品牌活动": 16, "届次": 18, "镇街": 12, "场馆": 20, "日期": 12, "开始时间": 10, "结束时间": 10,
           "状态": 14, "人次": 8, "填报时间": 17, "重复": 22, "备注": 30}
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F2E6D9")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _parse_day(value, field: str, label: str) -> date:
    """A date argument, read by the app's one parameter parser (format and the supported years)."""
    if isinstance(value, date):
        value = value.isoformat()
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"缺少{label}（YYYY-MM-DD）", field)
    return parse_date(value.strip(), field)


def _int_arg(value, field: str, label: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValidationError(f"{label}必须是编号", field)
    return parse_id(value, field)


def export_window(start, end) -> tuple[date, date]:
    """The inclusive local dates of an export, at most MAX_EXPORT_DAYS long."""
    first, last = _parse_day(start, "start", "开始日期"), _parse_day(end, "end", "结束日期")
    if last < first:
        raise ValidationError(f"结束日期 {last} 早于开始日期 {first}", "end")
    if (last - first).days + 1 > MAX_EXPORT_DAYS:
        raise ValidationError(f"导出时间段最长 {MAX_EXPORT_DAYS} 天（当前 {(last - first).days + 1} 天）", "end")
    return first, last


def _town(area: Area, areas: dict[int, Area]) -> Area:
    return areas.get(area.parent_id, area) if area.kind == "village" else area


def _header(ws, names) -> None:
    cells = []
    for name in names:
        cell = WriteOnlyCell(ws, value=name)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cells.append(cell)
    ws.append(cells)


def _typed(ws, value, number_format: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = number_format
    return cell


def export_xlsx(actor: User, start, end, *, edition=None, program=None, area=None) -> tuple[bytes, str]:
    """The .xlsx of occurrences starting in [start, end] (local dates) within the actor's scope.

    Returns (bytes, file name). Filters: edition id, program id, area id (with its villages); an
    area outside the scope is refused (ScopeError), ids the caller cannot see give an empty sheet.
    """
    first, last = export_window(start, end)
    tz = ZoneInfo(current_app.config["CALENDAR_TIMEZONE"])
    low = datetime.combine(first, time(0)).replace(tzinfo=tz).astimezone(timezone.utc)
    high = datetime.combine(last + timedelta(days=1), time(0)).replace(tzinfo=tz).astimezone(timezone.utc)
    query = (select(Occurrence).join(Event, Event.id == Occurrence.event_id)
             .options(joinedload(Occurrence.event), joinedload(Occurrence.venue))
             .where(Occurrence.starts_at >= low, Occurrence.starts_at < high)
             .order_by(Occurrence.starts_at, Occurrence.id))
    edition_id = _int_arg(edition, "edition", "届次")
    program_id = _int_arg(program, "program", "活动品牌")
    area_id = _int_arg(area, "area", "区域")
    if edition_id is not None:
        query = query.where(Occurrence.edition_id == edition_id)
    if program_id is not None:
        query = query.where(Occurrence.program_id == program_id)
    if area_id is not None:
        chosen = db.session.get(Area, area_id)
        if chosen is None:
            raise ValidationError(f"区域不存在：{area_id}", "area")
        Scope.of(actor).require_area(chosen)
        query = query.where(Occurrence.area_id.in_(select(Area.id).where(Area.path.startswith(chosen.path,
                                                                                              autoescape=True))))
    areas = {a.id: a for a in workflow.areas_for(actor)}
    if actor.role != "admin":
        for ancestor in db.session.scalars(select(Area).where(Area.id.in_(Scope.of(actor).ancestor_ids or [-1]))):
            areas[ancestor.id] = ancestor
    programs = {p.id: p for p in db.session.scalars(select(Program))}
    editions: dict[int, Edition] = {}

    book = Workbook(write_only=True)
    sheet = book.create_sheet("活动")
    for index, name in enumerate(EXPORT_COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = _WIDTHS[name]
    sheet.freeze_panes = "A2"
    _header(sheet, EXPORT_COLUMNS)
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    count = 0
    for occ in db.session.scalars(query.execution_options(yield_per=500)):
        event = occ.event
        count += 1
        area_obj = areas.get(occ.area_id) or db.session.get(Area, occ.area_id)
        program_obj = programs.get(occ.program_id)
        edition_obj = None
        if occ.edition_id is not None:
            edition_obj = editions.get(occ.edition_id) or db.session.get(Edition, occ.edition_id)
            editions[occ.edition_id] = edition_obj
        starts, ends = occ.starts_at.astimezone(tz), occ.ends_at.astimezone(tz)
        all_day = event.is_all_day
        status = EVENT_STATUSES[event.status]
        if occ.status != "scheduled":
            status += f" · 本场{OCCURRENCE_STATUSES[occ.status]}"
        reported = occ.attendance_reported_at.astimezone(tz).replace(tzinfo=None) if occ.attendance_reported_at else None
        sheet.append([
            event.title, program_obj.name if program_obj else None, edition_obj.name if edition_obj else None,
            area_obj.name if area_obj else None, occ.venue.name if occ.venue else None,
            _typed(sheet, starts.date(), "yyyy-mm-dd"),
            "全天" if all_day else _typed(sheet, starts.time().replace(tzinfo=None), "hh:mm"),
            "全天" if all_day else _typed(sheet, ends.time().replace(tzinfo=None), "hh:mm"),
            status, occ.attendance,
            _typed(sheet, reported, "yyyy-mm-dd hh:mm") if reported else None,
        ])
        if occ.status != "cancelled" and event.status != "cancelled":
            town = _town(area_obj, areas) if area_obj else None
            key = (town.name if town else "", program_obj.name if program_obj else "（未归入品牌）")
            totals[key][0] += 1
            totals[key][1] += occ.attendance or 0
            totals[key][2] += occ.attendance is not None
    summary = book.create_sheet("汇总")
    for letter, width in zip("ABCDE", (14, 20, 10, 12, 14)):
        summary.column_dimensions[letter].width = width
    summary.append([f"{first:%Y-%m-%d} 至 {last:%Y-%m-%d}（导出于 {clock.now().astimezone(tz):%Y-%m-%d %H:%M}）"])
    _header(summary, ("镇街", "品牌活动", "场次", "人次", "已填报场次"))
    for (town_name, program_name), (n, people, reported_n) in sorted(totals.items()):
        summary.append([town_name, program_name, n, people, reported_n])
    summary.append(["合计", None, sum(v[0] for v in totals.values()), sum(v[1] for v in totals.values()),
                    sum(v[2] for v in totals.values())])
    summary.append(["场次不含已取消的场次；人次为已填报的合计。"])
    if count == 0:
        sheet.append(["（该时间段内没有活动）"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), f"活动与人次_{first:%Y%m%d}-{last:%Y%m%d}.xlsx"


def _next_saturday(today: date) -> date:
    return today + timedelta(days=(5 - today.weekday()) % 7 or 7)


def template_xlsx(actor: User, edition: Edition | None = None) -> bytes:
    """The import template: headers, one example row valid for the actor, and a sheet explaining each column."""
    area = actor.area if actor.area.kind in ("town", "village") else next(
        (a for a in workflow.areas_for(actor) if a.kind == "town"), actor.area)
    venues = workflow.venues_for(actor)
    venue = next((v for v in venues if v.area_id == area.id), None) or next(
        (v for v in venues if v.area.path.startswith(area.path)), None)
    day = _next_saturday(clock.today())
    if edition is not None and edition.starts_on > day:
        day = _next_saturday(edition.starts_on - timedelta(days=1))
    book = Workbook()
    sheet = book.active
    sheet.title = "活动"
    sheet.append(list(IMPORT_COLUMNS))
    for index, name in enumerate(IMPORT_COLUMNS):
        cell = sheet.cell(row=1, column=index + 1)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        sheet.column_dimensions[chr(ord("A") + index)].width = _WIDTHS[name]
    program_name = edition.program.name if edition is not None else None
    sheet.append([f"{program_name or '戏曲进乡村'}·{area.name}专场", program_name, area.name,
                  venue.name if venue else None, day, time(19, 0), time(21, 0), "每周六，共4次",
                  "示例行：导入前请改成您的活动，或删除本行"])
    sheet["E2"].number_format = "yyyy-mm-dd"
    sheet["F2"].number_format = sheet["G2"].number_format = "hh:mm"
    sheet.freeze_panes = "A2"

    notes = book.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 26
    notes.column_dimensions["B"].width = 80
    wrap = Alignment(wrap_text=True, vertical="top")
    rows = [
        ("列", "怎样填写"),
        ("活动名称", "必填，最多 200 字。"),
        ("品牌活动", "可不填：导入时选择的届次决定活动品牌；若填写，须与该届次的品牌名称一致。"),
        ("镇街", "必填：镇、街道或村、社区的名称（如 金山镇、东崖村），也可填区划代码；须在您的管辖范围内。"
                 "镇街协调员可留空，表示本镇街。"),
        ("场馆", "可不填；若填写，须与系统中的场馆名称完全一致。同一场馆同一时段（含换场时间）只能安排一场活动，"
                 "表内各行之间也会检查。"),
        ("日期", "必填：第一场的日期，Excel 日期或文字 YYYY-MM-DD（如 2026-03-07）；不存在的日期（如 2026-02-30）会被拒绝。"),
        ("开始时间", "必填：Excel 时间或文字 HH:MM（如 19:00）；全天活动写“全天”。"),
        ("结束时间", "必填：晚于开始时间，如 21:30；全天活动写“全天”或留空。"),
        ("重复", "可不填；写法见下表。"),
        ("备注", "可不填：活动简介，最多 2000 字，按纯文本显示。"),
        ("", ""),
        ("重复的写法", "含义"),
        *GRAMMAR,
        ("", ""),
        ("规则", f"表头必须包含：{'、'.join(REQUIRED)}；列的顺序随意，多余的列会被忽略。"),
        ("", "不要合并单元格；同一活动名称、镇街、场馆、日期和开始时间的行不能重复。"),
        ("", "每个文件最多 5000 行。整个文件要么全部导入，要么（有任何一行出错时）一行也不导入，"
             "并列出每个出错的行、列和原因。导入的活动均为草稿，提交审核后由文旅局发布。"),
    ]
    for left, right in rows:
        notes.append([left, right])
    for row in notes.iter_rows():
        for cell in row:
            cell.alignment = wrap
    for r in (1, 12):
        for c in (1, 2):
            notes.cell(row=r, column=c).font = _HEADER_FONT
            notes.cell(row=r, column=c).fill = _HEADER_FILL
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

