"""Bad input in URLs is a 400 or a 404 on the API and the pages alike, never a 500: forged cursors,
over-long and out-of-range numbers, digits of other scripts, empty values. The hand-made requests of
the read-side probe are kept here as regressions; the property tests feed the same parsers through
HTTP with extreme values."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from calendar_app.events.models import Event, Occurrence
from tests import extreme_values as ev

OVER_LONG = "1" * 5000


def _event_with_occurrence(db) -> tuple[int, int]:
    occurrence = db.session.scalar(
        select(Occurrence).join(Occurrence.event).where(Event.status == "published").order_by(Occurrence.id).limit(1))
    return occurrence.event_id, occurrence.id


# --- item 1: forged keyset cursors -------------------------------------------------------------------

@pytest.mark.parametrize("cursor", [
    "MDAwMS0wMS0wMVQwMDowMDowMCsxNDowMHwx",  # 0001-01-01T00:00:00+14:00|1
    ev.b64("9999-12-31T23:59:59-14:00|1"),
    ev.b64("2026-12-01T00:00:00+00:00|2147483648"),  # beyond PostgreSQL's integer
    ev.b64("2026-12-01T00:00:00+00:00|9223372036854775808"),  # beyond SQLite's integer
])
def test_a_forged_api_cursor_is_a_400(demo_client, cursor):
    response = demo_client.get(f"/api/v1/occurrences?start=2026-12-01&end=2026-12-08&cursor={cursor}")
    assert response.status_code == 400 and response.json["field"] == "cursor"


@pytest.mark.parametrize("after", ["1764600000-2147483648", "1764600000-9223372036854775808",
                                   "99999999999999-1", "-99999999999999-1"])
def test_a_forged_page_cursor_is_a_400(demo_client, after):
    assert demo_client.get(f"/?after={after}").status_code == 400


def test_cursors_we_issue_still_page_through_the_api(demo_client):
    first = demo_client.get("/api/v1/occurrences?start=2026-12-01&end=2026-12-31&limit=3").json
    second = demo_client.get(first["next"])
    assert second.status_code == 200
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second.json["items"]}


# --- item 2: over-long integers ----------------------------------------------------------------------

@pytest.mark.parametrize("query", [f"area={OVER_LONG}", f"venue={OVER_LONG}", f"date=2026-12-0{OVER_LONG}"])
def test_over_long_numbers_on_the_home_page_are_a_400(demo_client, query):
    assert demo_client.get(f"/?{query}").status_code == 400


def test_an_over_long_occurrence_on_an_event_page_is_a_400(demo, demo_client):
    event_id, _ = _event_with_occurrence(demo)
    assert demo_client.get(f"/events/{event_id}?occurrence={OVER_LONG}").status_code == 400


@pytest.mark.parametrize("query", [f"area={OVER_LONG}", f"limit={OVER_LONG}", f"edition={OVER_LONG}",
                                   f"program={OVER_LONG}"])
def test_over_long_numbers_in_the_api_are_a_400(demo_client, query):
    assert demo_client.get(f"/api/v1/occurrences?{query}").status_code == 400


# --- item 3: ids are ASCII digits, one URL per thing -------------------------------------------------

@pytest.mark.parametrize("path", ["/areas/%D9%A1%D9%A8", "/events/%EF%BC%91", "/venues/%E0%A5%A7",
                                  "/editions/%C2%B9.ics", "/api/v1/events/%EF%BC%91", "/areas/01", "/events/+1"])
def test_ids_in_other_digits_or_non_canonical_form_match_no_page(demo_client, path):
    assert demo_client.get(path).status_code == 404


def test_the_canonical_id_still_finds_the_page(demo, demo_client):
    event_id, _ = _event_with_occurrence(demo)
    assert demo_client.get(f"/events/{event_id}").status_code == 200
    assert demo_client.get(f"/events/0{event_id}").status_code == 404


@pytest.mark.parametrize("query", ["area=%D9%A1%D9%A8", "venue=%EF%BC%91", "area=01", "area=%2B1"])
def test_ids_in_other_digits_in_a_query_are_a_400(demo_client, query):
    assert demo_client.get(f"/?{query}").status_code == 400
    assert demo_client.get(f"/api/v1/occurrences?{query}").status_code == 400


# --- item 8: refused values are echoed short and printable -------------------------------------------

def test_error_messages_do_not_echo_markup_or_long_input(demo_client):
    response = demo_client.get("/api/v1/occurrences?limit=" + quote("<x7q\"'>" + "x" * 200))
    message = response.json["message"]
    assert response.status_code == 400
    assert not set("<>\"'") & set(message) and len(message) < 80


def test_a_missing_program_is_named_in_printable_form(demo_client):
    response = demo_client.get("/api/v1/occurrences?program=" + quote("<b>no</b>"))
    assert response.status_code == 404 and "<" not in response.json["message"]


# --- the property tests: extreme values through HTTP ------------------------------------------------

HTTP = settings(max_examples=120, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

API_QUERIES = [("/api/v1/occurrences", name) for name in ("area", "venue", "edition", "program", "limit")] + [
    ("/api/v1/events", "after"), ("/api/v1/venues", "area"), ("/api/v1/events", "limit")]
PAGE_QUERIES = [("/", "area"), ("/", "venue"), ("/month", "area")]


@HTTP
@given(st.sampled_from(API_QUERIES + PAGE_QUERIES), ev.numbers())
def test_any_number_in_a_query_is_answered_without_a_server_error(demo_client, target, raw):
    path, name = target
    response = demo_client.get(path, query_string={name: raw, "start": "2026-12-01", "end": "2026-12-08"})
    assert response.status_code in (200, 400, 404), (path, name, raw[:40])


@settings(HTTP, max_examples=60)  # an event page is the heaviest page to render
@given(ev.numbers())
def test_any_occurrence_on_an_event_page_is_answered_without_a_server_error(demo, demo_client, raw):
    event_id, _ = _event_with_occurrence(demo)
    assert demo_client.get(f"/events/{event_id}", query_string={"occurrence": raw}).status_code in (200, 400)


@HTTP
@given(st.sampled_from(["/events/{}", "/areas/{}", "/venues/{}", "/editions/{}", "/venues/{}.ics",
                        "/areas/{}/qr.svg", "/api/v1/events/{}"]), ev.numbers())
def test_any_id_in_a_path_is_answered_without_a_server_error(demo_client, template, raw):
    response = demo_client.get(template.format(quote(raw, safe="")))
    assert response.status_code in (200, 400, 404), (template, raw[:40])
    if response.status_code == 200:
        assert raw.isascii() and raw.isdigit() and not raw.startswith("0")


@HTTP
@given(st.sampled_from([("/api/v1/occurrences", "start"), ("/api/v1/days", "end"), ("/api/v1/events", "start"),
                        ("/", "date")]), ev.dates())
def test_any_date_is_answered_without_a_server_error(demo_client, target, raw):
    path, name = target
    assert demo_client.get(path, query_string={name: raw}).status_code in (200, 400, 404)


@HTTP
@given(ev.months())
def test_any_month_is_answered_without_a_server_error(demo_client, raw):
    assert demo_client.get("/month", query_string={"ym": raw}).status_code in (200, 400)


@HTTP
@given(ev.api_cursors())
def test_any_api_cursor_is_answered_without_a_server_error(demo_client, raw):
    response = demo_client.get("/api/v1/occurrences", query_string={"start": "2026-12-01", "end": "2026-12-08",
                                                                    "cursor": raw})
    assert response.status_code in (200, 400)


@HTTP
@given(ev.page_cursors())
def test_any_page_cursor_is_answered_without_a_server_error(demo_client, raw):
    assert demo_client.get("/", query_string={"after": raw}).status_code in (200, 400)


@HTTP
@given(ev.datetimes(), st.integers(1, 2**31 - 1))
def test_a_cursor_at_any_representable_instant_is_answered_without_a_server_error(demo_client, at, ident):
    # Well-formed, as we write them (UTC), but anywhere in years 1-9999: either refused or compared in SQL.
    from datetime import timezone

    stamp = at.replace(tzinfo=timezone.utc).isoformat()
    response = demo_client.get("/api/v1/occurrences", query_string={
        "start": "2026-12-01", "end": "2026-12-08", "cursor": ev.b64(f"{stamp}|{ident}")})
    assert response.status_code in (200, 400)
