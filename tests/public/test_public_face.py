"""The public face of issue 9 on the two-district `world` (淄博市 › 临淄区 and a 岳阳楼区 without a city above
it; now is Tuesday 2026-12-01 19:00 in Beijing): towns to subscribe from the home page, subscribe boxes on
filtered views, highlights first, same-day repeats collapsed, and the layout details of the issue."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from calendar_app.events.models import Occurrence
from calendar_app.public.text import tel_links
from tests import factories
from tests.public.helpers import highlighted_occurrence_ids, html, listed_occurrence_ids, parse
from tests.world import world  # noqa: F401  (fixture)


def _event(w, area="jinshan", *, title="戏曲进乡村·金山镇", day=5, hour=19, program=True, **kwargs):
    event = factories.event(w.areas[area], title=title, start=datetime(2026, 12, day, hour),
                            end=datetime(2026, 12, day, hour + 2),
                            **({"edition_id": w.edition.id} if program else {}), **kwargs)
    from calendar_app.extensions import db

    db.session.commit()
    return event


# --- 1. two taps to a town's calendar ------------------------------------------------------------------

def test_home_offers_every_town_grouped_by_city_and_district_with_a_one_tap_subscribe(client, world):
    towns = parse(html(client.get("/"))).find("section", class_="towns")
    cities = [h.text().strip() for h in towns.find_all("h3", class_="city-name")]
    assert cities == ["淄博市"]  # several tops (淄博市 and 岳阳楼区): the city is named
    districts = {d.find("summary").text().strip(): d for d in towns.find_all("details")}
    assert set(districts) == {"临淄区（2 个镇街）", "岳阳楼区（1 个镇街）"}
    linzi = districts["临淄区（2 个镇街）"]
    subscribe = {a.attrs["aria-label"]: a.attrs["href"] for a in linzi.find_all("a", class_="town-subscribe")}
    assert subscribe == {"订阅临淄区的活动": f"/subscribe/area/{world.areas['linzi'].id}",
                         "订阅金山镇的活动": f"/subscribe/area/{world.areas['jinshan'].id}",
                         "订阅稷下街道的活动": f"/subscribe/area/{world.areas['jixia'].id}"}
    assert "东崖村" not in towns.text()  # villages are reached through their town


@pytest.mark.parametrize("query, kind", [("area={jinshan}", "area"), ("program=xiqu-xiangcun", "program"),
                                         ("venue={venue}", "venue")])
def test_a_view_filtered_by_one_area_program_or_venue_shows_its_subscribe_box(client, world, query, kind):
    query = query.format(jinshan=world.areas["jinshan"].id, venue=world.venues["theatre"].id)
    box = parse(html(client.get("/?" + query))).find("section", class_="subscribe")
    key = query.split("=", 1)[1]
    assert box.find("a", class_="button").attrs["href"] == f"/subscribe/{kind}/{key}"
    assert box.find("input", class_="feed-url").attrs["value"].endswith(f".ics")


def test_the_month_view_filtered_by_one_town_shows_its_subscribe_box_too(client, world):
    jinshan = world.areas["jinshan"].id
    box = parse(html(client.get(f"/month?ym=2026-12&area={jinshan}"))).find("section", class_="subscribe")
    assert box.find("a", class_="button").attrs["href"] == f"/subscribe/area/{jinshan}"


@pytest.mark.parametrize("query", ["", "category=opera", "area={jinshan}&program=xiqu-xiangcun", "q=戏曲",
                                   "area={jinshan}&free=1"])
def test_a_view_a_feed_cannot_express_offers_no_subscribe_box(client, world, query):
    page = html(client.get("/?" + query.format(jinshan=world.areas["jinshan"].id)))
    assert 'class="subscribe"' not in page


def test_an_event_in_a_village_links_its_town_as_well_as_its_village(client, world):
    event = _event(world, "dongya", title="东崖村冬季村晚")
    tree = parse(html(client.get(f"/events/{event.id}")))
    area_row = next(d for d in tree.find("dl", class_="facts").find_all("div") if "所属区域" in d.text())
    hrefs = [a.attrs["href"] for a in area_row.find_all("a")]
    assert hrefs == [f"/areas/{world.areas['jinshan'].id}", f"/areas/{world.areas['dongya'].id}"]
    assert "淄博市" in area_row.text()  # a deployment of several cities names the city
    links = [a.attrs["href"] for a in tree.find("section", class_="add-to-calendar").find_all("a")]
    assert f"/subscribe/area/{world.areas['jinshan'].id}" in links


# --- 2. the subscribe page ------------------------------------------------------------------------------

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/18.1 Mobile/15E148 Safari/604.1")
ANDROID = ("Mozilla/5.0 (Linux; Android 14; 23127PN0CC Build/UKQ1.230804.001) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/126.0.0.0 Mobile Safari/537.36")
WECHAT = ("Mozilla/5.0 (Linux; Android 14; V2309A Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Version/4.0 Chrome/122.0.6261.120 Mobile Safari/537.36 XWEB/1220133 MMWEBSDK/20240404 MMWEBID/1234 "
          "MicroMessenger/8.0.49.2600(0x28003133) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64")
WECHAT_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Mobile/15E148 MicroMessenger/8.0.50(0x1800322c) NetType/WIFI Language/zh_CN")
BASE = "http://127.0.0.1:5000"


def _subscribe(client, world, ua: str, query: str = ""):
    jinshan = world.areas["jinshan"].id
    response = client.get(f"/subscribe/area/{jinshan}{query}", headers={"User-Agent": ua})
    assert response.status_code == 200
    return parse(html(response)), f"{BASE}/areas/{jinshan}.ics"


def test_an_iphone_gets_the_webcal_link_as_its_one_main_button(client, world):
    tree, https = _subscribe(client, world, IPHONE)
    assert tree.find("h1").text() == "订阅「金山镇」"
    main = tree.find("a", class_="button-big")
    assert main.attrs["href"] == "webcal://" + https.split("://", 1)[1] and main.text() == "订阅到手机日历"
    assert not tree.find_all("div", class_="wechat-overlay")
    assert "webcal" not in tree.find("main").text().lower()  # no protocol names in the words


def test_an_android_phone_gets_the_address_to_copy_and_steps_for_common_calendar_apps(client, world):
    tree, https = _subscribe(client, world, ANDROID)
    assert not tree.find_all("a", class_="button-big")  # a webcal link does nothing on Android
    field = tree.find("input", class_="feed-url")
    assert field.attrs["value"] == https and tree.find("button", class_="copy-button")
    steps = tree.find("details", class_="app-steps").text()
    for brand in ("小米", "华为", "OPPO", "vivo", "Google 日历"):
        assert brand in steps


@pytest.mark.parametrize("ua", [WECHAT, WECHAT_IPHONE])
def test_inside_wechat_an_overlay_explains_how_to_open_the_system_browser(client, world, ua):
    tree, _https = _subscribe(client, world, ua)
    overlay = tree.find("div", class_="wechat-overlay")
    assert overlay.attrs["role"] == "dialog"
    assert "右上角「···」" in overlay.text() and "在浏览器打开" in overlay.text()


@pytest.mark.parametrize("ua", [IPHONE, ANDROID, WECHAT, "curl/8.5"])
def test_everyone_gets_the_ics_download_google_as_a_secondary_link_and_a_qr_of_this_page(client, world, ua):
    tree, https = _subscribe(client, world, ua)
    jinshan = world.areas["jinshan"].id
    download = [a for a in tree.find_all("a") if a.attrs.get("href") == f"/areas/{jinshan}.ics"]
    assert len(download) == 1 and "download" in download[0].attrs
    google = tree.find("a", class_="google-subscribe")
    assert google.attrs["href"].startswith("https://calendar.google.com/") and "button" not in google.classes
    assert tree.find("img").attrs["src"] == f"/subscribe/area/{jinshan}/qr.svg"


def test_the_device_can_be_chosen_by_hand(client, world):
    tree, https = _subscribe(client, world, ANDROID, "?device=apple")
    assert tree.find("a", class_="button-big").attrs["href"].startswith("webcal://")


@pytest.mark.parametrize("path, feed", [("/subscribe/all", "/calendar.ics"), ("/subscribe/holidays", "/holidays.ics"),
                                        ("/subscribe/category/opera", "/categories/opera.ics"),
                                        ("/subscribe/program/xiqu-xiangcun", "/programs/xiqu-xiangcun.ics")])
def test_every_kind_of_feed_has_a_subscribe_page_and_a_qr_code_leading_to_it(client, world, path, feed):
    from calendar_app.public.qr import qr_svg

    tree = parse(html(client.get(path, headers={"User-Agent": IPHONE})))
    assert tree.find("a", class_="button-big").attrs["href"] == "webcal://127.0.0.1:5000" + feed
    qr = client.get(path + "/qr.svg")
    assert qr.status_code == 200 and qr.get_data(as_text=True) == qr_svg(BASE + path, title=BASE + path)


@pytest.mark.parametrize("path", ["/subscribe/area/999999", "/subscribe/area/abc", "/subscribe/area/01",
                                  "/subscribe/program/nope", "/subscribe/category/nope", "/subscribe/event/1",
                                  "/subscribe/area/999999/qr.svg", "/subscribe/category/nope/qr.svg"])
def test_unknown_subscribe_pages_are_404_in_chinese(client, world, path):
    response = client.get(path)
    assert response.status_code == 404


# --- 4. highlights first, repeats collapsed ------------------------------------------------------------

def test_featured_events_and_an_editions_first_night_lead_the_home_page(client, world, db):
    from calendar_app.events.services import set_featured

    featured = _event(world, "jixia", title="稷下新年音乐会", day=28, program=False)
    set_featured(featured, True)
    opening = factories.event(world.areas["dongting"], title="食在洞庭·开幕夜", start=datetime(2026, 12, 1, 20),
                              end=datetime(2026, 12, 1, 21), edition_id=world.other_edition.id,
                              rrule="FREQ=WEEKLY;COUNT=5")
    db.session.commit()
    page = html(client.get("/"))
    block = parse(page).find("section", class_="highlights")
    ids = highlighted_occurrence_ids(page)
    first = {db.session.scalar(select(Occurrence.id).where(Occurrence.event_id == e.id)
                               .order_by(Occurrence.starts_at).limit(1)) for e in (featured, opening)}
    assert first <= set(ids)
    assert "推荐" in block.text() and "开幕" in block.text()
    # the first night only: the weekly repeats of the opening event are not highlights
    opening_rows = set(db.session.scalars(select(Occurrence.id).where(Occurrence.event_id == opening.id)))
    assert len(opening_rows & set(ids)) == 1
    labels = [span.text() for span in block.find_all("span", class_="featured-label")]
    assert labels[0] == "12月1日 周二 · 开幕"  # soonest first: tonight
    assert "12月28日 周一 · 推荐" in labels


def test_repeats_of_one_program_on_one_day_collapse_into_one_expandable_row(client, world):
    for area in ("jinshan", "jixia", "dongya", "dongting"):
        _event(world, area, title=f"农村公益电影放映·{world.areas[area].name}", day=5)
    _event(world, "jixia", title="稷下书场", day=5, program=False)
    tree = parse(html(client.get("/?when=weekend")))
    groups = tree.find_all("li", class_="group")
    assert len(groups) == 1
    summary = groups[0].find("summary").text()
    assert "戏曲进乡村 · 3 个镇街" in summary  # 东崖村 belongs to 金山镇: three towns, four screenings
    assert "19:00 起" in summary
    assert len(groups[0].find_all("li", class_="occurrence")) == 4
    assert groups[0].find("details") is not None  # expands without script
    rows = [li for li in tree.find_all("li", class_="occurrence") if "稷下书场" in li.text()]
    assert len(rows) == 1


# --- 7. layout details ------------------------------------------------------------------------------------

def test_a_cancelled_occurrence_offers_no_add_to_calendar(client, world, db):
    event = _event(world, "jixia", title="稷下冬夜音乐会", program=False)
    occurrence = db.session.scalar(select(Occurrence).where(Occurrence.event_id == event.id))
    occurrence.status, occurrence.status_reason = "cancelled", "大风预警"
    db.session.commit()
    box = parse(html(client.get(f"/events/{event.id}?occurrence={occurrence.id}"))).find("section",
                                                                                          class_="add-to-calendar")
    assert "加入日历" not in box.text() and not box.find_all("ul", class_="actions")
    assert f"/events/{event.id}.ics" not in [a.attrs["href"] for a in box.find_all("a")]


def test_phone_numbers_are_tap_to_call(client, world):
    event = _event(world, "jixia", title="稷下书场", program=False, contact="王老师 0533-7211000 / 13912345678")
    facts = parse(html(client.get(f"/events/{event.id}"))).find("dl", class_="facts")
    assert [a.attrs["href"] for a in facts.find_all("a") if a.attrs["href"].startswith("tel:")] == [
        "tel:05337211000", "tel:13912345678"]


@pytest.mark.parametrize("text, links", [
    ("0533-7211000", ["tel:05337211000"]), ("(0730)8888888 转 801", ["tel:07308888888"]),
    ("电话 0533-1234567-801", ["tel:05331234567"]), ("+86 139 1234 5678", ["tel:+8613912345678"]),
    ("2026年12月19日 19:00", []), ("编号 12345678901234", []), ("<script>13912345678", ["tel:13912345678"]),
])
def test_tel_links_find_chinese_phone_numbers_and_escape_the_rest(text, links):
    import re

    out = str(tel_links(text))
    assert re.findall(r'href="([^"]+)"', out) == links
    assert "<script>" not in out


def test_the_empty_day_message_suggests_clearing_filters_only_when_filters_are_set(client, world):
    unfiltered = parse(html(client.get("/?when=today"))).find("div", class_="empty").text()
    assert "清除筛选" not in unfiltered and "未来30天" in unfiltered
    filtered = parse(html(client.get("/?when=today&category=opera"))).find("div", class_="empty").text()
    assert "清除筛选" in filtered


def test_list_rows_name_their_city_when_the_deployment_holds_several(client, world):
    _event(world, "jixia", title="稷下书场", program=False)
    _event(world, "dongting", title="洞庭渔火灯会", program=False)
    rows = {li.find("a", class_="title").text(): li.find("span", class_="city")
            for li in parse(html(client.get("/?when=weekend"))).find_all("li", class_="occurrence")}
    assert rows["稷下书场"].text() == "淄博市" and rows["洞庭渔火灯会"].text() == "岳阳楼区"


def test_a_single_city_deployment_does_not_repeat_its_city_in_every_row(client, db, app, monkeypatch):
    from tests.conftest import DEMO_NOW

    monkeypatch.setitem(app.config, "FIXED_NOW", DEMO_NOW)
    town = factories.town(factories.district())
    factories.event(town, title="镇文化站书法课", start=datetime(2026, 11, 22, 9), end=datetime(2026, 11, 22, 11))
    db.session.commit()
    page = parse(html(client.get("/")))
    assert listed_occurrence_ids(str(html(client.get("/")))) and not page.find_all("span", class_="city")


def test_an_area_page_lists_its_towns_before_its_dates(client, world):
    _event(world, "jixia", title="稷下书场", program=False)
    page = html(client.get(f"/areas/{world.areas['linzi'].id}"))
    assert page.index('class="towns"') < page.index('class="upcoming"')
