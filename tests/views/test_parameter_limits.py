"""Every query-parameter limit, through HTTP: accepted at exactly its value, refused one step past it.

These go through the URL (not the parsing functions) so that they hold whatever module parses the query
string. The API answers a refusal with a JSON 400 naming the parameter; the pages with a 400 page.
"""
from __future__ import annotations

import base64
from datetime import datetime

import pytest

from tests import factories as f
from tests.conftest import DEMO_NOW


@pytest.fixture
def world(app, db, monkeypatch):
    """Ten Saturdays of one series at one venue, seen on Saturday 2026-11-21 (the pages' clock pinned)."""
    monkeypatch.setitem(app.config, "FIXED_NOW", DEMO_NOW)
    town = f.town(f.district())
    venue = f.venue(town)
    program = f.program(town, slug="xiqu")
    event = f.event(town, start=datetime(2026, 11, 28, 19), end=datetime(2026, 11, 28, 21), venue_id=venue.id,
                    program_id=program.id, rrule="FREQ=WEEKLY;COUNT=10", now=DEMO_NOW)
    db.session.commit()
    return {"town": town, "venue": venue, "program": program, "event": event}


def _refused(client, url: str, field: str) -> dict:
    response = client.get(url)
    assert response.status_code == 400, (url, response.status_code)
    assert response.is_json, url
    assert response.json["field"] == field, (url, response.json)
    assert response.json["message"], url
    return response.json


