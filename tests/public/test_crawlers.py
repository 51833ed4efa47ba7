"""robots.txt lets search engines read the public pages and keeps them out of the rest; sitemap.xml lists the
public event, program, edition, area and venue pages, never drafts, and stays within a bound."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from calendar_app.public import crawl
from tests import factories

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _locs(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    return [loc.text for loc in ET.fromstring(response.data).findall("s:url/s:loc", NS)]


def test_robots_allows_public_pages_and_disallows_management_sign_in_private_feeds_and_api_writes(app, client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    for path in ("/manage", "/login", "/account", "/private/", "/api/v1/imports", "/api/v1/exports", "/api/v1/me"):
        assert f"Disallow: {path}" in lines
    assert not any(line in ("Disallow: /", "Disallow: /events", "Disallow: /api/v1/occurrences") for line in lines)
    assert f"Sitemap: {app.config['PUBLIC_BASE_URL']}/sitemap.xml" in lines


def test_sitemap_lists_published_events_and_every_public_listing_page_but_no_draft(app, client, world):
    published = factories.event(world.areas["dongya"], title="东崖村冬季村晚", program_id=world.program.id)
    draft = factories.event(world.areas["jixia"], title="稷下街道草稿", status="draft")
    cancelled = factories.event(world.areas["jixia"], title="取消的活动", status="cancelled")
    base = app.config["PUBLIC_BASE_URL"]
    locs = _locs(client)
    assert f"{base}/events/{published.id}" in locs
    assert f"{base}/events/{draft.id}" not in locs and f"{base}/events/{cancelled.id}" not in locs
    for path in ("/", "/month", "/programs/xiqu-xiangcun", f"/editions/{world.edition.id}",
                 f"/areas/{world.areas['jinshan'].id}", f"/venues/{world.venues['theatre'].id}"):
        assert base + path in locs
    assert not any("/manage" in loc or "/private/" in loc for loc in locs)
    assert len(locs) == len(set(locs))


def test_sitemap_leaves_out_events_long_over(app, client, world):
    from datetime import datetime

    old = factories.event(world.areas["dongya"], title="去年的村晚", start=datetime(2025, 6, 1, 19),
                          end=datetime(2025, 6, 1, 21))
    assert f"{app.config['PUBLIC_BASE_URL']}/events/{old.id}" not in _locs(client)


def test_sitemap_is_bounded(client, world, monkeypatch):
    for i in range(3):
        factories.event(world.areas["dongya"], title=f"村晚{i}")
    monkeypatch.setattr(crawl, "SITEMAP_MAX_URLS", 5)
    assert len(_locs(client)) == 5


def test_crawler_files_may_be_cached_by_anyone(client, db):
    for path in ("/robots.txt", "/sitemap.xml"):
        assert client.get(path).headers["Cache-Control"] == "public, max-age=3600"
