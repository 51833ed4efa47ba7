"""A long schedule sheet (a district's season, thousands of rows) is checked against one read of its
venues' bookings and audited in one insert, and still finds every clash a short sheet would find."""
from __future__ import annotations

import threading
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from calendar_app.audit.models import AuditLog
from calendar_app.events.models import Event, Occurrence
from calendar_app.imports.xlsx_import import CACHE_HOLDERS_FROM
from tests.imports.conftest import row, sheet_bytes, upload
from tests.statements import recorded

FIRST_DAY = date(2026, 12, 7)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _long_sheet(rows: int, **changes) -> list[list]:
    """`rows` evenings, one a day at the village square from FIRST_DAY on (no clashes among them)."""
    sheet = [row(title=f"冬季村晚·第{i + 1}场", day=FIRST_DAY + timedelta(days=i)) for i in range(rows)]
    for index, values in changes.items():
        sheet[int(index.removeprefix("row"))] = values
    return sheet


def test_a_long_clean_sheet_reads_the_venue_bookings_once_and_writes_the_audit_in_one_insert(client, db, world,
                                                                                          edition_url):
    rows = CACHE_HOLDERS_FROM + 10
    content = sheet_bytes(_long_sheet(rows))
    with recorded(db.engine) as seen:
        response = upload(client, edition_url, content, world.auth("coord"))
    assert response.status_code == 201, response.json
    holder_reads = [s for s in seen if s.starts("SELECT") and "HOLDS_VENUE" in s.sql]
    assert len(holder_reads) == 1
    audit_inserts = [s for s in seen if s.starts("INSERT INTO AUDIT_LOG")]
    assert [s.rows for s in audit_inserts] == [rows]
    if db.engine.dialect.name == "postgresql":
        # The bookings are written together: every event in one INSERT, every occurrence in another,
        # where one by one they cost two round trips each.
        assert len([s for s in seen if s.starts("INSERT INTO EVENTS")]) == 1
        assert len([s for s in seen if s.starts("INSERT INTO OCCURRENCES")]) == 1
        assert len(seen) < 20, [s.sql[:60] for s in seen]
    db.session.rollback()
    audited = db.session.execute(select(AuditLog.entity_id, AuditLog.changes, AuditLog.user_id)
                                 .where(AuditLog.action == "event.create")).all()
    assert sorted(a.entity_id for a in audited) == sorted(response.json["event_ids"])
    assert {a.changes["title"] for a in audited} == {f"冬季村晚·第{i + 1}场" for i in range(rows)}
    assert {a.user_id for a in audited} == {world.users["coord"].id}
    # Each event is stored with its own sheet row's times, and every occurrence found its event.
    stored = db.session.execute(select(Event.id, Event.title, Event.starts_local)
                                .where(Event.id.in_(response.json["event_ids"]))).all()
    assert {(e.title, e.starts_local.date()) for e in stored} == {
        (f"冬季村晚·第{i + 1}场", FIRST_DAY + timedelta(days=i)) for i in range(rows)}
    occurrences = db.session.execute(select(Occurrence.event_id, Occurrence.starts_at, Event.starts_local)
                                     .join(Event, Event.id == Occurrence.event_id)).all()
    assert len(occurrences) == rows
    assert all(o.starts_at.astimezone(SHANGHAI).replace(tzinfo=None) == o.starts_local for o in occurrences)


def test_a_short_sheet_is_checked_row_by_row(client, db, world, edition_url):
    """Reading every booking of the sheet's span would cost more than the few queries it saves. Row by
    row, SQLite reads each row's venue holders; PostgreSQL leaves them to its exclusion constraint,
    each row under a savepoint of its own (events.conflicts.new_booking)."""
    content = sheet_bytes(_long_sheet(3))
    with recorded(db.engine) as seen:
        response = upload(client, edition_url, content, world.auth("coord"))
    assert response.status_code == 201, response.json
    holder_reads = [s for s in seen if s.starts("SELECT") and "HOLDS_VENUE" in s.sql]
    if db.engine.dialect.name == "postgresql":
        assert holder_reads == []
        assert len([s for s in seen if s.starts("SAVEPOINT")]) >= 3
    else:
        assert len(holder_reads) == 3


