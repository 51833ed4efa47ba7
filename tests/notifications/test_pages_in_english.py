"""The public subscription pages speak English with `?lang=en` (or the cookie); the messages stay Chinese.

The event here is named in ASCII, so any Han character left on an English page is untranslated UI text.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from calendar_app.notifications.models import Subscription
from tests.notifications.conftest import subscribe_active
from tests.world import weekly_body

NOTIFICATIONS = Path(__file__).resolve().parents[2] / "calendar_app" / "notifications"
HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


@pytest.fixture
def winter_gala(client, db, world):
    created = client.post("/api/v1/events", json=weekly_body(world, title="Winter Gala"), headers=world.auth("coord"))
    assert created.status_code == 201, created.json
    assert client.post(f"/api/v1/events/{created.json['id']}/publish", headers=world.auth("staff")).status_code == 200
    return created.json["id"]


def _chinese_left(response) -> list[str]:
    """Han text on the page, less the switch back to Chinese (written in Chinese on purpose)."""
    return [text for text in HAN.findall(response.get_data(as_text=True)) if text != "中文"]


def _form(event_id, **fields) -> dict:
    data = {"target_type": "event", "target_id": event_id, "channel": "sms", "address": "13800138000",
            "leads": ["1440", "120"], "changes": "y"}
    data.update(fields)
    return data


def test_the_subscribe_form_is_in_english_with_babel_durations_for_the_lead_times(client, db, winter_gala):
    page = client.get(f"/subscribe?target_type=event&target_id={winter_gala}&lang=en")
    assert page.status_code == 200 and '<html lang="en">' in page.get_data(as_text=True)
    assert _chinese_left(page) == []
    text = page.get_data(as_text=True)
    assert "Get event reminders" in text and "Event: " in text and "Winter Gala" in text
    assert "1 week before" in text and "30 minutes before" in text and "Send by" in text
    chinese = client.get(f"/subscribe?target_type=event&target_id={winter_gala}&lang=zh").get_data(as_text=True)
    assert "提前一周" in chinese and "提前 30 分钟" in chinese and "订阅活动提醒" in chinese


def test_form_errors_are_in_english_and_nothing_is_saved(client, db, winter_gala):
    client.get("/?lang=en")  # the cookie carries the choice to the form's POST
    bad = client.post("/subscribe", data=_form(winter_gala, address="1380013"))
    assert bad.status_code == 422 and _chinese_left(bad) == []
    assert "That is not a mobile number" in bad.get_data(as_text=True)
    assert "Please correct the 1 marked fields" in bad.get_data(as_text=True)
    empty = client.post("/subscribe", data=_form(winter_gala, address=""))
    assert empty.status_code == 422 and "Please enter a mobile number or an email address" in empty.get_data(as_text=True)
    too_many = client.post("/subscribe", data=_form(winter_gala, leads=["10080", "4320", "1440", "720", "240"]))
    assert too_many.status_code == 422 and "Choose at most 4 reminder times" in too_many.get_data(as_text=True)
    assert db.session.scalar(select(Subscription)) is None


def test_the_code_page_and_a_wrong_code_are_in_english_while_the_sms_stays_chinese(client, db, winter_gala, gateway):
    client.get("/?lang=en")
    sent = client.post("/subscribe", data=_form(winter_gala))
    assert sent.status_code == 200 and _chinese_left(sent) == []
    assert "Enter the SMS code" in sent.get_data(as_text=True) and "138****8000" in sent.get_data(as_text=True)
    sms = gateway.texts("13800138000")[-1]
    assert "验证码" in sms  # the message body stays Chinese whatever the page's language
    code = re.search(r"验证码 (\d{6})", sms).group(1)
    sub = db.session.scalar(select(Subscription))
    wrong = client.post("/subscribe/confirm", data={"subscription": sub.id, "code": "000000" if code != "000000"
                                                    else "111111"})
    assert wrong.status_code == 422 and _chinese_left(wrong) == []
    assert "Wrong code; 4 tries left" in wrong.get_data(as_text=True)
    done = client.post("/subscribe/confirm", data={"subscription": sub.id, "code": code})
    assert done.status_code == 200 and _chinese_left(done) == []
    assert "Subscribed" in done.get_data(as_text=True) and "Winter Gala" in done.get_data(as_text=True)


def test_the_check_mail_page_is_in_english(client, db, winter_gala, smtp):
    client.get("/?lang=en")
    page = client.post("/subscribe", data=_form(winter_gala, channel="email", address="visitor@example.com"))
    assert page.status_code == 200 and _chinese_left(page) == []
    assert "Check your email" in page.get_data(as_text=True)
    mail = smtp.to("visitor@example.com")[-1]
    assert "确认" in mail.get_body(preferencelist=("plain",)).get_content()  # the email stays Chinese


def test_the_manage_page_saves_and_unsubscribes_in_english(client, db, winter_gala):
    sub = subscribe_active(db, target_type="event", target_id=winter_gala)
    db.session.commit()
    page = client.get(f"/subscriptions/manage/{sub.token}?lang=en")
    assert page.status_code == 200 and _chinese_left(page) == []
    assert "Manage my reminders" in page.get_data(as_text=True) and "(SMS)" in page.get_data(as_text=True)
    refused = client.post(f"/subscriptions/manage/{sub.token}", data={})
    assert refused.status_code == 422 and _chinese_left(refused) == []
    assert "Choose at least one reminder time or the change notices" in refused.get_data(as_text=True)
    saved = client.post(f"/subscriptions/manage/{sub.token}", data={"leads": ["60"], "changes": "y"})
    assert "Saved." in saved.get_data(as_text=True) and "1 hour before" in saved.get_data(as_text=True)
    client.post(f"/subscriptions/manage/{sub.token}/cancel")
    cancelled = client.get(f"/subscriptions/manage/{sub.token}")
    assert "Unsubscribed" in cancelled.get_data(as_text=True) and _chinese_left(cancelled) == []


def test_invalid_links_answer_in_english(client, db, world):
    client.get("/?lang=en")
    response = client.get("/subscriptions/manage/nope")
    assert response.status_code == 404 and "This management link is invalid" in response.get_data(as_text=True)
    assert _chinese_left(response) == []


def _service_messages() -> list[str]:
    """Every message the services and contact checks can hand a page: raised errors and returned reasons.

    Messages naming an API field (`channel 只能是 …`) come only from the JSON API; an f-string's values
    become a number, as the services fill them in.
    """
    found = []
    for name in ("services.py", "contacts.py"):
        for node in ast.walk(ast.parse((NOTIFICATIONS / name).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("ValidationError", "ContactError"):
                candidates = node.args[:1]
            elif isinstance(node, ast.Return) and node.value is not None:
                candidates = [node.value]
            else:
                continue
            for candidate in candidates:
                pieces = {id(v) for part in ast.walk(candidate) if isinstance(part, ast.JoinedStr) for v in part.values}
                for part in ast.walk(candidate):
                    if id(part) in pieces:
                        continue
                    if isinstance(part, ast.JoinedStr):
                        text = "".join(v.value if isinstance(v, ast.Constant) else "3" for v in part.values)
                    elif isinstance(part, ast.Constant) and isinstance(part.value, str):
                        text = part.value
                    else:
                        continue
                    if HAN.search(text) and not re.match(r"[a-z_]+ ", text) and text != "（已不存在）":
                        found.append(text)
    return found


def test_every_message_a_subscription_page_can_show_has_english(app):
    from calendar_app.notifications.views import in_page_language

    messages = _service_messages()
    assert "最多选择 4 个提醒时间" in messages and "验证码不正确，还可尝试 3 次" in messages
    with app.test_request_context("/subscribe?lang=en"):
        app.preprocess_request()  # the language hooks
        untranslated = [m for m in messages if HAN.search(in_page_language(m))]
    assert untranslated == []


def test_an_expired_form_answers_in_english(client, db, winter_gala, csrf_on):
    client.get("/?lang=en")
    response = client.post("/subscribe", data=_form(winter_gala))  # no CSRF token
    assert response.status_code == 400 and _chinese_left(response) == []
    assert "The form has expired" in response.get_data(as_text=True)
    assert db.session.scalar(select(Subscription)) is None
