"""Reading the schedule sheet a bureau already keeps into typed rows (no database).

The sheet has a header row (within its first ten rows; a title row above it is fine) naming the
columns 活动名称, 品牌活动, 镇街, 场馆, 日期, 开始时间, 结束时间, 重复, 备注 in any order; extra
columns are ignored, spaces around names too. Dates may be Excel dates or text YYYY-MM-DD, times
Excel times or HH:MM. Problems of a single cell become a `RowError` of that row; problems of the
file (not a spreadsheet, no header, merged cells in the table, too many rows) raise ImportRefused.
"""
from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from calendar_app.imports.repeat import Repeat, RepeatError, parse_repeat
from calendar_app.imports.report import ImportRefused, RowError
from calendar_app.imports.safety import check_xlsx, merged_ranges, sheet_over_limit

#: Column header -> attribute of SheetRow.
COLUMNS = {"活动名称": "title", "品牌活动": "program", "镇街": "area", "场馆": "venue", "日期": "day",
           "开始时间": "start", "结束时间": "end", "重复": "repeat", "备注": "note"}
REQUIRED = ("活动名称", "镇街", "日期", "开始时间", "结束时间")
#: Data rows one file may hold (a district's whole year is about 7,000 events: split by half-year).
MAX_ROWS = 5000
#: Rows read past the header, blank ones included, before the file is called too large.
MAX_SCANNED_ROWS = 20000
MAX_COLUMNS = 60
_HEADER_SEARCH_ROWS = 10
_EXCEL_ERRORS = {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!"}
_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_TIME_RE = re.compile(r"(\d{1,2})\s*[:：点时]\s*(\d{1,2})?\s*分?(?:[:：]\d{1,2})?")
_EXCEL_EPOCH = datetime(1899, 12, 30)
_TIME_ONLY_DATES = {date(1899, 12, 30), date(1899, 12, 31), date(1900, 1, 1)}
ALL_DAY_WORDS = {"全天", "整天", "全日"}


@dataclass
class SheetRow:
    """One data row, each value typed (None where the cell was empty or wrong)."""

    number: int
    title: str | None = None
    program: str | None = None
    area: str | None = None
    venue: str | None = None
    day: date | None = None
    start: time | None = None
    end: time | None = None
    all_day: bool = False
    repeat: Repeat = field(default_factory=Repeat)
    note: str | None = None
    errors: list[RowError] = field(default_factory=list)

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))


def _header_name(value) -> str | None:
    if not isinstance(value, str):
        return None
    name = re.sub(r"[\s\u3000]+", "", value).rstrip("*＊")
    name = re.sub(r"[（(](必填|选填|可选)[)）]$", "", name)
    return name or None


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(row: SheetRow, column: str, value, *, max_length: int, required: bool = False) -> str | None:
    if _blank(value):
        if required:
            row.fail(column, f"缺少{column}")
        return None
    if isinstance(value, bool) or isinstance(value, (datetime, date, time, timedelta)):
        row.fail(column, f"应为文字，收到{_describe(value)}")
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text in _EXCEL_ERRORS:
        row.fail(column, f"单元格是公式错误 {text}")
        return None
    if len(text) > max_length:
        row.fail(column, f"过长：{len(text)} 个字（最多 {max_length} 个）")
        return None
    return text


def _describe(value) -> str:
    if isinstance(value, bool):
        return f"逻辑值 {'TRUE' if value else 'FALSE'}"
    if isinstance(value, datetime):
        return f"日期 {value:%Y-%m-%d}" if value.time() == time(0) else f"日期时间 {value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return f"日期 {value:%Y-%m-%d}"
    if isinstance(value, time):
        return f"时间 {value:%H:%M}"
    if isinstance(value, (int, float)):
        return f"数字 {value:g}"
    return f"“{str(value)[:40]}”"


