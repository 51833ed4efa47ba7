"""/holidays.ics: statutory days off (休), 调休 working days (班), lunar festivals and solar terms as all-day
events over the feed window, the same facts /api/v1/days gives for each date (the iCal rules themselves
are checked on it with every other feed in test_ical_rules.py)."""
from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from calendar_app.extensions import db as _db
from calendar_app.feeds import store
from calendar_app.feeds.models import FeedChange
from calendar_app.festivals.services import set_official_day
from tests.conftest import DEMO_NOW
from tests.feeds.conftest import parse, window_for

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _feed_days(body: bytes) -> dict[date, set[str]]:
    found: dict[date, set[str]] = {}
    for vevent in parse(body).walk("VEVENT"):
        start, end = vevent["DTSTART"].dt, vevent["DTEND"].dt
        assert type(start) is date and end == start + timedelta(days=1)  # one whole local day each
        found.setdefault(start, set()).add(str(vevent["SUMMARY"]))
    return found


def _api_days(client, first: date, last: date) -> dict[date, set[str]]:
    """What /api/v1/days says, written the way the feed words it (休 / 班 after the holiday's name)."""
    expected: dict[date, set[str]] = {}
    start = first
    while start <= last:
        end = min(start + timedelta(days=300), last)
        items = client.get(f"/api/v1/days?start={start}&end={end}").json["items"]
        for item in items:
            names = set(item["festivals"])
            if item["solar_term"]:
                names.add(item["solar_term"])
            if item["is_holiday"]:
                names.add(f"{item['holiday_name']}（休）")
            if item["is_makeup_workday"]:
                names.add(f"{item['holiday_name']}调休上班（班）")
            if names:
                expected[date.fromisoformat(item["date"])] = names
        start = end + timedelta(days=1)
    return expected


@pytest.fixture
def staff_days(demo):
    """The State Council's 2027 notice as staff would enter it before the package knows 2027."""
    set_official_day(date(2027, 2, 6), "holiday", "春节")
    set_official_day(date(2027, 2, 7), "holiday", "春节")
    set_official_day(date(2027, 2, 20), "workday", "春节")
    demo.session.commit()


def test_holiday_feed_holds_every_fact_of_api_days_in_its_window_and_nothing_else(app, demo_client, staff_days):
    window = window_for(app)
    first = window.start.astimezone(SHANGHAI).date()
    last = window.end.astimezone(SHANGHAI).date() - timedelta(days=1)
    response = demo_client.get("/holidays.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    feed = _feed_days(response.data)
    expected = _api_days(demo_client, first, last)
    # 清明 is both a festival and a solar term: the API lists it twice, the feed once (a set here).
    assert feed == expected
    # The facts a reader expects, spelled out (not computed by the code under test):
    assert feed[date(2026, 12, 22)] == {"冬至"}
    assert feed[date(2027, 2, 5)] == {"除夕"}
    assert feed[date(2027, 2, 6)] == {"春节", "春节（休）"}
    assert feed[date(2027, 2, 7)] == {"春节（休）"}
    assert feed[date(2027, 2, 20)] == {"元宵节", "春节调休上班（班）"}
    assert date(2026, 12, 21) not in feed
    assert min(feed) >= first and max(feed) <= last


def test_a_staff_change_of_an_official_day_marks_the_holiday_feed_stale(app, demo):
    store.render_all(now=DEMO_NOW)
    demo.session.commit()
    before = store.stored_document("holidays").etag
    set_official_day(date(2027, 2, 8), "holiday", "春节")
    demo.session.commit()
    assert "holidays" in set(demo.session.scalars(select(FeedChange.key)))
    store.render_pending(now=DEMO_NOW)
    demo.session.commit()
    after = store.stored_document("holidays")
    assert after.etag != before and "春节（休）".encode() in after.body