def _ok(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
    return response.json


# --- the window of local dates: at most 366 days, end not before start, 1901-2099


@pytest.mark.parametrize("endpoint", ["occurrences", "events", "days"])
def test_a_window_of_exactly_366_days_is_accepted_and_367_refused(client, world, endpoint):
    _ok(client, f"/api/v1/{endpoint}?start=2026-01-01&end=2027-01-01")  # 2026 has 365 days: 366 dates
    body = _refused(client, f"/api/v1/{endpoint}?start=2026-01-01&end=2027-01-02", "end")
    assert "366" in body["message"] and "367" in body["message"]


def test_the_days_of_a_366_day_window_are_all_listed(client, world):
    days = _ok(client, "/api/v1/days?start=2028-01-01&end=2028-12-31")["items"]  # a leap year: 366 dates
    assert len(days) == 366 and days[0]["date"] == "2028-01-01" and days[-1]["date"] == "2028-12-31"


@pytest.mark.parametrize("endpoint", ["occurrences", "events", "days"])
def test_a_one_day_window_is_accepted_and_an_end_before_the_start_refused(client, world, endpoint):
    _ok(client, f"/api/v1/{endpoint}?start=2026-11-28&end=2026-11-28")
    _refused(client, f"/api/v1/{endpoint}?start=2026-11-28&end=2026-11-27", "end")


def test_one_day_window_holds_that_days_occurrence(client, world):
    items = _ok(client, "/api/v1/occurrences?start=2026-11-28&end=2026-11-28")["items"]
    assert [i["start"] for i in items] == ["2026-11-28T19:00:00+08:00"]
    assert _ok(client, "/api/v1/occurrences?start=2026-11-29&end=2026-12-04")["items"] == []


def test_a_window_of_local_dates_runs_from_local_midnight_to_local_midnight(client, db, world):
    # The dates are Beijing dates (UTC+8), whatever the server's own zone: what touches a midnight from outside
    # is left out, what touches it from inside is in.
    for title, start, end in [("前一晚", datetime(2026, 11, 30, 23), datetime(2026, 12, 1, 0)),
                              ("零点场", datetime(2026, 12, 1, 0), datetime(2026, 12, 1, 0, 30)),
                              ("末场", datetime(2026, 12, 1, 23, 30), datetime(2026, 12, 2, 0)),
                              ("次日零点场", datetime(2026, 12, 2, 0), datetime(2026, 12, 2, 0, 30))]:
        f.event(world["town"], title=title, start=start, end=end, now=DEMO_NOW)
    db.session.commit()
    items = _ok(client, "/api/v1/occurrences?start=2026-12-01&end=2026-12-01")["items"]
    assert [(i["title"], i["start"]) for i in items] == [("零点场", "2026-12-01T00:00:00+08:00"),
                                                         ("末场", "2026-12-01T23:30:00+08:00")]


@pytest.mark.parametrize(("start", "end", "field"), [
    ("1900-12-31", "1901-01-01", "start"),
    ("2099-12-31", "2100-01-01", "end"),
])
def test_dates_just_outside_1901_to_2099_are_refused(client, world, start, end, field):
    _refused(client, f"/api/v1/days?start={start}&end={end}", field)


def test_the_first_and_last_supported_days_are_accepted(client, world):
    assert len(_ok(client, "/api/v1/days?start=1901-01-01&end=1901-01-01")["items"]) == 1
    assert len(_ok(client, "/api/v1/days?start=2099-12-31&end=2099-12-31")["items"]) == 1


# --- page size


def test_page_size_is_accepted_from_1_to_the_maximum_and_refused_outside(app, client, world):
    maximum = app.config["API_MAX_PAGE_SIZE"]
    assert maximum == 500
    window = "start=2026-11-21&end=2027-02-28"
    one = _ok(client, f"/api/v1/occurrences?{window}&limit=1")
    assert len(one["items"]) == 1 and one["next"]
    assert len(_ok(client, f"/api/v1/occurrences?{window}&limit={maximum}")["items"]) == 10
    for bad in (0, maximum + 1, -1):
        body = _refused(client, f"/api/v1/occurrences?{window}&limit={bad}", "limit")
        assert str(maximum) in body["message"]


def test_a_page_of_exactly_the_remaining_items_has_no_next_link(client, world):
    window = "start=2026-11-21&end=2027-02-28"
    nine = _ok(client, f"/api/v1/occurrences?{window}&limit=9")
    assert len(nine["items"]) == 9 and nine["next"]
    ten = _ok(client, f"/api/v1/occurrences?{window}&limit=10")
    assert len(ten["items"]) == 10 and ten["next"] is None


# --- ids: positive 32-bit integers; unknown ones are 404


@pytest.mark.parametrize("name", ["area", "venue", "edition"])
def test_id_zero_is_refused(client, world, name):
    _refused(client, f"/api/v1/occurrences?{name}=0", name)


def test_program_zero_is_a_slug_that_does_not_exist(client, world):
    # `program` takes an id or a slug: "0" is no id, so it is looked up as a slug, and there is none.
    assert client.get("/api/v1/occurrences?program=0").status_code == 404


@pytest.mark.parametrize("name", ["area", "venue", "edition"])
def test_the_largest_32_bit_id_is_looked_up_and_one_more_is_refused(client, world, name):
    assert client.get(f"/api/v1/occurrences?{name}={2**31 - 1}").status_code == 404
    _refused(client, f"/api/v1/occurrences?{name}={2**31}", name)


def test_the_smallest_real_id_is_accepted(client, world):
    venue = world["venue"].id
    items = _ok(client, f"/api/v1/occurrences?venue={venue}&start=2026-11-21&end=2027-02-28")["items"]
    assert len(items) == 10 and {i["venue_id"] for i in items} == {venue}


@pytest.mark.parametrize("path", ["/api/v1/events/0", "/events/0", "/venues/0", "/areas/0", "/editions/0"])
def test_id_zero_in_a_path_is_not_found(client, world, path):
    assert client.get(path).status_code == 404


# --- cursors


def _api_cursor(stamp: str, ident: int) -> str:
    return base64.urlsafe_b64encode(f"{stamp}|{ident}".encode()).decode().rstrip("=")


def test_a_cursor_with_a_naive_timestamp_is_refused(client, world):
    _refused(client, "/api/v1/occurrences?start=2026-11-21&end=2027-02-28&cursor="
             + _api_cursor("2026-11-28T11:00:00", 1), "cursor")


def test_a_cursor_with_an_aware_timestamp_continues_after_it(client, world):
    first = _ok(client, "/api/v1/occurrences?start=2026-11-21&end=2027-02-28&limit=1")["items"][0]
    cursor = _api_cursor("2026-11-28T11:00:00+00:00", first["id"])  # 19:00 in Beijing, the first occurrence
    rest = _ok(client, f"/api/v1/occurrences?start=2026-11-21&end=2027-02-28&cursor={cursor}")["items"]
    assert len(rest) == 9 and first["id"] not in {i["id"] for i in rest}


# --- keyword


def test_a_keyword_of_100_characters_is_accepted_and_101_refused(client, world):
    _ok(client, "/api/v1/occurrences?q=" + "戏" * 100)
    _refused(client, "/api/v1/occurrences?q=" + "戏" * 101, "q")


# --- the pages


@pytest.mark.parametrize(("query", "status"), [
    ("ym=1901-01", 200), ("ym=1900-12", 400), ("ym=2099-12", 200), ("ym=2100-01", 400),
    ("ym=2026-12", 200), ("ym=2026-13", 400), ("ym=2026-0", 400), ("ym=2026-1", 400),
])
def test_month_view_accepts_1901_to_2099(client, world, query, status):
    assert client.get(f"/month?{query}").status_code == status


@pytest.mark.parametrize(("query", "status"), [
    ("date=1901-01-01", 200), ("date=1900-12-31", 400), ("date=2099-12-31", 200), ("date=2100-01-01", 400),
    ("area=0", 400), ("venue=0", 400), (f"venue={2**31}", 400), ("after=0-0", 400), ("after=x-1", 400),
])
def test_home_page_limits(client, world, query, status):
    assert client.get(f"/?{query}").status_code == status


def test_home_page_cursor_continues_after_the_given_occurrence(client, world):
    from tests.public.helpers import listed_occurrence_ids

    everything = listed_occurrence_ids(client.get("/").get_data(as_text=True))
    assert len(everything) == 4  # the Saturdays of the next 30 days: 11-28, 12-05, 12-12, 12-19
    first_start = int(datetime.fromisoformat("2026-11-28T11:00:00+00:00").timestamp())
    after_first = listed_occurrence_ids(client.get(f"/?after={first_start}-{everything[0]}").get_data(as_text=True))
    assert after_first == everything[1:]
