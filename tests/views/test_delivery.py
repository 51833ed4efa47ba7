"""Delivery: a short-lived cache and conditional GETs for anonymous pages, links that follow the host a
development server is reached on unless PUBLIC_BASE_URL is set, and absolute `next` URLs in the API."""
from __future__ import annotations

from datetime import datetime

import pytest

from calendar_app.public import pagecache
from tests import factories
from tests.public.helpers import html, parse
from tests.world import world  # noqa: F401  (fixture)


@pytest.fixture
def page_cache(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 60)
    pagecache.clear()
    yield
    pagecache.clear()


def _titles(response) -> list[str]:
    return [a.text() for a in parse(html(response)).find_all("a", class_="title")]


def test_an_anonymous_page_is_served_from_the_cache_for_a_minute(client, world, db, page_cache):
    first = _titles(client.get("/?when=weekend"))
    factories.event(world.areas["jixia"], title="稷下新增书场", start=datetime(2026, 12, 5, 14),
                    end=datetime(2026, 12, 5, 16))
    db.session.commit()
    assert _titles(client.get("/?when=weekend")) == first  # the same page for everyone for a minute
    assert "稷下新增书场" in _titles(client.get("/?when=weekend&lang=zh"))  # another URL: rendered anew
    pagecache.clear()
    assert "稷下新增书场" in _titles(client.get("/?when=weekend"))


def test_a_signed_in_visitor_never_gets_a_cached_page(client, world, db, page_cache, app):
    client.get("/?when=weekend")
    factories.event(world.areas["jixia"], title="稷下新增书场", start=datetime(2026, 12, 5, 14),
                    end=datetime(2026, 12, 5, 16))
    db.session.commit()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], "anything")
    assert "稷下新增书场" in _titles(client.get("/?when=weekend"))


def test_cached_compressed_and_plain_copies_are_kept_apart(client, world, page_cache):
    import brotli

    plain = client.get("/?when=weekend")
    packed = client.get("/?when=weekend", headers={"Accept-Encoding": "br"})
    again = client.get("/?when=weekend")
    assert packed.headers["Content-Encoding"] == "br" and "Content-Encoding" not in again.headers
    assert brotli.decompress(packed.data) == plain.data == again.data


def test_a_page_answers_a_matching_if_none_match_with_304(client, world):
    full = client.get("/")
    assert full.status_code == 200 and full.headers["ETag"]
    again = client.get("/", headers={"If-None-Match": full.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["Cache-Control"] == full.headers["Cache-Control"] == "private, no-cache"


def test_without_public_base_url_pages_link_to_the_host_and_port_they_were_served_on(client, world, app,
                                                                                   monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", None)
    monkeypatch.setitem(app.config, "DEV_BASE_URL", "http://127.0.0.1:5103")
    jinshan = world.areas["jinshan"].id
    tree = parse(html(client.get(f"/subscribe/area/{jinshan}?device=other", base_url="http://192.168.1.20:5103")))
    assert tree.find("input", class_="feed-url").attrs["value"] == f"http://192.168.1.20:5103/areas/{jinshan}.ics"
    assert tree.find("a", class_="button-big").attrs["href"] == f"webcal://192.168.1.20:5103/areas/{jinshan}.ics"
    # Stored feeds are the same bytes for everyone: they name the configured development address.
    feed = client.get(f"/areas/{jinshan}.ics", base_url="http://192.168.1.20:5103").get_data(as_text=True)
    assert "SOURCE;VALUE=URI:http://127.0.0.1:5103/areas/" in feed and "192.168.1.20" not in feed


def test_public_base_url_wins_over_the_served_host(client, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://huodong.example.gov.cn")
    jinshan = world.areas["jinshan"].id
    tree = parse(html(client.get(f"/subscribe/area/{jinshan}?device=other", base_url="http://10.0.0.5:8000")))
    assert tree.find("input", class_="feed-url").attrs["value"] == f"https://huodong.example.gov.cn/areas/{jinshan}.ics"


def test_dev_base_url_follows_host_and_port_of_the_environment(monkeypatch):
    from config import DevelopmentConfig

    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "5103")
    monkeypatch.setenv("HOST", "0.0.0.0")
    config = DevelopmentConfig()
    assert config.PUBLIC_BASE_URL is None and config.DEV_BASE_URL == "http://0.0.0.0:5103"


def test_api_next_urls_are_absolute_like_every_other_url(client, world):
    for day in (5, 6, 12):
        factories.event(world.areas["jixia"], title=f"稷下书场{day}", start=datetime(2026, 12, day, 14),
                        end=datetime(2026, 12, day, 16))
    from calendar_app.extensions import db

    db.session.commit()
    body = client.get("/api/v1/occurrences?start=2026-12-01&end=2026-12-31&limit=1").json
    assert body["next"].startswith("http://127.0.0.1:5000/api/v1/occurrences?")
    assert client.get(body["next"]).status_code == 200
    events = client.get("/api/v1/events?start=2026-12-01&end=2026-12-31&limit=1").json
    assert events["next"].startswith("http://127.0.0.1:5000/api/v1/events?")


def test_a_cache_hit_runs_no_query_and_answers_its_etag_with_304(client, world, app, page_cache):
    from tests.public.helpers import count_queries

    first = client.get("/")
    with count_queries(app) as statements:
        again = client.get("/")
        not_modified = client.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert statements == []  # served by the middleware: no view, no database
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert not_modified.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert not_modified.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]


def test_a_page_that_sets_the_language_cookie_is_not_stored(client, world, page_cache):
    client.get("/?lang=en")  # sets the cookie: personal, never stored
    client.delete_cookie("lang")
    assert not pagecache._entries
