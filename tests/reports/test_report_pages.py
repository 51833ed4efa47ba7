"""The report pages: what a staff member sees at the top, the downloads, and messages for bad input."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

PERIOD = "period=custom&start=2026-12-07&end=2026-12-20"


def test_venue_load_page_puts_clashes_and_busiest_and_idlest_venues_first(sign_in, world, bookings):
    page = sign_in("staff").get(f"/manage/reports/venue-load?{PERIOD}&area={world.areas['linzi'].id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    top = text[:text.index("利用率热力图")]
    assert "场地冲突 1 处" in top and "clash" in top  # the clashing booking's title, linked
    busiest = top[top.index("最忙的场馆"):top.index("最闲的场馆")]
    idlest = top[top.index("最闲的场馆"):]
    # 晚间文化广场 is booked 8.8 of 56 open hours; 稷下街道文化站 and others have no opening hours at all.
    assert busiest.index("晚间文化广场") < busiest.index("夜市广场")
    assert "晚间文化广场" not in idlest or idlest.index("尼山书院") < idlest.index("晚间文化广场")
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in text and "场馆利用率热力图" in text
    assert "换场紧张与开放时间外的预订" in text


def test_the_venue_load_table_downloads_as_csv_and_xlsx(sign_in, world, bookings):
    client = sign_in("staff")
    csv = client.get(f"/manage/reports/venue-load.csv?{PERIOD}&venue={bookings.venues['night'].id}")
    assert csv.status_code == 200 and csv.data.startswith("\ufeff".encode())
    lines = csv.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("场馆,所在区域,类型,已预订（小时）,开放（小时）,利用率")
    assert lines[1].startswith("夜市广场,稷下街道,广场,6.5,84.0,8%,3,")
    xlsx = client.get(f"/manage/reports/venue-load.xlsx?{PERIOD}&venue={bookings.venues['night'].id}")
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["场馆汇总", "按周期"]
    assert [r[2] for r in book["按周期"].iter_rows(min_row=2, values_only=True)] == [4.5, 2]


def test_one_venue_in_detail_shows_the_hour_grid_and_the_week(sign_in, bookings):
    venue = bookings.venues["night"]
    page = sign_in("staff").get(f"/manage/reports/venues/{venue.id}?{PERIOD}&week=2026-12-14")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "星期 × 小时利用率" in text and "2026-12-14 这一周的预订" in text and "weekend" in text
    csv = sign_in("staff").get(f"/manage/reports/venues/{venue.id}.csv?{PERIOD}").data.decode("utf-8-sig")
    sunday = next(line for line in csv.splitlines() if line.startswith("周日"))
    # Sundays 21:00-24:00 and 23:00-24:00: hours 21 and 22 once, hour 23 twice.
    assert sunday.split(",")[22:25] == ["1.0", "1.0", "2.0"]


@pytest.mark.parametrize(("query", "message"), [
    ("period=custom&start=2026-12-20&end=2026-12-07", "早于"),
    ("period=custom&start=2026-01-01&end=2027-06-30", "最长 366 天"),
    ("period=custom&start=2026-12-01", "自定义时段请填写开始日期和结束日期"),
    ("period=month&date=2026-02-30", "YYYY-MM-DD"),
    ("period=fortnight", "period"),
])
def test_bad_input_on_the_venue_load_page_is_a_message_not_a_500(sign_in, world, query, message):
    page = sign_in("staff").get(f"/manage/reports/venue-load?{query}")
    assert page.status_code == 400
    assert message in page.get_data(as_text=True)


def test_unknown_and_foreign_venues_are_404_and_403_pages(sign_in, world):
    client = sign_in("staff")
    assert client.get("/manage/reports/venues/99999999").status_code == 404
    foreign = client.get(f"/manage/reports/venues/{world.venues['yueyang_tower'].id}")
    assert foreign.status_code == 403 and "管辖范围" in foreign.get_data(as_text=True)
    other = client.get(f"/manage/reports/year-summary?year=2026&area={world.areas['yueyang'].id}")
    assert other.status_code == 403
    assert client.get("/manage/reports/year-summary?year=20x6").status_code == 400


def test_reports_are_linked_from_the_management_navigation(sign_in):
    text = sign_in("staff").get("/manage/").get_data(as_text=True)
    assert 'href="/manage/reports/"' in text and "统计报表" in text
    index = sign_in("staff").get("/manage/reports/").get_data(as_text=True)
    assert "/manage/reports/venue-load" in index and "/manage/reports/year-summary" in index


def test_pages_need_a_login(client):
    response = client.get("/manage/reports/venue-load")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_dashboard_links_to_the_reports(sign_in):
    staff = sign_in("staff").get("/manage/").get_data(as_text=True)
    assert 'href="/manage/reports/venue-load"' in staff and 'href="/manage/reports/year-summary"' in staff
    coordinator = sign_in("coord").get("/manage/").get_data(as_text=True)
    assert 'href="/manage/reports/progress"' in coordinator and "/manage/reports/venue-load" not in coordinator


@pytest.mark.parametrize("path", ["/manage/reports/venue-load", "/manage/reports/venues/{venue}",
                                  "/manage/reports/progress", "/manage/reports/year-summary"])
def test_stray_query_parameters_do_not_break_links(sign_in, bookings, path):
    url = path.format(venue=bookings.venues["evening"].id) + "?venue_id=1&fmt=pdf&endpoint=x&period=month&date=2026-12-01"
    assert sign_in("staff").get(url).status_code == 200
