"""An event page with a poster, on a 360 px phone and a 1280 px screen: the poster loads, keeps its shape,
leaves the date and place readable, and nothing scrolls sideways. Screenshots go to test-artifacts/."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_public_pages import assert_fits_the_phone


@pytest.fixture
def wide(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _open_fishing_night(page: Page) -> None:
    page.goto("/programs/dongting-yuhuo")
    page.get_by_role("link", name="洞庭渔火季·汴河街渔火灯会").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("洞庭渔火季·汴河街渔火灯会")


def _poster_box(page: Page) -> dict:
    poster = page.locator("article.event figure.poster img")
    expect(poster).to_be_visible()
    # Visible is not loaded: on a busy machine the bytes may still be on their way.
    page.wait_for_function("() => { const i = document.querySelector('article.event figure.poster img');"
                           " return i.complete && i.naturalWidth > 0; }")
    loaded = page.evaluate("() => { const i = document.querySelector('article.event figure.poster img');"
                           " return {w: i.naturalWidth, h: i.naturalHeight, src: i.currentSrc}; }")
    assert loaded["w"] == 640 and loaded["h"] == 853, loaded  # the card size, as written in width/height
    assert loaded["src"].endswith("-card.webp")  # Chromium takes the WebP source
    return poster.bounding_box()


def test_event_page_poster_on_a_phone(phone: Page, artifacts):
    _open_fishing_night(phone)
    box = _poster_box(phone)
    assert box["width"] <= 360 and abs(box["height"] / box["width"] - 853 / 640) < 0.02
    expect(phone.locator("dl.facts")).to_contain_text("汴河街")
    assert_fits_the_phone(phone)
    phone.screenshot(path=str(artifacts / "event-poster-360.png"), full_page=True)


def test_event_page_poster_beside_the_facts_on_a_wide_screen(wide: Page, artifacts):
    _open_fishing_night(wide)
    box = _poster_box(wide)
    facts = wide.locator("dl.facts").bounding_box()
    assert box["x"] > facts["x"] + 300  # floated to the right of the facts
    assert facts["y"] < 400  # the date and place stay near the top
    assert wide.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    wide.screenshot(path=str(artifacts / "event-poster-1280.png"), full_page=True)


def test_list_rows_show_thumbnails_and_stay_on_the_phone(phone: Page, artifacts):
    phone.goto("/programs/rural-film")
    thumbs = phone.locator("li.occurrence picture.thumb img:visible, li.group summary picture.thumb img")
    expect(thumbs.first).to_be_visible()
    size = thumbs.first.bounding_box()
    assert 40 <= size["width"] <= 56 and size["width"] == size["height"]
    assert_fits_the_phone(phone)
    phone.locator("section.upcoming").screenshot(path=str(artifacts / "program-thumbs-360.png"))


def test_program_page_poster_sits_beside_the_heading_on_a_wide_screen(wide: Page, artifacts):
    wide.goto("/programs/dongting-yuhuo")
    poster = wide.locator(".page-head figure.poster img")
    expect(poster).to_be_visible()
    box, heading = poster.bounding_box(), wide.get_by_role("heading", level=1).bounding_box()
    assert box["x"] > heading["x"] + 400 and box["width"] <= 260
    assert wide.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    wide.screenshot(path=str(artifacts / "program-poster-1280.png"))


def test_a_coordinator_uploads_a_poster_from_the_phone(phone: Page, artifacts, tmp_path):
    from tests.browser.test_coordinator_flow import sign_in
    from tests.media.images import photo_with_gps

    sign_in(phone, "jinshan_coord", "demo-coord-2026")
    phone.goto("/manage/events")
    phone.get_by_role("link", name="金山镇合唱团汇报演出").first.click()
    phone.get_by_role("link", name="上传海报").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("海报：金山镇合唱团汇报演出")
    photo = tmp_path / "合唱团.jpg"
    photo.write_bytes(photo_with_gps(size=(1200, 900)))
    phone.get_by_label("海报图片").set_input_files(str(photo))
    phone.get_by_role("button", name="保存").click()
    expect(phone.get_by_role("status")).to_contain_text("海报已更新")
    expect(phone.get_by_role("link", name="更换海报")).to_be_visible()
    phone.get_by_role("link", name="更换海报").click()
    expect(phone.locator("figure.poster img")).to_be_visible()
    assert_fits_the_phone(phone)
    phone.screenshot(path=str(artifacts / "manage-poster-360.png"), full_page=True)


def test_program_page_poster_comes_after_the_heading_on_a_phone(phone: Page, artifacts):
    phone.goto("/programs/dongting-yuhuo")
    poster = phone.locator(".page-head figure.poster img")
    expect(poster).to_be_visible()
    assert poster.bounding_box()["y"] > phone.locator(".page-head p.description").bounding_box()["y"]
    assert_fits_the_phone(phone)
    phone.screenshot(path=str(artifacts / "program-poster-360.png"))
