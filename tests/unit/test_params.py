"""The shared URL-value parser (calendar_app.params): every input is a value in range or an
InvalidParameter, never another exception; only canonical ASCII forms are accepted."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendar_app.params import (ID_MAX, MAX_INSTANT, MIN_INSTANT, InvalidParameter, Position, QueryArgs,
                                 parse_api_cursor, parse_count, parse_date, parse_id, parse_month,
                                 parse_page_cursor, shown)
from calendar_app.festivals.lunar import MAX_DATE, MIN_DATE
from tests import extreme_values as ev

PROPERTIES = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _outcome(parse, raw):
    """The parsed value, or None when refused with InvalidParameter; any other exception fails the test."""
    try:
        return parse(raw)
    except InvalidParameter as exc:
        assert exc.field and exc.message
        return None


@PROPERTIES
@given(ev.numbers())
def test_an_id_is_canonical_ascii_within_the_integer_column_or_refused(raw):
    value = _outcome(lambda r: parse_id(r, "area"), raw)
    if value is not None:
        assert 1 <= value <= ID_MAX and str(value) == raw


@PROPERTIES
@given(ev.numbers())
def test_a_page_size_is_between_one_and_the_maximum_or_refused(raw):
    value = _outcome(lambda r: parse_count(r, "limit", 500), raw)
    if value is not None:
        assert 1 <= value <= 500 and str(value) == raw


@PROPERTIES
@given(ev.dates())
def test_a_date_is_yyyy_mm_dd_within_the_supported_years_or_refused(raw):
    value = _outcome(lambda r: parse_date(r, "start"), raw)
    if value is not None:
        assert MIN_DATE <= value <= MAX_DATE and value.isoformat() == raw


@PROPERTIES
@given(ev.months())
def test_a_month_is_yyyy_mm_within_the_supported_years_or_refused(raw):
    value = _outcome(lambda r: parse_month(r, "ym"), raw)
    if value is not None:
        assert MIN_DATE.year <= value[0] <= MAX_DATE.year and f"{value[0]:04d}-{value[1]:02d}" == raw


@PROPERTIES
@given(ev.api_cursors())
def test_an_api_cursor_is_one_we_could_have_issued_or_refused(raw):
    position = _outcome(parse_api_cursor, raw)
    if position is not None:
        assert MIN_INSTANT <= position.starts_at <= MAX_INSTANT and 1 <= position.id <= ID_MAX
        assert position.api_token() == raw


@PROPERTIES
@given(ev.page_cursors())
def test_a_page_cursor_is_one_we_could_have_issued_or_refused(raw):
    position = _outcome(parse_page_cursor, raw)
    if position is not None:
        assert MIN_INSTANT <= position.starts_at <= MAX_INSTANT and 1 <= position.id <= ID_MAX
        assert position.page_token() == raw


@PROPERTIES
@given(st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(2099, 12, 31)), st.integers(1, ID_MAX))
def test_cursors_we_issue_read_back_as_the_same_position(naive, ident):
    position = Position(naive.replace(tzinfo=timezone.utc), ident)
    assert parse_api_cursor(position.api_token()) == position
    whole = Position(naive.replace(microsecond=0, tzinfo=timezone.utc), ident)
    assert parse_page_cursor(whole.page_token()) == whole


@pytest.mark.parametrize("raw", [
    "MDAwMS0wMS0wMVQwMDowMDowMCsxNDowMHwx",  # 0001-01-01T00:00:00+14:00|1: astimezone overflowed
    "OTk5OS0xMi0zMVQyMzo1OTo1OS0xNDowMHwx",  # 9999-12-31T23:59:59-14:00|1
    ev.b64("2026-12-01T00:00:00+00:00|2147483648"),  # beyond a PostgreSQL integer
    ev.b64("2026-12-01T00:00:00+00:00|9223372036854775808"),  # beyond a SQLite integer
    ev.b64("2026-12-01T08:00:00+08:00|1"),  # not ours: we write UTC
])
def test_forged_api_cursors_are_refused(raw):
    with pytest.raises(InvalidParameter):
        parse_api_cursor(raw)


@pytest.mark.parametrize("raw", ["1764600000-2147483648", "1764600000-9223372036854775808", "99999999999-1",
                                 "-99999999999-1", "1764600000-01", "1764600000-١"])
def test_forged_page_cursors_are_refused(raw):
    with pytest.raises(InvalidParameter):
        parse_page_cursor(raw)


@pytest.mark.parametrize("raw", ["١٨", "１", "01", "+1", " 1", "1_0", "²", "2147483648", "9" * 5000, "0"])
def test_ids_are_ascii_digits_in_canonical_form_only(raw):
    with pytest.raises(InvalidParameter):
        parse_id(raw, "area")


def test_refused_values_are_echoed_short_and_printable():
    assert shown("<x7q\"'>") == "?x7q???"
    assert shown("a" * 100) == "a" * 24 + "…"
    assert shown("活动\u202eevil\x00") == "活动?evil?"
    with pytest.raises(InvalidParameter) as refused:
        parse_count("<script>alert(1)</script>" * 3, "limit", 500)
    assert "<" not in refused.value.message and len(refused.value.message) < 80


def test_api_style_refuses_empty_values_and_forms_style_ignores_them():
    with pytest.raises(InvalidParameter, match="不能为空"):
        QueryArgs({"start": ""}).date("start")
    assert QueryArgs({"start": "  "}, forms=True).date("start") is None
    assert QueryArgs({"start": " 2026-12-01 "}, forms=True).date("start") == date(2026, 12, 1)
