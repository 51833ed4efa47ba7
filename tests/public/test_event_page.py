"""The event page: local time, place with map links, status with its reason, the series' next dates,
add-to-calendar links and schema.org JSON-LD; unpublished events are not found."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from calendar_app.events.models import Event, Occurrence
from calendar_app.venues.models import Venue
from tests.conftest import DEMO_NOW
from tests.public.helpers import html, jsonld, parse


def _event(db, uid_prefix: str) -> Event:
    return db.session.scalar(select(Event).where(Event.uid.startswith(f"demo-{uid_prefix}")))


def _occurrence(db, event: Event, status: str) -> Occurrence:
    return db.session.scalar(select(Occurrence).where(Occurrence.event_id == event.id, Occurrence.status == status)
                             .order_by(Occurrence.starts_at))


@pytest.fixture(scope="module")
def saturday(demo) -> Event:
    return _event(demo, "feiyi-saturday")


def test_event_page_shows_the_next_date_in_local_time_with_place_and_organiser(site, demo):
    event = _event(demo, "opera-2026-370305106")  # 戏曲进乡村·金山镇, weekly
    page = html(site.get(f"/events/{event.id}"))
    tree = parse(page)
    assert tree.find("h1").text() == "戏曲进乡村·金山镇"
    facts = tree.find("dl", class_="facts").text()
    assert "19:00–21:00" in facts and "2026年11月" in facts
    assert "东崖村文化广场" in facts and "临淄区金山镇东崖村" in facts
    assert "免费" in facts and event.organiser in facts
    assert tree.find("p", class_="description").text() == event.description


def test_moved_occurrence_shows_rescheduled_with_reason_and_original_time(site, demo, saturday):
    moved = _occurrence(demo, saturday, "moved")
    page = html(site.get(f"/events/{saturday.id}?occurrence={moved.id}"))
    box = parse(page).find("div", class_="status-box-moved")
    assert "本场时间已调整" in box.text() and "讲堂布展，推迟一小时开始" in box.text()
    assert "原定时间：11月28日 周六 14:30" in box.text()
    assert "15:30–17:30" in parse(page).find("dl", class_="facts").text()
    data = jsonld(page)
    assert data["eventStatus"] == "https://schema.org/EventRescheduled"
    assert data["startDate"] == "2026-11-28T15:30:00+08:00"
    assert data["previousStartDate"] == "2026-11-28T14:30:00+08:00"


def test_cancelled_occurrence_shows_cancelled_with_reason(site, demo, saturday):
    cancelled = _occurrence(demo, saturday, "cancelled")
    page = html(site.get(f"/events/{saturday.id}?occurrence={cancelled.id}"))
    box = parse(page).find("div", class_="status-box-cancelled")
    assert "本场已取消" in box.text() and "尼山书院设备检修，本周暂停" in box.text()
    assert parse(page).find("dl", class_="facts").find_all("del")
    assert jsonld(page)["eventStatus"] == "https://schema.org/EventCancelled"


def test_scheduled_occurrence_json_ld_describes_the_event_and_its_place(site, demo, saturday):
    page = html(site.get(f"/events/{saturday.id}"))
    data = jsonld(page)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Event"
    assert data["name"] == "非遗星期六·尼山书院讲堂"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["startDate"] == "2026-11-21T14:30:00+08:00" and data["endDate"] == "2026-11-21T16:30:00+08:00"
    assert data["isAccessibleForFree"] is True and "offers" not in data
    place = data["location"]
    assert place["@type"] == "Place" and place["name"] == "尼山书院"
    assert place["address"]["streetAddress"] == "山东省淄博市临淄区雪宫街道尼山书院"
    assert place["geo"] == {"@type": "GeoCoordinates", "latitude": 36.8226, "longitude": 118.3130}
    assert data["url"].endswith(f"/events/{saturday.id}?occurrence={_first_upcoming(demo, saturday).id}")


def _first_upcoming(db, event: Event) -> Occurrence:
    return db.session.scalar(select(Occurrence).where(Occurrence.event_id == event.id, Occurrence.ends_at > DEMO_NOW)
                             .order_by(Occurrence.starts_at))


def test_map_links_pass_the_coordinates_to_amap_and_baidu(site, demo, saturday):
    tree = parse(html(site.get(f"/events/{saturday.id}")))
    links = {a.text(): a.attrs["href"] for a in tree.find("dd", class_="map-links").find_all("a")}
    amap, baidu = urlsplit(links["高德地图"]), urlsplit(links["百度地图"])
    assert (amap.scheme, amap.netloc, amap.path) == ("https", "uri.amap.com", "/marker")
    assert parse_qs(amap.query)["position"] == ["118.313,36.8226"]  # lon,lat
    assert parse_qs(amap.query)["name"] == ["尼山书院"] and parse_qs(amap.query)["coordinate"] == ["wgs84"]
    assert (baidu.netloc, baidu.path) == ("api.map.baidu.com", "/marker")
    query = parse_qs(baidu.query)
    assert query["location"] == ["36.8226,118.313"]  # lat,lon
    assert query["title"] == ["尼山书院"] and query["content"] == ["山东省淄博市临淄区雪宫街道尼山书院"]
    assert query["output"] == ["html"] and query["coord_type"] == ["wgs84"]


def test_add_to_calendar_offers_the_ics_file_and_a_google_template(site, demo, saturday):
    tree = parse(html(site.get(f"/events/{saturday.id}")))
    box = tree.find("section", class_="add-to-calendar")
    hrefs = [a.attrs["href"] for a in box.find_all("a")]
    assert f"/events/{saturday.id}.ics" in hrefs
    google = urlsplit(next(h for h in hrefs if h.startswith("https://calendar.google.com/")))
    query = parse_qs(google.query)
    assert google.path == "/calendar/render" and query["action"] == ["TEMPLATE"]
    assert query["text"] == ["非遗星期六·尼山书院讲堂"]
    assert query["dates"] == ["20261121T063000Z/20261121T083000Z"]
    assert query["location"] == ["尼山书院 山东省淄博市临淄区雪宫街道尼山书院"]
    assert "每个周末都有“艺”可学" in query["details"][0]
    assert "/subscribe/program/feiyi-saturday" in hrefs


def test_series_lists_its_next_dates_with_their_status(site, demo, saturday):
    tree = parse(html(site.get(f"/events/{saturday.id}")))
    series = tree.find("ul", class_="series").find_all("li")
    assert 3 <= len(series) <= 10
    assert "2026年" not in series[0].text() and "11月28日" in series[0].text()
    assert "已调整" in series[0].text() and "已取消" in series[1].text()


def test_a_ticketed_event_links_its_registration_and_offers_it_in_json_ld(site, demo):
    band = _event(demo, "linzi-summer-2026-band")
    page = html(site.get(f"/events/{band.id}"))  # in August: the page shows its last date
    assert 'href="https://example.org/linzi-band-festival"' in page and "需购票或报名" in page
    data = jsonld(page)
    assert data["isAccessibleForFree"] is False
    assert data["offers"] == {"@type": "Offer", "url": "https://example.org/linzi-band-festival"}


def test_an_occurrence_of_another_event_falls_back_to_this_events_next_date(site, demo, saturday):
    other = _first_upcoming(demo, _event(demo, "opera-2026-370305106"))
    page = html(site.get(f"/events/{saturday.id}?occurrence={other.id}"))
    assert "该场次已不存在" in page and "非遗星期六·尼山书院讲堂" in page


@pytest.mark.parametrize("uid", ["jinshan-2026-draft", "jinshan-2026-submitted"])
def test_draft_and_submitted_events_are_not_found(site, demo, uid):
    event = _event(demo, uid)
    response = site.get(f"/events/{event.id}")
    assert response.status_code == 404
    assert event.title not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/events/999999", "/events/abc", "/events/1?occurrence=abc"])
def test_unknown_events_are_404_and_bad_occurrence_ids_400(site, path):
    assert site.get(path).status_code == (400 if "occurrence=abc" in path else 404)


def test_registration_links_that_are_not_web_urls_are_not_linked(site, demo):
    band = _event(demo, "linzi-summer-2026-band")
    band.registration_url = "javascript:alert(1)"  # bypassing the service, as a bad import could
    demo.session.commit()
    try:
        page = html(site.get(f"/events/{band.id}"))
        assert "javascript:" not in page and "offers" not in jsonld(page)
    finally:
        band.registration_url = "https://example.org/linzi-band-festival"
        demo.session.commit()


def test_venue_without_coordinates_has_no_map_links(site, demo, saturday):
    venue = demo.session.get(Venue, saturday.venue_id)
    lat, lon = venue.latitude, venue.longitude
    venue.latitude = venue.longitude = None
    demo.session.commit()
    try:
        page = html(site.get(f"/events/{saturday.id}"))
        assert "uri.amap.com" not in page and "geo" not in jsonld(page)["location"]
    finally:
        venue.latitude, venue.longitude = lat, lon
        demo.session.commit()
