"""Lunar festivals, solar terms and the State Council's holiday calendar.

Reference dates are the published ones (万年历 / 国务院办公厅通知); every one of them
was also checked against lunar-python / chinesecalendar before being written here.
"""
from __future__ import annotations

import ast
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from calendar_app.festivals import holidays, lunar
from calendar_app.festivals.holidays import NoHolidayData, OfficialDay, known_years, official_days
from calendar_app.festivals.lunar import (
    FESTIVALS,
    DayInfo,
    LunarDateError,
    canonical_festival,
    day_info,
    festival_date,
    festivals_in_range,
    lunar_to_solar,
)

# --------------------------------------------------------------------------- festival dates


@pytest.mark.parametrize(
    ("name", "lunar_year", "expected"),
    [
        ("春节", 2024, date(2024, 2, 10)),
        ("春节", 2025, date(2025, 1, 29)),
        ("春节", 2026, date(2026, 2, 17)),
        ("春节", 2027, date(2027, 2, 6)),
        ("中秋节", 2024, date(2024, 9, 17)),
        ("中秋节", 2025, date(2025, 10, 6)),
        ("中秋节", 2026, date(2026, 9, 25)),
        ("端午节", 2025, date(2025, 5, 31)),
        ("端午节", 2026, date(2026, 6, 19)),
        ("元宵节", 2024, date(2024, 2, 24)),
        ("元宵节", 2025, date(2025, 2, 12)),
        ("元宵节", 2026, date(2026, 3, 3)),
        ("元宵节", 2027, date(2027, 2, 20)),
        ("七夕", 2026, date(2026, 8, 19)),
        ("重阳节", 2026, date(2026, 10, 18)),
        # 腊八 of lunar year 2025 falls in January 2026.
        ("腊八节", 2025, date(2026, 1, 26)),
        ("清明", 2025, date(2025, 4, 4)),
        ("清明", 2026, date(2026, 4, 5)),
    ],
)
def test_festival_dates_match_published_calendar(name: str, lunar_year: int, expected: date) -> None:
    assert festival_date(name, lunar_year) == expected


def test_chuxi_in_a_29_day_layue_is_the_29th() -> None:
    # 腊月 of lunar year 2025 has 29 days: 除夕 is 腊月廿九 = 2026-02-16, the eve of 春节 2026.
    assert lunar.month_length(2025, 12) == 29
    assert festival_date("除夕", 2025) == date(2026, 2, 16)
    assert day_info(date(2026, 2, 16)).lunar == "腊月廿九"


def test_chuxi_in_a_30_day_layue_is_the_30th() -> None:
    assert lunar.month_length(2023, 12) == 30
    assert festival_date("除夕", 2023) == date(2024, 2, 9)
    assert day_info(date(2024, 2, 9)).lunar == "腊月三十"


def test_chuxi_is_always_the_eve_of_spring_festival_as_lunar_python_reads_it() -> None:
    from lunar_python import Lunar

    for year in range(1901, 2099):
        solar = Lunar.fromYmd(year + 1, 1, 1).getSolar()
        spring = date(solar.getYear(), solar.getMonth(), solar.getDay())
        assert festival_date("春节", year + 1) == spring
        assert festival_date("除夕", year) == spring - timedelta(days=1)


def test_festival_aliases_are_accepted() -> None:
    aliases = {
        "元宵": "元宵节", "中秋": "中秋节", "端午": "端午节", "重阳": "重阳节",
        "腊八": "腊八节", "七夕节": "七夕", "清明节": "清明",
    }
    for alias, name in aliases.items():
        assert canonical_festival(alias) == name
    assert [festival_date(alias, 2026) for alias in ("元宵", "中秋", "端午", "重阳", "腊八", "七夕节", "清明节")] == [
        date(2026, 3, 3), date(2026, 9, 25), date(2026, 6, 19), date(2026, 10, 18), date(2027, 1, 15),
        date(2026, 8, 19), date(2026, 4, 5)]
    assert canonical_festival(" 春节 ") == "春节"
    assert FESTIVALS == ("春节", "元宵节", "端午节", "七夕", "中秋节", "重阳节", "腊八节", "除夕", "清明")


