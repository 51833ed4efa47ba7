"""Weekly digests: a coordinator's of their town, a staff member's of their district, by email over a
real SMTP server; queued once a week; none without an email address or when opted out; the page
/manage/digest shows the same; the account settings page sets the email and the choice."""
from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from calendar_app.events.services import EventData, create_event
from calendar_app.notifications.models import Notification, idempotency_key
from tests.manage.conftest import sign_in  # noqa: F401  (fixture)
from tests.notifications.conftest import at, run, utc
from tests.reports.conftest import bookings  # noqa: F401  (fixture: a fortnight of venue bookings, 7-20 Dec 2026)

COORD_MAIL = "jinshan@wenlv.example"
STAFF_MAIL = "linzi@wenlv.example"


def _event(world, title, area, venue, start, end, *, status="published", edition=True):
    data = EventData(title=title, area_id=world.areas[area].id, venue_id=world.venues[venue].id if venue else None,
                     starts_local=start, ends_local=end, status=status,
                     edition_id=world.edition.id if edition else None)
    event, _ = create_event(data, now=utc(2026, 11, 1))
    return event


@pytest.fixture
def town_week(db, world):
    """Week 2026-W49 (30 Nov - 6 Dec) as seen on Tuesday 1 Dec: events in 金山镇 and in 稷下街道, and
    held evenings of both towns still without an attendance report. Both towns are far behind their
    quotas of 2026戏曲进乡村 (40 and 30 by 31 Dec)."""
    _event(world, "金山镇·冬日书场", "dongya", "dongya_square", datetime(2026, 12, 3, 19), datetime(2026, 12, 3, 21))
    _event(world, "金山镇·迎新春排练", "jinshan", None, datetime(2026, 12, 4, 15), datetime(2026, 12, 4, 17),
           status="draft")
    _event(world, "金山镇·秋收晚会", "dongya", "dongya_square", datetime(2026, 11, 27, 19), datetime(2026, 11, 27, 21))
    _event(world, "稷下街道·齐文化讲座", "jixia", "jixia_hall", datetime(2026, 12, 3, 9), datetime(2026, 12, 3, 11))
    _event(world, "稷下街道·秋季书会", "jixia", "jixia_hall", datetime(2026, 11, 26, 9), datetime(2026, 11, 26, 11))
    for who, address in (("coord", COORD_MAIL), ("other_coord", "jixia@wenlv.example"), ("staff", STAFF_MAIL)):
        world.users[who].email = address
    db.session.commit()
    return world


def _digests(db) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.kind == "digest").order_by(Notification.id)))


