"""Program, edition, area and venue pages: their upcoming dates and every way to subscribe to their feed."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select

from calendar_app.areas.models import Area
from calendar_app.programs.models import Edition
from calendar_app.public.qr import qr_svg
from calendar_app.venues.models import Venue
from tests.public.helpers import day_sections, html, parse

BASE = "http://127.0.0.1:5000"  # PUBLIC_BASE_URL of the test configuration


def _pages(db) -> dict[str, tuple[str, str, str]]:
    """kind -> (page path, feed path, subscribe page path) for one of each, all with dates in the coming weeks."""
    edition = db.session.scalar(select(Edition).where(Edition.name == "2026冬季村晚"))
    jinshan = db.session.scalar(select(Area).where(Area.code == "370305106"))
    nishan = db.session.scalar(select(Venue).where(Venue.name == "尼山书院"))
    return {
        "program": ("/programs/feiyi-saturday", "/programs/feiyi-saturday.ics", "/subscribe/program/feiyi-saturday"),
        "edition": (f"/editions/{edition.id}", f"/editions/{edition.id}.ics", f"/subscribe/edition/{edition.id}"),
        "area": (f"/areas/{jinshan.id}", f"/areas/{jinshan.id}.ics", f"/subscribe/area/{jinshan.id}"),
        "venue": (f"/venues/{nishan.id}", f"/venues/{nishan.id}.ics", f"/subscribe/venue/{nishan.id}"),
    }


KINDS = ["program", "edition", "area", "venue"]


@pytest.mark.parametrize("kind", KINDS)
def test_page_offers_its_subscribe_page_https_copy_google_and_qr(site, demo, kind):
    path, feed, subscribe = _pages(demo)[kind]
    box = parse(html(site.get(path))).find("section", class_="subscribe")
    https = BASE + feed
    hrefs = [a.attrs["href"] for a in box.find_all("a")]
    main = box.find("a", class_="button")
    assert main.attrs["href"] == subscribe and main.text().strip() == "订阅到手机日历"
    assert not any(h.startswith("webcal:") for h in hrefs)  # the subscribe page picks the method per device
    assert "https://calendar.google.com/calendar/render?cid=" + quote(https, safe="") in hrefs
    field = box.find("input", class_="feed-url")
    assert field.attrs["value"] == https and "readonly" in field.attrs
    assert box.find("label").attrs["for"] == field.attrs["id"]
    button = box.find("button", class_="copy-button")
    assert button.attrs["data-copy-target"] == field.attrs["id"] and button.attrs["type"] == "button"
    assert box.find("p", class_="copy-status").attrs["aria-live"] == "polite"
    image = box.find("img")
    assert image.attrs["src"] == f"{subscribe}/qr.svg" and BASE + subscribe in image.attrs["alt"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("qr_of", ["page", "subscribe page"])
def test_qr_code_encodes_the_subscribe_page_never_the_raw_feed(site, demo, kind, qr_of):
    path, _feed, subscribe = _pages(demo)[kind]
    response = site.get(f"{path if qr_of == 'page' else subscribe}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    body = response.get_data(as_text=True)
    # A phone camera opens the page (which knows the phone), not a .ics download.
    assert body == qr_svg(BASE + subscribe, title=BASE + subscribe)
    assert body.startswith("<svg") and "style" not in body and "<script" not in body
    assert response.cache_control.max_age == 86400
    download = site.get(f"{path}/qr.svg?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("kind", KINDS)
def test_the_printed_feed_url_is_served_as_a_calendar(site, demo, kind):
    feed = _pages(demo)[kind][1]
    response = site.get(feed)
    assert response.status_code == 200 and response.mimetype == "text/calendar"


@pytest.mark.parametrize("kind", KINDS)
def test_page_lists_upcoming_dates_from_today(site, demo, kind):
    page = html(site.get(_pages(demo)[kind][0]))
    days = day_sections(page)
    assert days and days == sorted(days) and days[0] >= "2026-11-21"


def test_program_page_shows_the_program_and_its_editions(site):
    tree = parse(html(site.get("/programs/yueji-youyue")))
    assert "月季有约" in tree.find("h1").text()
    editions = tree.find("ul", class_="editions").text()
    assert "2026冬·食在洞庭" in editions and "主题：食在洞庭" in editions


def test_area_page_of_a_town_lists_its_villages_events_and_links_them(site, demo):
    jinshan = demo.session.scalar(select(Area).where(Area.code == "370305106"))
    page = html(site.get(f"/areas/{jinshan.id}"))
    assert "2026冬季村晚·东崖村专场" in page and "戏曲进乡村·金山镇" in page
    children = parse(page).find("ul", class_="town-links").text()
    assert "东崖村" in children and "搭岭村" in children
    crumbs = parse(page).find("p", class_="crumbs").text()
    assert "淄博市" in crumbs and "临淄区" in crumbs


def test_venue_page_shows_address_map_links_and_folded_opening_hours(site, demo):
    nishan = demo.session.scalar(select(Venue).where(Venue.name == "尼山书院"))
    tree = parse(html(site.get(f"/venues/{nishan.id}")))
    facts = tree.find("dl", class_="facts").text()
    assert "临淄区雪宫街道尼山书院" in facts and "周一至周日 09:00–21:00" in facts
    assert len(tree.find("dd", class_="map-links").find_all("a")) == 2


@pytest.mark.parametrize("path", [
    "/programs/no-such-program", "/editions/999999", "/areas/999999", "/venues/999999",
    "/programs/no-such-program/qr.svg", "/editions/999999/qr.svg", "/areas/999999/qr.svg", "/venues/999999/qr.svg",
])
def test_unknown_pages_and_their_qr_codes_are_404(site, path):
    assert site.get(path).status_code == 404


def test_qr_route_cannot_encode_a_foreign_url(site):
    assert site.get("/qr.svg?url=https://evil.example/").status_code == 404
