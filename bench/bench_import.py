"""Benchmark of the spreadsheet import: a generated 2,000-row schedule through POST /api/v1/imports/xlsx.

    python -m bench.bench_import [--rows 2000] [--postgres ADMIN_URL]

The sheet is what a district bureau keeps: 12 towns, 50 venues (four per town and two of the
district), weekly series ("每周六，共8次") and one-off evenings, no clashes. Each database is fresh;
the import runs over HTTP with a staff token (parse, every row through the workflow with its venue
checks, one transaction, commit). Prints seconds for reading the sheet alone, a dry run (everything
but the commit) and the real import, and the occurrences stored. Goal: ≤ 10 s for 2,000 rows.
"""
from __future__ import annotations

import argparse
import io
from datetime import date, datetime, time, timedelta, timezone

from bench.common import machine_reference, make_app, postgres_url, sqlite_url, timer

NOW = datetime(2027, 2, 1, 2, 0, tzinfo=timezone.utc)
EDITION_START = date(2027, 3, 1)  # a Monday
TOWNS = ["稷下街道", "金山镇", "齐陵街道", "朱台镇", "凤凰镇", "金岭回族镇", "敬仲镇", "雪宫街道", "闻韶街道",
         "辛店街道", "齐都镇", "皇城镇"]
VENUE_KINDS = ["文化广场", "文化站", "农家书屋", "综合文化服务中心"]
SLOTS = [(time(9, 0), time(11, 0)), (time(14, 30), time(16, 30)), (time(19, 0), time(21, 0))]
WEEKDAYS = "一二三四五六日"
HEADERS = ["活动名称", "品牌活动", "镇街", "场馆", "日期", "开始时间", "结束时间", "重复", "备注"]


def venue_names() -> list[tuple[str, str]]:
    """(town, venue) for the 48 town venues and the district's two (town None)."""
    names = [(town, f"{town}{kind}") for town in TOWNS for kind in VENUE_KINDS]
    return names + [("", "临淄大剧院"), ("", "齐文化博物院")]


def build_sheet(rows: int, program: str, *, weekly_share: float = 0.3) -> tuple[bytes, int, int]:
    """The .xlsx of `rows` rows without clashes; returns (bytes, weekly rows, one-off rows)."""
    from openpyxl import Workbook

    venues = venue_names()
    book = Workbook()
    ws = book.active
    ws.title = "活动"
    ws.append(HEADERS)
    weekly = int(rows * weekly_share)
    # Weekly series take the first eight weeks, one (venue, weekday, slot) each.
    for i in range(weekly):
        town, venue = venues[i % len(venues)]
        weekday = (i // len(venues)) % 7
        start, end = SLOTS[(i // (len(venues) * 7)) % len(SLOTS)]
        day = EDITION_START + timedelta(days=weekday)
        ws.append([f"{program}·{venue}·周{WEEKDAYS[weekday]}场", program, town or "金山镇", venue, day, start, end,
                   f"每周{WEEKDAYS[weekday]}，共8次", "周周有戏看"])
    # One-off evenings and afternoons after the series, one (venue, day, slot) each.
    for i in range(rows - weekly):
        town, venue = venues[i % len(venues)]
        start, end = SLOTS[(i // len(venues)) % len(SLOTS)]
        day = EDITION_START + timedelta(days=63 + i // (len(venues) * len(SLOTS)))
        ws.append([f"{program}·{venue}·第{i + 1}场", None, town or "稷下街道", venue, day, start, end, None, None])
    for row in ws.iter_rows(min_row=2):
        row[4].number_format = "yyyy-mm-dd"
        row[5].number_format = row[6].number_format = "hh:mm"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), weekly, rows - weekly


def _world(app):
    """District, towns, venues, a program with an edition, and a staff user with an API token."""
    from calendar_app.accounts.services import create_user
    from calendar_app.accounts.tokens import issue_api_token
    from calendar_app.areas.services import create_area
    from calendar_app.extensions import db
    from calendar_app.programs.services import create_edition, create_program
    from calendar_app.venues.services import create_venue

    with app.app_context():
        district = create_area(kind="district", code="370305", name="临淄区")
        towns = {name: create_area(kind="town", code=f"370305{i:03d}", name=name, parent_id=district.id)
                 for i, name in enumerate(TOWNS, start=1)}
        for town, venue in venue_names():
            create_venue(name=venue, area_id=towns[town].id if town else district.id, kind="plaza", capacity=500)
        program = create_program(slug="xiqu-xiangcun", name="戏曲进乡村", area_id=district.id, category="opera")
        edition = create_edition(program_id=program.id, name="2027戏曲进乡村", starts_on=EDITION_START,
                                 ends_on=date(2027, 12, 31))
        user = create_user(username="bench_staff", password="a long benchmark passphrase", role="staff",
                           area_id=district.id)
        token = issue_api_token(user)[1]
        db.session.commit()
        return program.name, edition.id, token


def bench(url: str, label: str, rows: int) -> None:
    from sqlalchemy import func, select

    from calendar_app.events.models import Event, Occurrence
    from calendar_app.extensions import db
    from calendar_app.imports.sheet import read_sheet

    app = make_app(url, FIXED_NOW=NOW.isoformat())
    program, edition_id, token = _world(app)
    content, weekly, one_off = build_sheet(rows, program)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def post(dry_run: bool):
        query = f"?edition={edition_id}" + ("&dry_run=1" if dry_run else "")
        return client.post(f"/api/v1/imports/xlsx{query}", headers=headers, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(content), "schedule.xlsx")})

    with timer() as read_time:
        read_sheet(content)
    with timer() as dry_time:
        checked = post(True)
    assert checked.status_code == 200, checked.get_json()
    statements = _counting(app)
    with timer() as import_time:
        response = post(False)
    assert response.status_code == 201, response.get_json()
    statements = statements()
    with app.app_context():
        events = db.session.scalar(select(func.count()).select_from(Event))
        occurrences = db.session.scalar(select(func.count()).select_from(Occurrence))
    print(f"{label}: {rows} rows ({weekly} weekly series, {one_off} one-off; {len(content) / 1024:.0f} KB) -> "
          f"{events} events, {occurrences} occurrences")
    print(f"  read the sheet (openpyxl, read-only):  {read_time():6.2f} s")
    print(f"  dry run over HTTP (checks, no commit): {dry_time():6.2f} s")
    print(f"  import over HTTP (one transaction):    {import_time():6.2f} s  ({import_time() / rows * 1000:.1f} ms per row;"
          f" goal <= 10 s)")
    print(f"  SQL statements in the import:          {statements:6d}    ({statements / rows:.2f} per row)")
    with app.app_context():
        machine = machine_reference()
    print(f"  machine: Python reference {machine['python_ms']:.1f} ms, SELECT 1 through the session "
          f"{machine['select1_ms']:.2f} ms (bench.common.machine_reference)")


def _counting(app):
    """Count the SQL statements sent from now on; call the result to stop and get the count (a figure the
    machine's load does not change)."""
    from sqlalchemy import event

    from calendar_app.extensions import db

    with app.app_context():
        engine = db.engine
    seen = [0]

    def count(*_args):
        seen[0] += 1

    event.listen(engine, "before_cursor_execute", count)

    def stop() -> int:
        event.remove(engine, "before_cursor_execute", count)
        return seen[0]
    return stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server to run the import on as well")
    args = parser.parse_args()
    bench(sqlite_url("bench-import"), "SQLite", args.rows)
    if args.postgres:
        bench(postgres_url(args.postgres, "calendar_bench_import"), "PostgreSQL", args.rows)


if __name__ == "__main__":
    main()
