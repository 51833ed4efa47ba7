"""Exports of occurrences and attendance stay in the caller's scope and window, and import again; the template imports."""
from __future__ import annotations

import io
from datetime import date, datetime, time

from openpyxl import load_workbook
from sqlalchemy import select

from calendar_app.events.models import Event, Occurrence
from calendar_app.imports.xlsx_export import EXPORT_COLUMNS, IMPORT_COLUMNS
from calendar_app.programs.services import create_edition
from tests.imports.conftest import login, upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _create(client, world, who="coord", **overrides) -> int:
    body = {"title": "戏曲进乡村·东崖村", "area": world.areas["dongya"].id, "venue": world.venues["dongya_square"].id,
            "edition": world.edition.id, "starts_local": "2026-12-05T19:00", "ends_local": "2026-12-05T21:00"}
    body.update(overrides)
    response = client.post("/api/v1/events", json=body, headers=world.auth(who))
    assert response.status_code == 201, response.json
    return response.json["id"]


def _sheets(response) -> dict[str, list[tuple]]:
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == XLSX
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def test_export_lists_each_occurrence_with_the_import_columns_and_a_summary(client, db, world):
    _create(client, world, rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=3")
    _create(client, world, "other_coord", title="稷下街道书会", area=world.areas["jixia"].id,
            venue=world.venues["jixia_hall"].id, starts_local="2026-12-06T09:00", ends_local="2026-12-06T11:00")
    sheets = _sheets(client.get("/api/v1/exports/xlsx?start=2026-12-01&end=2026-12-31", headers=world.auth("staff")))
    rows = sheets["活动"]
    assert rows[0] == EXPORT_COLUMNS
    assert len(rows) == 5
    first = rows[1]
    assert first[:5] == ("戏曲进乡村·东崖村", "戏曲进乡村", "2026戏曲进乡村", "东崖村", "东崖村文化广场")
    assert first[5] == datetime(2026, 12, 5) and first[6:9] == (time(19, 0), time(21, 0), "草稿")
    summary = sheets["汇总"]
    assert ("金山镇", "戏曲进乡村", 3, 0, 0) in summary  # a village counts for its town
    assert ("稷下街道", "戏曲进乡村", 1, 0, 0) in summary
    assert ("合计", None, 4, 0, 0) in summary


def test_attendance_and_its_reporting_time_are_exported_and_summed(client, db, world):
    event_id = _create(client, world, starts_local="2026-11-28T19:00", ends_local="2026-11-28T21:00")
    assert client.post(f"/api/v1/events/{event_id}/publish", headers=world.auth("staff")).status_code == 200
    occurrence_id = db.session.scalar(select(Occurrence.id).where(Occurrence.event_id == event_id))
    reported = client.put(f"/api/v1/occurrences/{occurrence_id}/attendance", json={"attendance": 320},
                          headers=world.auth("coord"))
    assert reported.status_code == 200, reported.json
    sheets = _sheets(client.get("/api/v1/exports/xlsx?start=2026-11-01&end=2026-11-30", headers=world.auth("coord")))
    [header, row] = sheets["活动"]
    assert row[8] == "已发布" and row[9] == 320 and row[10] == datetime(2026, 12, 1, 19, 0)
    assert ("金山镇", "戏曲进乡村", 1, 320, 1) in sheets["汇总"]


def test_an_export_never_holds_what_the_caller_may_not_see(client, db, world):
    _create(client, world)
    other = _sheets(client.get("/api/v1/exports/xlsx?start=2026-12-01&end=2026-12-31", headers=world.auth("other_coord")))
    assert len(other["活动"]) == 2 and other["活动"][1][0] == "（该时间段内没有活动）"
    far = _sheets(client.get("/api/v1/exports/xlsx?start=2026-12-01&end=2026-12-31", headers=world.auth("other_staff")))
    assert all("东崖村" not in str(r) for r in far["活动"])
    yueyang = world.areas["yueyang"].id
    refused = client.get(f"/api/v1/exports/xlsx?start=2026-12-01&end=2026-12-31&area={yueyang}",
                         headers=world.auth("staff"))
    assert refused.status_code == 403
    refused = client.get(f"/api/v1/exports/xlsx?start=2026-12-01&end=2026-12-31&area={world.areas['jixia'].id}",
                         headers=world.auth("coord"))
    assert refused.status_code == 403


def test_an_export_window_is_at_most_366_days(client, db, world):
    too_long = client.get("/api/v1/exports/xlsx?start=2026-01-01&end=2027-01-02", headers=world.auth("staff"))
    assert too_long.status_code == 400 and "366" in too_long.json["message"]
    backwards = client.get("/api/v1/exports/xlsx?start=2026-12-31&end=2026-12-01", headers=world.auth("staff"))
    assert backwards.status_code == 400
    bad_day = client.get("/api/v1/exports/xlsx?start=2026-02-30&end=2026-03-01", headers=world.auth("staff"))
    assert bad_day.status_code == 400 and "YYYY-MM-DD 格式的日期：2026-02-30" in bad_day.json["message"]
    before_1901 = client.get("/api/v1/exports/xlsx?start=0001-01-01&end=0001-01-04", headers=world.auth("staff"))
    assert before_1901.status_code == 400 and "超出支持范围" in before_1901.json["message"]
    assert client.get("/api/v1/exports/xlsx?start=2026-01-01&end=2027-01-01",
                      headers=world.auth("staff")).status_code == 200


def test_an_exported_one_off_event_imports_again_into_another_edition(client, db, world):
    # The old street is shared (not exclusive), so the copy does not clash with the original.
    world.venues["old_street"].is_exclusive = False
    db.session.commit()
    original_id = _create(client, world, "staff", title="齐文化节·鱼盐里专场", area=world.areas["jinshan"].id,
                          venue=world.venues["old_street"].id, starts_local="2026-12-12T18:30",
                          ends_local="2026-12-12T21:15")
    next_edition = create_edition(program_id=world.program.id, name="2027戏曲进乡村", starts_on=date(2026, 12, 1),
                                  ends_on=date(2027, 11, 30))
    db.session.commit()
    exported = client.get("/api/v1/exports/xlsx?start=2026-12-01&end=2026-12-31", headers=world.auth("staff"))
    assert exported.status_code == 200
    response = upload(client, f"/api/v1/imports/xlsx?edition={next_edition.id}", exported.data, world.auth("staff"))
    assert response.status_code == 201, response.json
    [copy_id] = response.json["event_ids"]
    original, copy = db.session.get(Event, original_id), db.session.get(Event, copy_id)
    assert copy.edition_id == next_edition.id
    assert (copy.title, copy.area_id, copy.venue_id, copy.starts_local, copy.ends_local) == \
        (original.title, original.area_id, original.venue_id, original.starts_local, original.ends_local)


def test_the_page_link_exports_with_the_session_and_explains_a_bad_window(client, db, world):
    _create(client, world)
    login(client, "jinshan_coord")
    sheets = _sheets(client.get("/manage/exports/xlsx?start=2026-12-01&end=2026-12-31"))
    assert len(sheets["活动"]) == 2
    bad = client.get("/manage/exports/xlsx?start=2026-01-01&end=2027-06-30")
    assert bad.status_code == 400 and "最长 366 天" in bad.get_data(as_text=True)
    assert client.get("/manage/exports/xlsx?start=2026-12-01&end=2026-12-31&area=999999").status_code in (400, 403)


def test_the_template_explains_every_column_and_its_example_row_imports(client, db, world):
    login(client, "jinshan_coord")
    response = client.get(f"/manage/imports/template.xlsx?edition={world.edition.id}")
    assert response.status_code == 200 and response.mimetype == XLSX
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["活动"]
    assert [c.value for c in sheet[1]] == list(IMPORT_COLUMNS)
    example = [c.value for c in sheet[2]]
    assert example[1] == "戏曲进乡村" and example[2] == "金山镇" and example[3] == "东崖村文化广场"
    notes = "\n".join(str(c.value) for r in book["填写说明"].iter_rows() for c in r if c.value)
    assert "重复的写法" in notes and "每月第一个周六" in notes and "共10次" in notes
    imported = upload(client, f"/api/v1/imports/xlsx?edition={world.edition.id}", response.data, world.auth("coord"))
    assert imported.status_code == 201, imported.json
    event = db.session.get(Event, imported.json["event_ids"][0])
    assert event.title == example[0] and event.rrule == "FREQ=WEEKLY;BYDAY=SA;COUNT=4"
    assert event.starts_local == datetime(2026, 12, 5, 19, 0)


def test_management_pages_need_a_signed_in_user(client, db, world):
    for path in ("/manage/imports", "/manage/imports/template.xlsx", "/manage/exports/xlsx?start=2026-12-01&end=2026-12-31"):
        response = client.get(path)
        assert response.status_code in (302, 401) and "/login" in response.headers.get("Location", "/login")
