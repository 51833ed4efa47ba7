"""Visitors subscribe by SMS or email, confirm (double opt-in), change lead times and cancel."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from calendar_app.notifications.models import Notification, Subscription
from tests.notifications.conftest import at, run, utc
from tests.world import NOW


def _subscribe(client, **body):
    payload = {"target_type": "event", "channel": "sms", "address": "13800138000", "lead_minutes": [1440, 120],
               "changes": True}
    payload.update(body)
    return client.post("/api/v1/subscriptions", json=payload)


def _code(gateway, mobile="13800138000") -> str:
    texts = gateway.texts(mobile)
    assert texts, gateway.requests
    return re.search(r"验证码 (\d{6})", texts[-1]).group(1)


def test_sms_double_opt_in_sends_a_code_through_the_gateway_and_the_code_confirms(client, db, gala, gateway):
    response = _subscribe(client, target_id=gala.id)
    assert response.status_code == 202
    assert response.json["status"] == "pending"
    request = gateway.requests[-1]
    assert request["auth"] == "Bearer test-sms-key" and request["body"]["mobile"] == "13800138000"
    assert "四季村晚·东崖村" in request["body"]["text"] and request["body"]["id"].startswith("n")
    code = _code(gateway)
    confirmed = client.post("/api/v1/subscriptions/confirm", json={"id": response.json["id"], "code": code})
    assert confirmed.status_code == 200 and confirmed.json["status"] == "active"
    sub = db.session.get(Subscription, response.json["id"])
    assert sub.status == "active" and sub.confirmed_at == NOW
    assert sub.consent_at == NOW and sub.consent_source == "api" and sorted(sub.lead_minutes) == [120, 1440]
    assert sub.masked_address == "138****8000"


def test_a_wrong_code_is_refused_and_five_wrong_codes_burn_it(client, db, gala, gateway):
    sub_id = _subscribe(client, target_id=gala.id).json["id"]
    code = _code(gateway)
    wrong = "000000" if code != "000000" else "111111"
    first = client.post("/api/v1/subscriptions/confirm", json={"id": sub_id, "code": wrong})
    assert first.status_code == 422 and "还可尝试 4 次" in first.json["message"]
    for _ in range(4):
        client.post("/api/v1/subscriptions/confirm", json={"id": sub_id, "code": wrong})
    burnt = client.post("/api/v1/subscriptions/confirm", json={"id": sub_id, "code": code})
    assert burnt.status_code == 422 and "已失效" in burnt.json["message"]
    db.session.expire_all()
    assert db.session.get(Subscription, sub_id).status == "pending"
    unknown = client.post("/api/v1/subscriptions/confirm", json={"id": 999999, "code": code})
    assert unknown.status_code == 404 and unknown.json["message"] == "订阅不存在"


def test_an_expired_code_is_refused_and_a_used_code_cannot_confirm_again(app, client, db, gala, gateway):
    sub_id = _subscribe(client, target_id=gala.id).json["id"]
    code = _code(gateway)
    at(app, NOW + timedelta(minutes=11))
    late = client.post("/api/v1/subscriptions/confirm", json={"id": sub_id, "code": code})
    assert late.status_code == 422 and "过期" in late.json["message"]
    at(app, NOW)
    again = _subscribe(client, target_id=gala.id)  # asks for a new code: the same subscription
    assert again.json["id"] == sub_id
    fresh = _code(gateway)
    assert client.post("/api/v1/subscriptions/confirm", json={"id": sub_id, "code": fresh}).status_code == 200
    # The code did its job: it no longer exists, and a repeat changes nothing.
    db.session.expire_all()
    assert db.session.get(Subscription, sub_id).code_digest is None


def test_repeated_subscribe_requests_make_one_subscription_and_are_rate_limited_per_contact(client, db, gala,
                                                                                          gateway):
    answers = [_subscribe(client, target_id=gala.id).status_code for _ in range(4)]
    assert answers[:3] == [202, 202, 202] and answers[3] == 429
    assert db.session.scalar(select(func.count()).select_from(Subscription)) == 1
    other = _subscribe(client, target_id=gala.id, address="13900139000")
    assert other.status_code == 202  # another contact has its own allowance


def test_bad_contacts_targets_and_lead_times_are_422_with_chinese_messages(client, db, gala, world):
    cases = [({"address": "12345"}, "address", "手机号码格式不正确"),
             ({"address": "2800138000"}, "address", "手机号码格式不正确"),
             ({"channel": "email", "address": "not-an-email"}, "address", "电子邮箱地址格式不正确"),
             ({"channel": "email", "address": "a@b"}, "address", "电子邮箱地址格式不正确"),
             ({"channel": "fax"}, "channel", "channel"),
             ({"target_id": 999999}, "target_id", "不存在"),
             ({"target_type": "galaxy"}, "target_type", "target_type"),
             ({"lead_minutes": [7]}, "lead_minutes", "不支持的提前时间"),
             ({"lead_minutes": "1440"}, "lead_minutes", "lead_minutes")]
    for body, field, words in cases:
        response = _subscribe(client, **{"target_id": gala.id, **body})
        assert response.status_code == 422, body
        assert words in response.json["errors"][field], response.json
    assert db.session.scalar(select(func.count()).select_from(Subscription)) == 0


def test_a_draft_event_cannot_be_subscribed_to(client, db, world):
    from tests.world import weekly_body

    draft = client.post("/api/v1/events", json=weekly_body(world), headers=world.auth("coord")).json["id"]
    response = _subscribe(client, target_id=draft)
    assert response.status_code == 422 and "尚未发布" in response.json["errors"]["target_id"]


def test_mobile_numbers_are_normalised_from_common_spellings(client, db, gala, gateway):
    response = _subscribe(client, target_id=gala.id, address="+86 138-0013-8000")
    assert response.status_code == 202
    assert db.session.get(Subscription, response.json["id"]).address == "13800138000"


def test_email_double_opt_in_by_link_over_real_smtp(client, db, world, smtp):
    response = _subscribe(client, target_type="area", target_id=world.areas["jinshan"].id, channel="email",
                          address="Li.Ming@Example.COM")
    assert response.status_code == 202
    [mail] = smtp.to("Li.Ming@example.com")
    assert mail["Subject"].startswith("请确认订阅") and "金山镇" in mail["Subject"]
    link = re.search(r"http://\S+/subscriptions/confirm/(\S+)", mail.get_body(("plain",)).get_content())
    assert mail.get_body(("html",)) is not None
    page = client.get(f"/subscriptions/confirm/{link.group(1)}")
    assert page.status_code == 200 and "订阅成功" in page.get_data(as_text=True)
    assert db.session.get(Subscription, response.json["id"]).status == "active"


def test_the_manage_page_changes_lead_times_and_cancels_with_csrf(app, client, db, gala, csrf_on):
    from tests.notifications.conftest import subscribe_active

    sub = subscribe_active(db, target_type="event", target_id=gala.id)
    page = client.get(f"/subscriptions/manage/{sub.token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "138****8000" in html and "13800138000" not in html
    refused = client.post(f"/subscriptions/manage/{sub.token}", data={"leads": ["60"], "changes": "y"})
    assert refused.status_code == 400  # no CSRF token
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    saved = client.post(f"/subscriptions/manage/{sub.token}", data={"csrf_token": csrf, "leads": ["60"],
                                                                      "changes": "y"})
    assert saved.status_code == 200 and "已保存" in saved.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Subscription, sub.id).lead_minutes == [60]
    cancelled = client.post(f"/subscriptions/manage/{sub.token}/cancel", data={"csrf_token": csrf})
    assert cancelled.status_code == 302
    db.session.expire_all()
    assert db.session.get(Subscription, sub.id).status == "cancelled"
    assert "已退订" in client.get(f"/subscriptions/manage/{sub.token}").get_data(as_text=True)


def test_one_click_unsubscribe_stops_every_pending_message_at_once(app, client, db, gala, runner):
    from tests.notifications.conftest import subscribe_active

    sub = subscribe_active(db, target_type="event", target_id=gala.id, channel="email", address="a@example.test")
    at(app, utc(2026, 12, 4, 10, 0))
    run(runner, "plan")
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.subscription_id == sub.id, Notification.state == "pending")) == 2  # a day and 2 h before
    response = client.post(f"/subscriptions/unsubscribe/{sub.token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Subscription, sub.id).status == "cancelled"
    states = db.session.execute(select(Notification.state, Notification.skip_reason)
                                .where(Notification.subscription_id == sub.id)).all()
    assert states == [("skipped", "unsubscribed")] * 2
    at(app, utc(2026, 12, 4, 11, 0))
    run(runner, "plan")
    assert "发送 0 条" in run(runner, "dispatch", "--once")


def test_the_public_subscribe_form_asks_for_a_code_and_confirms(client, db, gala, gateway):
    page = client.get(f"/subscribe?target_type=event&target_id={gala.id}")
    assert page.status_code == 200 and "四季村晚·东崖村" in page.get_data(as_text=True)
    bad = client.post("/subscribe", data={"target_type": "event", "target_id": gala.id, "channel": "sms",
                                          "address": "1380013", "leads": ["1440"], "changes": "y"})
    assert bad.status_code == 422 and "手机号码格式不正确" in bad.get_data(as_text=True)
    sent = client.post("/subscribe", data={"target_type": "event", "target_id": gala.id, "channel": "sms",
                                           "address": "13800138000", "leads": ["1440", "120"], "changes": "y"})
    assert sent.status_code == 200 and "138****8000" in sent.get_data(as_text=True)
    sub = db.session.scalar(select(Subscription))
    assert sub.consent_source.startswith("web:")
    done = client.post("/subscribe/confirm", data={"subscription": sub.id, "code": _code(gateway)})
    assert done.status_code == 200 and "订阅成功" in done.get_data(as_text=True)


def test_subscribe_pages_for_unknown_targets_are_404(client, db, world):
    assert client.get("/subscribe?target_type=event&target_id=12345").status_code == 404
    assert client.get("/subscribe?target_type=bogus&target_id=1").status_code == 404
    assert client.get("/subscribe").status_code == 404
    assert client.get("/subscriptions/manage/nope").status_code == 404


def test_subscription_pages_are_never_cached(client, db, gala):
    from tests.notifications.conftest import subscribe_active

    sub = subscribe_active(db, target_type="event", target_id=gala.id)
    assert client.get(f"/subscriptions/manage/{sub.token}").headers["Cache-Control"] == "no-store"
    assert client.get(f"/subscribe?target_type=event&target_id={gala.id}").headers["Cache-Control"] == "no-store"


def test_the_event_page_links_to_the_subscribe_form_only_while_published(client, db, world, gala):
    html = client.get(f"/events/{gala.id}").get_data(as_text=True)
    assert f"/subscribe?target_type=event&amp;target_id={gala.id}" in html
    client.post(f"/api/v1/events/{gala.id}/cancel", json={"reason": "取消"}, headers=world.auth("staff"))
    assert "/subscribe?target_type=event" not in client.get(f"/events/{gala.id}").get_data(as_text=True)


def test_consent_keeps_the_client_address_and_a_forged_forwarded_header_is_not_believed(client, db, gala, gateway):
    response = client.post("/api/v1/subscriptions", headers={"X-Forwarded-For": "203.0.113.7"},
                           json={"target_type": "event", "target_id": gala.id, "channel": "sms",
                                 "address": "13800138000", "lead_minutes": [1440], "changes": True})
    assert response.status_code == 202
    sub = db.session.get(Subscription, response.json["id"])
    assert sub.consent_ip == "127.0.0.1"  # no proxy is trusted (PROXY_HOPS=0): the header is the client's word


def test_behind_a_trusted_proxy_consent_keeps_the_visitors_address(app, client, db, gala, gateway, monkeypatch):
    from werkzeug.middleware.proxy_fix import ProxyFix

    # What create_app does with PROXY_HOPS=1 (one reverse proxy in front, as in production).
    monkeypatch.setattr(app, "wsgi_app", ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1))
    page = client.post("/subscribe", headers={"X-Forwarded-For": "203.0.113.7"},
                       data={"target_type": "event", "target_id": gala.id, "channel": "sms", "address": "13800138000",
                             "leads": ["1440"], "changes": "y"})
    assert page.status_code == 200 and "138****8000" in page.get_data(as_text=True)
    sub = db.session.scalar(select(Subscription))
    assert sub.consent_ip == "203.0.113.7" and sub.consent_source.startswith("web:")
