"""The home page on the demo year: what is on today, tomorrow, this weekend and in the next 30 days,
grouped by local date, and every filter narrowing the list to exactly what it names."""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from calendar_app.areas.models import Area
from calendar_app.events.models import Occurrence
from calendar_app.programs.models import Program
from calendar_app.public.queries import PAGE_SIZE
from calendar_app.public.windows import window_for
from calendar_app.venues.models import Venue
from tests import factories as f
from tests.conftest import DEMO_NOW
from tests.public.helpers import day_sections, html, listed_occurrence_ids, parse

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module", autouse=True)
def ticketed(demo):
    """One ticketed evening in the next 30 days (the demo's only ticketed event is in August).

    Added before the module's first test (autouse), so every test sees the same data whatever order they run in.
    """
    db = demo
    town = db.session.scalar(select(Area).where(Area.code == "430602001"))
    venue = db.session.scalar(select(Venue).where(Venue.name == "岳阳楼景区"))
    event = f.event(town, title="岳阳楼夜游·灯光秀", start=datetime(2026, 12, 12, 19), end=datetime(2026, 12, 12, 21),
                    venue_id=venue.id, is_free=False, registration_url="https://example.org/yueyang-night",
                    category="tourism", now=DEMO_NOW)
    db.session.commit()
    return event


def _window_occurrences(db, when: str = "next30") -> list[Occurrence]:
    window = window_for(when, DEMO_NOW, SHANGHAI)
    query = (select(Occurrence).options(joinedload(Occurrence.event), joinedload(Occurrence.venue))
             .where(Occurrence.is_public.is_(True), Occurrence.starts_at < window.end,
                    Occurrence.ends_at > window.start))
    return list(db.session.scalars(query).unique())


def test_home_groups_the_next_30_days_by_local_date_starting_today(site):
    page = html(site.get("/"))
    days = day_sections(page)
    assert days[0] == "2026-11-21"
    assert days == sorted(days) and len(days) == len(set(days))
    assert all("2026-11-21" <= d <= "2026-12-20" for d in days)
    today = parse(page).find("section", aria_labelledby="day-2026-11-21")
    assert "今天" in today.find("h2").text() and "11月21日 周六" in today.find("h2").text()
    assert "非遗星期六·尼山书院讲堂" in today.text() and "14:30–16:30" in today.text()


@pytest.mark.parametrize(("when", "expected_days"), [
    ("today", ["2026-11-21"]),
    ("weekend", ["2026-11-21", "2026-11-22"]),
])
def test_tabs_list_only_their_own_days(site, demo, when, expected_days):
    page = html(site.get(f"/?when={when}"))
    shown = day_sections(page)
    assert shown and set(shown) <= set(expected_days)
    expected = {o.id for o in _window_occurrences(demo, when)}
    assert set(listed_occurrence_ids(page)) == expected
    tabs = page.split('<nav class="tabs"', 1)[1]  # (the og:url meta in the head names the same URL)
    assert 'aria-current="page"' in tabs.split(f'when={when}"', 1)[1][:40]


def test_tomorrow_tab_lists_exactly_tomorrows_public_occurrences(site, demo):
    page = html(site.get("/?when=tomorrow"))
    expected = {o.id for o in _window_occurrences(demo, "tomorrow")}
    assert set(listed_occurrence_ids(page)) == expected
    assert set(day_sections(page)) <= {"2026-11-22"}
    if not expected:
        assert "这段时间暂无符合条件的活动" in page


def test_weekend_seen_from_a_wednesday_is_the_coming_saturday_and_sunday(site, app, monkeypatch):
    monkeypatch.setitem(app.config, "FIXED_NOW", datetime(2026, 11, 25, 4, tzinfo=timezone.utc))
    page = html(site.get("/?when=weekend"))
    assert set(day_sections(page)) <= {"2026-11-28", "2026-11-29"} and "2026-11-28" in day_sections(page)
    saturday = parse(page).find("section", aria_labelledby="day-2026-11-28")
    moved = saturday.find("li", class_="status-moved")
    assert "非遗星期六" in moved.text() and "15:30–17:30" in moved.text()
    assert "讲堂布展，推迟一小时开始" in moved.find("span", class_="badge").text()


def test_past_dates_are_gone_and_drafts_never_listed(site, demo):
    page = html(site.get("/"))
    assert "金山镇合唱团汇报演出" not in page  # draft on 12 December
    assert "搭岭村迎新春书画展" not in page  # submitted, awaiting review
    ids = listed_occurrence_ids(page)
    ends = dict(demo.session.execute(select(Occurrence.id, Occurrence.ends_at).where(Occurrence.id.in_(ids))).all())
    assert all(ends[i] > DEMO_NOW for i in ids)


