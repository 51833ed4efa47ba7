"""The bureau staff's pages: review queue, programs and quotas, venues, users, audit log.

Staff of 临淄区 act on 临淄区 only; coordinators get 403 on every staff page; another district's
staff neither see nor reach anything of 临淄区 (404 on guessed ids); every POST form needs CSRF.
"""
from __future__ import annotations

from tests.world import weekly_body

import re
from datetime import date, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from calendar_app.accounts.models import ApiToken, User
from calendar_app.accounts.services import create_user
from calendar_app.audit.models import AuditLog
from calendar_app.events.models import Event, Occurrence
from calendar_app.programs.models import Assignment, Edition, Program
from calendar_app.programs.services import create_program
from calendar_app.venues.models import Venue
from tests.workflow.conftest import PASSWORD

# --- helpers -------------------------------------------------------------------------------------------------


_weekly = weekly_body


def _submitted(client, world, **overrides) -> int:
    """A coordinator's weekly series, submitted for review, through the API; returns its id."""
    created = client.post("/api/v1/events", json=_weekly(world, **overrides), headers=world.auth("coord"))
    assert created.status_code == 201, created.json
    event_id = created.json["id"]
    assert client.post(f"/api/v1/events/{event_id}/submit", headers=world.auth("coord")).status_code == 200
    return event_id


def _fresh(db, model, ident):
    db.session.rollback()
    return db.session.get(model, ident)