def _date(row: SheetRow, value) -> date | None:
    column = "日期"
    if _blank(value):
        row.fail(column, "缺少日期")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 367 <= value < 73051:  # an Excel serial date left without a date format (1901-2099)
            return (_EXCEL_EPOCH + timedelta(days=int(value))).date()
        row.fail(column, f"应为日期（如 2026-03-07），收到{_describe(value)}")
        return None
    if isinstance(value, str):
        text = value.strip()
        if text in _EXCEL_ERRORS:
            row.fail(column, f"单元格是公式错误 {text}")
            return None
        m = _DATE_RE.fullmatch(text)
        if not m:
            row.fail(column, f"格式不正确：“{text[:40]}”（应为 YYYY-MM-DD，如 2026-03-07）")
            return None
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            row.fail(column, f"{text} 不是有效日期")
            return None
    row.fail(column, f"应为日期（如 2026-03-07），收到{_describe(value)}")
    return None


def _time(row: SheetRow, column: str, value) -> time | str | None:
    """A time of day, "all-day", or None (with an error)."""
    if _blank(value):
        row.fail(column, f"缺少{column}（如 19:00；全天活动写“全天”）")
        return None
    if isinstance(value, datetime) and (value.date() in _TIME_ONLY_DATES or value.time() != time(0)):
        return value.time().replace(second=0, microsecond=0)  # a time cell, or a date-time typed in full
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, timedelta) and timedelta(0) <= value < timedelta(days=1):
        minutes = int(value.total_seconds() // 60)
        return time(minutes // 60, minutes % 60)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1:
        minutes = round(value * 1440)
        return time(minutes // 60, minutes % 60) if minutes < 1440 else time(23, 59)
    if isinstance(value, str):
        text = value.strip()
        if text in ALL_DAY_WORDS:
            return "all_day"
        m = _TIME_RE.fullmatch(text)
        if not m:
            row.fail(column, f"格式不正确：“{text[:40]}”（应为 HH:MM，如 19:30）")
            return None
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        if hour > 23 or minute > 59:
            row.fail(column, f"{text} 不是有效时间")
            return None
        return time(hour, minute)
    row.fail(column, f"应为时间（如 19:00），收到{_describe(value)}")
    return None


def parse_row(number: int, values: dict[str, object]) -> SheetRow:
    """Type the cells of one row (keyed by column header)."""
    row = SheetRow(number=number)
    row.title = _text(row, "活动名称", values.get("活动名称"), max_length=200, required=True)
    row.program = _text(row, "品牌活动", values.get("品牌活动"), max_length=100)
    row.area = _text(row, "镇街", values.get("镇街"), max_length=100)
    row.venue = _text(row, "场馆", values.get("场馆"), max_length=120)
    row.day = _date(row, values.get("日期"))
    start = _time(row, "开始时间", values.get("开始时间"))
    end = _time(row, "结束时间", values.get("结束时间")) if not (start == "all_day" and _blank(values.get("结束时间"))) \
        else "all_day"
    if start == "all_day" or end == "all_day":
        if start != end and start is not None and end is not None:
            row.fail("结束时间", "全天活动的开始时间和结束时间都应写“全天”")
        row.all_day = True
    else:
        row.start, row.end = start, end
    repeat = values.get("重复")
    if not _blank(repeat):
        if not isinstance(repeat, str):
            row.fail("重复", f"应为文字（如 每周六），收到{_describe(repeat)}")
        else:
            try:
                row.repeat = parse_repeat(repeat)
            except RepeatError as exc:
                row.fail("重复", exc.message)
    row.note = _text(row, "备注", values.get("备注"), max_length=2000)
    return row


@dataclass
class Sheet:
    """The rows of the sheet that holds the schedule."""

    name: str
    header_row: int
    rows: list[SheetRow]


def _find_header(ws) -> tuple[int, dict[str, int]] | None:
    for number, values in enumerate(ws.iter_rows(max_row=_HEADER_SEARCH_ROWS, max_col=MAX_COLUMNS,
                                                 values_only=True), start=1):
        names = [_header_name(v) for v in values]
        if "活动名称" not in names:
            continue
        columns: dict[str, int] = {}
        for index, name in enumerate(names):
            if name in COLUMNS:
                if name in columns:
                    raise ImportRefused(f"表头「{name}」出现了两次（第 {_column_letter(columns[name])} 列和第 "
                                        f"{_column_letter(index)} 列），请删除其中一列")
                columns[name] = index
        return number, columns
    return None


def read_sheet(data: bytes) -> Sheet:
    """The schedule rows of an .xlsx file; raise ImportRefused for a file that cannot be a schedule."""
    archive = check_xlsx(data)
    if sheet_over_limit(archive, MAX_ROWS + _HEADER_SEARCH_ROWS):
        raise ImportRefused(f"数据行超过 {MAX_ROWS} 行的上限：请拆分成多个文件分别导入")
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it skips (data validation …)
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any parser failure means the same thing to the user
        raise ImportRefused("文件已损坏或不是有效的 Excel 工作簿（.xlsx），请在 Excel/WPS 中重新保存后再上传") from None
    try:
        return _read(workbook, archive)
    finally:
        workbook.close()


def _read(workbook, archive) -> Sheet:
    sheets = workbook.worksheets
    if not sheets:
        raise ImportRefused("工作簿里没有工作表")
    found = None
    for ws in sheets:
        found = _find_header(ws)
        if found is not None:
            break
    if found is None:
        first = sheets[0]
        if all(all(_blank(v) for v in values) for values in first.iter_rows(max_row=_HEADER_SEARCH_ROWS,
                                                                           max_col=MAX_COLUMNS, values_only=True)):
            raise ImportRefused("工作表是空的：请按模板填写表头和活动")
        raise ImportRefused("找不到表头：前 10 行中应有一行包含“活动名称”“镇街”“日期”“开始时间”“结束时间”等列名"
                            "（可下载导入模板对照）")
    header_row, columns = found
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ImportRefused(f"缺少必填列：{'、'.join(missing)}（表头第 {header_row} 行；列名须与模板一致）")
    merged = [(text, first, last) for text, first, last in merged_ranges(archive, ws._worksheet_path) if last >= header_row]
    if merged:
        listed = "、".join(text for text, _first, _last in merged[:5])
        more = f" 等 {len(merged)} 处" if len(merged) > 5 else ""
        raise ImportRefused(f"表格中有合并单元格（{listed}{more}，从第 {merged[0][1]} 行起）：合并后只有左上角的格子有值，"
                            "请取消合并，并把每一行都填写完整")
    width = max(columns.values()) + 1
    rows: list[SheetRow] = []
    scanned = 0
    for number, values in enumerate(ws.iter_rows(min_row=header_row + 1, max_col=width, values_only=True),
                                    start=header_row + 1):
        scanned += 1
        if scanned > MAX_SCANNED_ROWS:
            raise ImportRefused(f"表格过大：表头以下超过 {MAX_SCANNED_ROWS} 行（含空行）；每个文件最多 {MAX_ROWS} 行活动，"
                                "请删除多余的空行或拆分成多个文件")
        cells = {name: values[index] if index < len(values) else None for name, index in columns.items()}
        if all(_blank(v) for v in cells.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportRefused(f"数据行超过 {MAX_ROWS} 行的上限（从第 {number} 行起超出）：请拆分成多个文件分别导入")
        rows.append(parse_row(number, cells))
    if not rows:
        raise ImportRefused(f"表中没有活动：表头（第 {header_row} 行）以下都是空行")
    _mark_duplicates(rows)
    return Sheet(name=ws.title, header_row=header_row, rows=rows)


def _mark_duplicates(rows: list[SheetRow]) -> None:
    """The same title, town, venue, date and start twice is a copy-paste slip, not two events."""
    seen: dict[tuple, int] = {}
    for row in rows:
        if row.errors or row.title is None or row.day is None:
            continue
        key = (row.title, row.area or "", row.venue or "", row.day, row.start, row.all_day)
        if key in seen:
            row.errors.append(RowError(row.number, None, f"与第 {seen[key]} 行重复（活动名称、镇街、场馆、日期和开始时间都相同）"))
        else:
            seen[key] = row.number
