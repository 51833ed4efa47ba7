"""POST /api/v1/imports/xlsx: a bureau's schedule sheet becomes drafts of an edition, all or nothing."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import func, select

from calendar_app.events.models import Event, Occurrence
from tests.imports.conftest import HEADERS, row, sheet_bytes, upload


def _events(db) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Event))


def test_every_row_becomes_a_draft_of_the_edition(client, db, world, edition_url):
    content = sheet_bytes([
        row(),
        row(title="非遗星期六·金山镇", area="金山镇", venue="临淄大剧院", day=date(2026, 12, 12), repeat="每周六，共4次",
            note="<b>剪纸</b>体验"),
        row(title="元宵灯会", area="370305106", venue=None, day=date(2027, 2, 20), start="18:30", end="21:00",
            repeat="元宵节，共2次"),
    ])
    response = upload(client, edition_url, content, world.auth("coord"))
    assert response.status_code == 201, response.json
    assert response.json["created"] == 3 and len(response.json["event_ids"]) == 3
    events = {e.title: e for e in db.session.scalars(select(Event))}
    weekly = events["非遗星期六·金山镇"]
    assert weekly.status == "draft" and weekly.edition_id == world.edition.id
    assert weekly.rrule == "FREQ=WEEKLY;BYDAY=SA;COUNT=4" and weekly.venue_id == world.venues["theatre"].id
    assert weekly.description == "<b>剪纸</b>体验" and weekly.area_id == world.areas["jinshan"].id
    assert db.session.scalar(select(func.count()).where(Occurrence.event_id == weekly.id)) == 4
    assert events["戏曲进乡村·东崖村"].starts_local == datetime(2026, 12, 5, 19, 0)
    assert events["戏曲进乡村·东崖村"].area_id == world.areas["dongya"].id
    assert events["元宵灯会"].lunar_rule == "FESTIVAL=元宵节;COUNT=2"
    assert events["元宵灯会"].area_id == world.areas["jinshan"].id  # by area code


def test_one_bad_row_saves_nothing_and_the_report_names_row_column_and_reason(client, db, world, edition_url):
    content = sheet_bytes([row(), row(title="第二场", day="2026-02-30"), row(title="第三场", start="25:00")])
    response = upload(client, edition_url, content, world.auth("coord"))
    assert response.status_code == 422
    errors = response.json["errors"]
    assert {"row": 3, "column": "日期", "message": "2026-02-30 不是有效日期",
            "text": "第 3 行「日期」：2026-02-30 不是有效日期"} in errors
    assert any(e["row"] == 4 and e["column"] == "开始时间" for e in errors)
    assert "整个文件未导入" in response.json["message"]
    assert _events(db) == 0


def test_dry_run_checks_every_row_and_saves_nothing(client, db, world, edition_url):
    content = sheet_bytes([row(), row(title="第二场", day=date(2026, 12, 6))])
    response = upload(client, edition_url + "&dry_run=1", content, world.auth("coord"))
    assert response.status_code == 200
    assert response.json["valid"] is True and response.json["rows"] == 2
    assert _events(db) == 0


def test_two_rows_of_one_file_that_book_the_same_slot_are_a_clash(client, db, world, edition_url):
    content = sheet_bytes([row(title="戏曲专场"), row(title="电影放映", start=time(20, 0), end=time(22, 0))])
    response = upload(client, edition_url, content, world.auth("coord"))
    assert response.status_code == 422
    [error] = response.json["errors"]
    assert error["row"] == 3 and error["column"] == "场馆"
    assert "本表第 2 行「戏曲专场」" in error["message"] and "东崖村文化广场" in error["message"]
    assert _events(db) == 0


def test_a_row_that_meets_an_existing_booking_is_a_clash(client, db, world, edition_url):
    booked = client.post("/api/v1/events", headers=world.auth("coord"), json={
        "title": "已排的村晚", "area": world.areas["dongya"].id, "venue": world.venues["dongya_square"].id,
        "edition": world.edition.id, "starts_local": "2026-12-19T19:00", "ends_local": "2026-12-19T21:30"})
    assert booked.status_code == 201
    content = sheet_bytes([row(title="周六戏曲", day=date(2026, 12, 5), repeat="每周六，共4次")])
    response = upload(client, edition_url, content, world.auth("coord"))
    assert response.status_code == 422
    [error] = response.json["errors"]
    assert error["column"] == "场馆" and "已有活动「已排的村晚」" in error["message"]
    assert _events(db) == 1


def test_headers_are_found_by_name_below_a_title_row_with_extra_columns_and_spaces(client, db, world, edition_url):
    headers = [" 序号 ", "日期", " 活动名称", "镇街 ", "开始时间", "结束时间", "场馆", "联系人"]
    content = sheet_bytes([[1, date(2026, 12, 5), "村晚", "东崖村", time(19), time(21), "东崖村文化广场", "张三"]],
                          headers, before=[["2026年金山镇文化活动安排表"]])
    response = upload(client, edition_url, content, world.auth("coord"))
    assert response.status_code == 201, response.json
    assert db.session.scalar(select(Event.title)) == "村晚"


def test_text_dates_and_times_are_read_like_excel_ones(client, db, world, edition_url):
    content = sheet_bytes([row(day="2026-12-05", start="19:00", end="21：30")])
    response = upload(client, edition_url, content, world.auth("coord"))
    assert response.status_code == 201, response.json
    event = db.session.scalar(select(Event))
    assert (event.starts_local, event.ends_local) == (datetime(2026, 12, 5, 19), datetime(2026, 12, 5, 21, 30))


def test_places_outside_the_scope_are_row_errors(client, db, world, edition_url):
    content = sheet_bytes([row(area="稷下街道"), row(title="二", venue="岳阳楼景区广场"), row(title="三", repeat="每周八")])
    response = upload(client, edition_url, content, world.auth("coord"))
    assert response.status_code == 422
    by_row = {e["row"]: e for e in response.json["errors"]}
    assert by_row[2]["column"] == "镇街" and "不是您管辖范围内" in by_row[2]["message"]
    assert by_row[3]["column"] == "场馆" and "不是您可以预订的场馆" in by_row[3]["message"]
    assert by_row[4]["column"] == "重复" and "八" in by_row[4]["message"]
    assert _events(db) == 0


def test_a_program_that_does_not_match_the_edition_is_a_row_error(client, db, world, edition_url):
    response = upload(client, edition_url, sheet_bytes([row(program="月季有约")]), world.auth("coord"))
    assert response.status_code == 422
    assert response.json["errors"][0]["column"] == "品牌活动"


def test_staff_import_into_any_town_of_their_district(client, db, world, edition_url):
    content = sheet_bytes([row(area="稷下街道", venue="稷下街道文化站"), row(title="二", area="东崖村")])
    response = upload(client, edition_url, content, world.auth("staff"))
    assert response.status_code == 201, response.json


def test_a_coordinator_cannot_import_into_an_edition_not_assigned_to_their_town(client, db, world):
    response = upload(client, f"/api/v1/imports/xlsx?edition={world.other_edition.id}", sheet_bytes([row()]),
                      world.auth("coord"))
    assert response.status_code == 403
    assert "没有分配给您的镇街" in response.json["message"]
    other_staff = upload(client, f"/api/v1/imports/xlsx?edition={world.edition.id}", sheet_bytes([row()]),
                         world.auth("other_staff"))
    assert other_staff.status_code == 403
    assert _events(db) == 0


def test_a_missing_or_unknown_edition_is_a_clear_422(client, db, world):
    assert upload(client, "/api/v1/imports/xlsx", sheet_bytes([row()]), world.auth("coord")).status_code == 422
    response = upload(client, "/api/v1/imports/xlsx?edition=999999", sheet_bytes([row()]), world.auth("coord"))
    assert response.status_code == 422 and "届次不存在" in response.json["message"]


def test_anonymous_callers_get_401_on_every_import_and_export_route(client, db, world, edition_url):
    assert upload(client, edition_url, sheet_bytes([row()]), {}).status_code == 401
    assert upload(client, f"/api/v1/imports/ics?edition={world.edition.id}", b"BEGIN:VCALENDAR", {}).status_code == 401
    assert client.get("/api/v1/exports/xlsx?start=2026-12-01&end=2026-12-31").status_code == 401
    assert _events(db) == 0


def test_a_request_without_a_file_is_a_422(client, db, world, edition_url):
    response = client.post(edition_url, headers=world.auth("coord"), data={})
    assert response.status_code == 422 and "file" in response.json["errors"]


def test_headers_constant_is_the_template_order():
    from calendar_app.imports.xlsx_export import IMPORT_COLUMNS

    assert list(IMPORT_COLUMNS) == HEADERS
