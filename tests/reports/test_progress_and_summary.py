"""Program progress and the year summary: the figures a 工作总结 quotes, equal to a plain count."""
from __future__ import annotations

import io
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from calendar_app.events import services
from calendar_app.events.models import Occurrence
from calendar_app.events.services import EventData, create_event
from calendar_app.extensions import db as _db
from calendar_app.reports.summary import year_summary
from tests.conftest import DEMO_NOW

SHANGHAI = timezone(timedelta(hours=8))


def _opera(world, area, start: datetime, hours: int = 2, **kwargs):
    data = EventData(title="戏曲进乡村", area_id=area.id, starts_local=start, ends_local=start + timedelta(hours=hours),
                     edition_id=world.edition.id, program_id=world.program.id, status=kwargs.pop("status", "published"),
                     **kwargs)
    return create_event(data)[0]


@pytest.fixture
def season(world, db):
    """Before NOW (2026-12-01 19:00 local): 金山镇 held three (two reported: 120 + 80, one at a village),
    one cancelled, one still a draft; ahead: two Saturdays. 稷下街道 held one, reported 50."""
    jinshan, dongya, jixia = world.areas["jinshan"], world.areas["dongya"], world.areas["jixia"]
    held = [_opera(world, jinshan, datetime(2026, 10, 3, 19)), _opera(world, dongya, datetime(2026, 11, 7, 19)),
            _opera(world, dongya, datetime(2026, 11, 14, 19))]
    services.report_attendance(held[0].occurrences[0], 120)
    services.report_attendance(held[1].occurrences[0], 80)
    cancelled = _opera(world, jinshan, datetime(2026, 11, 21, 19))
    services.edit_occurrence(cancelled.occurrences[0], cancelled=True, reason="雨天取消")
    _opera(world, jinshan, datetime(2026, 11, 28, 19), status="draft")
    _opera(world, dongya, datetime(2026, 12, 5, 19), rrule="FREQ=WEEKLY;COUNT=2")
    other = _opera(world, jixia, datetime(2026, 9, 12, 9))
    services.report_attendance(other.occurrences[0], 50)
    db.session.commit()


def test_progress_per_town_against_quota_and_pace(client, world, season):
    response = client.get(f"/api/v1/reports/progress?edition={world.edition.id}", headers=world.auth("staff"))
    assert response.status_code == 200
    items = {i["town"]: i for i in response.get_json()["items"]}
    jinshan = items["金山镇"]
    # Scheduled: 3 held + the draft + 2 ahead (the cancelled one does not count); held: published and ended.
    assert {k: jinshan[k] for k in ("target_events", "scheduled_events", "held_events", "reported_attendance",
                                    "unreported")} == {"target_events": 40, "scheduled_events": 6, "held_events": 3,
                                                       "reported_attendance": 200, "unreported": 1}
    # The edition starts 2026-03-01, the quota is due 2026-12-31: by 2026-12-01 a steady pace holds 40 x 275/305.
    assert jinshan["expected_by_now"] == 40 * 275 // 305
    assert jinshan["on_pace"] is False
    jixia = items["稷下街道"]
    assert (jixia["target_events"], jixia["held_events"], jixia["reported_attendance"], jixia["unreported"]) == (30, 1, 50, 0)


def test_progress_by_year_and_area_lists_only_that_area(client, world, season):
    response = client.get(f"/api/v1/reports/progress?year=2026&area={world.areas['jinshan'].id}",
                          headers=world.auth("staff"))
    assert [(i["edition"], i["town"]) for i in response.get_json()["items"]] == [("2026戏曲进乡村", "金山镇")]


