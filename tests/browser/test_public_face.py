"""Issue 9 in a real Chromium: two taps from the home page to a town's subscribe page on a 360 px phone, the
right subscribe method (and QR target) for an iPhone, an Android phone and WeChat's browser, time ranges that
never wrap at 360 or 1280 px (measured element boxes), a screenshot of every public page at both widths, and
axe-core finding no violations on every public page."""
from __future__ import annotations

import re
from urllib.request import urlopen

import pytest
from playwright.sync_api import Page, expect

from calendar_app.public.qr import qr_svg
from tests.browser.conftest import PHONE
from tests.browser.test_public_pages import assert_fits_the_phone

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/18.1 Mobile/15E148 Safari/604.1")
ANDROID = ("Mozilla/5.0 (Linux; Android 14; 23127PN0CC Build/UKQ1.230804.001) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/126.0.0.0 Mobile Safari/537.36")
WECHAT = ("Mozilla/5.0 (Linux; Android 14; V2309A Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Version/4.0 Chrome/122.0.6261.120 Mobile Safari/537.36 XWEB/1220133 MMWEBSDK/20240404 "
          "MicroMessenger/8.0.49.2600(0x28003133) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64")
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def device(browser, live_server):
    """device(user_agent, viewport) -> a fresh page with that user agent (CSP bypassed only for axe's script)."""
    contexts = []

    def _open(user_agent: str | None = None, viewport: dict = PHONE) -> Page:
        mobile = viewport == PHONE
        context = browser.new_context(viewport=viewport, device_scale_factor=2 if mobile else 1, is_mobile=mobile,
                                      has_touch=mobile, locale="zh-CN", base_url=live_server, bypass_csp=True,
                                      **({"user_agent": user_agent} if user_agent else {}))
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield _open
    for context in contexts:
        context.close()


def _two_taps_to_jinshan(page: Page) -> None:
    page.goto("/")
    page.locator("section.towns summary", has_text="临淄区").click()  # tap 1: the district opens
    page.get_by_role("link", name="订阅金山镇的活动").click()  # tap 2: the town's subscribe page
    expect(page.get_by_role("heading", level=1)).to_have_text("订阅「金山镇」")
    assert re.search(r"/subscribe/area/\d+$", page.url)


def _qr_target(page: Page, live_server: str) -> None:
    """The QR code on the page encodes this subscribe page's own absolute URL (not the raw .ics)."""
    path = page.url.split(live_server, 1)[1]
    src = page.get_by_role("img", name=re.compile("本页二维码")).get_attribute("src")
    assert src == path + "/qr.svg"
    with urlopen(live_server + src) as response:  # noqa: S310 - the test's own loopback server
        assert response.read().decode() == qr_svg(live_server + path, title=live_server + path)


def test_an_iphone_reaches_its_towns_webcal_subscription_in_two_taps(device, live_server, artifacts):
    page = device(IPHONE)
    _two_taps_to_jinshan(page)
    area_id = page.url.rsplit("/", 1)[1]
    main = page.get_by_role("link", name="订阅到手机日历")
    expect(main).to_have_attribute("href", f"webcal://{live_server.split('://', 1)[1]}/areas/{area_id}.ics")
    expect(main).to_be_visible()
    expect(page.locator(".wechat-overlay")).to_have_count(0)
    _qr_target(page, live_server)
    assert_fits_the_phone(page)
    page.screenshot(path=str(artifacts / "subscribe-iphone-360.png"), full_page=True)


