"""Output is escaped and CSP-clean on every public page; the UI switches to English and back.

These tests build their own small data set (ASCII names) so that an English page can be checked to
carry no Chinese UI text at all.
"""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from calendar_app.festivals.services import sync_official_days

from tests import factories as f
from tests.conftest import DEMO_NOW
from tests.public.helpers import html, jsonld, parse

HOSTILE_TITLE = "</script><script>alert('t')</script>Gala"
HOSTILE_DESCRIPTION = "Line one\r\nLine two <script>alert('d')</script>\n<b>bold?</b> & more"


@pytest.fixture
def world(db, at_demo_now):
    """One of everything, named in ASCII, with a hostile title and description."""
    district = f.district("Linzi")
    town = f.town(district, "Jinshan")
    village = f.village(town, "Dongya")
    venue = f.venue(village, "Dongya Square", address="Dongya <b>Village</b>", latitude=36.73, longitude=118.39,
                    capacity=1200)
    program = f.program(district, "Village Gala", slug="village-gala", description="Seasonal <i>galas</i>")
    edition = f.edition(program, "Winter 2026", starts_on=date(2026, 12, 1), ends_on=date(2027, 2, 28),
                        theme="Snow")
    event = f.event(village, title=HOSTILE_TITLE, description=HOSTILE_DESCRIPTION, venue_id=venue.id,
                    program_id=program.id, edition_id=edition.id, organiser="Dongya <committee>",
                    start=datetime(2026, 11, 28, 19), end=datetime(2026, 11, 28, 21), rrule="FREQ=WEEKLY;COUNT=5",
                    now=DEMO_NOW)
    sync_official_days([2026])
    db.session.commit()
    return {"town": town, "venue": venue, "program": program, "edition": edition, "event": event}


def _pages(world) -> list[str]:
    return ["/", "/?when=weekend", "/month", "/month?ym=2026-10", f"/events/{world['event'].id}",
            "/programs/village-gala", f"/editions/{world['edition'].id}", f"/areas/{world['town'].id}",
            f"/venues/{world['venue'].id}", "/events/999999"]


def test_markup_in_titles_and_descriptions_is_shown_as_text(client, world):
    page = html(client.get(f"/events/{world['event'].id}"))
    assert "<script>alert" not in page and "<b>bold?</b>" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;Gala" in page
    assert parse(page).find("h1").text() == HOSTILE_TITLE
    description = parse(page).find("p", class_="description")
    assert description.text() == "Line one\nLine two <script>alert('d')</script>\n<b>bold?</b> & more"
    assert "Dongya &lt;committee&gt;" in page


def test_json_ld_cannot_be_closed_by_a_title(client, world):
    page = html(client.get(f"/events/{world['event'].id}"))
    # Exactly two script elements: our static JS file and the JSON-LD block.
    assert len(re.findall(r"<script\b", page)) == 2
    data = jsonld(page)
    assert data["name"] == HOSTILE_TITLE and data["description"].startswith("Line one\nLine two <script>")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_page_has_inline_script_or_style(client, world, lang):
    for path in _pages(world):
        response = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}")
        page = response.get_data(as_text=True)
        assert " style=" not in page and "<style" not in page, path
        for tag in re.findall(r"<script\b[^>]*>", page):
            assert 'src="/static/' in tag or 'type="application/ld+json"' in tag, (path, tag)
        assert not re.search(r"\son[a-z]+=", page), path  # no onclick= and friends
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_every_page_has_a_skip_link_a_main_landmark_and_one_h1(client, world):
    for path in _pages(world):
        tree = parse(client.get(path).get_data(as_text=True))
        assert tree.find("a", class_="skip-link").attrs["href"] == "#main"
        assert tree.find("main").attrs["id"] == "main"
        assert len(tree.find_all("h1")) == 1, path
        assert all(img.attrs.get("alt") for img in tree.find_all("img")), path


def test_english_switch_sets_a_cookie_and_sticks(client, world):
    first = client.get("/?lang=en")
    assert '<html lang="en">' in html(first)
    assert "lang=en" in first.headers["Set-Cookie"] and "HttpOnly" in first.headers["Set-Cookie"]
    assert "Cookie" in first.headers["Vary"]
    later = html(client.get("/month"))
    assert '<html lang="en">' in later and "Skip to main content" in later
    back = client.get("/?lang=zh")
    assert '<html lang="zh-CN">' in html(back) and "跳到主要内容" in html(back)
    assert '<html lang="zh-CN">' in html(client.get("/month"))


def test_language_switch_link_keeps_the_query(client, world):
    tree = parse(html(client.get("/?when=weekend&program=village-gala")))
    switch = tree.find("a", class_="lang-switch")
    assert switch.attrs["href"] == "/?when=weekend&program=village-gala&lang=en" and switch.attrs["lang"] == "en"


def test_english_pages_carry_no_chinese_ui_text(client, world):
    """Content is ASCII here, so any Han character on an English page is an untranslated UI string."""
    client.get("/?lang=en")
    for path in _pages(world):
        page = client.get(path).get_data(as_text=True)
        leftovers = re.findall(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+", page)
        assert leftovers == ["中文"], (path, leftovers)  # the switch back to Chinese is written in Chinese


def test_english_month_names_holidays_and_festivals(client, world):
    client.get("/?lang=en")
    page = html(client.get("/month?ym=2026-10"))
    assert "October 2026" in page and "National Day" in page and "Make-up working day" in page
    february = html(client.get("/month?ym=2026-02"))
    assert "Spring Festival" in february


def test_dates_and_numbers_are_written_the_way_each_language_writes_them(client, world):
    """Babel's CLDR data: 11月28日 周六 and "Sat, Nov 28"; 2026年10月 and "October 2026"; 1,200 with grouping."""
    chinese = html(client.get("/?when=next30&lang=zh"))
    assert "11月28日 周六" in chinese and "Sat" not in chinese
    assert "2026年10月" in html(client.get("/month?ym=2026-10"))
    assert "1,200 人" in html(client.get(f"/venues/{world['venue'].id}"))
    english = html(client.get("/?when=next30&lang=en"))
    assert "Sat, Nov 28" in english and "周六" not in english
    assert "Sat, Dec 5" in html(client.get("/?on=2026-12-05"))
    assert "1,200 people" in html(client.get(f"/venues/{world['venue'].id}"))
    tree = parse(html(client.get("/month?ym=2026-10")))
    assert [th.text() for th in tree.find_all("th", scope="col")][:2] == ["Mon", "Tue"]
    assert [th.text() for th in parse(html(client.get("/month?ym=2026-10&lang=zh"))).find_all(
        "th", scope="col")][:2] == ["一", "二"]


def test_english_content_stays_as_entered(client, world):
    client.get("/?lang=en")
    page = html(client.get(f"/events/{world['event'].id}"))
    assert "Dongya Square" in page and "Free" in page and "Add to Google Calendar" in page


@pytest.mark.parametrize("path", ["/%5Cevil.example", "/%5C%5Cevil.example/x", "/no/such/page"])
def test_language_link_on_a_404_stays_on_this_site(client, world, path):
    response = client.get(path + "?lang=zh")
    assert response.status_code == 404
    href = parse(response.get_data(as_text=True)).find("a", class_="lang-switch").attrs["href"]
    assert href == "/?lang=en"  # built from the home route, never from the visitor's path


def test_language_link_of_a_page_is_built_from_its_route(client, world):
    tree = parse(html(client.get(f"/areas/{world['town'].id}?lang=zh")))
    assert tree.find("a", class_="lang-switch").attrs["href"] == f"/areas/{world['town'].id}?lang=en"