def test_unknown_festival_is_refused_in_chinese() -> None:
    with pytest.raises(LunarDateError, match="不支持的节日：圣诞节"):
        festival_date("圣诞节", 2026)


def test_festivals_in_range_lists_every_year_sorted() -> None:
    assert festivals_in_range("元宵", date(2024, 1, 1), date(2027, 12, 31)) == [
        date(2024, 2, 24), date(2025, 2, 12), date(2026, 3, 3), date(2027, 2, 20),
    ]
    # Both ends inclusive; 腊八 of lunar 2025 sits in January 2026.
    assert festivals_in_range("腊八节", date(2026, 1, 26), date(2026, 12, 31)) == [date(2026, 1, 26)]
    assert festivals_in_range("除夕", date(2026, 1, 1), date(2026, 12, 31)) == [date(2026, 2, 16)]
    assert festivals_in_range("春节", date(2026, 3, 1), date(2026, 12, 31)) == []
    assert festivals_in_range("春节", date(2026, 3, 1), date(2026, 1, 1)) == []


# --------------------------------------------------------------------------- lunar_to_solar


def test_lunar_to_solar_converts_ordinary_months() -> None:
    assert lunar_to_solar(2026, 1, 15) == date(2026, 3, 3)
    assert lunar_to_solar(2025, 8, 15) == date(2025, 10, 6)
    # 2025 has a leap 6th month; month 7 is the ordinary one after it.
    assert lunar_to_solar(2025, 7, 1) == date(2025, 8, 23)


def test_missing_lunar_day_policies() -> None:
    with pytest.raises(LunarDateError) as err:
        lunar_to_solar(2025, 12, 30)
    assert str(err.value) == "农历2025年腊月只有29天，没有三十日"
    assert lunar_to_solar(2025, 12, 30, missing="skip") is None
    assert lunar_to_solar(2025, 12, 30, missing="last_day") == date(2026, 2, 16)
    # A 30-day month has the day whatever the policy.
    assert lunar_to_solar(2023, 12, 30, missing="error") == date(2024, 2, 9)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((2026, 13, 1), "农历月份必须在 1–12 之间"),
        ((2026, 0, 1), "农历月份必须在 1–12 之间"),
        ((2026, 1, 31), "农历日期必须在 1–30 之间"),
        ((2026, 1, 0), "农历日期必须在 1–30 之间"),
    ],
)
def test_lunar_to_solar_refuses_impossible_dates(args: tuple, message: str) -> None:
    with pytest.raises(LunarDateError, match=message):
        lunar_to_solar(*args)


def test_lunar_to_solar_refuses_unknown_policy() -> None:
    with pytest.raises(LunarDateError, match="缺日处理方式"):
        lunar_to_solar(2026, 1, 1, missing="guess")


# --------------------------------------------------------------------------- day_info


def test_day_info_lantern_festival() -> None:
    assert day_info(date(2026, 3, 3)) == DayInfo(
        date=date(2026, 3, 3), festivals=("元宵节",), solar_term=None, lunar="正月十五"
    )


def test_day_info_names_solar_terms_and_qingming() -> None:
    info = day_info(date(2026, 4, 5))
    assert info.festivals == ("清明",)
    assert info.solar_term == "清明"
    assert day_info(date(2025, 12, 21)).solar_term == "冬至"
    assert day_info(date(2026, 12, 22)).solar_term == "冬至"
    assert day_info(date(2026, 1, 5)).solar_term == "小寒"
    assert day_info(date(2026, 2, 4)).solar_term == "立春"
    assert day_info(date(2026, 3, 4)).solar_term is None


def test_day_info_lunar_names() -> None:
    assert day_info(date(2026, 2, 17)).lunar == "正月初一"
    assert day_info(date(2026, 2, 17)).festivals == ("春节",)
    assert day_info(date(2026, 2, 16)).festivals == ("除夕",)
    assert day_info(date(2026, 1, 26)).festivals == ("腊八节",)
    assert day_info(date(2025, 7, 25)).lunar == "闰六月初一"
    assert day_info(date(2025, 12, 20)).lunar == "冬月初一"
    assert day_info(date(2026, 8, 19)).festivals == ("七夕",)
    assert day_info(date(2026, 10, 18)).festivals == ("重阳节",)
    assert day_info(date(2026, 6, 19)).festivals == ("端午节",)
    assert day_info(date(2026, 9, 25)).festivals == ("中秋节",)
    assert day_info(date(2026, 3, 4)).festivals == ()


