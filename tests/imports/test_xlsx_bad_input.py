"""Files that are not a usable schedule are refused with a clear Chinese message, and nothing is saved."""
from __future__ import annotations

import io
import zipfile
from datetime import date, time

import pytest
from sqlalchemy import func, select

from calendar_app.events.models import Event
from calendar_app.imports.report import ImportRefused
from calendar_app.imports.sheet import read_sheet
from tests.imports.conftest import HEADERS, row, sheet_bytes, upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)


def _zip_bomb() -> bytes:
    """A valid-looking workbook whose sheet unpacks to 20 MB of zeros from a few kilobytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", bytes(20 * 1024 * 1024))
    return buffer.getvalue()


def _many_rows(n: int) -> bytes:
    """A workbook whose sheet has the header and `n` rows, its XML written directly (openpyxl takes minutes)."""
    base = sheet_bytes([row()])
    cells = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(HEADERS))
    rows = [f'<row r="1">{cells}</row>']
    for i in range(2, n + 2):
        rows.append(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>活动{i}</t></is></c>'
                    f'<c r="C{i}" t="inlineStr"><is><t>东崖村</t></is></c><c r="E{i}" t="inlineStr"><is><t>2026-12-05</t></is></c>'
                    f'<c r="F{i}" t="inlineStr"><is><t>19:00</t></is></c><c r="G{i}" t="inlineStr"><is><t>21:00</t></is></c></row>')
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           + "".join(rows) + "</sheetData></worksheet>").encode()
    source = zipfile.ZipFile(io.BytesIO(base))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, xml if info.filename == "xl/worksheets/sheet1.xml" else source.read(info))
    return buffer.getvalue()


def _events(db) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Event))


@pytest.mark.parametrize(("content", "expected"), [
    pytest.param(PNG, "看起来是PNG 图片", id="renamed-png"),
    pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "旧版 Excel（.xls）", id="old-xls"),
    pytest.param("活动名称,日期\n村晚,2026-12-05\n".encode(), "CSV", id="csv"),
    pytest.param(b"PK\x03\x04broken", "压缩结构已损坏", id="broken-zip"),
    pytest.param(b"", "0 字节", id="empty-file"),
    pytest.param(_zip_bomb(), "压缩炸弹", id="zip-bomb"),
    pytest.param(sheet_bytes([], headers=[]), "工作表是空的", id="empty-sheet"),
    pytest.param(sheet_bytes([]), "没有活动", id="header-only"),
    pytest.param(sheet_bytes([["村晚", "2026-12-05"]], headers=["名称", "时间"]), "找不到表头", id="wrong-columns"),
    pytest.param(sheet_bytes([["村晚", "东崖村", date(2026, 12, 5)]], headers=["活动名称", "镇街", "日期"]),
                 "缺少必填列：开始时间、结束时间", id="missing-columns"),
    pytest.param(sheet_bytes([row(), row(title="二")], merge="A2:A3"), "合并单元格（A2:A3", id="merged-cells"),
    pytest.param(sheet_bytes([row()], headers=HEADERS[:-1] + ["日期"]), "表头「日期」出现了两次", id="duplicate-header"),
    pytest.param(_many_rows(5001), "超过 5000 行的上限", id="5001-rows"),
])
def test_a_file_that_is_not_a_usable_schedule_is_refused_whole(client, db, world, edition_url, content, expected):
    response = upload(client, edition_url, content, world.auth("coord"))
    assert response.status_code == 422, response.json
    assert expected in response.json["message"]
    assert response.json["errors"][0]["row"] is None
    assert _events(db) == 0


def test_a_hundred_thousand_rows_are_refused_at_the_limit_without_reading_them_all():
    content = _many_rows(100_000)
    with pytest.raises(ImportRefused) as refused:
        read_sheet(content)
    assert "超过 5000 行的上限" in refused.value.message


def test_a_merged_title_above_the_header_is_fine(client, db, world, edition_url):
    content = sheet_bytes([row()], before=[["2026年活动安排表"]], merge="A1:I1")
    assert upload(client, edition_url, content, world.auth("coord")).status_code == 201


@pytest.mark.parametrize(("cells", "column", "expected"), [
    pytest.param({"day": "2026-02-30"}, "日期", "2026-02-30 不是有效日期", id="nonexistent-date"),
    pytest.param({"day": "下周六"}, "日期", "格式不正确", id="date-words"),
    pytest.param({"day": True}, "日期", "逻辑值", id="date-bool"),
    pytest.param({"day": 12.5}, "日期", "数字 12.5", id="date-small-number"),
    pytest.param({"start": date(2026, 12, 5)}, "开始时间", "收到日期 2026-12-05", id="time-as-date"),
    pytest.param({"end": "晚上"}, "结束时间", "格式不正确", id="time-words"),
    pytest.param({"start": "19:75"}, "开始时间", "不是有效时间", id="time-out-of-range"),
    pytest.param({"title": None}, "活动名称", "缺少活动名称", id="missing-title"),
    pytest.param({"title": "#N/A"}, "活动名称", "公式错误", id="excel-error"),
    pytest.param({"title": "长" * 201}, "活动名称", "最多 200 个", id="title-too-long"),
    pytest.param({"end": time(18, 0)}, "结束时间", "结束时间必须晚于开始时间", id="end-before-start"),
    pytest.param({"repeat": "元宵节，共300次"}, "重复", "COUNT 必须是 1–200", id="beyond-series-limit"),
    pytest.param({"repeat": "FREQ=FORTNIGHTLY"}, "重复", "FORTNIGHTLY", id="rrule-that-does-not-parse"),
    pytest.param({"repeat": 3}, "重复", "应为文字", id="repeat-number"),
])
def test_wrong_types_and_values_are_row_errors_naming_the_column(client, db, world, edition_url, cells, column, expected):
    values = {"title": "村晚", "day": date(2026, 12, 5), "start": time(19), "end": time(21), "repeat": None}
    values.update(cells)
    content = sheet_bytes([row(day=date(2026, 11, 28)), row(**values)])
    response = upload(client, edition_url, content, world.auth("coord"))
    assert response.status_code == 422, response.json
    errors = [e for e in response.json["errors"] if e["row"] == 3]
    assert errors and errors[0]["column"] == column and expected in errors[0]["message"], response.json["errors"]
    assert _events(db) == 0


def test_duplicate_rows_are_reported_with_the_row_they_repeat(client, db, world, edition_url):
    content = sheet_bytes([row(), row(title="二", day=date(2026, 12, 6)), row()])
    response = upload(client, edition_url, content, world.auth("coord"))
    assert response.status_code == 422
    [error] = response.json["errors"]
    assert error["row"] == 4 and "与第 2 行重复" in error["message"]
    assert _events(db) == 0
