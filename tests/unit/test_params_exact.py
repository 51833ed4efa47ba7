"""The shared URL-value parser at its exact edges, with the exact words a client reads back.

The properties in test_params.py prove that nothing but a value in range or an InvalidParameter comes
out; these pin which values are the last ones accepted and what the refusal says (expected values are
literals worked out by hand, not produced by the parser).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from calendar_app.db import ValidationError
from calendar_app.params import (InvalidParameter, Position, QueryArgs, is_id, parse_api_cursor, parse_choice,
                                 parse_count, parse_date, parse_id, parse_month, parse_page_cursor, shown)

UTC = timezone.utc
BAD_CURSOR = "参数 cursor 无效（请使用上一页返回的链接）"
BAD_AFTER = "参数 after 无效（请使用上一页返回的链接）"


def _refusal(call) -> InvalidParameter:
    with pytest.raises(InvalidParameter) as refused:
        call()
    return refused.value


# --- ids -------------------------------------------------------------------------------------------

def test_ids_from_1_to_2147483647_are_read_as_numbers():
    assert parse_id("1", "area") == 1
    assert parse_id("2147483647", "area") == 2147483647
    assert parse_id("9", "area") == 9


def test_an_id_one_past_the_integer_column_is_refused_naming_the_range():
    refused = _refusal(lambda: parse_id("2147483648", "venue"))
    assert refused.message == "参数 venue 应为 1 到 2147483647 之间的整数：2147483648"
    assert refused.field == "venue"


def test_an_id_of_eleven_digits_is_refused_without_reading_it():
    assert _refusal(lambda: parse_id("12345678901", "area")).message == \
        "参数 area 应为 1 到 2147483647 之间的整数：12345678901"


def test_is_id_tells_ids_from_digit_slugs():
    assert is_id("1") is True
    assert is_id("2147483647") is True
    assert is_id("2147483648") is False
    assert is_id("0") is False
    assert is_id("007") is False
    assert is_id("xiqu") is False


# --- dates and months ------------------------------------------------------------------------------

def test_the_first_and_last_supported_dates_are_read():
    assert parse_date("1901-01-01", "start") == date(1901, 1, 1)
    assert parse_date("2099-12-31", "end") == date(2099, 12, 31)


@pytest.mark.parametrize("raw", ["1900-12-31", "2100-01-01"])
def test_a_date_a_day_outside_the_supported_years_is_refused_naming_them(raw):
    refused = _refusal(lambda: parse_date(raw, "start"))
    assert refused.message == f"参数 start 超出支持范围（1901–2099 年）：{raw}"
    assert refused.field == "start"


@pytest.mark.parametrize("raw", ["2026-02-30", "2026-12-1", "20261201", "2026-13-01"])
def test_a_date_that_is_not_a_calendar_day_in_yyyy_mm_dd_is_refused_showing_the_format(raw):
    refused = _refusal(lambda: parse_date(raw, "end"))
    assert refused.message == f"参数 end 应为 YYYY-MM-DD 格式的日期：{raw}"
    assert refused.field == "end"


def test_the_first_and_last_supported_months_are_read():
    assert parse_month("1901-01", "ym") == (1901, 1)
    assert parse_month("2099-12", "ym") == (2099, 12)
    assert parse_month("2026-07", "ym") == (2026, 7)


@pytest.mark.parametrize("raw", ["1900-12", "2100-01", "2026-00", "2026-13", "2026-1", "abc"])
def test_a_month_outside_the_years_or_the_twelve_months_is_refused_with_the_format(raw):
    refused = _refusal(lambda: parse_month(raw, "ym"))
    assert refused.message == f"参数 ym 应为 1901–2099 年间 YYYY-MM 格式的月份：{raw}"
    assert refused.field == "ym"


# --- counts and choices ----------------------------------------------------------------------------

def test_a_count_from_1_to_exactly_the_maximum_is_read():
    assert parse_count("1", "limit", 500) == 1
    assert parse_count("500", "limit", 500) == 500


@pytest.mark.parametrize("raw", ["501", "0", "1000000"])
def test_a_count_outside_1_to_the_maximum_is_refused_naming_the_range(raw):
    refused = _refusal(lambda: parse_count(raw, "limit", 500))
    assert refused.message == f"参数 limit 应为 1 到 500 之间的整数：{raw}"
    assert refused.field == "limit"


def test_a_six_digit_count_within_the_maximum_is_read():
    assert parse_count("999999", "limit", 1_000_000) == 999999


def test_a_choice_outside_the_list_is_refused_listing_the_choices():
    assert parse_choice("week", "when", ("today", "week")) == "week"
    refused = _refusal(lambda: parse_choice("year", "when", ("today", "week")))
    assert refused.message == "参数 when 的值无效：year（可选 today, week）"
    assert refused.field == "when"


# --- what an error repeats -------------------------------------------------------------------------

def test_a_refused_value_of_exactly_24_characters_is_repeated_whole_and_25_are_cut():
    assert shown("x" * 24) == "x" * 24
    assert shown("x" * 25) == "x" * 24 + "…"
    assert shown("abcdef", limit=3) == "abc…"


def test_harmless_marks_are_repeated_and_others_replaced():
    assert shown("a.b:c+d/e f-g_7") == "a.b:c+d/e f-g_7"
    assert shown("a\tb&c") == "a?b?c"


# --- cursors -----------------------------------------------------------------------------------------

def test_an_api_cursor_is_the_base64_of_the_utc_instant_and_the_id():
    at = datetime(2026, 12, 1, 11, 0, tzinfo=timezone(timedelta(hours=8)))  # 03:00 UTC
    assert Position(at, 7).api_token() == "MjAyNi0xMi0wMVQwMzowMDowMCswMDowMHw3"
    assert parse_api_cursor("MjAyNi0xMi0wMVQwMzowMDowMCswMDowMHw3") == \
        Position(datetime(2026, 12, 1, 3, 0, tzinfo=UTC), 7)


def test_an_api_cursor_with_microseconds_and_padding_removed_reads_back():
    token = "MjAyNi0xMi0wMVQwMzowMDowMC41MDAwMDArMDA6MDB8Nw"  # ...03:00:00.500000+00:00|7, '==' dropped
    assert Position(datetime(2026, 12, 1, 3, 0, 0, 500000, tzinfo=UTC), 7).api_token() == token
    assert parse_api_cursor(token) == Position(datetime(2026, 12, 1, 3, 0, 0, 500000, tzinfo=UTC), 7)


def test_a_page_cursor_is_whole_seconds_since_the_epoch_and_the_id():
    at = datetime(2026, 12, 1, 3, 0, 0, 900000, tzinfo=UTC)
    assert Position(at, 7).page_token() == "1796094000-7"
    assert parse_page_cursor("1796094000-7") == Position(datetime(2026, 12, 1, 3, 0, tzinfo=UTC), 7)
    assert parse_page_cursor("0-1") == Position(datetime(1970, 1, 1, tzinfo=UTC), 1)


def test_api_cursors_at_the_first_and_last_representable_instants_are_read_and_a_second_outside_refused():
    # MIN_INSTANT is 1900-12-31 00:00 UTC, MAX_INSTANT 2100-01-02 00:00 UTC (a day's margin for any zone).
    assert parse_api_cursor("MTkwMC0xMi0zMVQwMDowMDowMCswMDowMHwx") == \
        Position(datetime(1900, 12, 31, tzinfo=UTC), 1)
    assert parse_api_cursor("MjEwMC0wMS0wMlQwMDowMDowMCswMDowMHwyMTQ3NDgzNjQ3") == \
        Position(datetime(2100, 1, 2, tzinfo=UTC), 2147483647)
    for outside in ("MTkwMC0xMi0zMFQyMzo1OTo1OSswMDowMHwx", "MjEwMC0wMS0wMlQwMDowMDowMSswMDowMHwx"):
        refused = _refusal(lambda: parse_api_cursor(outside))
        assert (refused.message, refused.field) == (BAD_CURSOR, "cursor")


def test_page_cursors_at_the_first_and_last_representable_seconds_are_read_and_one_outside_refused():
    assert parse_page_cursor("-2177539200-1") == Position(datetime(1900, 12, 31, tzinfo=UTC), 1)
    assert parse_page_cursor("4102531200-2147483647") == Position(datetime(2100, 1, 2, tzinfo=UTC), 2147483647)
    for outside in ("-2177539201-1", "4102531201-1", "1796094000-2147483648"):
        refused = _refusal(lambda: parse_page_cursor(outside))
        assert (refused.message, refused.field) == (BAD_AFTER, "after")


@pytest.mark.parametrize("raw", [
    "MjAyNi0xMi0wMVQwMzowMDowMCswMDowMHw3=",  # padding is not ours
    "MjAyNi0xMi0wMVQwMzowMDowMCswMDowMHw",  # truncated: the id is gone
    "_w",  # byte 0xff: not ASCII once decoded
    "A",  # not base64 at all
    "MjAyNi0xMy0wMVQwMzowMDowMCswMDowMHw3",  # month 13
])
def test_a_damaged_api_cursor_is_refused_asking_for_the_previous_pages_link(raw):
    refused = _refusal(lambda: parse_api_cursor(raw))
    assert (refused.message, refused.field) == (BAD_CURSOR, "cursor")


def test_an_api_cursor_longer_than_200_characters_is_refused_unread():
    refused = _refusal(lambda: parse_api_cursor("A" * 201))
    assert refused.message == BAD_CURSOR
    refused = _refusal(lambda: parse_api_cursor("AAAA" * 50 + "A", "next"))
    assert (refused.message, refused.field) == ("参数 next 无效（请使用上一页返回的链接）", "next")


def test_a_damaged_page_cursor_is_refused_naming_its_parameter():
    refused = _refusal(lambda: parse_page_cursor("x-1", "from"))
    assert (refused.message, refused.field) == ("参数 from 无效（请使用上一页返回的链接）", "from")


# --- reading a query string ------------------------------------------------------------------------

def test_absent_parameters_read_as_none_in_both_styles():
    for forms in (False, True):
        query = QueryArgs({}, forms=forms)
        assert query.raw("area") is None
        assert query.id("area") is None
        assert query.date("start") is None
        assert query.month("ym") is None
        assert query.count("limit", 500) is None
        assert query.choice("when", ("today",)) is None
        assert query.api_cursor() is None
        assert query.page_cursor() is None
        assert query.text("q", 10) is None


def test_an_empty_api_parameter_is_refused_by_name():
    refused = _refusal(lambda: QueryArgs({"area": ""}).id("area"))
    assert (refused.message, refused.field) == ("参数 area 不能为空", "area")


def test_the_api_style_keeps_a_value_exactly_as_sent():
    assert QueryArgs({"q": " 京剧 "}).raw("q") == " 京剧 "
    assert QueryArgs({"q": " 京剧 "}, forms=True).raw("q") == "京剧"


def test_each_typed_reader_parses_its_own_parameter():
    query = QueryArgs({"area": "12", "start": "2026-12-01", "ym": "2026-12", "limit": "20", "when": "week",
                       "cursor": "MjAyNi0xMi0wMVQwMzowMDowMCswMDowMHw3", "after": "1796094000-7", "q": "abc",
                       "c2": "MjAyNi0xMi0wMVQwMzowMDowMCswMDowMHw3", "a2": "0-1"})
    assert query.id("area") == 12
    assert query.date("start") == date(2026, 12, 1)
    assert query.month("ym") == (2026, 12)
    assert query.count("limit", 20) == 20
    assert query.choice("when", ("today", "week")) == "week"
    assert query.api_cursor() == Position(datetime(2026, 12, 1, 3, tzinfo=UTC), 7)
    assert query.page_cursor() == Position(datetime(2026, 12, 1, 3, tzinfo=UTC), 7)
    assert query.api_cursor("c2") == Position(datetime(2026, 12, 1, 3, tzinfo=UTC), 7)
    assert query.page_cursor("a2") == Position(datetime(1970, 1, 1, tzinfo=UTC), 1)
    assert query.text("q", 3) == "abc"


def test_each_typed_reader_names_its_parameter_when_refusing():
    query = QueryArgs({"a": "x", "d": "x", "m": "x", "n": "x", "w": "x", "c": "!", "p": "x", "t": "abcd"})
    cases = [(lambda: query.id("a"), "a"), (lambda: query.date("d"), "d"), (lambda: query.month("m"), "m"),
             (lambda: query.count("n", 5), "n"), (lambda: query.choice("w", ("y",)), "w"),
             (lambda: query.api_cursor("c"), "c"), (lambda: query.page_cursor("p"), "p"),
             (lambda: query.text("t", 3), "t")]
    for call, field in cases:
        assert _refusal(call).field == field
    assert _refusal(lambda: query.count("n", 5)).message == "参数 n 应为 1 到 5 之间的整数：x"


def test_free_text_of_exactly_the_limit_is_kept_and_one_more_refused():
    assert QueryArgs({"q": "京剧昆曲"}).text("q", 4) == "京剧昆曲"
    refused = _refusal(lambda: QueryArgs({"q": "京剧昆曲越"}).text("q", 4))
    assert (refused.message, refused.field) == ("参数 q 最长 4 个字符", "q")


def test_a_restyled_query_raises_the_callers_error_instead():
    def restyle(exc: InvalidParameter) -> ValidationError:
        return ValidationError(f"bad {exc.field}", exc.field)

    with pytest.raises(ValidationError) as refused:
        QueryArgs({"area": "x"}, forms=True, restyle=restyle).id("area")
    assert not isinstance(refused.value, InvalidParameter)
    assert (refused.value.message, refused.value.field) == ("bad area", "area")
    with pytest.raises(ValidationError) as refused:
        QueryArgs({"area": ""}, restyle=restyle).id("area")
    assert refused.value.message == "bad area"


@pytest.fixture
def server_in_beijing(monkeypatch):
    """The process runs with TZ=Asia/Shanghai, as a server in China may."""
    import time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_an_api_cursor_is_written_in_utc_whatever_the_servers_zone(server_in_beijing):
    at = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    assert at.astimezone(None).utcoffset() == timedelta(hours=8)  # the fixture took effect
    assert Position(at, 7).api_token() == "MjAyNi0xMi0wMVQwMzowMDowMCswMDowMHw3"
    assert parse_api_cursor(Position(at, 7).api_token()) == Position(at, 7)
