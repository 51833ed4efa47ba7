"""Health check and the public home page."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from calendar_app.db import utcnow
from tests import factories as f


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


def test_home_page_lists_upcoming_published_occurrences_in_chinese(client, db):
    town = f.town(f.district())
    soon = (utcnow() + timedelta(days=2)).astimezone(timezone(timedelta(hours=8))).replace(tzinfo=None)
    start = datetime(soon.year, soon.month, soon.day, 19, 0)
    f.event(town, title="东崖村秋季村晚", start=start, end=start + timedelta(hours=2), venue_id=f.venue(town).id)
    f.event(town, title="尚未发布的草稿", start=start, end=start + timedelta(hours=2), status="draft")
    db.session.commit()
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in html
    assert "东崖村秋季村晚" in html and "19:00" in html
    assert "尚未发布的草稿" not in html


def test_home_page_uses_no_foreign_assets(client):
    html = client.get("/").get_data(as_text=True)
    assert "http://" not in html.replace('http://www.w3.org', '') and "https://" not in html
    assert "//cdn" not in html


def test_event_title_with_markup_is_escaped_on_the_home_page(client, db):
    town = f.town(f.district())
    start = (utcnow() + timedelta(days=1)).astimezone(timezone(timedelta(hours=8))).replace(tzinfo=None, second=0, microsecond=0)
    f.event(town, title="<script>alert('x')</script>村晚", start=start, end=start + timedelta(hours=1))
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_every_page_carries_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


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
