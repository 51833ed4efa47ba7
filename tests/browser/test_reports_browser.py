"""The venue-load heatmap in a real Chromium: Chinese labels render, at phone and desktop widths.

Screenshots are kept in test-artifacts/ (reports-venue-load-360.png, reports-venue-load-1280.png,
reports-heatmap.png) for a person to look at.
"""
from __future__ import annotations


def _signed_in(browser, live_server, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/login")
    page.get_by_label("用户名").fill("linzi_staff")
    page.get_by_label("密码").fill("demo-staff-2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/manage/")
    return context, page


def test_heatmap_renders_chinese_venue_names_and_its_table(browser, live_server, artifacts):
    context, page = _signed_in(browser, live_server, 1280)
    try:
        page.get_by_role("link", name="统计报表").click()
        page.get_by_role("link", name="场馆使用情况").click()
        heading = page.get_by_role("heading", name="最忙的场馆")
        assert heading.is_visible()
        chart = page.locator("svg.chart").first
        labels = chart.locator("text").all_text_contents()
        assert any("综合文化站" in label for label in labels)
        # The labels have real glyphs: a line of Chinese text is wider than an empty box row would be.
        box = chart.locator("text", has_text="综合文化站").first.bounding_box()
        assert box is not None and box["width"] > 40
        chart.screenshot(path=str(artifacts / "reports-heatmap.png"))
        page.screenshot(path=str(artifacts / "reports-venue-load-1280.png"), full_page=True)
        assert page.get_by_role("table").first.locator("th", has_text="利用率").count() == 1
    finally:
        context.close()


def test_venue_load_page_fits_a_phone(browser, live_server, artifacts):
    context, page = _signed_in(browser, live_server, 360)
    try:
        page.goto("/manage/reports/venue-load")
        # Nothing but the chart's own scroll box is wider than the phone.
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= 360
        page.screenshot(path=str(artifacts / "reports-venue-load-360.png"), full_page=True)
    finally:
        context.close()
