"""On a 360 px phone: find this weekend's events, open one, and subscribe from its program and area pages."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def assert_fits_the_phone(page: Page) -> None:
    """No horizontal scrolling at 360 px."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the viewport"


def test_find_this_weekends_events_open_one_and_subscribe(phone: Page, live_server, artifacts):
    phone.goto("/")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(phone.get_by_role("heading", level=1)).to_have_text("近期活动")
    assert_fits_the_phone(phone)
    phone.screenshot(path=str(artifacts / "home-360.png"), full_page=True)

    phone.get_by_role("link", name="本周末").click()
    expect(phone).to_have_url(re.compile(r"when=weekend"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("本周末")
    saturday = phone.locator("section.day").first
    expect(saturday.get_by_role("heading")).to_contain_text("11月21日 周六")
    expect(saturday.get_by_role("heading")).to_contain_text("今天")

    saturday.get_by_role("link", name="非遗星期六·尼山书院讲堂").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("非遗星期六·尼山书院讲堂")
    expect(phone.locator("dl.facts")).to_contain_text("2026年11月21日 周六 14:30–16:30")
    amap = phone.get_by_role("link", name="高德地图")
    expect(amap).to_have_attribute("href", re.compile(r"^https://uri\.amap\.com/marker\?"))
    expect(phone.get_by_role("link", name="下载日历文件（.ics）")).to_have_attribute("href", re.compile(r"^/events/\d+\.ics$"))
    assert_fits_the_phone(phone)
    phone.screenshot(path=str(artifacts / "event-360.png"), full_page=True)

    phone.get_by_role("link", name="非遗星期六", exact=True).first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("非遗星期六")
    _check_subscribe_box(phone, live_server, "/programs/feiyi-saturday.ics", "/subscribe/program/feiyi-saturday")
    assert_fits_the_phone(phone)
    phone.screenshot(path=str(artifacts / "program-360.png"), full_page=True)


def _check_subscribe_box(phone: Page, live_server: str, feed_path: str, subscribe_path: str) -> None:
    box = phone.locator("section.subscribe")
    https = live_server + feed_path
    main = box.get_by_role("link", name="订阅到手机日历")
    expect(main).to_have_attribute("href", subscribe_path)
    address = box.get_by_label("订阅地址")
    expect(address).to_have_value(https)
    copy = box.get_by_role("button", name="复制")
    expect(copy).to_be_visible()  # shown by the static script (progressive enhancement)
    copy.click()
    expect(box.get_by_role("status")).to_have_text("已复制")
    assert phone.evaluate("navigator.clipboard.readText()") == https
    expect(box.get_by_role("link", name="添加到 Google 日历（需能访问 Google）")).to_have_attribute(
        "href", re.compile(r"^https://calendar\.google\.com/calendar/render\?cid=http"))
    qr = box.get_by_role("img")
    expect(qr).to_be_visible()
    phone.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())  # loads, not only shown


def test_area_page_of_a_town_offers_the_same_subscription(phone: Page, live_server):
    phone.goto("/")
    phone.get_by_role("link", name="非遗星期六·尼山书院讲堂").first.click()
    phone.get_by_role("link", name="查看雪宫街道的其他活动").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("雪宫街道")
    area_path = phone.url.split(live_server, 1)[1].split("#", 1)[0]
    _check_subscribe_box(phone, live_server, area_path + ".ics", "/subscribe/area/" + area_path.rsplit("/", 1)[1])
    assert_fits_the_phone(phone)


def test_keyboard_users_get_a_skip_link_and_a_visible_focus(phone: Page):
    phone.goto("/")
    phone.keyboard.press("Tab")
    skip = phone.get_by_role("link", name="跳到主要内容")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    phone.keyboard.press("Enter")
    expect(phone).to_have_url(re.compile(r"#main$"))
    phone.keyboard.press("Tab")
    focused_outline = phone.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focused_outline not in ("none", ""), "focused elements must show an outline"


def test_filters_work_with_labels_and_a_town_includes_its_villages(phone: Page):
    phone.goto("/")
    phone.get_by_text("筛选活动").first.click()
    phone.get_by_label("区域（区县、镇街）").select_option(label="\u00a0\u00a0\u00a0\u00a0金山镇")
    phone.get_by_role("button", name="筛选").click()
    expect(phone).to_have_url(re.compile(r"area=\d+"))
    expect(phone.get_by_role("link", name="2026冬季村晚·东崖村专场")).to_be_visible()
    expect(phone.get_by_role("link", name="戏曲进乡村·金山镇").first).to_be_visible()
    assert_fits_the_phone(phone)


def test_month_view_fits_the_phone_and_marks_holidays(phone: Page, artifacts):
    phone.goto("/month?ym=2026-10")
    expect(phone.locator('td[data-date="2026-10-01"]')).to_contain_text("休")
    expect(phone.locator('td[data-date="2026-10-10"]')).to_contain_text("班")
    assert_fits_the_phone(phone)
    phone.screenshot(path=str(artifacts / "month-360.png"), full_page=True)


def test_english_switch(phone: Page, artifacts):
    phone.goto("/?when=weekend")
    phone.get_by_role("link", name="English").click()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.get_by_role("heading", level=1)).to_have_text("This weekend")
    phone.goto("/month")
    expect(phone.get_by_role("heading", level=1)).to_have_text("November 2026")
    assert_fits_the_phone(phone)
    phone.goto("/?when=weekend")
    phone.screenshot(path=str(artifacts / "home-en-360.png"), full_page=True)