def test_year_summary_counts_held_occurrences_with_a_sentence_and_a_total(client, world, season):
    body = client.get(f"/api/v1/reports/year-summary?year=2026&area={world.areas['linzi'].id}",
                      headers=world.auth("staff")).get_json()
    (item,) = body["items"]
    assert (item["program"], item["held_events"], item["reported_attendance"]) == ("戏曲进乡村", 4, 250)
    assert item["sentence"] == "全年组织戏曲进乡村4场，惠及群众250人次"
    assert {t["town"]: (t["held_events"], t["reported_attendance"]) for t in item["by_town"]} == \
        {"金山镇": (3, 200), "稷下街道": (1, 50)}
    months = {m["month"]: m["held_events"] for m in item["by_month"] if m["held_events"]}
    assert months == {"2026-09": 1, "2026-10": 1, "2026-11": 2}
    assert body["total"] == {"held_events": 4, "reported_attendance": 250,
                             "sentence": "全年共组织各类文旅活动4场，惠及群众250人次"}



def test_year_summary_as_of_a_chosen_day_counts_only_what_ended_by_its_end(client, world, season, sign_in):
    """A report written in December quoting "as of 31 October": September's and October's evenings only."""
    url = f"/api/v1/reports/year-summary?year=2026&area={world.areas['linzi'].id}"
    body = client.get(url + "&cutoff=2026-10-31", headers=world.auth("staff")).get_json()
    assert body["cutoff"].startswith("2026-10-31T16:00:00")  # the end of 31 October in Shanghai, in UTC
    assert body["total"] == {"held_events": 2, "reported_attendance": 170,
                             "sentence": "全年共组织各类文旅活动2场，惠及群众170人次"}
    # The evening of 3 October ends at 21:00 local that day: a cut-off at the end of 3 October counts it.
    assert client.get(url + "&cutoff=2026-10-03", headers=world.auth("staff")).get_json()["total"]["held_events"] == 2
    assert client.get(url + "&cutoff=2026-10-02", headers=world.auth("staff")).get_json()["total"]["held_events"] == 1
    # A later cut-off than now still counts only what has ended by now.
    assert client.get(url + "&cutoff=2027-03-01", headers=world.auth("staff")).get_json()["total"]["held_events"] == 4
    early = client.get(url + "&cutoff=2025-12-31", headers=world.auth("staff"))
    assert early.status_code == 400 and "早于 2026 年" in early.get_json()["message"]
    assert client.get(url + "&cutoff=2026-13-01", headers=world.auth("staff")).status_code == 400
    page = sign_in("staff").get(f"/manage/reports/year-summary?year=2026&area={world.areas['linzi'].id}"
                                "&cutoff=2026-10-31")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "统计截至 2026-10-31 当天结束" in text
    assert "全年组织戏曲进乡村2场，惠及群众170人次" in text and "cutoff=2026-10-31" in text  # downloads keep it
    refused = sign_in("staff").get("/manage/reports/year-summary?year=2026&cutoff=2025-01-01")
    assert refused.status_code == 400 and "早于 2026 年" in refused.get_data(as_text=True)


def test_a_towns_progress_chart_paces_towards_the_towns_quota_not_the_whole_edition(sign_in, world, season):
    """金山镇's quota is 40 of the edition's 100: its chart's pace line must end at 40, or it always looks behind."""
    from calendar_app.accounts.scope import Scope
    from calendar_app.reports.progress import progress

    def chart(scope_user: str, area=None):
        user = world.users[scope_user]
        report = progress(Scope.of(user), [world.edition], area=area, now=DEMO_NOW, tz=ZoneInfo("Asia/Shanghai"),
                          today=DEMO_NOW.date())
        (c,) = report.charts
        return c

    whole = chart("staff")
    assert (whole.target_events, whole.narrowed_to, whole.pace()[-1]) == (100, None, 100)
    town = chart("coord")
    assert (town.target_events, town.narrowed_to, town.pace()[-1]) == (40, "金山镇", 40)
    filtered = chart("staff", area=world.areas["jixia"])
    assert (filtered.target_events, filtered.narrowed_to, filtered.pace()[-1]) == (30, "稷下街道", 30)
    page = sign_in("coord").get(f"/manage/reports/progress?edition={world.edition.id}").get_data(as_text=True)
    assert "2026戏曲进乡村 · 金山镇（任务 40 场）" in page
    staff_page = sign_in("staff").get(f"/manage/reports/progress?edition={world.edition.id}").get_data(as_text=True)
    assert "2026戏曲进乡村（目标 100 场）" in staff_page


