"""At phone size, a coordinator uploads a sheet with a bad row, reads the report table, and the page fits."""
from __future__ import annotations

from datetime import date

from tests.browser.conftest import artifacts, browser, live_server, phone  # noqa: F401  (fixtures)
from tests.imports.conftest import row, sheet_bytes


def test_a_coordinator_sees_each_bad_row_of_an_upload_on_a_phone(phone, tmp_path, artifacts):  # noqa: F811
    phone.goto("/login")
    phone.fill("#username", "jinshan_coord")
    phone.fill("#password", "demo-coord-2026")
    phone.click("button[type=submit]")
    phone.goto("/manage/imports")
    assert phone.locator("h1").inner_text() == "表格导入导出"
    phone.screenshot(path=str(artifacts / "imports-360.png"), full_page=True)
    sheet = tmp_path / "金山镇活动.xlsx"
    sheet.write_bytes(sheet_bytes([
        row(title="戏曲进乡村·东崖村", area="东崖村", venue=None, day=date(2026, 12, 5)),
        row(title="非遗星期六", area="金山镇", venue=None, day="2026-02-30"),
        row(title="村晚", area="岳阳楼区", venue=None, day=date(2026, 12, 12), repeat="每周八"),
    ]))
    phone.set_input_files("#file", str(sheet))
    phone.click("#xlsx button[type=submit]")
    report = phone.locator(".import-errors")
    assert report.is_visible()
    text = report.inner_text()
    assert "2026-02-30 不是有效日期" in text and "重复" in text and "镇街" in text
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the report page is {overflow}px wider than the phone"
    phone.screenshot(path=str(artifacts / "imports-report-360.png"), full_page=True)
    phone.set_viewport_size({"width": 1280, "height": 900})
    phone.screenshot(path=str(artifacts / "imports-report-1280.png"), full_page=True)