def _count(db, model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def _text(response) -> str:
    return response.get_data(as_text=True)


def _field_error(html: str, field_id: str) -> str:
    """The error paragraph the field macro renders under the field with this id ('' when none)."""
    match = re.search(rf'<p class="field-error" id="{re.escape(field_id)}-err"[^>]*>([^<]*)</p>', html)
    return match.group(1) if match else ""


def _venue_form(venue: Venue, **overrides) -> dict:
    data = {"name": venue.name, "area": str(venue.area_id), "kind": venue.kind, "address": venue.address or "",
            "capacity": "" if venue.capacity is None else str(venue.capacity), "latitude": "", "longitude": "",
            "is_active": "y", "sharing": "exclusive" if venue.is_exclusive else "shared",
            "changeover_minutes": str(venue.changeover_minutes), "override_reason": ""}
    data.update(overrides)
    return data


# --- every staff route ---------------------------------------------------------------------------------------

GET_PAGES = [
    "/manage/review",
    "/manage/programs",
    "/manage/programs/new",
    "/manage/programs/{program}/edit",
    "/manage/programs/{program}/editions/new",
    "/manage/programs/{program}/editions/{edition}/edit",
    "/manage/programs/{program}/editions/{edition}/assignments",
    "/manage/venues",
    "/manage/venues/new",
    "/manage/venues/{venue}/edit",
    "/manage/users",
    "/manage/users/new",
    "/manage/users/{user}",
    "/manage/audit",
]
POST_FORMS = [
    ("/manage/review/{event}/publish", {}),
    ("/manage/review/{event}/return", {"r{event}-comment": "请补充剧目"}),
    ("/manage/programs/new", {"name": "新品牌", "slug": "new-brand", "area": "{linzi}", "category": "other",
                              "colour": "#336699"}),
    ("/manage/programs/{program}/edit", {"name": "戏曲进乡村", "slug": "xiqu-xiangcun", "area": "{linzi}",
                                         "category": "opera", "colour": "#336699"}),
    ("/manage/programs/{program}/editions/new", {"name": "2027戏曲进乡村", "starts_on": "2027-03-01",
                                                 "ends_on": "2028-02-28", "target_events": "90"}),
    ("/manage/programs/{program}/editions/{edition}/edit", {"name": "2026戏曲进乡村", "starts_on": "2026-03-01",
                                                            "ends_on": "2027-02-28", "target_events": "120"}),
    ("/manage/programs/{program}/editions/{edition}/assignments", {"rows-0-area_id": "{jinshan}",
                                                                    "rows-0-target_events": "50"}),
    ("/manage/venues/new", {"name": "新场馆", "area": "{linzi}", "kind": "plaza", "sharing": "auto",
                            "changeover_minutes": "30", "is_active": "y"}),
    ("/manage/venues/{venue}/edit", {"name": "东崖村文化广场", "area": "{dongya}", "kind": "village_square",
                                     "sharing": "shared", "changeover_minutes": "60", "is_active": "y"}),
    ("/manage/users/new", {"username": "new_coord", "display_name": "新协调员", "role": "coordinator",
                           "area": "{jixia}", "password": "晚上八点在稷下广场一起跳舞"}),
    ("/manage/users/{user}", {"display_name": "改过的名字", "role": "coordinator", "area": "{jinshan}",
                              "is_active": "y"}),
    ("/manage/users/{user}/password", {"password": "这是一句足够长的新密码就好", "confirm": "这是一句足够长的新密码就好"}),
    ("/manage/users/{user}/api-token", {"name": "小程序", "expires_in_days": "30"}),
    ("/manage/users/{user}/api-token/revoke", {}),
    ("/manage/users/{user}/feed", {}),
    ("/manage/users/{user}/feed/revoke", {}),
]


def _ids(world, event_id=0) -> dict:
    return {"program": world.program.id, "edition": world.edition.id, "venue": world.venues["dongya_square"].id,
            "user": world.users["coord"].id, "event": event_id, "linzi": world.areas["linzi"].id,
            "jinshan": world.areas["jinshan"].id, "jixia": world.areas["jixia"].id,
            "dongya": world.areas["dongya"].id}


def _fill(template: str, ids: dict) -> str:
    return template.format(**ids)


# One world per matrix (building it hashes five passwords): each test walks every route and reports
# every route that answered wrongly, not only the first.

def test_a_coordinator_gets_403_on_every_staff_page_and_form_and_nothing_changes(sign_in, client, db, world):
    event_id = _submitted(client, world)
    ids = _ids(world, event_id)
    audit_before = _count(db, AuditLog)
    coordinator = sign_in("coord")
    wrong = []
    for page in GET_PAGES:
        response = coordinator.get(_fill(page, ids))
        if response.status_code != 403 or "只有文旅局工作人员" not in _text(response):
            wrong.append(("GET", page, response.status_code))
    for url, form in POST_FORMS:
        data = {_fill(k, ids): _fill(v, ids) for k, v in form.items()}
        status = coordinator.post(_fill(url, ids), data=data).status_code
        if status != 403:
            wrong.append(("POST", url, status))
    assert wrong == []
    assert _count(db, AuditLog) == audit_before
    assert _fresh(db, Event, event_id).status == "submitted"


def test_every_staff_form_refuses_a_post_without_the_csrf_token(app, sign_in, client, db, world):
    event_id = _submitted(client, world)
    ids = _ids(world, event_id)
    staff = sign_in("staff")  # signed in before CSRF is switched on (the login form needs it too)
    before = (_count(db, AuditLog), _count(db, User), _count(db, ApiToken), _count(db, Program), _count(db, Venue))
    previous = app.config["WTF_CSRF_ENABLED"]
    app.config["WTF_CSRF_ENABLED"] = True
    wrong = []
    try:
        for url, form in POST_FORMS:
            data = {_fill(k, ids): _fill(v, ids) for k, v in form.items()}
            response = staff.post(_fill(url, ids), data=data)
            if response.status_code != 400 or "表单已过期或来源无法确认" not in _text(response):
                wrong.append((url, response.status_code))
        # A page rendered now carries the token its form needs.
        assert 'name="csrf_token"' in _text(staff.get("/manage/users/new"))
    finally:
        app.config["WTF_CSRF_ENABLED"] = previous
    assert wrong == []
    assert (_count(db, AuditLog), _count(db, User), _count(db, ApiToken), _count(db, Program),
            _count(db, Venue)) == before
    assert _fresh(db, Event, event_id).status == "submitted"


# --- review queue --------------------------------------------------------------------------------------------

def test_staff_publishes_from_the_queue_and_the_event_becomes_public(sign_in, client, db, world):
    event_id = _submitted(client, world)
    assert client.get(f"/events/{event_id}").status_code == 404
    staff = sign_in("staff")
    queue = _text(staff.get("/manage/review"))
    assert "戏曲进乡村·东崖村" in queue and "金山镇 · 东崖村" in queue
    assert "共 6 场" in queue and "东崖村文化广场" in queue and "2026年12月5日" in queue
    assert f'href="/manage/events/{event_id}"' in queue

    response = staff.post(f"/manage/review/{event_id}/publish")
    assert response.status_code == 302 and response.headers["Location"].endswith("/manage/review")
    assert _fresh(db, Event, event_id).status == "published"
    assert "已发布「戏曲进乡村·东崖村」" in _text(staff.get("/manage/review"))
    assert "戏曲进乡村·东崖村" in _text(client.get(f"/events/{event_id}"))


def test_the_queue_lists_the_oldest_submission_first(sign_in, client, world, app):
    app.config["FIXED_NOW"] = "2026-12-01T09:00:00+08:00"
    first = _submitted(client, world, title="先提交的村晚")
    app.config["FIXED_NOW"] = "2026-12-01T10:00:00+08:00"
    _submitted(client, world, title="后提交的书画展", starts_local="2026-12-06T09:00", ends_local="2026-12-06T11:00",
               rrule=None)
    queue = _text(sign_in("staff").get("/manage/review"))
    assert queue.index("先提交的村晚") < queue.index("后提交的书画展")
    assert f"event-{first}" in queue


def test_returning_an_event_needs_a_comment(sign_in, client, db, world):
    event_id = _submitted(client, world)
    staff = sign_in("staff")
    refused = staff.post(f"/manage/review/{event_id}/return", data={f"r{event_id}-comment": "   "})
    assert refused.status_code == 422
    assert _field_error(_text(refused), f"r{event_id}-comment") == "请填写退回意见，协调员会在工作台看到"
    assert _fresh(db, Event, event_id).status == "submitted"

    returned = staff.post(f"/manage/review/{event_id}/return", data={f"r{event_id}-comment": "请补充演出剧目"})
    assert returned.status_code == 302
    event = _fresh(db, Event, event_id)
    assert event.status == "draft" and event.review_comment == "请补充演出剧目"
    assert event.reviewed_by_id == world.users["staff"].id


# --- another district ----------------------------------------------------------------------------------------

def test_staff_of_another_district_sees_none_of_this_districts_users_venues_events(sign_in, client, db, world):
    event_id = _submitted(client, world)
    other = sign_in("other_staff")
    users = _text(other.get("/manage/users"))
    assert "jinshan_coord" not in users and "linzi_staff" not in users and "yueyang_staff" in users
    venues = _text(other.get("/manage/venues"))
    assert "东崖村文化广场" not in venues and "临淄大剧院" not in venues and "岳阳楼景区广场" in venues
    queue = _text(other.get("/manage/review"))
    assert "戏曲进乡村·东崖村" not in queue and "目前没有待审核的活动" in queue
    programs = _text(other.get("/manage/programs"))
    assert "戏曲进乡村" not in programs and "月季有约" in programs
    staff = sign_in("staff")
    staff.post(f"/manage/review/{event_id}/return", data={f"r{event_id}-comment": "请补充"})
    assert "jinshan_coord" not in _text(other.get("/manage/audit"))
    assert "请补充" not in _text(other.get("/manage/audit"))


def test_staff_of_another_district_gets_404_on_guessed_ids_and_changes_nothing(sign_in, client, db, world):
    event_id = _submitted(client, world)
    ids = _ids(world, event_id)
    audit_before = _count(db, AuditLog)
    other = sign_in("other_staff")
    wrong = []
    for page in GET_PAGES:
        if "{" in page:
            status = other.get(_fill(page, ids)).status_code
            if status != 404:
                wrong.append(("GET", page, status))
    for url, form in POST_FORMS:
        if "{" in url:
            data = {_fill(k, ids): _fill(v, ids) for k, v in form.items()}
            status = other.post(_fill(url, ids), data=data).status_code
            if status != 404:
                wrong.append(("POST", url, status))
    assert wrong == []
    assert _count(db, AuditLog) == audit_before
    assert _fresh(db, Event, event_id).status == "submitted"


# --- programs, editions, quotas ------------------------------------------------------------------------------

def test_staff_creates_a_program_and_an_edition_then_assigns_quotas_to_towns(sign_in, db, world):
    staff = sign_in("staff")
    created = staff.post("/manage/programs/new", data={"name": "临淄之夏", "slug": "linzi-summer",
                                                       "area": world.areas["linzi"].id, "category": "performance",
                                                       "colour": "#1E88E5", "description": "广场文化活动"})
    assert created.status_code == 302
    program = db.session.scalar(select(Program).where(Program.slug == "linzi-summer"))
    assert program.colour == "#1e88e5" and program.area_id == world.areas["linzi"].id
    edition = staff.post(f"/manage/programs/{program.id}/editions/new",
                         data={"name": "2027临淄之夏", "starts_on": "2027-06-01", "ends_on": "2027-08-31",
                               "theme": "激情广场", "theme_colour": "#2e7d32", "target_events": "60",
                               "target_attendance": "30000"})
    assert edition.status_code == 302
    edition = db.session.scalar(select(Edition).where(Edition.program_id == program.id))
    assert (edition.target_events, edition.target_attendance, edition.theme_colour) == (60, 30000, "#2e7d32")
    page = _text(staff.get(f"/manage/programs/{program.id}/editions/{edition.id}/assignments"))
    assert "金山镇" in page and "稷下街道" in page and "洞庭街道" not in page

    jinshan, jixia = world.areas["jinshan"].id, world.areas["jixia"].id
    saved = staff.post(f"/manage/programs/{program.id}/editions/{edition.id}/assignments", data={
        "rows-0-area_id": jinshan, "rows-0-target_events": "25", "rows-0-target_attendance": "8000",
        "rows-0-due_on": "2027-08-31", "rows-0-coordinators": str(world.users["coord"].id),
        "rows-1-area_id": jixia, "rows-1-target_events": "",
    })
    assert saved.status_code == 302
    db.session.rollback()
    assignments = db.session.scalars(select(Assignment).where(Assignment.edition_id == edition.id)).all()
    assert [(a.area_id, a.target_events, a.target_attendance, a.due_on) for a in assignments] == \
        [(jinshan, 25, 8000, date(2027, 8, 31))]
    assert [u.username for u in assignments[0].coordinators] == ["jinshan_coord"]

    # Saving again updates the same row (update_assignment), and the change is audited.
    staff.post(f"/manage/programs/{program.id}/editions/{edition.id}/assignments", data={
        "rows-0-area_id": jinshan, "rows-0-target_events": "30", "rows-1-area_id": jixia, "rows-1-target_events": "",
    })
    db.session.rollback()
    again = db.session.scalars(select(Assignment).where(Assignment.edition_id == edition.id)).all()
    assert [(a.id, a.target_events, a.coordinators) for a in again] == [(assignments[0].id, 30, [])]
    log = db.session.scalar(select(AuditLog).where(AuditLog.action == "assignment.update"))
    assert log.changes["target_events"] == [25, 30] and log.user_id == world.users["staff"].id


def test_a_quota_cannot_name_another_towns_coordinator(sign_in, db, world):
    staff = sign_in("staff")
    url = f"/manage/programs/{world.program.id}/editions/{world.edition.id}/assignments"
    refused = staff.post(url, data={"rows-0-area_id": world.areas["jixia"].id, "rows-0-target_events": "30",
                                    "rows-0-coordinators": str(world.users["coord"].id)})
    assert refused.status_code == 422
    assert _field_error(_text(refused), "rows-0-coordinators") == "只能选择该镇街的协调员，请刷新页面后重新选择"
    db.session.rollback()
    jixia = db.session.scalar(select(Assignment).where(Assignment.area_id == world.areas["jixia"].id))
    assert jixia.coordinators == []


def test_a_city_program_is_read_only_for_district_staff_but_takes_their_towns_quotas(sign_in, db, world):
    city_program = create_program(slug="siji-cunwan", name="四季村晚", area_id=world.areas["city"].id)
    db.session.commit()
    staff = sign_in("staff")
    listing = _text(staff.get("/manage/programs"))
    assert "四季村晚" in listing and "淄博市主办 · 只读" in listing
    assert staff.get(f"/manage/programs/{city_program.id}/edit").status_code == 403
    assert staff.post(f"/manage/programs/{city_program.id}/editions/new",
                      data={"name": "x", "starts_on": "2027-01-01", "ends_on": "2027-01-02"}).status_code == 403


def test_an_edition_ending_before_it_starts_is_refused_next_to_the_field(sign_in, db, world):
    staff = sign_in("staff")
    response = staff.post(f"/manage/programs/{world.program.id}/editions/{world.edition.id}/edit",
                          data={"name": "2026戏曲进乡村", "starts_on": "2026-03-01", "ends_on": "2026-02-01"})
    assert response.status_code == 422
    assert _field_error(_text(response), "ends_on") == "结束日期不能早于开始日期"
    assert _fresh(db, Edition, world.edition.id).ends_on == date(2027, 2, 28)


# --- venues --------------------------------------------------------------------------------------------------

def test_venue_edit_round_trips_changeover_exclusivity_and_opening_hours(sign_in, db, world):
    venue = world.venues["dongya_square"]
    staff = sign_in("staff")
    response = staff.post(f"/manage/venues/{venue.id}/edit", data=_venue_form(
        venue, sharing="shared", changeover_minutes="45", capacity="500", latitude="36.8167", longitude="118.309",
        **{"hours-0-weekday": "5", "hours-0-opens_at": "18:00", "hours-0-closes_at": "02:00",
           "hours-1-weekday": "0", "hours-1-opens_at": "09:00", "hours-1-closes_at": "12:00",
           "hours-2-weekday": "", "hours-2-opens_at": "", "hours-2-closes_at": ""}))
    assert response.status_code == 302, _text(response)[:2000]
    saved = _fresh(db, Venue, venue.id)
    assert (saved.is_exclusive, saved.changeover_minutes, saved.capacity) == (False, 45, 500)
    assert saved.latitude == pytest.approx(36.8167)
    assert [(h.weekday, f"{h.opens_at:%H:%M}", f"{h.closes_at:%H:%M}") for h in saved.opening_hours] == \
        [(0, "09:00", "12:00"), (5, "18:00", "02:00")]
    form = _text(staff.get(f"/manage/venues/{venue.id}/edit"))
    assert 'value="45"' in form and '<option selected value="shared">' in form
    assert 'value="18:00"' in form and 'value="02:00"' in form

    back = staff.post(f"/manage/venues/{venue.id}/edit", data=_venue_form(
        saved, sharing="exclusive", changeover_minutes="0",
        **{"hours-0-weekday": "5", "hours-0-opens_at": "18:00", "hours-0-closes_at": "02:00"}))
    assert back.status_code == 302
    saved = _fresh(db, Venue, venue.id)
    assert (saved.is_exclusive, saved.changeover_minutes, len(saved.opening_hours)) == (True, 0, 1)
    log = db.session.scalars(select(AuditLog).where(AuditLog.action == "venue.update").order_by(AuditLog.id)).all()
    assert log[0].changes["changeover_minutes"] == [30, 45] and log[1].changes["is_exclusive"] == [False, True]


def test_a_new_street_venue_is_shared_by_default_and_a_theatre_exclusive(sign_in, db, world):
    staff = sign_in("staff")
    for name, kind in (("齐文化古街", "street"), ("区文化馆小剧场", "theatre")):
        response = staff.post("/manage/venues/new", data={"name": name, "area": world.areas["linzi"].id, "kind": kind,
                                                          "sharing": "auto", "changeover_minutes": "30",
                                                          "is_active": "y"})
        assert response.status_code == 302
    db.session.rollback()
    made = {v.name: v.is_exclusive for v in db.session.scalars(select(Venue).where(Venue.name.in_(
        ["齐文化古街", "区文化馆小剧场"])))}
    assert made == {"齐文化古街": False, "区文化馆小剧场": True}


def test_a_changeover_outside_0_to_1440_minutes_is_refused_next_to_the_field(sign_in, db, world):
    venue = world.venues["theatre"]
    response = sign_in("staff").post(f"/manage/venues/{venue.id}/edit",
                                     data=_venue_form(venue, changeover_minutes="2000"))
    assert response.status_code == 422
    assert _field_error(_text(response), "changeover_minutes") == "换场时间须在 0 到 1440 分钟之间"
    assert _fresh(db, Venue, venue.id).changeover_minutes == 30


def test_lengthening_a_changeover_that_makes_bookings_clash_is_refused_with_the_clash_list(sign_in, client, db, world):
    theatre = world.venues["theatre"]
    at_theatre = {"venue": theatre.id, "area": world.areas["jinshan"].id, "rrule": None}
    assert client.post("/api/v1/events", json=_weekly(world, title="京剧专场", **at_theatre),
                       headers=world.auth("staff")).status_code == 201
    assert client.post("/api/v1/events", json=_weekly(world, title="吕剧专场", starts_local="2026-12-05T21:40",
                                                       ends_local="2026-12-05T23:00", **at_theatre),
                       headers=world.auth("staff")).status_code == 201
    staff = sign_in("staff")
    refused = staff.post(f"/manage/venues/{theatre.id}/edit", data=_venue_form(theatre, changeover_minutes="60"))
    assert refused.status_code == 409
    page = _text(refused)
    assert "改动后会冲突的场次（1）" in page and "「吕剧专场」2026-12-05 21:40 与「京剧专场」" in page
    assert _fresh(db, Venue, theatre.id).changeover_minutes == 30

    allowed = staff.post(f"/manage/venues/{theatre.id}/edit",
                         data=_venue_form(theatre, changeover_minutes="60", override_reason="两场同一剧团，无需换场"))
    assert allowed.status_code == 302
    assert _fresh(db, Venue, theatre.id).changeover_minutes == 60
    shared = db.session.scalars(select(Occurrence).where(Occurrence.venue_id == theatre.id)
                                .order_by(Occurrence.starts_at)).all()
    assert [(o.holds_venue, o.clash_override_reason) for o in shared] == [(True, None), (False, "两场同一剧团，无需换场")]
    assert shared[0].blocks_until == shared[0].ends_at + timedelta(minutes=60)
    override = db.session.scalar(select(AuditLog).where(AuditLog.action == "venue.clash_override"))
    assert override.user_id == world.users["staff"].id


def test_making_a_shared_street_exclusive_is_refused_while_bookings_overlap(sign_in, client, db, world):
    street = world.venues["old_street"]
    assert street.is_exclusive is False
    body = {"venue": street.id, "area": world.areas["jinshan"].id, "rrule": None}
    for title in ("非遗市集", "街头戏曲"):
        assert client.post("/api/v1/events", json=_weekly(world, title=title, **body),
                           headers=world.auth("staff")).status_code == 201
    response = sign_in("staff").post(f"/manage/venues/{street.id}/edit", data=_venue_form(street, sharing="exclusive"))
    assert response.status_code == 409 and "非遗市集" in _text(response)
    assert _fresh(db, Venue, street.id).is_exclusive is False
    assert db.session.scalar(select(func.count()).select_from(Occurrence)
                             .where(Occurrence.venue_id == street.id, Occurrence.holds_venue.is_(True))) == 0


# --- users ---------------------------------------------------------------------------------------------------

def _new_user(**overrides) -> dict:
    data = {"username": "qidu_coord", "display_name": "齐都镇协调员", "role": "coordinator", "area": "",
            "password": "齐都镇每周六晚上都有村晚演出"}
    data.update(overrides)
    return data


def test_creating_a_user_with_a_weak_password_shows_the_policy_message_next_to_the_field(sign_in, db, world):
    staff = sign_in("staff")
    response = staff.post("/manage/users/new", data=_new_user(area=world.areas["jixia"].id, password="short"))
    assert response.status_code == 422
    assert _field_error(_text(response), "password") == "密码至少 12 个字符（建议用一句好记的话）"
    common = staff.post("/manage/users/new", data=_new_user(area=world.areas["jixia"].id, password="password1234"))
    assert _field_error(_text(common), "password") == "这个密码太常见，很容易被猜到，请换一个"
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.username == "qidu_coord")) is None

    created = staff.post("/manage/users/new", data=_new_user(area=world.areas["jixia"].id))
    assert created.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "qidu_coord"))
    assert (user.role, user.area_id) == ("coordinator", world.areas["jixia"].id)
    assert user.check_password("齐都镇每周六晚上都有村晚演出")


