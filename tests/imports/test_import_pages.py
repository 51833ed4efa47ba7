"""/manage/imports: upload forms with CSRF, the report as a table, and nothing saved when a row is bad."""
from __future__ import annotations

import io
import re
from datetime import date

from sqlalchemy import func, select

from calendar_app.events.models import Event
from tests.imports.conftest import login, row, sheet_bytes


def _events(db) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Event))


def _post(client, world, content: bytes, **extra):
    data = {"edition": str(world.edition.id), "file": (io.BytesIO(content), "schedule.xlsx"), **extra}
    return client.post("/manage/imports", data=data, content_type="multipart/form-data")


def test_the_page_offers_the_editions_of_the_coordinators_town_only(client, db, world):
    login(client, "jinshan_coord")
    page = client.get("/manage/imports").get_data(as_text=True)
    assert "导入 .xlsx 活动表" in page and "只检查不导入" in page and "下载导入模板" in page
    assert world.edition.name in page and world.other_edition.name not in page
    assert "表格导入导出" in page  # the nav item


def test_a_good_sheet_is_imported_from_the_page(client, db, world):
    login(client, "jinshan_coord")
    response = _post(client, world, sheet_bytes([row(), row(title="冬夜第二场", day=date(2026, 12, 6))]))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "导入完成" in page
    assert _events(db) == 2
    # The report leads on to the drafts it made, newest first, where they are checked and submitted.
    assert 'href="/manage/events?status=draft">查看导入的草稿' in page
    drafts = client.get("/manage/events?status=draft").get_data(as_text=True)
    assert "冬夜第二场" in drafts


def test_the_report_table_names_each_bad_row_and_nothing_is_saved(client, db, world):
    login(client, "jinshan_coord")
    response = _post(client, world, sheet_bytes([row(), row(title="二", day="2026-02-30"), row(title="三", area="岳阳")]))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    cells = [re.sub(r"\s+", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)]
    assert ["3", "日期", "2026-02-30不是有效日期"] == cells[0:3]
    assert cells[3:5] == ["4", "镇街"]
    assert "文件未导入" in html
    assert _events(db) == 0


def test_only_checking_saves_nothing(client, db, world):
    login(client, "jinshan_coord")
    response = _post(client, world, sheet_bytes([row()]), dry_run="y")
    assert response.status_code == 200 and "检查通过" in response.get_data(as_text=True)
    assert _events(db) == 0


def test_a_renamed_png_is_refused_with_its_reason_on_the_page(client, db, world):
    login(client, "jinshan_coord")
    response = _post(client, world, b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert response.status_code == 422 and "PNG 图片" in response.get_data(as_text=True)


def test_an_edition_not_offered_is_refused_next_to_the_field(client, db, world):
    login(client, "jinshan_coord")
    response = client.post("/manage/imports", content_type="multipart/form-data",
                           data={"edition": str(world.other_edition.id),
                                 "file": (io.BytesIO(sheet_bytes([row()])), "s.xlsx")})
    assert response.status_code == 400 and "请从列表中选择" in response.get_data(as_text=True)
    assert _events(db) == 0


def test_a_missing_file_is_named_next_to_the_field(client, db, world):
    login(client, "jinshan_coord")
    response = client.post("/manage/imports", data={"edition": str(world.edition.id)})
    assert response.status_code == 400 and "请选择要上传的 .xlsx 文件" in response.get_data(as_text=True)


def test_the_ics_form_imports_a_file(client, db, world):
    from tests.imports.test_ics_import import _calendar

    login(client, "jinshan_coord")
    response = client.post("/manage/imports/ics", content_type="multipart/form-data", data={
        "edition": str(world.edition.id), "area": str(world.areas["jinshan"].id),
        "file": (io.BytesIO(_calendar()), "bureau.ics"), "url": ""})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert "导入完成" in response.get_data(as_text=True) and _events(db) == 3


def test_forms_without_the_csrf_token_are_refused(app, client, db, world):
    login(client, "jinshan_coord")
    previous = app.config["WTF_CSRF_ENABLED"]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        xlsx = _post(client, world, sheet_bytes([row()]))
        ics = client.post("/manage/imports/ics", data={"edition": str(world.edition.id), "url": "http://example.org/x.ics"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = previous
    assert xlsx.status_code == 400 and ics.status_code == 400
    assert "表单已过期" in xlsx.get_data(as_text=True)
    assert _events(db) == 0


def test_a_date_that_does_not_exist_is_explained_on_the_export_form(client, db, world):
    login(client, "jinshan_coord")
    response = client.get("/manage/exports/xlsx?start=2026-02-30&end=2026-03-31")
    assert response.status_code == 400 and "须是存在的日期" in response.get_data(as_text=True)