def test_in_a_long_sheet_a_row_meeting_an_earlier_row_of_the_sheet_is_a_clash(client, db, world, edition_url):
    late = CACHE_HOLDERS_FROM + 4
    clashing = row(title="电影放映", day=FIRST_DAY + timedelta(days=2), start=time(20, 0), end=time(22, 0))
    content = sheet_bytes(_long_sheet(late + 1, **{f"row{late}": clashing}))
    response = upload(client, edition_url, content, world.auth("coord"))
    assert response.status_code == 422, response.json
    [error] = response.json["errors"]
    # Sheet row numbers count the header: list index 2 is sheet row 4, index `late` is row late + 2.
    assert error["row"] == late + 2 and error["column"] == "场馆"
    assert "本表第 4 行「冬季村晚·第3场」" in error["message"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "event.create")) == 0


def test_in_a_long_sheet_a_weekly_series_meeting_a_booking_made_before_the_import_is_a_clash(client, db, world,
                                                                                           edition_url):
    # Stored before the import, on the series' 8th Saturday, after the sheet's other rows.
    booked = client.post("/api/v1/events", headers=world.auth("staff"), json={
        "title": "岁末大戏", "area": world.areas["dongya"].id, "venue": world.venues["dongya_square"].id,
        "edition": world.edition.id, "starts_local": "2027-01-23T18:00", "ends_local": "2027-01-23T19:40"})
    assert booked.status_code == 201, booked.json
    late = CACHE_HOLDERS_FROM + 2
    mornings = [row(title=f"冬季晨练·第{i + 1}场", day=FIRST_DAY + timedelta(days=i), start=time(7, 0), end=time(8, 0))
                for i in range(late)]
    # Ends 17:45: the square's 30-minute changeover reaches past 18:00.
    series = row(title="周六戏曲", day=date(2026, 12, 5), start=time(16, 0), end=time(17, 45), repeat="每周六，共8次")
    response = upload(client, edition_url, sheet_bytes(mornings + [series]), world.auth("coord"))
    assert response.status_code == 422, response.json
    [error] = response.json["errors"]
    assert error["row"] == late + 2 and "已有活动「岁末大戏」" in error["message"], error
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1
    # Ending at 17:30 leaves the changeover free: the same sheet goes in.
    series[6] = time(17, 30)
    response = upload(client, edition_url, sheet_bytes(mornings + [series]), world.auth("coord"))
    assert response.status_code == 201, response.json
    assert response.json["created"] == late + 1


def test_a_booking_committed_while_a_long_sheet_is_checked_is_named_in_the_row_report(client, db, world, edition_url,
                                                                                      monkeypatch):
    """PostgreSQL writes a long sheet's bookings together once every row is checked. A booking another
    request commits in between takes a slot the check saw free: the database refuses the write, and the
    import reports the row it clashes with, as it would have had the booking come first."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writes each row as it goes, holding the write lock: nothing commits in between")
    from calendar_app.imports import xlsx_import

    check_rows = xlsx_import._create_rows
    raced = []

    def rows_then_a_rival_booking(*args, **kwargs):
        checked = check_rows(*args, **kwargs)
        if not raced:  # another request, in a thread of its own (its own session and transaction), commits
            rival = threading.Thread(target=lambda: raced.append(client.post("/api/v1/events", headers=world.auth("staff"), json={
                "title": "抢先的预订", "area": world.areas["dongya"].id, "venue": world.venues["dongya_square"].id,
                "edition": world.edition.id, "starts_local": f"{FIRST_DAY + timedelta(days=2)}T20:00",
                "ends_local": f"{FIRST_DAY + timedelta(days=2)}T20:30"})))
            rival.start()
            rival.join()
        return checked

    monkeypatch.setattr(xlsx_import, "_create_rows", rows_then_a_rival_booking)
    response = upload(client, edition_url, sheet_bytes(_long_sheet(CACHE_HOLDERS_FROM + 5)), world.auth("coord"))
    assert raced[0].status_code == 201, raced[0].json
    assert response.status_code == 422, response.json
    [error] = response.json["errors"]
    assert error["row"] == 4 and error["column"] == "场馆" and "已有活动「抢先的预订」" in error["message"], error
    db.session.rollback()
    assert list(db.session.scalars(select(Event.title))) == ["抢先的预订"]