def _text(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def test_a_coordinator_gets_their_towns_week_overdue_reports_and_quota_behind_pace_and_nothing_else(
        app, db, town_week, smtp, runner):
    output = run(runner, "digests")
    assert "新排每周摘要 3 封" in output and "未填邮箱 2 人" in output
    run(runner, "dispatch", "--once")
    [mail] = smtp.to(COORD_MAIL)
    assert mail["Subject"].startswith("每周工作摘要 · 金山镇 · 2026年第49周（11月30日至12月6日）：本周活动 2 场，待填报人次 1 场")
    text = _text(mail)
    assert "金山镇·冬日书场：12月3日（周四）19:00，东崖村文化广场" in text
    assert "金山镇·迎新春排练：12月4日（周五）15:00，草稿" in text
    assert "金山镇·秋收晚会：11月27日（周五）19:00，已结束 3 天" in text
    assert "戏曲进乡村 · 2026戏曲进乡村 · 金山镇：已举办 1 场，按进度此时应已举办 36 场（目标 40 场" in text
    assert "稷下" not in text and "稷下" not in mail.get_body(("html",)).get_content()
    # Links are absolute and lead to the management pages.
    assert "http://127.0.0.1:5000/manage/reports/progress?edition=%d" % town_week.edition.id in text
    assert "http://127.0.0.1:5000/manage/digest?week=2026-W49" in text
    html = mail.get_body(("html",)).get_content()
    assert 'href="http://127.0.0.1:5000/manage/events/' in html
    note = next(n for n in _digests(db) if n.user_id == town_week.users["coord"].id)
    assert mail["Message-ID"] == f"<{idempotency_key(note.dedupe_key)}@wenlv.example>"
    assert note.dedupe_key == f"digest:{note.user_id}:2026-W49" and note.state == "sent"
    # The other town's coordinator reads about their own town only.
    other = _text(smtp.to("jixia@wenlv.example")[0])
    assert "稷下街道·齐文化讲座" in other and "金山镇" not in other


def test_staff_get_the_clashes_and_the_most_and_least_loaded_venues_of_their_district(
        app, db, world, bookings, smtp, runner):  # noqa: F811
    world.users["staff"].email = STAFF_MAIL
    world.users["other_staff"].email = "yueyang@wenlv.example"
    db.session.commit()
    at(app, utc(2026, 12, 14, 0, 0))  # Monday 14 Dec, 08:00 in Shanghai: week 2026-W51
    run(runner, "digests")
    run(runner, "dispatch", "--once")
    [mail] = smtp.to(STAFF_MAIL)
    assert mail["Subject"] == "每周工作摘要 · 临淄区 · 2026年第51周（12月14日至12月20日）：场馆冲突 1 处"
    text = _text(mail)
    assert "晚间文化广场，12月18日（周五）19:30：「clash」与「gala」时间重叠" in text
    busiest = text.split("【本周最繁忙的场馆】")[1].split("【本周最空闲的场馆】")[0]
    idlest = text.split("【本周最空闲的场馆】")[1]
    # Week 51: 尼山书院 10 of 48 open hours, 晚间文化广场 4.8 of 28, 夜市广场 2 of 42.
    assert busiest.index("尼山书院（东崖村）：利用率 21%") < busiest.index("晚间文化广场（金山镇）：利用率 17%")
    assert "夜市广场（稷下街道）：利用率 5%，已预订 2.0 / 开放 42.0 小时，2 场" in idlest
    assert "夜市广场" not in busiest and "尼山书院" not in idlest
    assert "http://127.0.0.1:5000/manage/reports/venue-load?period=week&date=2026-12-14" in text
    [far] = smtp.to("yueyang@wenlv.example")
    far_text = _text(far)
    assert "本周没有场馆冲突" in far_text and "晚间文化广场" not in far_text


def test_planning_a_week_twice_queues_each_digest_once_and_the_scheduler_plans_monday_morning(
        app, db, town_week, smtp, runner):
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    from calendar_app.scheduler import JOBS, register_jobs

    run(runner, "digests")
    again = run(runner, "digests", "--week", "2026-W49")
    assert "新排每周摘要 0 封，已排过 3 封" in again
    from calendar_app.notifications.jobs import plan_weekly_digests

    assert plan_weekly_digests().queued == 0
    assert len(_digests(db)) == 3
    run(runner, "dispatch", "--once")
    run(runner, "digests")
    run(runner, "dispatch", "--once")
    assert len(smtp.to(COORD_MAIL)) == 1
    assert json.loads(run(runner, "status", "--json"))["sent"] == 3

    scheduler = BackgroundScheduler(timezone=app.config["CALENDAR_TIMEZONE"])
    register_jobs(scheduler, app, now=utc(2026, 12, 1, 11))
    job = scheduler.get_job("calendar_app.notifications.jobs.plan_weekly_digests")
    assert isinstance(job.trigger, CronTrigger)
    # The next run after Tuesday 1 Dec is Monday 7 Dec 08:00 in Shanghai (00:00 UTC).
    assert job.trigger.get_next_fire_time(None, utc(2026, 12, 1, 11)) == utc(2026, 12, 7, 0, 0)
    assert any(path.endswith("plan_weekly_digests") for path, _kind, _args in JOBS)


def test_the_scheduled_job_honours_fixed_now_for_the_week_it_plans(app, db, town_week, runner):
    from calendar_app.notifications.jobs import plan_weekly_digests

    at(app, utc(2026, 12, 7, 0, 0))  # Monday 7 Dec 08:00 Shanghai
    plan_weekly_digests()
    keys = {n.dedupe_key.rsplit(":", 1)[1] for n in _digests(db)}
    assert keys == {"2026-W50"}
    assert all(n.due_at == utc(2026, 12, 7, 0, 0) for n in _digests(db))


def test_users_without_email_or_opted_out_get_no_digest(app, db, town_week, smtp, runner):
    town_week.users["coord"].weekly_digest = False
    db.session.commit()
    output = run(runner, "digests")
    assert "新排每周摘要 2 封" in output and "已选择不接收 1 人" in output and "未填邮箱 2 人" in output
    # Opting out after the digest was queued still stops it; so does removing the address.
    town_week.users["staff"].weekly_digest = False
    town_week.users["other_coord"].email = None
    db.session.commit()
    run(runner, "dispatch", "--once")
    assert smtp.messages == []
    assert sorted(n.skip_reason for n in _digests(db)) == ["no_email", "opted_out"]


def test_a_digest_whose_week_is_over_is_skipped_not_sent(app, db, town_week, smtp, runner):
    run(runner, "digests")
    at(app, utc(2026, 12, 6, 16, 0))  # Monday 7 Dec 00:00 in Shanghai: week 49 is over
    run(runner, "dispatch", "--once")
    assert smtp.messages == []
    assert {n.skip_reason for n in _digests(db)} == {"stale"}


def test_a_refused_digest_is_retried_and_a_permanent_failure_shows_on_the_failures_page(
        app, db, town_week, smtp, runner, sign_in):  # noqa: F811
    smtp.refuse[COORD_MAIL] = ["451 try later", "550 no such mailbox"]
    run(runner, "digests")
    run(runner, "dispatch", "--once")
    at(app, utc(2026, 12, 1, 11, 5))
    run(runner, "dispatch", "--once")
    failed = [n for n in _digests(db) if n.state == "failed"]
    assert [n.user_id for n in failed] == [town_week.users["coord"].id]
    page = sign_in("staff").get("/manage/notifications").get_data(as_text=True)
    assert "每周工作摘要" in page and "jinshan_coord" in page and "j***@wenlv.example" in page
    # Another district's staff do not see it.
    far = sign_in("other_staff").get("/manage/notifications").get_data(as_text=True)
    assert "jinshan_coord" not in far


def _digest_block(html: str) -> str:
    return re.search(r'<div class="digest".*?</div>', html, re.S).group(0)


def test_the_digest_page_shows_what_the_email_says(app, db, town_week, smtp, runner, sign_in):  # noqa: F811
    run(runner, "digests")
    run(runner, "dispatch", "--once")
    [mail] = smtp.to(COORD_MAIL)
    emailed = _digest_block(mail.get_body(("html",)).get_content()).replace("http://127.0.0.1:5000", "")
    page = sign_in("coord").get("/manage/digest")
    assert page.status_code == 200
    shown = _digest_block(page.get_data(as_text=True))
    assert shown == emailed
    assert "金山镇·冬日书场" in shown and "稷下" not in shown
    assert "摘要发送到 jinshan@wenlv.example" in page.get_data(as_text=True)
    staff_page = sign_in("staff").get("/manage/digest?week=2026-W51").get_data(as_text=True)
    assert "本周场馆冲突" in staff_page and "2026年第51周" in staff_page


def test_the_digest_page_refuses_a_malformed_week_in_chinese(db, town_week, sign_in):  # noqa: F811
    page = sign_in("coord").get("/manage/digest?week=2026-W60")
    assert page.status_code == 400
    assert "周次格式应为 年-W周，如 2026-W49" in page.get_data(as_text=True)


def test_the_digest_page_tells_a_user_without_email_that_none_will_come(db, world, sign_in):  # noqa: F811
    page = sign_in("coord").get("/manage/digest").get_data(as_text=True)
    assert "您还没有填写电子邮箱，收不到摘要邮件" in page


def test_the_account_settings_page_sets_the_email_and_the_weekly_choice_and_refuses_a_bad_address(
        app, db, world, sign_in, monkeypatch):  # noqa: F811
    client = sign_in("coord")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as in every real deployment
    form = client.get("/account/settings").get_data(as_text=True)
    assert "您还没有填写电子邮箱，收不到每周工作摘要" in form
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    bad = client.post("/account/settings", data={"csrf_token": token, "email": "jinshan@wenlv", "weekly_digest": "y"})
    assert bad.status_code == 400
    assert "电子邮箱地址格式不正确" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert world.users["coord"].email is None
    forged = client.post("/account/settings", data={"email": "x@example.test"})
    assert forged.status_code == 400
    good = client.post("/account/settings", data={"csrf_token": token, "email": " Jinshan@WenLv.Example "})
    assert good.status_code == 302
    db.session.expire_all()
    user = world.users["coord"]
    assert user.email == "Jinshan@wenlv.example" and user.weekly_digest is False
    assert "您已选择不接收每周工作摘要" in client.get("/account/settings").get_data(as_text=True)


def test_staff_set_a_coordinators_email_on_the_user_page_and_a_bad_one_is_refused(db, world, sign_in):  # noqa: F811
    coord = world.users["coord"]
    client = sign_in("staff")
    form = {"display_name": coord.display_name, "role": "coordinator", "area": world.areas["jinshan"].id,
            "is_active": "y"}
    bad = client.post(f"/manage/users/{coord.id}", data={**form, "email": "金山镇协调员"})
    assert bad.status_code == 422 and "电子邮箱地址格式不正确" in bad.get_data(as_text=True)
    assert client.post(f"/manage/users/{coord.id}", data={**form, "email": "jinshan@wenlv.example"}).status_code == 302
    db.session.expire_all()
    assert coord.email == "jinshan@wenlv.example"
    assert 'value="jinshan@wenlv.example"' in client.get(f"/manage/users/{coord.id}").get_data(as_text=True)


def test_a_stopped_account_gets_no_digest_that_was_queued_before(app, db, town_week, smtp, runner):
    from calendar_app.accounts.services import deactivate

    run(runner, "digests")
    deactivate(town_week.users["coord"])
    db.session.commit()
    run(runner, "dispatch", "--once")
    assert smtp.to(COORD_MAIL) == [] and len(smtp.messages) == 2
    assert [n.skip_reason for n in _digests(db) if n.state == "skipped"] == ["inactive"]