def test_a_staff_member_cannot_create_or_promote_an_admin_nor_place_a_user_outside_the_district(sign_in, db, world):
    staff = sign_in("staff")
    as_admin = _new_user(role="admin", area=world.areas["linzi"].id)
    assert staff.post("/manage/users/new", data=as_admin).status_code == 403
    assert staff.post("/manage/users/new",
                      data=_new_user(role="staff", area=world.areas["yueyang"].id)).status_code in (403, 422)
    coord = world.users["coord"]
    assert staff.post(f"/manage/users/{coord.id}", data={"display_name": "x", "role": "admin",
                                                         "area": world.areas["jinshan"].id,
                                                         "is_active": "y"}).status_code == 403
    moved = staff.post(f"/manage/users/{coord.id}", data={"display_name": "x", "role": "coordinator",
                                                          "area": world.areas["dongting"].id, "is_active": "y"})
    assert moved.status_code in (403, 422)
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.username == "qidu_coord")) is None
    assert (_fresh(db, User, coord.id).role, _fresh(db, User, coord.id).area_id) == ("coordinator",
                                                                                      world.areas["jinshan"].id)
    # An admin placed in the district is in the staff member's view, but out of their reach.
    district_admin = create_user(username="linzi_admin", password=PASSWORD, role="admin",
                                 area_id=world.areas["linzi"].id)
    db.session.commit()
    new_password = {"password": "一个够长的管理员新密码呀", "confirm": "一个够长的管理员新密码呀"}
    assert staff.post(f"/manage/users/{district_admin.id}/password", data=new_password).status_code == 403
    assert staff.post(f"/manage/users/{district_admin.id}/api-token", data={}).status_code == 403
    assert _fresh(db, User, district_admin.id).check_password(PASSWORD)
    # The page never offers the admin role to staff; an admin may grant it.
    assert 'value="admin"' not in _text(staff.get("/manage/users/new"))
    assert 'value="admin"' in _text(sign_in("admin").get("/manage/users/new"))