def test_day_info_agrees_with_lunar_python_day_by_day() -> None:
    from lunar_python import Solar

    names = {"春节": "春节", "元宵节": "元宵节", "端午节": "端午节", "七夕节": "七夕",
             "中秋节": "中秋节", "重阳节": "重阳节", "腊八节": "腊八节", "除夕": "除夕"}
    d = date(2025, 1, 1)
    while d <= date(2026, 12, 31):
        ref = Solar.fromYmd(d.year, d.month, d.day).getLunar()
        info = day_info(d)
        assert info.lunar == ref.getMonthInChinese() + "月" + ref.getDayInChinese()
        assert (info.solar_term or "") == ref.getJieQi()
        expected = {names[f] for f in ref.getFestivals() if f in names}
        if ref.getJieQi() == "清明":
            expected.add("清明")
        assert set(info.festivals) == expected, d
        d += timedelta(days=1)


def test_day_info_for_a_whole_year_reads_lunar_python_once_per_year() -> None:
    # Speed is measured in bench/; here the work: a few year tables, then nothing more for a second pass.
    lunar._year_index.cache_clear()
    lunar._lunar_year_months.cache_clear()
    lunar.solar_terms.cache_clear()
    first = [day_info(date(2028, 1, 1) + timedelta(days=i)) for i in range(366)]
    tables = (lunar._year_index.cache_info().misses, lunar._lunar_year_months.cache_info().misses,
              lunar.solar_terms.cache_info().misses)
    assert tables[0] == 1 and tables[1] <= 3 and tables[2] <= 3, tables
    again = [day_info(date(2028, 1, 1) + timedelta(days=i)) for i in range(366)]
    assert again == first
    assert (lunar._year_index.cache_info().misses, lunar._lunar_year_months.cache_info().misses,
            lunar.solar_terms.cache_info().misses) == tables


@pytest.mark.parametrize("d", [date(1900, 12, 31), date(2100, 1, 1)])
def test_dates_outside_supported_range_are_refused(d: date) -> None:
    with pytest.raises(LunarDateError, match="日期超出支持范围（1901–2099 年）"):
        day_info(d)
    with pytest.raises(LunarDateError, match="日期超出支持范围（1901–2099 年）"):
        festivals_in_range("春节", d, date(2050, 1, 1) if d.year < 2000 else d)


def test_range_edges_are_supported() -> None:
    assert day_info(date(1901, 1, 1)).lunar == "冬月十一"
    assert day_info(date(2099, 12, 31)).lunar == "冬月二十"
    assert festival_date("除夕", 1900) == date(1901, 2, 18)
    with pytest.raises(LunarDateError, match="日期超出支持范围"):
        festival_date("除夕", 2099)  # falls in January 2100


# --------------------------------------------------------------------------- holidays


def _days(year: int, kind: str) -> list[date]:
    return [o.date for o in official_days(year) if o.kind == kind]


def test_2025_make_up_workdays_match_state_council_notice() -> None:
    # 国办发明电〔2024〕12号
    assert _days(2025, "workday") == [
        date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11),
    ]


def test_2026_make_up_workdays_match_state_council_notice() -> None:
    assert _days(2026, "workday") == [
        date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20),
        date(2026, 10, 10),
    ]


def test_2026_spring_festival_holiday_is_nine_days() -> None:
    spring = [o for o in official_days(2026) if o.name == "春节" and o.kind == "holiday"]
    assert [o.date for o in spring] == [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]
    workdays = {o.date: o.name for o in official_days(2026) if o.kind == "workday"}
    assert workdays[date(2026, 2, 14)] == "春节"
    assert workdays[date(2026, 2, 28)] == "春节"


