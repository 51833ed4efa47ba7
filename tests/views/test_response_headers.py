"""Cache-Control, Vary, CORS and cookies per response class (calendar_app.headers states the table):
a page, JSON, a feed, a 304 and an error each say the same thing every time."""
from __future__ import annotations

import pytest

ORIGIN = "https://map.xianning.example"


@pytest.fixture
def cors_app(app):
    app.config["CORS_ORIGINS"] = [ORIGIN]
    yield app
    app.config["CORS_ORIGINS"] = []


def _vary(response) -> set[str]:
    return {v.strip() for line in response.headers.getlist("Vary") for v in line.split(",") if v.strip()}


def _cors(response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("Access-Control-")}


# --- page ---------------------------------------------------------------------------------------------

def test_a_page_is_private_varies_on_the_language_cookie_and_may_set_it(demo_client):
    response = demo_client.get("/?lang=en", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert _vary(response) == {"Cookie", "Accept-Encoding"}
    assert _cors(response) == {}
    assert response.headers.getlist("Set-Cookie") and "lang=en" in response.headers["Set-Cookie"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


# --- JSON ---------------------------------------------------------------------------------------------

def test_json_is_public_varies_on_origin_only_and_sets_no_cookie(cors_app, demo_client):
    response = demo_client.get("/api/v1/areas?lang=en", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert _vary(response) == {"Origin", "Accept-Encoding"}  # not Cookie: a shared cache may serve it to anyone
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("origin", ["https://evil.example", None])
def test_json_for_other_origins_has_no_grant_but_still_varies_on_origin(cors_app, demo_client, origin):
    response = demo_client.get("/api/v1/areas", headers={"Origin": origin} if origin else {})
    assert _cors(response) == {}
    assert _vary(response) == {"Origin", "Accept-Encoding"}  # else a cache could hand it to the allowed origin


def test_json_asked_for_with_credentials_is_not_public(demo_client):
    response = demo_client.get("/api/v1/areas", headers={"Authorization": "Bearer anything"})
    assert response.headers["Cache-Control"] == "private, no-cache"


# --- feed and its 304 ---------------------------------------------------------------------------------

def test_a_feed_is_public_for_any_origin_and_never_sets_a_cookie(demo_client):
    response = demo_client.get("/calendar.ics?lang=en", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert _vary(response) == {"Accept-Encoding"}  # served gzip or Brotli from the store when asked
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers
    assert "Content-Security-Policy" not in response.headers


def test_a_304_carries_the_same_cache_vary_cors_and_policy_headers_as_its_200(demo_client):
    full = demo_client.get("/calendar.ics")
    again = demo_client.get("/calendar.ics?lang=en", headers={"If-None-Match": full.headers["ETag"]})
    assert again.status_code == 304
    for name in ("Cache-Control", "ETag", "Vary", "Access-Control-Allow-Origin", "Content-Security-Policy",
                 "X-Frame-Options", "X-Content-Type-Options"):
        assert again.headers.get(name) == full.headers.get(name), name
    assert "Set-Cookie" not in again.headers


def test_a_qr_code_is_public_and_never_sets_a_cookie(demo_client):
    response = demo_client.get("/programs/feiyi-saturday/qr.svg?lang=en")
    assert response.status_code == 200 and response.cache_control.public
    assert "Set-Cookie" not in response.headers and "Cookie" not in _vary(response)


# --- errors -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method, path, status", [
    ("GET", "/api/v1/nope", 404), ("DELETE", "/api/v1/events/1", 405), ("GET", "/api/v1/occurrences?limit=x", 400),
])
def test_api_errors_are_not_stored_and_carry_cors_for_allowed_origins(cors_app, demo_client, method, path, status):
    response = demo_client.open(path, method=method, headers={"Origin": ORIGIN})
    assert response.status_code == status and response.is_json
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN  # else the caller cannot read the error
    assert _vary(response) == {"Origin", "Accept-Encoding"}


def test_a_page_error_is_not_stored_and_varies_on_the_language(demo_client):
    response = demo_client.get("/events/999999")
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"
    assert _vary(response) == {"Cookie", "Accept-Encoding"} and _cors(response) == {}


@pytest.mark.parametrize("method, path", [("DELETE", "/api/v1/events/1"), ("POST", "/api/v1/areas"),
                                          ("PUT", "/calendar.ics"), ("DELETE", "/")])
def test_a_405_says_which_methods_are_allowed(demo_client, method, path):
    response = demo_client.open(path, method=method)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}
