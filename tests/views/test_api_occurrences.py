"""/api/v1/occurrences, /events and /days on the demo year: windows, filters, paging and bad input."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tests.conftest import DEMO_NOW


def _all_pages(client, url: str) -> list[dict]:
    items = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.json
        items += response.json["items"]
        url = response.json["next"]
    return items


def _ids(client, path: str) -> dict[str, int]:
    return {p["slug"]: p["id"] for p in client.get(path).json["items"]}


def test_heritage_saturdays_come_on_saturdays_at_half_past_two(demo_client):
    items = _all_pages(demo_client, "/api/v1/occurrences?program=feiyi-saturday&start=2026-12-01&end=2026-12-31")
    assert len(items) == 4
    for item in items:
        start = datetime.fromisoformat(item["start"])
        assert start.weekday() == 5 and start.strftime("%H:%M %z") == "14:30 +0800"
        assert item["uid"].startswith("demo-feiyi-saturday")


def test_linzi_summer_runs_every_evening_but_mondays(demo_client):
    items = _all_pages(demo_client, "/api/v1/occurrences?program=linzi-summer&start=2026-06-01&end=2026-08-31&limit=500")
    plaza = [i for i in items if i["title"] == "临淄之夏·广场文艺演出"]
    days = {datetime.fromisoformat(i["start"]).date() for i in plaza}
    summer = [date(2026, 6, 1) + timedelta(days=n) for n in range(92)]
    assert days == {d for d in summer if d.weekday() != 0}  # 2026 has 14 Mondays in June–August
    assert sum(1 for i in plaza if i["status"] == "cancelled") == 1


def test_lunar_festival_events_appear_on_the_right_gregorian_dates(demo_client):
    items = _all_pages(demo_client, "/api/v1/occurrences?program=feiyi-daji&start=2027-01-01&end=2027-12-31")
    starts = {(i["title"], datetime.fromisoformat(i["start"]).date()) for i in items}
    assert ("非遗大集·元宵节灯谜会", date(2027, 2, 20)) in starts
    assert {d for t, d in starts if t == "非遗大集·春节"} == {date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)}


def test_paging_returns_every_occurrence_once_in_start_order(demo_client):
    whole = demo_client.get("/api/v1/occurrences?start=2026-12-01&end=2026-12-31&limit=500").json
    assert whole["next"] is None
    paged = _all_pages(demo_client, "/api/v1/occurrences?start=2026-12-01&end=2026-12-31&limit=7")
    assert [i["id"] for i in paged] == [i["id"] for i in whole["items"]]
    starts = [datetime.fromisoformat(i["start"]) for i in paged]
    assert starts == sorted(starts)


def test_drafts_and_submitted_events_never_appear(demo_client):
    titles = {i["title"] for i in _all_pages(demo_client, "/api/v1/occurrences?start=2026-12-01&end=2026-12-31&limit=500")}
    assert "金山镇合唱团汇报演出" not in titles and "搭岭村迎新春书画展" not in titles


def test_area_filter_includes_villages_of_a_town(demo_client):
    roots = demo_client.get("/api/v1/areas").json["items"]
    linzi = next(d for r in roots for d in r["children"] if d["name"] == "临淄区")
    jinshan = next(t for t in linzi["children"] if t["name"] == "金山镇")
    village_ids = {v["id"] for v in jinshan["children"]}
    items = _all_pages(demo_client, f"/api/v1/occurrences?area={jinshan['id']}&start=2026-01-01&end=2026-12-31&limit=500")
    area_ids = {i["area_id"] for i in items}
    assert jinshan["id"] in area_ids and area_ids & village_ids
    assert area_ids <= village_ids | {jinshan["id"]}


def test_keyword_and_category_filters(demo_client):
    items = _all_pages(demo_client, "/api/v1/occurrences?q=渔火&start=2026-09-01&end=2026-12-31")
    assert len({i["event_id"] for i in items}) == 13
    films = _all_pages(demo_client, "/api/v1/occurrences?category=film&start=2026-12-01&end=2026-12-07&limit=500")
    assert films and all(i["category"] == "film" for i in films)


def test_keyword_with_sql_wildcards_is_taken_literally(demo_client):
    assert demo_client.get("/api/v1/occurrences?q=%25&start=2026-12-01&end=2026-12-31").json["items"] == []
    assert demo_client.get("/api/v1/occurrences?q=_&start=2026-12-01&end=2026-12-31").json["items"] == []


def test_occurrences_overlapping_the_window_start_are_included(demo_client):
    # 非遗星期六 on 2026-12-05 runs 14:30–16:30 local; a window starting that day includes it.
    items = demo_client.get("/api/v1/occurrences?program=feiyi-saturday&start=2026-12-05&end=2026-12-05").json["items"]
    assert len(items) == 1


@pytest.mark.parametrize("query,field", [
    ("start=2026-13-01", "start"),
    ("start=20261201", "start"),
    ("start=2026-12-01&end=2026-11-01", "end"),
    ("start=2026-01-01&end=2027-01-05", "end"),
    ("start=1850-01-01&end=1850-01-02", "start"),
    ("limit=0", "limit"),
    ("limit=100000", "limit"),
    ("limit=abc", "limit"),
    ("cursor=%%%", "cursor"),
    ("cursor=bm90LWEtY3Vyc29y", "cursor"),
    ("category=opera%0D%0A", "category"),
    ("edition=1.5", "edition"),
])
def test_bad_query_parameters_are_400_with_a_message(demo_client, query, field):
    response = demo_client.get(f"/api/v1/occurrences?{query}")
    assert response.status_code == 400
    assert response.json["field"] == field and response.json["message"]


@pytest.mark.parametrize(("query", "message"), [
    ("program=no-such-program", "活动品牌不存在：no-such-program"), ("program=999999", "活动品牌不存在：999999"),
    ("area=999999", "区域不存在：999999"), ("venue=999999", "场馆不存在：999999"), ("edition=999999", "届次不存在：999999"),
])
def test_unknown_filter_ids_are_a_404_naming_what_was_not_found(demo_client, query, message):
    response = demo_client.get(f"/api/v1/occurrences?{query}")
    assert response.status_code == 404 and response.is_json
    assert response.json["message"] == message


@pytest.mark.parametrize("name", ["venue", "edition"])
def test_venue_and_edition_filters_keep_exactly_the_occurrences_they_name(demo_client, name):
    window = "start=2026-11-01&end=2026-12-31&limit=500"
    everything = _all_pages(demo_client, f"/api/v1/occurrences?{window}")
    named = {i[f"{name}_id"] for i in everything} - {None}
    assert len(named) >= 2, f"the demo year should have occurrences at two {name}s in the window"
    for ident in sorted(named):
        expected = [i for i in everything if i[f"{name}_id"] == ident]
        assert _all_pages(demo_client, f"/api/v1/occurrences?{name}={ident}&{window}") == expected, ident


def test_a_program_named_by_its_id_filters_like_its_slug(demo_client):
    window = "start=2026-11-01&end=2026-12-31&limit=500"
    found = 0
    for slug, ident in _ids(demo_client, "/api/v1/programs").items():
        by_slug = _all_pages(demo_client, f"/api/v1/occurrences?program={slug}&{window}")
        assert {i["program_id"] for i in by_slug} <= {ident}
        assert _all_pages(demo_client, f"/api/v1/occurrences?program={ident}&{window}") == by_slug, slug
        found += bool(by_slug)
    assert found >= 2  # so that no one program's list could pass for another's


def test_days_list_festivals_solar_terms_and_official_days(demo_client):
    days = {d["date"]: d for d in demo_client.get("/api/v1/days?start=2026-02-14&end=2026-03-03").json["items"]}
    assert len(days) == 18
    assert days["2026-02-14"]["is_makeup_workday"] is True
    assert days["2026-02-17"]["festivals"] == ["春节"] and days["2026-02-17"]["is_holiday"] is True
    assert days["2026-02-17"]["lunar"] == "正月初一"
    assert days["2026-03-03"]["festivals"] == ["元宵节"] and days["2026-03-03"]["lunar"] == "正月十五"
    assert days["2026-02-18"]["is_holiday"] is True and days["2026-02-24"]["is_holiday"] is False
    assert days["2026-02-18"]["solar_term"] == "雨水" and days["2026-02-19"]["solar_term"] is None
    qingming = demo_client.get("/api/v1/days?start=2026-04-05&end=2026-04-05").json["items"][0]
    assert qingming["solar_term"] == "清明" and "清明" in qingming["festivals"]


def test_days_of_a_year_without_official_data_say_so_instead_of_guessing(demo_client):
    day = demo_client.get("/api/v1/days?start=2028-10-01&end=2028-10-01").json["items"][0]
    assert day["is_holiday"] is None and day["is_makeup_workday"] is None


def test_events_endpoint_lists_each_event_once_with_its_feed(demo_client):
    items = _all_pages(demo_client, "/api/v1/events?program=feiyi-saturday&start=2026-12-01&end=2026-12-31")
    assert len(items) == 1
    assert items[0]["ical_url"].endswith(f"/events/{items[0]['id']}.ics")


def test_event_detail_has_next_occurrences_and_unknown_or_draft_events_are_404(app, demo_client, monkeypatch):
    monkeypatch.setitem(app.config, "FIXED_NOW", DEMO_NOW)  # restored to its previous value afterwards
    first = _all_pages(demo_client, "/api/v1/events?program=feiyi-saturday&start=2026-12-01&end=2026-12-31")[0]
    detail = demo_client.get(f"/api/v1/events/{first['id']}").json
    assert len(detail["next_occurrences"]) == 10
    assert detail["next_occurrences"][0]["start"].startswith("2026-11-21")
    statuses = [o["status"] for o in detail["next_occurrences"][:3]]
    assert statuses == ["scheduled", "moved", "cancelled"]
    assert demo_client.get("/api/v1/events/99999999").status_code == 404
    assert demo_client.get("/api/v1/events/99999999999999").status_code == 404


def test_keyword_means_the_same_in_the_api_as_on_the_pages(demo_client):
    # A venue name is not in any title: the API finds its occurrences through the shared keyword rule.
    items = _all_pages(demo_client, "/api/v1/occurrences?q=尼山书院讲堂&start=2026-12-01&end=2026-12-31")
    venue_id = next(v["id"] for v in demo_client.get("/api/v1/venues").json["items"] if v["name"] == "东崖村文化广场")
    by_venue = _all_pages(demo_client, "/api/v1/occurrences?q=东崖村文化广场&start=2026-12-01&end=2026-12-31&limit=500")
    by_description = _all_pages(demo_client, "/api/v1/occurrences?q=葫芦烙画&start=2026-12-01&end=2026-12-31")
    assert items and {i["title"] for i in by_description} == {"非遗星期六·尼山书院讲堂"}
    assert by_venue and {i["venue_id"] for i in by_venue} == {venue_id}
    assert all("东崖村文化广场" not in i["title"] for i in by_venue)
