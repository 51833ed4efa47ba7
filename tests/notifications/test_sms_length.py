"""Every SMS fits its segments (70 characters, or parts of 67) with realistic long titles, venues and
reasons and the production site's links: the title gives way ("…"), still recognisable."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from calendar_app.notifications.messages import SMS_SEGMENTS, Renderer, sms_segments

NOW = datetime(2026, 12, 4, 11, 0, tzinfo=timezone.utc)
STARTS = datetime(2026, 12, 5, 11, 0, tzinfo=timezone.utc)
LONG_TITLE = "2026年临淄区“四季村晚”暨戏曲进乡村巡演·金山镇东崖村专场文艺演出（第十二场，含非遗展示）"
LONG_VENUE = "临淄区金山镇东崖村党群服务中心北侧文化广场（原村委会大院）"
LONG_REASON = "受寒潮大风天气影响，为保障群众安全，经镇街与演出团体商定顺延一天，演出内容和座位安排不变"


def _row(kind: str, **extra) -> dict:
    row = {"kind": kind, "channel": "sms", "address": "13800138000", "idempotency_key": "n" + "0" * 24,
           "token": "x" * 32,  # token_urlsafe(24): 32 characters
           "title": LONG_TITLE, "timezone": "Asia/Shanghai", "payload": {"code": "123456"},
           "starts_at": STARTS, "ends_at": STARTS + timedelta(hours=2), "venue_name": LONG_VENUE,
           "venue_address": None, "event_id": 123456, "occurrence_id": 1234567}
    row.update(extra)
    return row


@pytest.fixture
def renderer(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://wenlv.linzi.gov.cn")
    with app.app_context():
        yield Renderer()


@pytest.mark.parametrize("kind, extra", [
    ("confirm", {"starts_at": None, "venue_name": None, "event_id": None}),
    ("reminder", {}),
    ("change", {"change_kind": "rescheduled", "old_starts_at": STARTS, "new_starts_at": STARTS + timedelta(days=1),
                "reason": LONG_REASON, "new_venue_name": None}),
    ("change", {"change_kind": "venue_changed", "old_starts_at": None, "new_starts_at": STARTS,
                "reason": LONG_REASON, "new_venue_name": LONG_VENUE}),
    ("change", {"change_kind": "cancelled", "old_starts_at": STARTS, "new_starts_at": None, "reason": LONG_REASON,
                "new_venue_name": None}),
])
def test_every_sms_fits_its_segments_with_long_titles_venues_and_reasons(renderer, kind, extra):
    text = renderer.render(_row(kind, **extra), NOW).text
    assert sms_segments(text) <= SMS_SEGMENTS[kind], (len(text), text)
    assert "2026年临淄区“四" in text and "…" in text  # shortened, not dropped
    if kind == "confirm":
        assert "123456" in text and len(text) <= 70
    else:  # both links stay whole
        assert "https://wenlv.linzi.gov.cn/subscriptions/manage/" + "x" * 32 in text
        assert "https://wenlv.linzi.gov.cn/events/123456" in text


def test_a_short_sms_is_left_as_it_is(renderer):
    text = renderer.render(_row("reminder", title="四季村晚", venue_name="东崖村文化广场"), NOW).text
    assert "「四季村晚」，东崖村文化广场。" in text and "…" not in text


def test_without_a_public_base_url_messages_link_to_the_development_server(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", None)
    monkeypatch.setitem(app.config, "DEV_BASE_URL", "http://127.0.0.1:5201")
    with app.app_context():
        text = Renderer().render(_row("reminder", title="四季村晚"), NOW).text
    assert "详情 http://127.0.0.1:5201/events/123456?occurrence=1234567" in text and "None" not in text