def test_2025_national_day_and_mid_autumn_holiday() -> None:
    days = {o.date: o for o in official_days(2025)}
    for i in range(8):
        d = date(2025, 10, 1) + timedelta(days=i)
        assert days[d].kind == "holiday"
    # 中秋 (10-06) fell inside the 国庆 break; the notice lists it as 中秋节.
    assert days[date(2025, 10, 6)].name == "中秋节"
    assert days[date(2025, 10, 1)].name == "国庆节"
    assert date(2025, 10, 9) not in days


def test_holiday_names_are_chinese() -> None:
    names = {o.name for year in (2015, 2025, 2026) for o in official_days(year)}
    assert names == {
        "元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节",
        "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
    }
    assert all(isinstance(o, OfficialDay) and o.kind in ("holiday", "workday") for o in official_days(2026))


def test_official_days_are_sorted_by_date_across_holidays_and_workdays() -> None:
    days = official_days(2026)
    assert [o.date for o in days] == sorted(o.date for o in days)
    # The Spring Festival block, with the make-up Saturdays on either side, in calendar order.
    february = [(o.date.day, o.kind) for o in days if o.date.month == 2]
    assert february == [(14, "workday")] + [(d, "holiday") for d in range(15, 24)] + [(28, "workday")]
    assert len(days) == len({o.date for o in days})


@pytest.mark.parametrize("year", [True, False, 2026.0, "2026", None])
def test_a_year_that_is_not_an_int_is_refused(year) -> None:
    with pytest.raises(TypeError, match="^year must be an int$"):
        official_days(year)  # type: ignore[arg-type]


def test_official_day_finds_holidays_and_workdays_and_nothing_else() -> None:
    assert holidays.official_day(date(2026, 10, 1)) == OfficialDay(date(2026, 10, 1), "holiday", "国庆节")
    assert holidays.official_day(date(2026, 10, 10)) == OfficialDay(date(2026, 10, 10), "workday", "国庆节")
    assert holidays.official_day(date(2026, 10, 9)) is None
    with pytest.raises(NoHolidayData):
        holidays.official_day(date(2099, 1, 1))


def test_unknown_year_raises_no_holiday_data() -> None:
    with pytest.raises(NoHolidayData) as err:
        official_days(2099)
    assert str(err.value) == "尚无 2099 年的法定节假日数据（国务院通知尚未录入）"
    assert isinstance(err.value, LookupError)


def test_known_years_cover_2025_and_2026() -> None:
    years = known_years()
    assert 2025 in years and 2026 in years and 2099 not in years
    assert holidays.official_day(date(2026, 2, 14)) == OfficialDay(date(2026, 2, 14), "workday", "春节")
    assert holidays.official_day(date(2026, 3, 4)) is None


# --------------------------------------------------------------------------- purity


@pytest.mark.parametrize("module", ["lunar.py", "holidays.py"])
def test_festival_modules_are_pure(module: str) -> None:
    path = Path(lunar.__file__).with_name(module)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] if node.level == 0 else ["(relative)"]
        else:
            continue
        for name in names:
            assert not name.startswith(("flask", "sqlalchemy", "calendar_app", "(relative)")), name


# --------------------------------------------------------------------------- edges and refusals


@pytest.mark.parametrize(("d", "lunar_year"), [
    (date(2026, 2, 16), 2025),  # 除夕: the last day of lunar 2025
    (date(2026, 2, 17), 2026),  # 春节
    (datetime(2026, 2, 17, 23, 59), 2026),
    (date(1901, 1, 1), 1900),
    (date(2099, 12, 31), 2099),
])
def test_lunar_year_of_a_date_changes_on_spring_festival(d, lunar_year) -> None:
    assert lunar.lunar_year_of(d) == lunar_year


@pytest.mark.parametrize("d", [date(1900, 12, 31), datetime(2100, 1, 1, 0, 0)])
def test_lunar_year_of_a_date_outside_the_range_is_refused(d) -> None:
    with pytest.raises(LunarDateError, match="日期超出支持范围（1901–2099 年）"):
        lunar.lunar_year_of(d)
    with pytest.raises(LunarDateError, match="日期超出支持范围（1901–2099 年）"):
        lunar.check_date_range(d)
    lunar.check_date_range(datetime(2099, 12, 31, 23, 59))  # the last supported day, at any time


