"""Reminders at the right local times, change and cancellation notices, retries and failures."""
from __future__ import annotations

import json

from sqlalchemy import select

from calendar_app.notifications.models import Notification, idempotency_key
from tests.notifications.conftest import at, run, subscribe_active, utc

MOBILE = "13800138000"


def _notes(db, **where):
    db.session.expire_all()
    query = select(Notification).order_by(Notification.id)
    for key, value in where.items():
        query = query.where(getattr(Notification, key) == value)
    return list(db.session.scalars(query))


def test_sms_reminders_go_out_a_day_and_two_hours_before_in_local_time(app, db, gala, gateway, runner):
    subscribe_active(db, target_type="event", target_id=gala.id)
    first = gala.occs[0]  # Saturday 2026-12-05 19:00 Shanghai = 11:00 UTC
    at(app, utc(2026, 12, 4, 10, 0))
    run(runner, "plan")
    due = sorted(n.due_at for n in _notes(db, occurrence_id=first.id))
    assert due == [utc(2026, 12, 4, 11, 0), utc(2026, 12, 5, 9, 0)]
    at(app, utc(2026, 12, 4, 10, 59))
    run(runner, "dispatch", "--once")
    assert gateway.texts(MOBILE) == []
    at(app, utc(2026, 12, 4, 11, 0))
    run(runner, "dispatch", "--once")
    [text] = gateway.texts(MOBILE)
    assert "明天12月5日（周六）19:00「四季村晚·东崖村」，东崖村文化广场" in text
    assert "/events/%d?occurrence=%d" % (gala.id, first.id) in text and "/subscriptions/manage/" in text
    at(app, utc(2026, 12, 5, 9, 0))
    run(runner, "dispatch", "--once")
    assert "今天12月5日（周六）19:00" in gateway.texts(MOBILE)[1]
    assert json.loads(run(runner, "status", "--json")) == {"pending": 0, "due": 0, "sent": 2, "failed": 0,
                                                            "skipped": 0}


def test_an_email_reminder_has_plain_and_html_parts_a_stable_message_id_and_one_click_unsubscribe(
        app, db, gala, smtp, runner):
    sub = subscribe_active(db, target_type="program", target_id=gala.program_id, channel="email",
                           address="visitor@example.test", leads=(1440,))
    at(app, utc(2026, 12, 4, 11, 0))
    run(runner, "dispatch", "--once")
    [mail] = smtp.to("visitor@example.test")
    note = _notes(db, kind="reminder")[0]
    assert mail["Message-ID"] == f"<{idempotency_key(note.dedupe_key)}@wenlv.example>"
    assert ":" not in mail["Message-ID"]
    assert mail["List-Unsubscribe"] == f"<http://127.0.0.1:5000/subscriptions/unsubscribe/{sub.token}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain = mail.get_body(("plain",)).get_content()
    assert "时间：12月5日（周六）19:00 - 21:00" in plain and "地点：东崖村文化广场" in plain
    assert "四季村晚·东崖村" in mail.get_body(("html",)).get_content()


def test_a_moved_occurrence_re_times_its_reminders_and_sends_a_change_notice(app, client, db, world, gala, gateway,
                                                                             runner):
    subscribe_active(db, target_type="event", target_id=gala.id)
    first = gala.occs[0]
    at(app, utc(2026, 12, 4, 10, 0))
    run(runner, "plan")
    moved = client.patch(f"/api/v1/occurrences/{first.id}", headers=world.auth("staff"),
                         json={"starts_local": "2026-12-06T19:00", "reason": "因降雨顺延一天"})
    assert moved.status_code == 200, moved.json
    run(runner, "dispatch", "--once")
    [notice] = gateway.texts(MOBILE)
    assert "时间调整" in notice and "12月5日（周六）19:00 改为 12月6日（周日）19:00" in notice
    assert "因降雨顺延一天" in notice
    due = sorted(n.due_at for n in _notes(db, occurrence_id=first.id, kind="reminder"))
    assert due == [utc(2026, 12, 5, 11, 0), utc(2026, 12, 6, 9, 0)]
    at(app, utc(2026, 12, 4, 11, 0))  # the old reminder time: nothing goes out
    run(runner, "dispatch", "--once")
    assert len(gateway.texts(MOBILE)) == 1
    at(app, utc(2026, 12, 5, 11, 0))
    run(runner, "dispatch", "--once")
    assert "明天12月6日（周日）19:00" in gateway.texts(MOBILE)[-1]


