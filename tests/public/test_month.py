"""The month view marks festivals, statutory holidays and 调休 working days, and counts each day's events."""
from __future__ import annotations

import pytest

from tests.public.helpers import html, listed_occurrence_ids, parse


def _cell(page: str, iso: str):
    return parse(page).find("td", data_date=iso)


@pytest.mark.parametrize("iso", ["2026-02-14", "2026-02-28"])
def test_february_2026_marks_the_spring_festival_makeup_working_saturdays(site, iso):
    cell = _cell(html(site.get("/month?ym=2026-02")), iso)
    assert "is-makeup-workday" in cell.classes and "is-holiday" not in cell.classes
    assert "班" in cell.text() and "调休上班日" in cell.text() and "春节" in cell.text()


def test_february_2026_marks_the_spring_festival_holiday_and_lantern_festival_is_in_march(site):
    page = html(site.get("/month?ym=2026-02"))
    spring = _cell(page, "2026-02-17")
    assert {"is-holiday", "is-festival"} <= spring.classes and "休" in spring.text() and "春节" in spring.text()
    lantern = _cell(html(site.get("/month?ym=2026-03")), "2026-03-03")
    assert "is-festival" in lantern.classes and "元宵节" in lantern.text()


def test_october_marks_national_day_and_its_makeup_working_day(site):
    page = html(site.get("/month?ym=2026-10"))
    national = _cell(page, "2026-10-01")
    assert "is-holiday" in national.classes and "国庆节" in national.text()
    assert "is-makeup-workday" in _cell(page, "2026-10-10").classes
    listing = parse(page).find("ul", class_="special-days")
    assert "法定节假日：国庆节" in listing.find("li", data_date="2026-10-01").text()
    assert "调休上班日：国庆节" in listing.find("li", data_date="2026-10-10").text()


def test_solar_terms_and_lunar_days_fill_the_other_cells(site):
    page = html(site.get("/month?ym=2026-12"))
    assert "冬至" in _cell(page, "2026-12-22").text()
    assert _cell(page, "2026-12-23").find("span", class_="note").text().strip()


def test_the_default_month_is_the_current_one_with_today_marked(site):
    page = html(site.get("/month"))
    assert "<h1>2026年11月</h1>" in page
    today = _cell(page, "2026-11-21")
    assert "is-today" in today.classes and today.find("a").attrs.get("aria-current") == "date"


#: What the demo year holds on Saturday 2026-12-05 (Beijing): eleven public occurrences, one of them cancelled.
# Film screenings run on weekday evenings: on Saturday the village squares belong to the 村晚 galas.
DECEMBER_5 = ["非遗星期六·尼山书院讲堂", "“食在洞庭”美食购物周末", "月季有约·月度文旅活动", "2026冬季村晚·东崖村专场",
              "洞庭渔火季·汴河街渔火灯会"]


def _count(cell) -> int:
    return int(cell.find("span", class_="count").find("span").text().split()[0])


def test_day_counts_are_the_days_public_occurrences(site):
    page = html(site.get("/month?ym=2026-12"))
    cell = _cell(page, "2026-12-05")
    assert _count(cell) == len(DECEMBER_5) == 5
    assert cell.find("a").attrs["href"] == "/?date=2026-12-05"
    listing = html(site.get("/?date=2026-12-05"))
    assert len(listed_occurrence_ids(listing)) == 5
    assert all(title in listing for title in DECEMBER_5)


def test_month_counts_follow_the_filters(site):
    page = html(site.get("/month?ym=2026-12&program=feiyi-saturday"))
    counted = {td.attrs["data-date"] for td in parse(page).find_all("td") if td.find_all("span", class_="count")}
    # Every Saturday; the 5th is cancelled but still listed (as cancelled), so it still counts.
    assert counted == {"2026-12-05", "2026-12-12", "2026-12-19", "2026-12-26"}


def test_month_navigation_links_to_neighbouring_months(site):
    tree = parse(html(site.get("/month?ym=2026-01")))
    assert tree.find("a", rel="prev").attrs["href"] == "/month?ym=2025-12"
    assert tree.find("a", rel="next").attrs["href"] == "/month?ym=2026-02"


@pytest.mark.parametrize("ym", ["2026-13", "26-01", "2100-01", "abc"])
def test_malformed_month_is_a_400(site, ym):
    assert site.get(f"/month?ym={ym}").status_code == 400
