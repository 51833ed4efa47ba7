"""At phone size, a coordinator uploads a sheet with a bad row, reads the report table, and the page fits.

Playwright runs in a thread of its own: the sync API allows one running instance per thread, and the
browser tests under tests/browser keep theirs open for the whole session.
"""
from __future__ import annotations

import shutil
import threading
from datetime import date
from pathlib import Path

from tests.browser.conftest import (CHROMIUM, CHROMIUM_ARGS, PHONE, _has_chinese_font, _missing_browser, artifacts,  # noqa: F401
                                    live_server)
from tests.imports.conftest import row, sheet_bytes


def _upload_on_a_phone(base_url: str, sheet: Path, shots: Path) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                          locale="zh-CN", base_url=base_url)
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.goto("/login")
            page.fill("#username", "jinshan_coord")
            page.fill("#password", "demo-coord-2026")
            page.click("button[type=submit]")
            page.goto("/manage/imports")
            heading = page.locator("h1").inner_text()
            page.screenshot(path=str(shots / "imports-360.png"), full_page=True)
            page.set_input_files("#file", str(sheet))
            page.click("#xlsx button[type=submit]")
            report = page.locator(".import-errors")
            result = {"heading": heading, "visible": report.is_visible(), "text": report.inner_text(),
                      "overflow": page.evaluate("document.documentElement.scrollWidth - window.innerWidth")}
            page.screenshot(path=str(shots / "imports-report-360.png"), full_page=True)
            page.set_viewport_size({"width": 1280, "height": 900})
            page.screenshot(path=str(shots / "imports-report-1280.png"), full_page=True)
            return result
        finally:
            browser.close()


def test_a_coordinator_sees_each_bad_row_of_an_upload_on_a_phone(live_server, tmp_path, artifacts):  # noqa: F811
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing_browser(f"Chromium not found at {CHROMIUM}")
    if not _has_chinese_font():
        _missing_browser("no Chinese font installed")
    sheet = tmp_path / "金山镇活动.xlsx"
    sheet.write_bytes(sheet_bytes([
        row(title="戏曲进乡村·东崖村", area="东崖村", venue=None, day=date(2026, 12, 5)),
        row(title="非遗星期六", area="金山镇", venue=None, day="2026-02-30"),
        row(title="村晚", area="岳阳楼区", venue=None, day=date(2026, 12, 12), repeat="每周八"),
    ]))
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = _upload_on_a_phone(live_server, sheet, artifacts)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="imports-browser")
    thread.start()
    thread.join(120)
    assert not thread.is_alive(), "the browser did not finish in 120 s"
    if "error" in outcome:
        raise outcome["error"]
    result = outcome["result"]
    assert result["heading"] == "表格导入导出" and result["visible"]
    text = result["text"]
    assert "2026-02-30 不是有效日期" in text and "重复" in text and "镇街" in text
    assert result["overflow"] <= 0, f"the report page is {result['overflow']}px wider than the phone"