def test_a_date_from_the_month_view_lists_that_day(site):
    page = html(site.get("/?date=2026-12-05"))
    assert day_sections(page) == ["2026-12-05"]
    assert "2026冬季村晚·东崖村专场" in page
    cancelled = parse(page).find("li", class_="status-cancelled")
    assert "非遗星期六" in cancelled.text() and "尼山书院设备检修，本周暂停" in cancelled.text()


def _ids(db, model, **by):
    return db.session.scalar(select(model.id).filter_by(**by))


FILTER_CASES = {
    # name: (query string builder, predicate over an occurrence)
    "town includes its villages": (
        lambda db: f"area={_ids(db, Area, code='370305106')}",
        lambda db, o: o.area_id in {_ids(db, Area, code=c) for c in ("370305106", "370305106201", "370305106202")}),
    "village": (lambda db: f"area={_ids(db, Area, code='370305106201')}",
                lambda db, o: o.area_id == _ids(db, Area, code="370305106201")),
    "program": (lambda db: "program=feiyi-saturday",
                lambda db, o: o.program_id == _ids(db, Program, slug="feiyi-saturday")),
    "category": (lambda db: "category=fair", lambda db, o: o.event.category == "fair"),
    "venue": (lambda db: f"venue={_ids(db, Venue, name='尼山书院')}",
              lambda db, o: o.venue_id == _ids(db, Venue, name="尼山书院")),
    "ticketed": (lambda db: "free=0", lambda db, o: not o.event.is_free),
    "keyword in title": (lambda db: "q=村晚", lambda db, o: "村晚" in o.event.title),
    "keyword in description": (lambda db: "q=吕剧", lambda db, o: "吕剧" in (o.event.description or "")),
    "keyword in venue name": (lambda db: "q=东风湖", lambda db, o: "东风湖" in (o.venue.name if o.venue else "")
                              or "东风湖" in o.event.title + (o.event.description or "")),
    "town and category": (
        lambda db: f"area={_ids(db, Area, code='370305106')}&category=opera",
        lambda db, o: o.event.category == "opera" and o.area_id == _ids(db, Area, code="370305106")),
}


@pytest.mark.parametrize("case", FILTER_CASES, ids=list(FILTER_CASES))
def test_each_filter_narrows_the_list_to_what_it_names(site, demo, ticketed, case):
    build_query, keep = FILTER_CASES[case]
    expected = {o.id for o in _window_occurrences(demo) if keep(demo, o)}
    assert 0 < len(expected) < PAGE_SIZE, "the demo year should give this filter something to find"
    page = html(site.get(f"/?{build_query(demo)}"))
    assert set(listed_occurrence_ids(page)) == expected
    assert "<details class=\"filters\" open>" in page  # an active filter keeps the form open


def test_town_filter_finds_village_galas_as_well_as_the_towns_own_events(site, demo):
    jinshan = _ids(demo, Area, code="370305106")
    page = html(site.get(f"/?area={jinshan}"))
    assert "2026冬季村晚·东崖村专场" in page and "2026冬季村晚·搭岭村专场" in page  # villages of 金山镇
    assert "戏曲进乡村·金山镇" in page  # the town itself
    assert "稷下街道" not in "".join(n.text() for n in parse(page).find_all("a", class_="title"))


def test_free_filter_hides_the_ticketed_event(site, ticketed):
    assert "岳阳楼夜游·灯光秀" not in html(site.get("/?free=1"))
    assert "岳阳楼夜游·灯光秀" in html(site.get("/?free=0"))


def test_filters_that_name_nothing_give_an_empty_list_not_everything(site):
    for query in ("program=no-such-program", "area=999999", "category=nonsense", "venue=999999"):
        page = html(site.get(f"/?{query}"))
        assert listed_occurrence_ids(page) == [], query
        assert "这段时间暂无符合条件的活动" in page


@pytest.mark.parametrize(("query", "field"), [
    ("area=abc", "area"), ("venue=-1", "venue"), ("venue=%C2%B2", "venue"), ("free=maybe", "free"),
    ("when=yesterday", "when"), ("date=2026-13-01", "date"), ("after=zzz", "after"),
])
def test_malformed_parameters_are_a_400_naming_the_parameter_not_a_500(site, query, field):
    response = site.get(f"/?{query}")
    assert response.status_code == 400
    assert parse(response.get_data(as_text=True)).find("p", class_="error-message").text() == f"参数有误：{field}"