def test_a_cancelled_occurrence_drops_its_reminders_and_sends_a_cancellation_instead(app, client, db, world, gala,
                                                                                    gateway, runner):
    subscribe_active(db, target_type="event", target_id=gala.id, changes=False)  # even without change notices
    first = gala.occs[0]
    at(app, utc(2026, 12, 4, 10, 0))
    run(runner, "plan")
    cancelled = client.patch(f"/api/v1/occurrences/{first.id}", headers=world.auth("staff"),
                             json={"status": "cancelled", "reason": "大风预警"})
    assert cancelled.status_code == 200, cancelled.json
    run(runner, "dispatch", "--once")
    [notice] = gateway.texts(MOBILE)
    assert "活动取消" in notice and "原定 12月5日（周六）19:00 的活动取消" in notice and "大风预警" in notice
    assert {(n.state, n.skip_reason) for n in _notes(db, occurrence_id=first.id, kind="reminder")} == \
        {("skipped", "cancelled")}
    for moment in (utc(2026, 12, 4, 11, 0), utc(2026, 12, 5, 9, 0)):
        at(app, moment)
        run(runner, "plan")
        run(runner, "dispatch", "--once")
    assert len(gateway.texts(MOBILE)) == 1  # no reminder for the cancelled evening, ever


def test_nothing_is_sent_for_drafts(app, client, db, world, gateway, runner):
    from tests.world import weekly_body

    subscribe_active(db, target_type="area", target_id=world.areas["jinshan"].id)
    client.post("/api/v1/events", json=weekly_body(world), headers=world.auth("coord"))  # a draft in 东崖村
    at(app, utc(2026, 12, 5, 10, 0))
    run(runner, "plan")
    run(runner, "dispatch", "--once")
    assert _notes(db) == [] and gateway.requests == []


def test_after_downtime_useful_reminders_go_out_and_stale_ones_are_skipped_and_counted(app, db, gala, gateway,
                                                                                      runner):
    subscribe_active(db, target_type="event", target_id=gala.id)
    at(app, utc(2026, 12, 4, 10, 0))
    run(runner, "plan")
    at(app, utc(2026, 12, 5, 9, 30))  # down since the evening before: both reminders are late, still useful
    run(runner, "dispatch", "--once")
    assert len(gateway.texts(MOBILE)) == 2
    at(app, utc(2026, 12, 11, 10, 0))
    run(runner, "plan")  # the second Saturday's reminders
    at(app, utc(2026, 12, 12, 12, 0))  # down until after that gala began
    output = run(runner, "dispatch", "--once")
    assert "跳过 2 条" in output and "stale" in output
    assert len(gateway.texts(MOBILE)) == 2
    assert json.loads(run(runner, "status", "--json"))["skipped"] == 2


def test_a_gateway_5xx_is_retried_with_backoff_then_succeeds_with_the_same_id(app, db, gala, gateway, runner):
    subscribe_active(db, target_type="event", target_id=gala.id, leads=(1440,))
    gateway.statuses[MOBILE] = [503]
    at(app, utc(2026, 12, 4, 11, 0))
    run(runner, "dispatch", "--once")
    [note] = _notes(db, kind="reminder")
    assert note.state == "pending" and note.attempts == 1 and "503" in note.last_error
    assert note.due_at == utc(2026, 12, 4, 11, 1)
    at(app, utc(2026, 12, 4, 11, 1))
    run(runner, "dispatch", "--once")
    [note] = _notes(db, kind="reminder")
    assert note.state == "sent" and note.attempts == 2
    ids = [r["body"]["id"] for r in gateway.requests]
    assert ids == [idempotency_key(note.dedupe_key)] * 2