def test_an_android_phone_copies_the_address_and_reads_the_steps(device, live_server, artifacts):
    page = device(ANDROID)
    _two_taps_to_jinshan(page)
    area_id = page.url.rsplit("/", 1)[1]
    expect(page.locator("a.button-big")).to_have_count(0)
    https = f"{live_server}/areas/{area_id}.ics"
    expect(page.get_by_label("订阅地址")).to_have_value(https)
    page.get_by_role("button", name="复制").click()
    expect(page.get_by_role("status")).to_have_text("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == https
    page.get_by_text("各品牌手机日历的操作步骤").click()
    expect(page.locator("details.app-steps")).to_contain_text("华为")
    _qr_target(page, live_server)
    assert_fits_the_phone(page)
    page.screenshot(path=str(artifacts / "subscribe-android-360.png"), full_page=True)


def test_inside_wechat_an_overlay_says_how_to_open_the_system_browser(device, live_server, artifacts):
    page = device(WECHAT)
    _two_taps_to_jinshan(page)
    overlay = page.get_by_role("dialog")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("右上角「···」")
    expect(overlay).to_contain_text("在浏览器打开")
    box = overlay.bounding_box()
    assert box["width"] >= PHONE["width"] - 1 and box["height"] >= PHONE["height"] - 1  # covers the screen
    page.screenshot(path=str(artifacts / "subscribe-wechat-360.png"))
    page.get_by_role("button", name="知道了").click()
    expect(overlay).to_be_hidden()
    _qr_target(page, live_server)


def _public_pages(live_server: str) -> dict[str, str]:
    """name -> path of every public page, ids read from the live server's own links."""
    import json

    with urlopen(live_server + "/api/v1/areas") as response:  # noqa: S310
        tree = json.load(response)["items"]
    towns = [t for city in tree for d in city["children"] for t in d["children"]]
    jinshan = next(t["id"] for t in towns if t["name"] == "金山镇")
    linzi = next(d["id"] for city in tree for d in city["children"] if d["name"] == "临淄区")
    with urlopen(live_server + "/api/v1/programs") as response:  # noqa: S310
        programs = json.load(response)["items"]
    edition = next(e["id"] for p in programs for e in p["editions"] if e["name"] == "2026冬季村晚")
    with urlopen(live_server + "/api/v1/venues") as response:  # noqa: S310
        venue = next(v["id"] for v in json.load(response)["items"] if v["name"] == "尼山书院")
    with urlopen(live_server + "/api/v1/events?start=2026-11-21&end=2026-11-22") as response:  # noqa: S310
        event = json.load(response)["items"][0]["id"]
    return {
        "home": "/", "weekend": "/?when=weekend", "filtered": f"/?area={jinshan}", "month": "/month",
        "event": f"/events/{event}", "program": "/programs/rural-film", "edition": f"/editions/{edition}",
        "district": f"/areas/{linzi}", "town": f"/areas/{jinshan}", "venue": f"/venues/{venue}",
        "subscribe": f"/subscribe/area/{jinshan}", "subscribe-all": "/subscribe/all",
        "subscribe-holidays": "/subscribe/holidays", "empty-day": "/?date=2026-11-20&category=film",
    }


# Lines a row's time takes, from the boxes of its text (a grid cell may be taller than its text), and
# whether the text sticks out of its cell (a time that does not wrap must still fit).
_ROW_LINES = """() => Array.from(document.querySelectorAll('li.occurrence .time, li.group .time')).map(el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const rects = Array.from(range.getClientRects()).filter(r => r.width > 0);
  const cell = el.getBoundingClientRect();
  const text = range.getBoundingClientRect();
  return {text: el.textContent.trim(), lines: new Set(rects.map(r => Math.round(r.top))).size,
          overflow: text.right - cell.right, visible: cell.width > 0};
})"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_no_rows_time_wraps_and_every_page_is_screenshotted(device, live_server, artifacts, viewport):
    page = device(None, viewport)
    measured = 0
    for name, path in _public_pages(live_server).items():
        page.goto(path)
        for details in page.locator("li.group > details").all()[:3]:
            details.evaluate("d => d.open = true")  # the expanded rows' times too
        for row in page.evaluate(_ROW_LINES):
            if not row["visible"]:
                continue
            measured += 1
            assert row["lines"] == 1, f"{name}: '{row['text']}' wraps onto {row['lines']} lines"
            assert row["overflow"] <= 1, f"{name}: '{row['text']}' sticks out of its column by {row['overflow']}px"
        if viewport == PHONE:
            assert_fits_the_phone(page)
        page.screenshot(path=str(artifacts / f"{name}-{viewport['width']}.png"), full_page=True)
    assert measured > 100


def test_axe_core_finds_no_violations_on_any_public_page(device, live_server):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    pages = _public_pages(live_server)
    found = {}
    for ua, label in ((IPHONE, "iphone"), (ANDROID, "android"), (WECHAT, "wechat")):
        page = device(ua)
        targets = pages.items() if label == "iphone" else [("subscribe", pages["subscribe"])]
        for name, path in targets:
            page.goto(path)
            for details in page.locator("details").all()[:4]:
                details.evaluate("d => d.open = true")  # check what an opened district or group shows
            results = axe.run(page)
            if results.violations_count:
                found[f"{label}:{name}"] = results.generate_snapshot()
    assert found == {}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_english_pages_fit_keep_times_on_one_line_and_pass_axe(device, live_server, artifacts, viewport):
    """English dates ("Sat, Dec 5") and words are longer than the Chinese: the same checks, in English."""
    from axe_playwright_python.sync_playwright import Axe

    page = device(IPHONE, viewport)
    page.goto("/?lang=en")  # the cookie keeps English on every page below
    pages = _public_pages(live_server)
    event_id = pages["event"].rsplit("/", 1)[1]
    pages = {**{k: pages[k] for k in ("home", "weekend", "month", "event", "town", "subscribe", "edition")},
             "reminders": f"/subscribe?target_type=event&target_id={event_id}"}
    axe, found, measured = Axe(), {}, 0
    for name, path in pages.items():
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        for row in page.evaluate(_ROW_LINES):
            if row["visible"]:
                measured += 1
                assert row["lines"] == 1, f"{name}: '{row['text']}' wraps onto {row['lines']} lines"
                assert row["overflow"] <= 1, f"{name}: '{row['text']}' sticks out by {row['overflow']}px"
        if viewport == PHONE:
            assert_fits_the_phone(page)
            results = axe.run(page)
            if results.violations_count:
                found[name] = results.generate_snapshot()
        page.screenshot(path=str(artifacts / f"en-{name}-{viewport['width']}.png"), full_page=True)
    assert found == {} and measured > 20
    page.goto(pages["reminders"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Get event reminders")
    expect(page.get_by_text("1 day before")).to_be_visible()