def test_a_filtered_view_shows_each_choice_selected_and_keeps_them_all_in_its_tab_links(site, demo):
    xuegong = _ids(demo, Area, code="370305002")
    chosen = {"area": str(xuegong), "program": "feiyi-saturday", "category": "heritage",
              "venue": str(_ids(demo, Venue, name="尼山书院")), "free": "1", "q": "讲堂"}
    tree = parse(html(site.get("/?" + urlencode(chosen))))
    form = tree.find("form", role="search")
    for name in ("area", "program", "category", "venue", "free"):
        options = form.find("select", id=f"f-{name}").find_all("option")
        assert [o.attrs["value"] for o in options if "selected" in o.attrs] == [chosen[name]], name
    assert form.find("input", id="f-q").attrs["value"] == "讲堂"
    # The venues offered are those of the chosen town only.
    assert {o.text() for o in form.find("select", id="f-venue").find_all("option")} == {
        "全部场馆", "尼山书院", "雪宫街道综合文化站"}
    hrefs = [a.attrs["href"] for a in tree.find("nav", class_="tabs").find_all("a")]
    assert len(hrefs) == 4
    for href in hrefs:
        kept = dict(parse_qsl(urlsplit(href).query))
        assert kept.pop("when") in {"today", "tomorrow", "weekend", "next30"} and kept == chosen, href


def test_a_form_submitted_with_every_field_empty_is_the_unfiltered_view(site):
    # A GET form sends every field, chosen or not: empty (or blank) means "not given", never a 400.
    empty = "area=&program=&category=&venue=&free=&q=%20&when=&date=&after="
    unfiltered = listed_occurrence_ids(html(site.get("/")))
    page = html(site.get(f"/?{empty}"))
    assert day_sections(page)[0] == "2026-11-21" and listed_occurrence_ids(page) == unfiltered
    assert '<details class="filters">' in page  # nothing active: the form stays closed
    assert site.get(f"/month?ym=&{empty}").status_code == 200


def test_a_keyword_is_read_with_its_spaces_collapsed_and_cut_to_50_characters(site):
    def keyword_shown(query: str) -> str:
        return parse(html(site.get(f"/?{query}"))).find("input", id="f-q").attrs["value"]

    assert keyword_shown("q=%20%20村晚%20%20%20专场%20") == "村晚 专场"
    assert keyword_shown("q=" + "戏" * 51) == "戏" * 50


def test_filter_form_offers_every_choice_under_its_own_name_with_all_first(site, demo):
    form = parse(html(site.get("/"))).find("form", role="search")

    def options(name: str) -> list[tuple[str, str]]:
        return [(o.attrs["value"], o.text()) for o in form.find("select", id=f"f-{name}").find_all("option")]

    nbsp = "\u00a0"
    areas = options("area")
    assert areas[0] == ("", "全部区域")
    # Cities, districts indented once, towns twice; no villages (a town includes them).
    for code, text in [("370300", "淄博市"), ("370305", nbsp * 2 + "临淄区"), ("370305106", nbsp * 4 + "金山镇")]:
        assert (str(_ids(demo, Area, code=code)), text) in areas
    assert not any("东崖村" in text for _, text in areas)
    programs = options("program")
    assert programs[0] == ("", "全部品牌") and ("feiyi-saturday", "非遗星期六") in programs
    categories = options("category")
    assert categories[0] == ("", "全部类别") and ("opera", "戏曲") in categories and len(categories) == 12
    venues = options("venue")
    assert venues[0] == ("", "全部场馆") and (str(_ids(demo, Venue, name="尼山书院")), "尼山书院") in venues
    assert options("free") == [("", "不限"), ("1", "免费"), ("0", "需购票或报名")]


def test_filter_form_has_a_label_for_every_control(site):
    tree = parse(html(site.get("/")))
    form = tree.find("form", role="search")
    controls = form.find_all("select") + [i for i in form.find_all("input") if i.attrs.get("type") != "hidden"]
    labels = {label.attrs["for"] for label in form.find_all("label")}
    assert len(controls) == 6 and all(c.attrs["id"] in labels for c in controls)
    assert form.attrs["method"] == "get"


def test_tabs_and_month_link_keep_the_active_filters(site):
    tree = parse(html(site.get("/?program=feiyi-saturday&when=weekend")))
    hrefs = [a.attrs["href"] for a in tree.find("nav", class_="tabs").find_all("a")]
    assert len(hrefs) == 4 and all("program=feiyi-saturday" in h for h in hrefs)
    assert not any(h.startswith("/month") for h in hrefs)  # the header has 月历; the tabs do not repeat it
    month = [a.attrs["href"] for a in tree.find("p", class_="window").find_all("a")]
    assert len(month) == 1 and month[0].startswith("/month?") and "program=feiyi-saturday" in month[0]
