"""HTTP behaviour of the public feeds (ICAL.md rules 10 and 11): content type, no login, no content
negotiation, 404 (never 410) for unknown feeds, strong ETag, Last-Modified and 304; and the feed URLs
other features publish."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.http import http_date, parse_date

from calendar_app import links
from calendar_app.areas.models import Area
from calendar_app.events.models import Event
from calendar_app.feeds.urls import ical_url, subscription_urls
from calendar_app.programs.models import Edition, Program
from calendar_app.venues.models import Venue
from tests.public.helpers import parse as parse_html


def _paths(db) -> list[str]:
    program = db.session.scalar(select(Program).where(Program.slug == "feiyi-saturday"))
    event = db.session.scalar(select(Event).where(Event.uid.startswith("demo-feiyi-saturday")))
    return [
        "/calendar.ics",
        links.feed_path("program", program.slug),
        links.feed_path("edition", db.session.scalar(select(Edition.id).limit(1))),
        links.feed_path("area", db.session.scalar(select(Area.id).where(Area.code == "370305106"))),
        links.feed_path("venue", db.session.scalar(select(Venue.id).limit(1))),
        links.feed_path("category", "heritage"),
        links.feed_path("event", event.id),
    ]


def test_every_kind_of_feed_is_served_as_text_calendar_without_login(demo, demo_client):
    for path in _paths(demo):
        response = demo_client.get(path)  # no session cookie, no credentials
        assert response.status_code == 200, path
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert response.data.startswith(b"BEGIN:VCALENDAR\r\n")
        assert response.headers["Cache-Control"] == "public, max-age=60"
        assert "Content-Security-Policy" not in response.headers  # page headers are for pages


@pytest.mark.parametrize("accept", ["application/json", "text/html", "*/*", None])
def test_accept_header_changes_nothing(demo_client, accept):
    plain = demo_client.get("/calendar.ics")
    response = demo_client.get("/calendar.ics", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.data == plain.data


@pytest.mark.parametrize("path", [
    "/programs/no-such-program.ics", "/editions/999999.ics", "/areas/999999.ics", "/venues/999999.ics",
    "/categories/no-such-category.ics", "/events/999999.ics", "/private/not-a-token.ics",
    "/calendar.ics?category=no-such-category", "/editions/abc.ics",
])
def test_unknown_feed_is_404_never_410(demo_client, path):
    assert demo_client.get(path).status_code == 404


def test_draft_and_submitted_events_have_no_public_feed(demo, demo_client):
    for uid in ("demo-jinshan-2026-draft@calendar-app.local", "demo-jinshan-2026-submitted@calendar-app.local"):
        event = demo.session.scalar(select(Event).where(Event.uid == uid))
        assert demo_client.get(links.feed_path("event", event.id)).status_code == 404
    assert "金山镇合唱团汇报演出".encode() not in demo_client.get("/calendar.ics").data


def test_strong_etag_and_last_modified_are_sent(demo_client):
    response = demo_client.get("/calendar.ics")
    etag = response.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert parse_date(response.headers["Last-Modified"]) is not None


def test_if_none_match_with_the_current_etag_is_304_without_a_body(demo_client):
    first = demo_client.get("/calendar.ics")
    again = demo_client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    weak = demo_client.get("/calendar.ics", headers={"If-None-Match": "W/" + first.headers["ETag"]})
    assert weak.status_code == 304  # If-None-Match compares weakly (RFC 9110)
    assert demo_client.get("/calendar.ics", headers={"If-None-Match": "*"}).status_code == 304


def test_if_none_match_with_another_etag_is_200_even_if_not_modified_since(demo_client):
    first = demo_client.get("/calendar.ics")
    response = demo_client.get("/calendar.ics", headers={
        "If-None-Match": '"something-else"', "If-Modified-Since": first.headers["Last-Modified"]})
    assert response.status_code == 200
    assert response.data == first.data


def test_if_modified_since_alone_is_304_only_when_nothing_changed_since(demo_client):
    first = demo_client.get("/calendar.ics")
    modified = parse_date(first.headers["Last-Modified"])
    assert demo_client.get("/calendar.ics", headers={"If-Modified-Since": http_date(modified)}).status_code == 304
    later = http_date(modified + timedelta(hours=1))
    assert demo_client.get("/calendar.ics", headers={"If-Modified-Since": later}).status_code == 304
    earlier = http_date(modified - timedelta(seconds=1))
    assert demo_client.get("/calendar.ics", headers={"If-Modified-Since": earlier}).status_code == 200


def test_head_answers_like_get_without_a_body(demo_client):
    get, head = demo_client.get("/calendar.ics"), demo_client.head("/calendar.ics")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]


def test_category_query_narrows_a_feed_and_is_ignored_where_it_does_not_apply(demo, demo_client):
    everything = demo_client.get("/calendar.ics").data
    heritage = demo_client.get("/calendar.ics?category=heritage")
    assert heritage.status_code == 200
    assert b"X-WR-CALNAME:" in heritage.data and "非遗".encode() in heritage.data
    assert heritage.data.count(b"BEGIN:VEVENT") < everything.count(b"BEGIN:VEVENT")
    assert b"CATEGORIES:\xe9\x9d\x9e\xe9\x81\x97" in heritage.data  # 非遗
    assert b"SOURCE;VALUE=URI:http://127.0.0.1:5000/calendar.ics?category=heritage" in heritage.data
    category_feed = demo_client.get("/categories/heritage.ics?category=film")
    assert category_feed.data == demo_client.get("/categories/heritage.ics").data
    assert demo_client.get("/calendar.ics?utm_source=poster").data == everything  # other parameters are ignored


def test_feed_urls_do_not_collide_with_the_pages_of_the_same_things(demo, demo_client):
    program = demo.session.scalar(select(Program).where(Program.slug == "feiyi-saturday"))
    event = demo.session.scalar(select(Event).where(Event.uid.startswith("demo-feiyi-saturday")))
    edition = demo.session.scalar(select(Edition).order_by(Edition.id).limit(1))
    area = demo.session.scalar(select(Area).where(Area.code == "370305106"))
    venue = demo.session.scalar(select(Venue).where(Venue.name == "尼山书院"))
    pairs = {
        "program": (links.program_path(program.slug), links.feed_path("program", program.slug), program.name),
        "edition": (links.edition_path(edition.id), links.feed_path("edition", edition.id), edition.name),
        "area": (links.area_path(area.id), links.feed_path("area", area.id), area.name),
        "venue": (links.venue_path(venue.id), links.feed_path("venue", venue.id), venue.name),
        "event": (links.event_path(event.id), links.feed_path("event", event.id), event.title),
    }
    for kind, (page_path, feed_path, name) in pairs.items():
        assert page_path != feed_path, kind
        page, feed = demo_client.get(page_path), demo_client.get(feed_path)
        assert (page.status_code, feed.status_code) == (200, 200), kind
        assert page.headers["Content-Type"] == "text/html; charset=utf-8", kind
        assert feed.headers["Content-Type"] == "text/calendar; charset=utf-8", kind
        assert name in parse_html(page.get_data(as_text=True)).find("h1").text(), kind
        assert feed.data.startswith(b"BEGIN:VCALENDAR\r\n"), kind


def test_ical_url_of_every_kind_is_absolute_and_served(app, demo, demo_client):
    base = app.config["PUBLIC_BASE_URL"]
    objects = {
        "program": demo.session.scalar(select(Program).limit(1)),
        "edition": demo.session.scalar(select(Edition).limit(1)),
        "area": demo.session.scalar(select(Area).limit(1)),
        "venue": demo.session.scalar(select(Venue).limit(1)),
        "event": demo.session.scalar(select(Event).where(Event.status == "published").limit(1)),
        "category": "opera",
    }
    for kind, obj in objects.items():
        url = ical_url(kind, obj)
        assert url.startswith(base) and url.endswith(".ics")
        assert demo_client.get(url[len(base):]).status_code == 200, url
    assert ical_url("all") == base + "/calendar.ics"
    assert ical_url("program", objects["program"]) == f"{base}/programs/{objects['program'].slug}.ics"


def test_subscription_urls_offer_webcal_and_google():
    urls = subscription_urls("https://cal.example.cn/programs/linzi-summer.ics")
    assert urls["webcal"] == "webcal://cal.example.cn/programs/linzi-summer.ics"
    assert urls["google"] == ("https://calendar.google.com/calendar/render?cid="
                              "https%3A%2F%2Fcal.example.cn%2Fprograms%2Flinzi-summer.ics")
