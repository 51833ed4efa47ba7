"""Fixtures for spreadsheet and calendar tests: the two-district `world` and sheet builders."""
from __future__ import annotations

import io
from datetime import date, time

import pytest
from openpyxl import Workbook

from tests.workflow.conftest import NOW, PASSWORD, World, world  # noqa: F401  (re-exported fixture)

HEADERS = ["活动名称", "品牌活动", "镇街", "场馆", "日期", "开始时间", "结束时间", "重复", "备注"]


def row(title="戏曲进乡村·东崖村", area="东崖村", venue="东崖村文化广场", day=date(2026, 12, 5), start=time(19, 0),
        end=time(21, 0), repeat=None, note=None, program=None) -> list:
    return [title, program, area, venue, day, start, end, repeat, note]


def sheet_bytes(rows: list[list], headers: list | None = None, *, before: list[list] | None = None, merge: str | None = None,
                second_sheet: bool = False) -> bytes:
    """An .xlsx with an optional title row, the header row and `rows`; dates and times as Excel values."""
    book = Workbook()
    ws = book.active
    ws.title = "活动"
    for extra in before or []:
        ws.append(extra)
    ws.append(HEADERS if headers is None else headers)
    for values in rows:
        ws.append(values)
    for r in ws.iter_rows(min_row=2):
        for cell in r:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, time):
                cell.number_format = "hh:mm"
    if merge:
        ws.merge_cells(merge)
    if second_sheet:
        book.create_sheet("说明").append(["随便写点什么"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, url: str, content: bytes, who_headers: dict, name: str = "schedule.xlsx"):
    return client.post(url, data={"file": (io.BytesIO(content), name)}, headers=who_headers,
                       content_type="multipart/form-data")


def login(client, username: str, password: str = PASSWORD):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code in (302, 303), response.data[:500]
    return client


@pytest.fixture
def edition_url(world):
    return f"/api/v1/imports/xlsx?edition={world.edition.id}"