def test_festivals_in_range_includes_both_ends_and_a_one_day_range() -> None:
    assert festivals_in_range("元宵节", date(2026, 3, 3), date(2026, 3, 3)) == [date(2026, 3, 3)]
    assert festivals_in_range("元宵节", date(2025, 2, 12), date(2026, 3, 3)) == [date(2025, 2, 12), date(2026, 3, 3)]
    assert festivals_in_range("元宵节", date(2025, 2, 13), date(2026, 3, 2)) == []
    assert festivals_in_range("元宵节", datetime(2026, 3, 3, 20), datetime(2026, 3, 3, 21)) == [date(2026, 3, 3)]


def test_festivals_in_range_at_the_start_of_the_supported_range_skips_years_before_it() -> None:
    # 春节 of lunar 1900 fell on 1900-01-31, before the range: the search goes on to 1901-02-19.
    assert festivals_in_range("春节", date(1901, 1, 1), date(1902, 12, 31)) == [date(1901, 2, 19), date(1902, 2, 8)]
    # 除夕 of lunar 2099 would be in January 2100: the range simply ends.
    assert festivals_in_range("除夕", date(2099, 1, 1), date(2099, 12, 31)) == [date(2099, 1, 20)]


@pytest.mark.parametrize("year", [True, 2026.0, "2026"])
def test_a_lunar_year_that_is_not_an_int_is_refused(year) -> None:
    for festival in ("春节", "清明", "除夕"):  # 清明 and 除夕 do not go through lunar_to_solar
        with pytest.raises(LunarDateError, match=f"农历年份必须是整数，收到：{year}"):
            festival_date(festival, year)
    with pytest.raises(LunarDateError, match=f"农历年份必须是整数，收到：{year}"):
        lunar_to_solar(year, 1, 1)


@pytest.mark.parametrize(("month", "day", "message"), [
    (True, 1, "农历月份必须在 1–12 之间"), (1.0, 1, "农历月份必须在 1–12 之间"),
    (1, True, "农历日期必须在 1–30 之间"), (1, "15", "农历日期必须在 1–30 之间"),
])
def test_lunar_month_and_day_must_be_ints(month, day, message) -> None:
    with pytest.raises(LunarDateError, match=message):
        lunar_to_solar(2026, month, day)


def test_month_length_refuses_a_month_that_does_not_exist() -> None:
    with pytest.raises(LunarDateError, match="农历月份必须在 1–12 之间"):
        lunar.month_length(2026, 13)
    # 正月 of lunar 2025 ran from 01-29 to 02-27 (二月初一 was 02-28); 腊月 from 01-19 to 02-16 of 2026.
    assert [lunar.month_length(2025, m) for m in (1, 12)] == [30, 29]


def test_festival_names_must_be_text_and_unknown_ones_list_the_choices() -> None:
    with pytest.raises(LunarDateError, match="^节日名称必须是文字$"):
        canonical_festival(None)  # type: ignore[arg-type]
    with pytest.raises(LunarDateError) as err:
        canonical_festival("圣诞节")
    assert str(err.value) == "不支持的节日：圣诞节（可选：春节、元宵节、端午节、七夕、中秋节、重阳节、腊八节、除夕、清明）"


@pytest.mark.parametrize(("month", "name"), [(1, "正月"), (6, "六月"), (11, "冬月"), (12, "腊月"), (-6, "闰六月"),
                                             (-1, "闰正月")])
def test_lunar_month_names(month, name) -> None:
    assert lunar.lunar_month_name(month) == name


def test_a_holiday_name_missing_from_the_table_keeps_its_english_name() -> None:
    assert holidays._chinese_name("Spring Festival") == "春节"
    assert holidays._chinese_name("Some New Day") == "Some New Day"


def test_no_holiday_data_names_its_year() -> None:
    with pytest.raises(NoHolidayData) as err:
        official_days(2099)
    assert err.value.year == 2099
