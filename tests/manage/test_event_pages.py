"""The coordinator's pages: dashboard, the event form with its date preview, an event's page and its actions.

Runs on the two-district `world` (tests/workflow/conftest.py): "now" is Tuesday 2026-12-01 19:00 in
Asia/Shanghai; jinshan_coord schedules for 金山镇, jixia_coord for 稷下街道, linzi_staff reviews.
"""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from calendar_app.events.models import Event, EventChange, Occurrence
from calendar_app.festivals.services import set_official_day
from calendar_app.manage.forms import first_matching_day
from tests import factories
from tests.workflow.conftest import PASSWORD, world  # noqa: F401  (the two-district fixture)


def sign_in(client, username: str) -> None:
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def weekly_form(w, **overrides) -> dict:
    """What a coordinator fills in for "every Saturday evening until February, except 19 December"."""
    data = {
        "title": "金山镇周六戏曲专场", "edition": f"e:{w.edition.id}", "area": str(w.areas["jinshan"].id),
        "venue": str(w.venues["dongya_square"].id), "date": "2026-12-05", "start_time": "19:00", "end_time": "21:00",
        "repeat": "weekly", "weekdays": ["SA"], "ends": "until", "until": "2027-02-27", "skip_dates": "2026-12-19",
        "category": "opera", "is_free": "y", "organiser": "金山镇综合文化站",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def field_block(html: str, field_id: str) -> str:
    """The markup the field() macro rendered for one field (label, control, help and errors)."""
    match = re.search(r'<div class="mfield[^"]*">\s*<label for="%s">.*?</div>' % re.escape(field_id), html, re.S)
    assert match, f"field {field_id} not rendered"
    return match.group(0)


def published_event(w, area="jinshan", *, title="金山镇周末放映", start=datetime(2026, 12, 12, 19),
                    end=datetime(2026, 12, 12, 21), venue="dongya_square", **kwargs):
    event = factories.event(w.areas[area], title=title, start=start, end=end, venue_id=w.venues[venue].id,
                            edition_id=w.edition.id, status="published", **kwargs)
    from calendar_app.extensions import db

    db.session.commit()
    return event


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- the form, the preview, saving and submitting --------------------------------------------------------------

def test_coordinator_previews_saves_and_submits_a_weekly_series_with_a_skipped_date(client, world, db):
    set_official_day(date(2026, 12, 26), "workday", "元旦")   # a Saturday worked to make up for the holiday
    set_official_day(date(2027, 1, 2), "holiday", "元旦")
    db.session.commit()
    sign_in(client, "jinshan_coord")
    page = client.get("/manage/events/new").get_data(as_text=True)
    assert f'value="e:{world.edition.id}"' in page and "2026戏曲进乡村" in page
    assert "2026冬·食在洞庭" not in page  # another district's edition is not offered

    preview = client.post("/manage/events/new", data=weekly_form(world, preview="1"))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "接下来的日期" in html
    assert re.search(r"2026年12月26日 周六</span>.*?tag-work[^>]*>班<", html, re.S), "调休 working day not marked"
    assert re.search(r"2027年1月2日 周六</span>.*?tag-off[^>]*>休<", html, re.S), "statutory holiday not marked"
    assert re.search(r"<del>2026年12月19日 周六</del>.*?跳过", html, re.S), "the skipped date is not shown as skipped"
    assert "场馆在这些时间都空闲" in html
    assert count(db, Event) == 0, "a preview must not save anything"

    saved = client.post("/manage/events/new", data=weekly_form(world, save="1"))
    assert saved.status_code == 302
    event = db.session.scalars(select(Event)).one()
    assert saved.headers["Location"].endswith(f"/manage/events/{event.id}")
    assert (event.status, event.rrule, event.exdates) == ("draft", "FREQ=WEEKLY;BYDAY=SA;UNTIL=20270227",
                                                          ["2026-12-19T19:00"])
    days = [o.starts_at.date() for o in event.occurrences]
    assert date(2026, 12, 19) not in days and len(days) == 12 - 1 + 1  # 13 Saturdays to 27 Feb, one skipped
    assert event.edition_id == world.edition.id and event.area_id == world.areas["jinshan"].id

    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "每周六，到 2027年2月27日为止；跳过 1 天" in page
    submitted = client.post(f"/manage/events/{event.id}/submit")
    assert submitted.status_code == 302
    db.session.refresh(event)
    assert event.status == "submitted"


def test_a_chosen_date_off_the_rule_moves_to_the_rules_first_day(client, world, db):
    sign_in(client, "jinshan_coord")
    response = client.post("/manage/events/new", data=weekly_form(world, date="2026-12-02", skip_dates="", save="1"))
    assert response.status_code == 302
    event = db.session.scalars(select(Event)).one()
    assert event.starts_local == datetime(2026, 12, 5, 19, 0)  # the first Saturday on or after Wednesday 2 Dec


@pytest.mark.parametrize("choices, rrule, lunar_rule", [
    ({"repeat": "monthly_nth", "month_nth": "1", "month_weekday": "SA", "ends": "count", "count": "6"},
     "FREQ=MONTHLY;BYDAY=1SA;COUNT=6", None),
    ({"repeat": "monthly_last", "month_weekday": "SU", "ends": "until", "until": "2027-06-30"},
     "FREQ=MONTHLY;BYDAY=-1SU;UNTIL=20270630", None),
    ({"repeat": "daily", "except_days": ["MO"], "ends": "until", "until": "2026-12-31"},
     "FREQ=WEEKLY;BYDAY=TU,WE,TH,FR,SA,SU;UNTIL=20261231", None),
    ({"repeat": "daily", "ends": "count", "count": "10"}, "FREQ=DAILY;COUNT=10", None),
    ({"repeat": "lunar", "festival": "元宵节", "ends": "count", "count": "3"}, None, "FESTIVAL=元宵节;COUNT=3"),
    ({"repeat": "once"}, None, None),
])
def test_the_recurrence_builder_speaks_plain_chinese_and_stores_rules(client, world, db, choices, rrule, lunar_rule):
    sign_in(client, "jinshan_coord")
    form = weekly_form(world, weekdays=None, skip_dates="", until=None, ends=None, save="1", date="2026-12-02",
                       venue=str(world.venues["dongya_square"].id))
    form.update(choices)
    response = client.post("/manage/events/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    event = db.session.scalars(select(Event)).one()
    assert (event.rrule, event.lunar_rule) == (rrule, lunar_rule)
    # Read back into the same choices on the edit page.
    page = client.get(f"/manage/events/{event.id}/edit").get_data(as_text=True)
    assert re.search(r'checked id="repeat-\d" name="repeat" type="radio" value="%s"' % choices["repeat"], page)


def test_first_matching_day_for_each_repetition():
    wednesday = date(2026, 12, 2)
    assert first_matching_day("weekly", wednesday, weekdays=["SA", "SU"]) == date(2026, 12, 5)
    assert first_matching_day("daily", date(2026, 12, 7), except_days=["MO"]) == date(2026, 12, 8)
    assert first_matching_day("monthly_nth", wednesday, nth="1", weekday="SA") == date(2026, 12, 5)
    assert first_matching_day("monthly_nth", date(2026, 12, 6), nth="1", weekday="SA") == date(2027, 1, 2)
    assert first_matching_day("monthly_last", wednesday, weekday="SA") == date(2026, 12, 26)
    assert first_matching_day("lunar", wednesday, festival="元宵节") == date(2027, 2, 20)
    assert first_matching_day("once", wednesday) == wednesday


def test_a_venue_clash_is_refused_next_to_the_venue_field_naming_the_other_event(client, world, db):
    published_event(world, "jixia", title="稷下街道京剧专场", venue="theatre")  # 12 Dec 19:00-21:00, another town
    sign_in(client, "jinshan_coord")
    form = weekly_form(world, venue=str(world.venues["theatre"].id), start_time="19:30", end_time="21:30")

    preview = client.post("/manage/events/new", data={**form, "preview": "1"}).get_data(as_text=True)
    assert re.search(r"2026年12月12日 周六</span>.*?冲突：「稷下街道京剧专场」19:00–21:00", preview, re.S)
    assert "其中 1 场与已有活动冲突" in preview

    refused = client.post("/manage/events/new", data={**form, "save": "1"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    venue_field = field_block(html, "venue")
    assert "field-error" in venue_field and "已被占用" in venue_field and "稷下街道京剧专场" in venue_field
    assert 'class="clash-box"' in html and "2026年12月12日 周六 19:00–21:00" in html
    assert count(db, Event) == 1, "nothing of the refused series is saved"

    moved = client.post("/manage/events/new", data={**form, "start_time": "14:00", "end_time": "16:00", "save": "1"})
    assert moved.status_code == 302


@pytest.mark.parametrize("form, field, message", [
    ({"title": ""}, "title", "请填写活动名称"),
    ({"start_time": "21:00", "end_time": "19:00"}, "end_time", "结束时间必须晚于开始时间"),
    ({"weekdays": None}, "weekdays", "请至少选一天"),
    ({"until": ""}, "until", "请选择最后一天"),
    ({"skip_dates": "12月19日"}, "skip_dates", "无法识别的日期"),
    ({"date": "2026-02-30"}, "date", "日期"),
    ({"registration_url": "javascript:alert(1)"}, "registration_url", "报名链接"),
    ({"edition": "e:999999"}, "edition", "不是有效的选择"),
])
def test_bad_input_is_refused_in_chinese_next_to_its_field_and_saves_nothing(client, world, db, form, field, message):
    sign_in(client, "jinshan_coord")
    response = client.post("/manage/events/new", data=weekly_form(world, save="1", **form))
    assert response.status_code == 422
    block = field_block(response.get_data(as_text=True), field)
    assert "field-error" in block and message in block, block
    assert count(db, Event) == 0


def test_a_venue_of_another_district_is_not_offered_and_refused(client, world, db):
    sign_in(client, "jinshan_coord")
    page = client.get("/manage/events/new").get_data(as_text=True)
    assert "岳阳楼景区广场" not in page
    response = client.post("/manage/events/new",
                           data=weekly_form(world, venue=str(world.venues["yueyang_tower"].id), save="1"))
    assert response.status_code == 422
    assert "field-error" in field_block(response.get_data(as_text=True), "venue")
    assert count(db, Event) == 0


def test_changing_a_published_event_needs_a_reason_and_records_the_change(client, world, db):
    event = published_event(world)
    sign_in(client, "jinshan_coord")
    page = client.get(f"/manage/events/{event.id}/edit").get_data(as_text=True)
    assert "变更原因（会显示给公众）" in page
    form = {"title": event.title, "edition": f"e:{world.edition.id}", "area": str(world.areas["jinshan"].id),
            "venue": str(world.venues["dongya_square"].id), "date": "2026-12-12", "start_time": "18:30",
            "end_time": "20:30", "repeat": "once", "category": "other", "is_free": "y", "save": "1"}
    refused = client.post(f"/manage/events/{event.id}/edit", data=form)
    assert refused.status_code == 422
    assert "须填写变更原因" in field_block(refused.get_data(as_text=True), "reason")
    db.session.refresh(event)
    assert event.starts_local == datetime(2026, 12, 12, 19, 0)

    done = client.post(f"/manage/events/{event.id}/edit", data={**form, "reason": "天黑得早，提前半小时开始"})
    assert done.status_code == 302
    db.session.refresh(event)
    assert event.starts_local == datetime(2026, 12, 12, 18, 30)
    assert event.status_reason == "天黑得早，提前半小时开始"
    change = db.session.scalars(select(EventChange)).one()
    assert (change.kind, change.reason) == ("rescheduled", "天黑得早，提前半小时开始")


def test_this_and_following_splits_the_series_from_the_chosen_occurrence(client, world, db):
    event = published_event(world, title="金山镇周六放映", start=datetime(2026, 12, 5, 19), end=datetime(2026, 12, 5, 21),
                            rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=6")
    third = sorted(event.occurrences, key=lambda o: o.starts_at)[2]
    sign_in(client, "jinshan_coord")
    page = client.get(f"/manage/events/{event.id}/edit?occurrence={third.id}").get_data(as_text=True)
    assert re.search(r'checked id="edit_scope-1" name="edit_scope" type="radio" value="following"', page)
    form = weekly_form(world, title=event.title, date="2026-12-19", start_time="18:00", end_time="20:00", skip_dates="",
                       ends="count", count="4", until=None, category="other", edit_scope="following",
                       occurrence=str(third.id), reason="冬季提前开始", save="1")
    response = client.post(f"/manage/events/{event.id}/edit", data=form)
    assert response.status_code == 302
    new = db.session.scalars(select(Event).where(Event.split_from_id == event.id)).one()
    assert new.starts_local == datetime(2026, 12, 19, 18, 0)
    db.session.refresh(event)
    assert len([o for o in event.occurrences if o.status != "cancelled"]) == 2


# --- the event's page and its actions -------------------------------------------------------------------------

def test_staff_publish_from_the_event_page_and_coordinators_cannot(client, world, db):
    event = factories.event(world.areas["jinshan"], title="金山镇合唱团汇报演出", status="submitted",
                            venue_id=world.venues["dongya_square"].id)
    db.session.commit()
    sign_in(client, "jinshan_coord")
    page = client.get(f"/manage/events/{event.id}").get_data(as_text=True)
    assert ">发布<" not in page and "退回给协调员" not in page
    assert client.post(f"/manage/events/{event.id}/publish").status_code == 403
    db.session.refresh(event)
    assert event.status == "submitted"

    client.post("/logout")
    sign_in(client, "linzi_staff")
    page = client.get(f"/manage/events/{event.id}").get_data(as_text=True)
    assert ">发布<" in page and "退回给协调员" in page
    assert client.post(f"/manage/events/{event.id}/publish").status_code == 302
    db.session.refresh(event)
    assert event.status == "published"


def test_returned_event_shows_the_reviewers_comment_on_the_dashboard(client, world, db):
    event = factories.event(world.areas["jinshan"], title="搭岭村迎新春书画展", status="submitted",
                            venue_id=world.venues["dongya_square"].id)
    db.session.commit()
    sign_in(client, "linzi_staff")
    empty = client.post(f"/manage/events/{event.id}/return", data={"return-comment": ""})
    assert empty.status_code == 422
    assert "请填写退回意见" in field_block(empty.get_data(as_text=True), "return-comment")
    assert client.post(f"/manage/events/{event.id}/return",
                       data={"return-comment": "请补充场地负责人电话"}).status_code == 302
    client.post("/logout")

    sign_in(client, "jinshan_coord")
    dashboard = client.get("/manage/").get_data(as_text=True)
    assert re.search(r"搭岭村迎新春书画展</a> <span class=\"status status-returned\">已退回</span>.*?请补充场地负责人电话",
                     dashboard, re.S)
    assert f"/manage/events/{event.id}/edit" in dashboard


def test_cancelling_needs_a_reason_and_one_occurrence_can_be_cancelled_and_restored(client, world, db):
    event = published_event(world, start=datetime(2026, 12, 5, 19), end=datetime(2026, 12, 5, 21),
                            rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=4")
    occ = sorted(event.occurrences, key=lambda o: o.starts_at)[1]
    sign_in(client, "jinshan_coord")
    no_reason = client.post(f"/manage/occurrences/{occ.id}", data={f"o{occ.id}-action": "cancel"})
    assert no_reason.status_code == 422
    assert "须填写变更原因" in field_block(no_reason.get_data(as_text=True), f"o{occ.id}-reason")

    done = client.post(f"/manage/occurrences/{occ.id}",
                       data={f"o{occ.id}-action": "cancel", f"o{occ.id}-reason": "因降雪取消"})
    assert done.status_code == 302
    db.session.refresh(occ)
    assert (occ.status, occ.status_reason) == ("cancelled", "因降雪取消")
    restored = client.post(f"/manage/occurrences/{occ.id}",
                           data={f"o{occ.id}-action": "restore", f"o{occ.id}-reason": "天气转好，照常举办"})
    assert restored.status_code == 302
    db.session.refresh(occ)
    assert occ.status == "scheduled"

    moved = client.post(f"/manage/occurrences/{occ.id}",
                        data={f"o{occ.id}-action": "move", f"o{occ.id}-date": "2026-12-13",
                              f"o{occ.id}-start_time": "15:00", f"o{occ.id}-end_time": "17:00",
                              f"o{occ.id}-reason": "改到周日下午"})
    assert moved.status_code == 302
    db.session.refresh(occ)
    assert occ.status == "moved" and occ.starts_at.isoformat() == "2026-12-13T07:00:00+00:00"

    refused = client.post(f"/manage/events/{event.id}/cancel", data={"cancel-reason": ""})
    assert refused.status_code == 422
    assert "请填写取消原因" in field_block(refused.get_data(as_text=True), "cancel-reason")
    assert client.post(f"/manage/events/{event.id}/cancel", data={"cancel-reason": "场地维修"}).status_code == 302
    db.session.refresh(event)
    assert (event.status, event.status_reason) == ("cancelled", "场地维修")


# --- the dashboard ---------------------------------------------------------------------------------------------

def test_attendance_is_reported_from_the_dashboard(client, world, db):
    held = published_event(world, title="金山镇露天电影", start=datetime(2026, 11, 20, 18, 30),
                           end=datetime(2026, 11, 20, 20, 30))
    later = published_event(world, title="金山镇广场舞展演", start=datetime(2026, 11, 28, 18, 30),
                            end=datetime(2026, 11, 28, 20, 30))
    occ, later_occ = held.occurrences[0], later.occurrences[0]
    sign_in(client, "jinshan_coord")
    page = client.get("/manage/").get_data(as_text=True)
    assert page.index("金山镇露天电影") < page.index("金山镇广场舞展演"), "the longest overdue comes first"
    assert "已结束 10 天未填报" in page
    assert re.search(r"2026戏曲进乡村.*?已举办 2 / 40 场.*?已排期 2 / 40 场.*?还差 <strong>38</strong> 场未排", page, re.S)

    bad = client.post(f"/manage/occurrences/{occ.id}/attendance", data={f"a{occ.id}-attendance": "-5", "back": "dashboard"})
    assert bad.status_code == 422
    assert "人次须在" in field_block(bad.get_data(as_text=True), f"a{occ.id}-attendance")

    done = client.post(f"/manage/occurrences/{occ.id}/attendance",
                       data={f"a{occ.id}-attendance": "320", f"a{occ.id}-note": "天冷，来的多是老人", "back": "dashboard"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/manage/")
    db.session.refresh(occ)
    assert occ.attendance == 320
    page = client.get("/manage/").get_data(as_text=True)
    assert f"a{occ.id}-attendance" not in page and f"a{later_occ.id}-attendance" in page


def test_staff_dashboard_covers_the_district_and_links_the_review_queue(client, world, db):
    factories.event(world.areas["jixia"], title="稷下街道读书会", status="submitted", start=datetime(2026, 12, 3, 19),
                    end=datetime(2026, 12, 3, 21))
    db.session.commit()
    sign_in(client, "linzi_staff")
    page = client.get("/manage/").get_data(as_text=True)
    assert 'href="/manage/review"' in page and "1 项待审核" in page
    assert "金山镇" in page and "稷下街道" in page  # both towns' quotas
    assert "稷下街道读书会" in page


# --- scope and CSRF ------------------------------------------------------------------------------------------

def _other_towns_urls(w) -> list[tuple[str, str]]:
    event = published_event(w, "jixia", title="稷下街道书会", venue="jixia_hall", start=datetime(2026, 11, 25, 19),
                            end=datetime(2026, 11, 25, 21))
    occ = event.occurrences[0]
    return [("get", f"/manage/events/{event.id}"), ("get", f"/manage/events/{event.id}/edit"),
            ("post", f"/manage/events/{event.id}/edit"), ("post", f"/manage/events/{event.id}/submit"),
            ("post", f"/manage/events/{event.id}/cancel"), ("post", f"/manage/occurrences/{occ.id}"),
            ("post", f"/manage/occurrences/{occ.id}/attendance")]


def test_another_towns_event_is_not_found(client, world, db):
    urls = _other_towns_urls(world)
    sign_in(client, "jinshan_coord")
    for method, url in urls:
        response = getattr(client, method)(url, data={"cancel-reason": "x"} if method == "post" else None)
        assert response.status_code == 404, (method, url)
    event = db.session.scalars(select(Event)).one()
    assert event.status == "published" and event.occurrences[0].attendance is None


def test_every_form_refuses_a_missing_csrf_token(app, client, world, db):
    mine = published_event(world, start=datetime(2026, 11, 25, 19), end=datetime(2026, 11, 25, 21))
    occ = mine.occurrences[0]
    sign_in(client, "linzi_staff")
    page = client.get(f"/manage/events/{mine.id}").get_data(as_text=True)
    assert page.count('name="attendance-csrf_token"') == 0 and "csrf_token" in page
    posts = {
        "/manage/events/new": weekly_form(world, save="1"),
        f"/manage/events/{mine.id}/edit": weekly_form(world, save="1", reason="x"),
        f"/manage/events/{mine.id}/submit": {},
        f"/manage/events/{mine.id}/publish": {},
        f"/manage/events/{mine.id}/return": {"return-comment": "x"},
        f"/manage/events/{mine.id}/cancel": {"cancel-reason": "x"},
        f"/manage/occurrences/{occ.id}": {f"o{occ.id}-action": "cancel", f"o{occ.id}-reason": "x"},
        f"/manage/occurrences/{occ.id}/attendance": {f"a{occ.id}-attendance": "10"},
    }
    previous = app.config["WTF_CSRF_ENABLED"]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for url, data in posts.items():
            response = client.post(url, data=data)
            assert response.status_code == 400, url
            assert "表单已过期" in response.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = previous
    db.session.refresh(mine)
    assert (count(db, Event), mine.status, mine.occurrences[0].attendance) == (1, "published", None)


def test_pages_render_every_form_with_a_csrf_token(app, client, world, db):
    mine = published_event(world, start=datetime(2026, 11, 25, 19), end=datetime(2026, 11, 25, 21),
                           rrule="FREQ=WEEKLY;BYDAY=WE;COUNT=3")
    previous = app.config["WTF_CSRF_ENABLED"]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        login = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
        assert client.post("/login", data={"username": "jinshan_coord", "password": PASSWORD,
                                           "csrf_token": token}).status_code == 302
        for url in ("/manage/", f"/manage/events/{mine.id}", "/manage/events/new", f"/manage/events/{mine.id}/edit"):
            html = client.get(url).get_data(as_text=True)
            forms = re.findall(r'<form method="post".*?</form>', html, re.S)
            assert forms, url
            for form in forms:
                assert re.search(r'name="[^"]*csrf_token"[^>]*value="[^"]+"', form), (url, form[:200])
    finally:
        app.config["WTF_CSRF_ENABLED"] = previous