def test_staff_edit_a_coordinator_and_deactivating_ends_their_api_token(sign_in, client, db, world):
    coord = world.users["coord"]
    staff = sign_in("staff")
    response = staff.post(f"/manage/users/{coord.id}", data={"display_name": "金山镇 王协调", "role": "coordinator",
                                                             "area": world.areas["jinshan"].id})
    assert response.status_code == 302
    user = _fresh(db, User, coord.id)
    assert user.display_name == "金山镇 王协调" and user.is_active_user is False
    assert client.get("/api/v1/me", headers=world.auth("coord")).status_code == 401


def test_a_staff_member_cannot_deactivate_themselves(sign_in, db, world):
    me = world.users["staff"]
    response = sign_in("staff").post(f"/manage/users/{me.id}", data={"display_name": me.display_name, "role": "staff",
                                                                     "area": world.areas["linzi"].id})
    assert response.status_code == 422
    assert _fresh(db, User, me.id).is_active_user is True


def test_resetting_a_password_applies_the_policy_and_ends_old_sessions(sign_in, db, world):
    coord = world.users["coord"]
    staff = sign_in("staff")
    weak = staff.post(f"/manage/users/{coord.id}/password", data={"password": "12345", "confirm": "12345"})
    assert weak.status_code == 422 and "密码至少 12 个字符" in _field_error(_text(weak), "password")
    coordinator = sign_in("coord")
    assert coordinator.get("/manage/").status_code == 200
    new_password = "金山镇协调员的新密码足够长了"
    ok = staff.post(f"/manage/users/{coord.id}/password", data={"password": new_password, "confirm": new_password})
    assert ok.status_code == 302
    assert _fresh(db, User, coord.id).check_password(new_password)
    assert coordinator.get("/manage/").status_code == 302  # signed out: the session version moved on