def test_a_gateway_4xx_is_a_permanent_failure_shown_masked_to_staff(app, client, db, world, gala, gateway, runner):
    from tests.world import PASSWORD

    subscribe_active(db, target_type="event", target_id=gala.id, leads=(1440,))
    gateway.statuses[MOBILE] = [400]
    at(app, utc(2026, 12, 4, 11, 0))
    run(runner, "dispatch", "--once")
    [note] = _notes(db, kind="reminder")
    assert note.state == "failed" and "400" in note.last_error
    at(app, utc(2026, 12, 4, 12, 0))
    run(runner, "dispatch", "--once")
    assert len(gateway.requests) == 1  # never retried
    client.post("/login", data={"username": "linzi_staff", "password": PASSWORD})
    page = client.get("/manage/notifications")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "138****8000" in html and MOBILE not in html and "HTTP 400" in html
    client.post("/logout")
    client.post("/login", data={"username": "yueyang_staff", "password": PASSWORD})
    assert "138****8000" not in client.get("/manage/notifications").get_data(as_text=True)  # another district
    client.post("/logout")
    client.post("/login", data={"username": "jinshan_coord", "password": PASSWORD})
    assert client.get("/manage/notifications").status_code == 403


def test_an_unreachable_gateway_is_retried(app, db, gala, gateway, runner):
    from tests.notifications.conftest import free_port

    subscribe_active(db, target_type="event", target_id=gala.id, leads=(1440,))
    app.config["SMS_GATEWAY_URL"] = f"http://127.0.0.1:{free_port()}/send"  # nobody listens
    at(app, utc(2026, 12, 4, 11, 0))
    run(runner, "dispatch", "--once")
    [note] = _notes(db, kind="reminder")
    assert note.state == "pending" and "不可达" in note.last_error


def test_smtp_451_is_retried_and_550_is_recorded_as_failed(app, db, gala, smtp, runner):
    subscribe_active(db, target_type="event", target_id=gala.id, channel="email", address="later@example.test",
                     leads=(1440,))
    subscribe_active(db, target_type="event", target_id=gala.id, channel="email", address="gone@example.test",
                     leads=(1440,))
    smtp.refuse["later@example.test"] = ["451 4.7.1 try again later"]
    smtp.refuse["gone@example.test"] = ["550 5.1.1 no such user"] * 5
    at(app, utc(2026, 12, 4, 11, 0))
    run(runner, "dispatch", "--once")
    by_address = {n.subscription.address: n for n in _notes(db, kind="reminder")}
    assert by_address["gone@example.test"].state == "failed" and "550" in by_address["gone@example.test"].last_error
    assert by_address["later@example.test"].state == "pending" and "451" in by_address["later@example.test"].last_error
    at(app, utc(2026, 12, 4, 11, 1))
    run(runner, "dispatch", "--once")
    assert len(smtp.to("later@example.test")) == 1 and smtp.to("gone@example.test") == []


def test_planning_twice_queues_nothing_twice(app, db, gala, runner):
    subscribe_active(db, target_type="event", target_id=gala.id)
    subscribe_active(db, target_type="area", target_id=gala.area.parent_id, address="13900139000")
    at(app, utc(2026, 12, 4, 10, 0))
    assert "新增提醒 4 条" in run(runner, "plan")
    assert "新增提醒 0 条" in run(runner, "plan")
    assert len(_notes(db)) == 4


def test_cancelling_the_whole_event_notifies_town_subscribers_once_and_drops_every_reminder(
        app, client, db, world, gala, smtp, runner):
    subscribe_active(db, target_type="area", target_id=world.areas["jinshan"].id, channel="email",
                     address="town@example.test", changes=True)
    at(app, utc(2026, 12, 4, 10, 0))
    run(runner, "plan")
    response = client.post(f"/api/v1/events/{gala.id}/cancel", json={"reason": "场地维修"},
                           headers=world.auth("staff"))
    assert response.status_code == 200, response.json
    run(runner, "dispatch", "--once")
    run(runner, "dispatch", "--once")
    [mail] = smtp.to("town@example.test")
    assert mail["Subject"] == "活动取消：四季村晚·东崖村"
    assert "场地维修" in mail.get_body(("plain",)).get_content()
    assert {n.state for n in _notes(db, kind="reminder")} == {"skipped"}


def test_another_towns_subscribers_hear_nothing_of_this_gala(app, db, world, gala, gateway, runner):
    subscribe_active(db, target_type="area", target_id=world.areas["jixia"].id)
    at(app, utc(2026, 12, 4, 11, 0))
    run(runner, "plan")
    run(runner, "dispatch", "--once")
    assert _notes(db) == [] and gateway.requests == []