def test_coordinator_sees_progress_of_their_own_town_on_the_page(sign_in, world, season):
    page = sign_in("coord").get(f"/manage/reports/progress?edition={world.edition.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "金山镇" in text and "稷下街道" not in text
    assert sign_in("coord").get("/manage/reports/venue-load").status_code == 403


# --- the demo year ------------------------------------------------------------------------------

def _count_demo_year(area, year: int, cutoff: datetime) -> dict:
    """Held 场次 and 人次 per program, town and month, counted plainly from every stored occurrence."""
    out = defaultdict(lambda: {"held": 0, "attendance": 0, "towns": defaultdict(lambda: [0, 0]),
                               "months": defaultdict(lambda: [0, 0])})
    for o in _db.session.query(Occurrence).all():
        start = o.starts_at.astimezone(SHANGHAI)
        if not (o.is_public and o.status != "cancelled" and o.ends_at <= cutoff and start.year == year):
            continue
        place = o.event.area
        if not place.path.startswith(area.path):
            continue
        town = place if place.kind != "village" else place.parent
        name = o.event.program.name if o.program_id else "其他活动"
        entry = out[name]
        entry["held"] += 1
        entry["attendance"] += o.attendance or 0
        entry["towns"][town.name][0] += 1
        entry["towns"][town.name][1] += o.attendance or 0
        entry["months"][start.month][0] += 1
    return out


def test_demo_year_summary_matches_a_plain_count_and_its_spreadsheet(app, demo, monkeypatch):
    from calendar_app.accounts.models import User
    from calendar_app.areas.models import Area

    monkeypatch.setitem(app.config, "FIXED_NOW", DEMO_NOW.isoformat())
    linzi = _db.session.query(Area).filter_by(name="临淄区").one()
    expected = _count_demo_year(linzi, 2026, DEMO_NOW)
    summary = year_summary(linzi, 2026, now=DEMO_NOW, tz=__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    got = {p.program: p for p in summary.programs}
    assert set(got) == set(expected) and len(expected) >= 3
    for name, figures in expected.items():
        p = got[name]
        assert (p.held, p.attendance) == (figures["held"], figures["attendance"])
        assert {n: [h, a] for n, h, a in p.towns.values()} == {k: v for k, v in figures["towns"].items()}
        assert [m[0] for m in p.months] == [figures["months"][m][0] for m in range(1, 13)]
        assert p.sentence == f"全年组织{name}{figures['held']}场，惠及群众{figures['attendance']}人次"
    assert summary.held == sum(f["held"] for f in expected.values()) > 0
    assert summary.attendance == sum(f["attendance"] for f in expected.values()) > 0

    # The download a staff member pastes into the year-end report carries the same numbers.
    client = app.test_client()
    client.post("/login", data={"username": "linzi_staff", "password": "demo-staff-2026"})
    response = client.get(f"/manage/reports/year-summary.xlsx?year=2026&area={linzi.id}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.data))["年度汇总"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("品牌活动", "举办场次", "惠及人次", "总结表述")
    assert {r[0]: (r[1], r[2], r[3]) for r in rows[1:-1]} == {
        name: (f["held"], f["attendance"], f"全年组织{name}{f['held']}场，惠及群众{f['attendance']}人次")
        for name, f in expected.items()}
    total_held = sum(f["held"] for f in expected.values())
    total_attendance = sum(f["attendance"] for f in expected.values())
    assert rows[-1] == ("合计", total_held, total_attendance, f"全年共组织各类文旅活动{total_held}场，惠及群众{total_attendance}人次")
    assert _db.session.query(User).filter_by(username="linzi_staff").one().role == "staff"
