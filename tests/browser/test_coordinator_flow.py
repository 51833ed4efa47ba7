"""On a 360 x 800 phone: a coordinator schedules a weekly series with one skipped date, is refused a taken
slot, fixes it and submits; staff publish it from the event page; the public page and the town's feed show it.

The demo year at DEMO_NOW (Saturday 2026-11-21): 金山镇's draft 合唱团汇报演出 holds 东崖村文化广场 on
Saturday 12 December 19:00–20:30, so a Saturday-evening series there is refused on that date.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_public_pages import assert_fits_the_phone

PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
TITLE = "金山镇周六戏曲专场"


@pytest.fixture
def contexts(browser, live_server):
    """Fresh browser contexts (own cookies) of the given viewport, closed after the test."""
    opened = []

    def open_page(viewport=PHONE) -> Page:
        context = browser.new_context(viewport=viewport, device_scale_factor=1 if viewport is DESKTOP else 2,
                                      is_mobile=viewport is PHONE, has_touch=viewport is PHONE, locale="zh-CN",
                                      base_url=live_server)
        opened.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in opened:
        context.close()


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的工作台")


def fill_weekly_series(page: Page) -> None:
    page.get_by_label("活动名称").fill(TITLE)
    page.get_by_label("品牌活动 · 届次").select_option(label="戏曲进乡村 · 2026戏曲进乡村")
    page.get_by_label("场馆").select_option(label="东崖村文化广场（东崖村）")
    page.get_by_label("日期", exact=True).fill("2026-12-05")
    page.get_by_label("开始时间").fill("19:00")
    page.get_by_label("结束时间", exact=True).fill("21:00")
    page.get_by_text("每周（选星期几，如每周六）").click()
    page.get_by_text("周六", exact=True).first.click()
    page.get_by_text("到某日为止").click()
    page.get_by_label("最后一天").fill("2027-01-30")
    page.get_by_label("跳过这些日期").fill("2026-12-26")
    page.get_by_label("类别").select_option(label="戏曲")


def test_coordinator_schedules_staff_publish_public_sees_it(contexts, live_server, artifacts):
    coordinator = contexts()
    sign_in(coordinator, "jinshan_coord", "demo-coord-2026")
    assert_fits_the_phone(coordinator)
    coordinator.screenshot(path=str(artifacts / "manage-dashboard-360.png"), full_page=True)

    coordinator.get_by_role("link", name="＋ 新建活动").first.click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("新建活动")
    # Only the parts of the builder that apply are shown (manage.js).
    expect(coordinator.get_by_text("每周的哪几天")).to_be_hidden()
    fill_weekly_series(coordinator)
    expect(coordinator.get_by_text("每周的哪几天")).to_be_visible()
    expect(coordinator.get_by_text("每天，但这几天除外")).to_be_hidden()
    assert_fits_the_phone(coordinator)

    # Look at the dates first: the skipped Saturday and the taken one.
    coordinator.get_by_role("button", name="预览日期").first.click()
    preview = coordinator.locator("#preview")
    expect(preview).to_contain_text("接下来的日期")
    coordinator.screenshot(path=str(artifacts / "manage-event-preview-360.png"), full_page=True)
    expect(preview.locator(".preview-row.is-skipped")).to_contain_text("2026年12月26日")
    expect(preview.locator(".preview-row.has-clash", has_text="2026年12月12日")).to_contain_text("金山镇合唱团汇报演出")
    assert_fits_the_phone(coordinator)

    # Saving anyway is refused, with the reason next to the venue.
    coordinator.get_by_role("button", name="保存草稿").click()
    venue_error = coordinator.locator(".mfield.has-error", has=coordinator.get_by_label("场馆"))
    expect(venue_error.locator(".field-error")).to_contain_text("金山镇合唱团汇报演出")
    expect(coordinator.locator(".clash-box")).to_contain_text("2026年12月12日 周六 19:00–20:30")
    expect(coordinator.get_by_role("alert").first).to_contain_text("场馆")
    assert_fits_the_phone(coordinator)
    coordinator.screenshot(path=str(artifacts / "manage-event-clash-360.png"), full_page=True)

    # An afternoon slot is free: preview says so, then save and submit.
    coordinator.get_by_label("开始时间").fill("14:30")
    coordinator.get_by_label("结束时间", exact=True).fill("16:30")
    coordinator.get_by_role("button", name="预览日期").first.click()
    expect(coordinator.locator("#preview")).to_contain_text("场馆在这些时间都空闲")
    coordinator.get_by_role("button", name="保存草稿").click()
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(coordinator.locator("dl.facts")).to_contain_text("每周六，到 2027年1月30日为止；跳过 1 天")
    coordinator.get_by_role("button", name="提交审核").click()
    expect(coordinator.locator(".flash").first).to_contain_text("已提交审核")
    expect(coordinator.locator("h1 .status")).to_have_text("待审核")
    event_path = coordinator.url.split(live_server, 1)[1]
    assert re.fullmatch(r"/manage/events/\d+", event_path)
    assert_fits_the_phone(coordinator)
    coordinator.screenshot(path=str(artifacts / "manage-event-page-360.png"), full_page=True)
    coordinator.get_by_text("改期、换场地或取消本场").first.click()
    expect(coordinator.get_by_label("新日期").first).to_be_visible()
    expect(coordinator.get_by_label("新场馆").first).to_be_hidden()  # only the chosen action's fields
    assert_fits_the_phone(coordinator)
    coordinator.screenshot(path=str(artifacts / "manage-occurrence-form-360.png"))

    # Staff publish it from the event page.
    staff = contexts()
    sign_in(staff, "linzi_staff", "demo-staff-2026")
    staff.goto(event_path)
    staff.get_by_role("button", name="发布").click()
    expect(staff.locator(".flash").first).to_contain_text("已发布")
    expect(staff.locator("h1 .status")).to_have_text("已发布")
    assert_fits_the_phone(staff)
    staff.screenshot(path=str(artifacts / "manage-event-published-360.png"), full_page=True)

    # The public page and the town's feed show it.
    staff.get_by_role("link", name="查看公开页面").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(staff.locator("dl.facts")).to_contain_text("东崖村文化广场")
    area_link = staff.get_by_role("link", name=re.compile(r"^查看.+的其他活动$"))
    area_path = area_link.get_attribute("href").split("#", 1)[0]
    feed = staff.request.get(live_server + area_path + ".ics")
    assert feed.status == 200
    assert "SUMMARY:" + TITLE in feed.text().replace("\r\n ", "")
    assert "EXDATE" in feed.text()

    # The same pages at desktop width (two columns), for people at the bureau.
    desk = contexts(DESKTOP)
    sign_in(desk, "jinshan_coord", "demo-coord-2026")
    desk.screenshot(path=str(artifacts / "manage-dashboard-1280.png"), full_page=True)
    desk.goto(event_path + "/edit")
    desk.get_by_role("button", name="预览日期").first.click()
    expect(desk.locator("#preview")).to_be_visible()
    desk.screenshot(path=str(artifacts / "manage-event-form-1280.png"), full_page=True)
    desk.goto(event_path)
    desk.screenshot(path=str(artifacts / "manage-event-page-1280.png"), full_page=True)


def test_work_menu_folds_behind_one_button_on_a_phone_and_stays_open_on_a_desktop(contexts, artifacts):
    phone = contexts()
    sign_in(phone, "linzi_staff", "demo-staff-2026")
    menu = phone.get_by_role("button", name="菜单")
    venues_link = phone.get_by_role("navigation", name="工作台导航").get_by_role("link", name="场馆")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(venues_link).to_be_hidden()
    # Folded, the page's own heading starts within the first screenful's top quarter.
    assert phone.get_by_role("heading", level=1).bounding_box()["y"] < 200
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(venues_link).to_be_visible()
    assert_fits_the_phone(phone)
    phone.screenshot(path=str(artifacts / "manage-menu-open-360.png"))
    venues_link.click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("场馆")

    desktop = contexts(DESKTOP)
    sign_in(desktop, "linzi_staff", "demo-staff-2026")
    expect(desktop.get_by_role("button", name="菜单")).to_be_hidden()
    expect(desktop.get_by_role("navigation", name="工作台导航").get_by_role("link", name="场馆")).to_be_visible()
