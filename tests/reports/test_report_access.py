"""Who may read which report: staff and admins by token, limited to their scope; bad input is a 4xx
with a Chinese message, never a 500."""
from __future__ import annotations

import pytest

VENUE_LOAD = "/api/v1/reports/venue-load?start=2026-12-07&end=2026-12-20"


def venue_ids(client, world, who: str, query: str = "") -> set[int]:
    response = client.get(VENUE_LOAD + query, headers=world.auth(who))
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["venue_id"] for item in response.get_json()["items"]}


def test_staff_see_the_venues_of_their_district_only(client, world, bookings):
    linzi = venue_ids(client, world, "staff")
    assert {v.id for v in bookings.venues.values()} <= linzi
    assert world.venues["yueyang_tower"].id not in linzi
    assert venue_ids(client, world, "other_staff") == {world.venues["yueyang_tower"].id}
    everything = venue_ids(client, world, "admin")
    assert linzi | {world.venues["yueyang_tower"].id} <= everything


@pytest.mark.parametrize("path", [
    VENUE_LOAD, "/api/v1/reports/progress?year=2026", "/api/v1/reports/year-summary?year=2026"])
def test_reports_need_a_staff_or_admin_token(client, world, path):
    anonymous = client.get(path)
    assert anonymous.status_code == 401 and anonymous.get_json()["message"]
    coordinator = client.get(path, headers=world.auth("coord"))
    assert coordinator.status_code == 403 and "角色" in coordinator.get_json()["message"]


@pytest.mark.parametrize("query", ["&area={linzi}", "&venue={evening}", "&area={jinshan}"])
def test_another_districts_staff_may_not_ask_for_our_areas_or_venues(client, world, bookings, query):
    query = query.format(linzi=world.areas["linzi"].id, jinshan=world.areas["jinshan"].id,
                         evening=bookings.venues["evening"].id)
    response = client.get(VENUE_LOAD + query, headers=world.auth("other_staff"))
    assert response.status_code == 403
    assert "管辖范围" in response.get_json()["message"]


def test_other_districts_progress_and_summary_are_refused(client, world):
    summary = client.get(f"/api/v1/reports/year-summary?year=2026&area={world.areas['linzi'].id}",
                         headers=world.auth("other_staff"))
    assert summary.status_code == 403
    progress = client.get(f"/api/v1/reports/progress?edition={world.edition.id}", headers=world.auth("other_staff"))
    assert progress.status_code == 403
    by_area = client.get(f"/api/v1/reports/progress?year=2026&area={world.areas['linzi'].id}",
                         headers=world.auth("other_staff"))
    assert by_area.status_code == 403


@pytest.mark.parametrize(("query", "status", "words"), [
    ("?start=2026-12-20&end=2026-12-07", 400, "早于"),
    ("?start=2026-01-01&end=2027-01-02", 400, "366"),
    ("?start=2026-13-01&end=2026-12-20", 400, "YYYY-MM-DD"),
    ("?start=2026-12-01&end=", 400, "不能为空"),
    ("?start=2026-12-01&granularity=hour", 400, "granularity"),
    ("?start=2026-12-01&kind=castle", 400, "kind"),
    ("?start=2026-12-01&area=abc", 400, "area"),
    ("?start=2026-12-01&area=99999999", 404, "区域不存在"),
    ("?start=2026-12-01&venue=99999999", 404, "场馆不存在"),
    ("?start=2026-12-01&venue=99999999999999", 400, "venue"),
])
def test_bad_venue_load_input_is_a_clear_4xx(client, world, query, status, words):
    response = client.get("/api/v1/reports/venue-load" + query, headers=world.auth("staff"))
    assert response.status_code == status
    assert words in response.get_json()["message"]


def test_a_whole_leap_year_is_allowed(client, world):
    response = client.get("/api/v1/reports/venue-load?start=2028-01-01&end=2028-12-31&granularity=month",
                          headers=world.auth("staff"))
    assert response.status_code == 200


@pytest.mark.parametrize(("path", "status", "words"), [
    ("/api/v1/reports/progress", 400, "year"),
    ("/api/v1/reports/progress?year=26", 400, "year"),
    ("/api/v1/reports/progress?edition=99999999", 404, "届次不存在"),
    ("/api/v1/reports/progress?year=2026&area=99999999", 404, "区域不存在"),
    ("/api/v1/reports/year-summary", 400, "year"),
    ("/api/v1/reports/year-summary?year=１９９９", 400, "year"),
    ("/api/v1/reports/year-summary?year=2026&area=99999999", 404, "区域不存在"),
])
def test_bad_progress_and_summary_input_is_a_clear_4xx(client, world, path, status, words):
    response = client.get(path, headers=world.auth("staff"))
    assert response.status_code == status
    assert words in response.get_json()["message"]


def test_the_report_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/reports/venue-load", "/reports/progress", "/reports/year-summary"):
        assert paths[path]["get"]["security"] == [{"bearer": []}]
        assert {"400", "401", "403", "404"} <= set(paths[path]["get"]["responses"])
