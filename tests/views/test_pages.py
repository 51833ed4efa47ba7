"""Health check and the public home page."""
from __future__ import annotations

from datetime import datetime

import pytest

from tests import factories as f
from tests.conftest import DEMO_NOW


@pytest.fixture
def on_demo_now(app, monkeypatch):
    """The pages' clock pinned to Saturday 2026-11-21 10:00 in Beijing (restored afterwards)."""
    monkeypatch.setitem(app.config, "FIXED_NOW", DEMO_NOW)


def test_healthz_tells_anyone_only_whether_it_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}  # no dialect, revision or latency for strangers
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_details_need_the_token(app, client):
    app.config["HEALTHZ_TOKEN"] = "probe-token-for-tests"
    try:
        wrong = client.get("/healthz", headers={"Authorization": "Bearer guess"})
        right = client.get("/healthz", headers={"Authorization": "Bearer probe-token-for-tests"})
    finally:
        app.config["HEALTHZ_TOKEN"] = None
    assert wrong.json == {"status": "ok"}
    assert right.json["database"]["ok"] is True and right.json["database"]["revision"]
    assert right.json["database"]["dialect"] in ("sqlite", "postgresql")


def test_home_page_lists_upcoming_published_occurrences_in_chinese(client, db, on_demo_now):
    town = f.town(f.district())
    start, end = datetime(2026, 11, 23, 19, 0), datetime(2026, 11, 23, 21, 0)  # the Monday after DEMO_NOW
    f.event(town, title="东崖村秋季村晚", start=start, end=end, venue_id=f.venue(town).id, now=DEMO_NOW)
    f.event(town, title="尚未发布的草稿", start=start, end=end, status="draft", now=DEMO_NOW)
    db.session.commit()
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in html
    assert "东崖村秋季村晚" in html and "19:00–21:00" in html and "11月23日" in html
    assert "尚未发布的草稿" not in html


def test_home_page_uses_no_foreign_assets(app, client):
    html = client.get("/").get_data(as_text=True)
    # og:url and og:image name this site absolutely (a shared card needs it); any other host is foreign.
    html = html.replace(app.config["PUBLIC_BASE_URL"] + "/", "/")
    assert "http://" not in html.replace('http://www.w3.org', '') and "https://" not in html
    assert "//cdn" not in html


def test_event_title_with_markup_is_escaped_on_the_home_page(client, db, on_demo_now):
    town = f.town(f.district())
    f.event(town, title="<script>alert('x')</script>村晚", start=datetime(2026, 11, 22, 19),
            end=datetime(2026, 11, 22, 20), now=DEMO_NOW)
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;村晚" in html


PAGE_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
               "base-uri 'self'; form-action 'self'; frame-ancestors 'self'")


def test_every_page_carries_security_headers(client, db, on_demo_now):
    town = f.town(f.district())
    venue = f.venue(town)
    program = f.program(town, slug="xiqu")
    event = f.event(town, venue_id=venue.id, program_id=program.id, now=DEMO_NOW)
    db.session.commit()
    paths = {path: 200 for path in ["/", "/?lang=en", "/month", "/month?ym=2026-12", f"/events/{event.id}",
                                    "/programs/xiqu", f"/areas/{town.id}", f"/venues/{venue.id}", "/programs/xiqu/qr.svg",
                                    "/healthz", "/api/v1/areas", "/api/v1/openapi.json"]}
    paths.update({"/no-such-page": 404, "/api/v1/nope": 404, "/month?ym=2026-13": 400})
    for path, status in paths.items():
        response = client.get(path)
        assert response.status_code == status, path
        assert response.headers["Content-Security-Policy"] == PAGE_POLICY, path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN", path
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path


def test_feeds_carry_nosniff_but_no_page_policy(client, db, on_demo_now):
    response = client.get("/calendar.ics")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response.headers and "X-Frame-Options" not in response.headers


def test_ids_beyond_32_bits_are_404_not_a_database_error(client):
    for path in ["/events/99999999999", "/editions/99999999999.ics", "/areas/99999999999", "/venues/0.ics",
                 "/api/v1/events/99999999999"]:
        assert client.get(path).status_code == 404, path


def test_control_characters_in_urls_are_a_400_not_a_database_error(client):
    for path in ["/?q=%00", "/api/v1/occurrences?q=%00", "/api/v1/occurrences?program=%00", "/programs/a%00b.ics",
                 "/month?q=%1b"]:
        response = client.get(path)
        assert response.status_code == 400, path
    assert "控制字符" in client.get("/api/v1/occurrences?q=%00").json["message"]


def test_feeds_and_api_do_not_vary_by_cookie_but_pages_do(client):
    assert "Cookie" not in client.get("/api/v1/areas").headers.get("Vary", "")
    assert "Cookie" not in client.get("/calendar.ics").headers.get("Vary", "")
    assert "Cookie" in client.get("/").headers.get("Vary", "")  # the interface language comes from a cookie