def test_an_api_token_and_a_private_feed_are_shown_once_and_can_be_revoked(sign_in, client, db, world):
    coord = world.users["coord"]
    staff = sign_in("staff")
    issued = staff.post(f"/manage/users/{coord.id}/api-token", data={"name": "游在临淄小程序", "expires_in_days": "90"})
    assert issued.status_code == 200 and issued.headers["Cache-Control"] == "no-store"
    page = _text(issued)
    secret = re.search(r'<code id="secret-value">(cal_[^<]+)</code>', page).group(1)
    assert "离开本页后无法再次查看" in page
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json["username"] == "jinshan_coord"
    assert secret not in _text(staff.get(f"/manage/users/{coord.id}"))  # listed by prefix only, never again in full

    feed = _text(staff.post(f"/manage/users/{coord.id}/feed"))
    feed_url = re.search(r'<code id="secret-value">(http[^<]+/private/[^<]+\.ics)</code>', feed).group(1)
    path = urlsplit(feed_url).path
    assert client.get(path).status_code == 200

    assert staff.post(f"/manage/users/{coord.id}/api-token/revoke").status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert staff.post(f"/manage/users/{coord.id}/feed/revoke").status_code == 302
    assert client.get(path).status_code == 404
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.entity_type == "user",
                                                               AuditLog.entity_id == coord.id)).all()
    assert {"user.api_token_issue", "user.api_token_revoke", "user.feed_issue", "user.feed_revoke"} <= set(actions)


