"""A whole event cancelled after publication stays on its page, marked cancelled, and leaves the lists."""
from __future__ import annotations

from datetime import datetime

from calendar_app.events.services import set_status
from tests import factories as f
from tests.conftest import DEMO_NOW
from tests.public.helpers import html, jsonld, parse


def test_a_cancelled_event_says_so_and_is_no_longer_listed(client, db, at_demo_now):
    town = f.town(f.district())
    event = f.event(town, title="金山镇广场舞大赛", start=datetime(2026, 11, 28, 19), end=datetime(2026, 11, 28, 21),
                    now=DEMO_NOW)
    db.session.commit()
    assert "金山镇广场舞大赛" in html(client.get("/?when=next30"))

    set_status(event, "cancelled", now=DEMO_NOW)
    db.session.commit()
    page = html(client.get(f"/events/{event.id}"))
    assert "本活动已取消" in parse(page).find("div", class_="status-box-cancelled").text()
    assert jsonld(page)["eventStatus"] == "https://schema.org/EventCancelled"
    assert "金山镇广场舞大赛" not in html(client.get("/?when=next30"))