# --- audit log -----------------------------------------------------------------------------------------------

def test_the_audit_log_lists_a_publish_with_its_user_and_filters_by_action(sign_in, client, db, world):
    event_id = _submitted(client, world)
    staff = sign_in("staff")
    staff.post(f"/manage/review/{event_id}/publish")
    page = _text(staff.get("/manage/audit"))
    assert "活动状态变更" in page and "<del>待审核</del> → <ins>已发布</ins>" in page
    assert "linzi_staff" in page and f"#{event_id}「戏曲进乡村·东崖村」" in page

    created = _text(staff.get("/manage/audit", query_string={"action": "event.create"}))
    assert "新建活动</strong>" in created and "<ins>已发布</ins>" not in created
    by_user = _text(staff.get("/manage/audit", query_string={"user": world.users["coord"].id}))
    assert "<ins>已发布</ins>" not in by_user and "<ins>待审核</ins>" in by_user
    db.session.rollback()
    published_at = db.session.scalar(select(AuditLog.at).where(AuditLog.action == "event.status")
                                     .order_by(AuditLog.id.desc()))
    day = published_at.astimezone(ZoneInfo("Asia/Shanghai")).date()  # audit rows carry the real clock
    entity = _text(staff.get("/manage/audit", query_string={"entity_type": "event", "entity_id": event_id,
                                                            "date_from": day.isoformat(), "date_to": day.isoformat()}))
    assert "<ins>已发布</ins>" in entity
    other_day = _text(staff.get("/manage/audit", query_string={"date_from": (day + timedelta(days=1)).isoformat()}))
    assert "没有符合条件的记录" in other_day


def test_the_audit_log_pages_through_many_entries(sign_in, db, world):
    from calendar_app.audit.services import record

    for n in range(60):
        record("user.update", "user", world.users["coord"].id, user_id=world.users["staff"].id,
               changes={"display_name": [f"旧名{n}", f"新名{n}"]})
    db.session.commit()
    staff = sign_in("staff")
    first = _text(staff.get("/manage/audit", query_string={"action": "user.update"}))
    assert "新名59" in first and "新名5<" not in first and "下一页" in first
    second = _text(staff.get("/manage/audit", query_string={"action": "user.update", "page": 2}))
    assert "新名5<" in second and "上一页" in second and "下一页" not in second
