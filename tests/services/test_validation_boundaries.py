"""The event services at the edges of what they accept: input forms, attendance, status, single-occurrence edits."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from calendar_app.db import ValidationError
from calendar_app.events.models import Event, Occurrence
from calendar_app.events.services import (EventData, create_event, edit_occurrence, report_attendance, set_status,
                                          split_series)
from tests import factories as f

NOW = datetime(2026, 11, 21, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def town(db):
    area = f.town(f.district())
    db.session.commit()
    return area


def _data(town, **overrides) -> EventData:
    values = dict(title="戏曲进乡村", area_id=town.id, starts_local=datetime(2026, 12, 5, 19),
                  ends_local=datetime(2026, 12, 5, 21), status="published")
    values.update(overrides)
    return EventData(**values)


def _only_occurrence(db, event) -> Occurrence:
    (occurrence,) = db.session.scalars(select(Occurrence).where(Occurrence.event_id == event.id)).all()
    return occurrence


def _refused(db, call, field: str, message: str) -> None:
    events = db.session.scalar(select(func.count()).select_from(Event))
    with pytest.raises(ValidationError) as excinfo:
        call()
    assert excinfo.value.field == field, excinfo.value.field
    assert excinfo.value.message.startswith(message), excinfo.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Event)) == events


# --- how start and end may be given


def test_iso_text_is_read_as_local_time_and_seconds_are_dropped(db, town):
    event, _ = create_event(_data(town, starts_local="2026-12-05T19:00:59", ends_local="2026-12-05T21:00:30.250"),
                            now=NOW)
    assert (event.starts_local, event.ends_local) == (datetime(2026, 12, 5, 19), datetime(2026, 12, 5, 21))
    assert _only_occurrence(db, event).starts_at == datetime(2026, 12, 5, 11, tzinfo=timezone.utc)


def test_a_date_for_a_timed_event_means_midnight(db, town):
    event, _ = create_event(_data(town, starts_local=date(2026, 12, 5), ends_local=datetime(2026, 12, 5, 2)), now=NOW)
    assert event.starts_local == datetime(2026, 12, 5, 0, 0)


def test_all_day_events_take_dates_or_midnight_and_store_local_midnight(db, town):
    event, _ = create_event(_data(town, is_all_day=True, starts_local="2026-12-05",
                                  ends_local=datetime(2026, 12, 7)), now=NOW)
    occurrence = _only_occurrence(db, event)
    assert (occurrence.starts_at, occurrence.ends_at) == (datetime(2026, 12, 4, 16, tzinfo=timezone.utc),
                                                          datetime(2026, 12, 6, 16, tzinfo=timezone.utc))
    assert (event.starts_local, event.ends_local) == (datetime(2026, 12, 5, 0, 0), datetime(2026, 12, 7, 0, 0))


@pytest.mark.parametrize(("overrides", "field", "message"), [
    (dict(starts_local="2026-12-05 7pm"), "starts_local", "开始时间格式不正确：2026-12-05 7pm"),
    (dict(ends_local="tomorrow"), "ends_local", "结束时间格式不正确：tomorrow"),
    # A long wrong value is quoted by its first 40 characters only.
    (dict(starts_local="周六晚七点" * 10), "starts_local",
     "开始时间格式不正确：" + "周六晚七点" * 8 + "（应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM）"),
    (dict(starts_local=datetime(2026, 12, 5, 19, tzinfo=timezone.utc)), "starts_local", "开始时间应为当地时间"),
    (dict(starts_local=None), "starts_local", "缺少开始时间"),
    (dict(ends_local=1733396400), "ends_local", "缺少结束时间"),
    (dict(is_all_day=True, starts_local=datetime(2026, 12, 5, 9), ends_local=date(2026, 12, 6)), "starts_local",
     "全天活动的开始时间只能是日期"),
    (dict(starts_local=datetime(1900, 12, 31, 19), ends_local=datetime(1900, 12, 31, 21)), "starts_local",
     "日期超出支持范围（1901–2099 年）：1900-12-31"),
    (dict(starts_local=datetime(2099, 12, 31, 19), ends_local=datetime(2100, 1, 1, 1)), "ends_local",
     "日期超出支持范围（1901–2099 年）：2100-01-01"),
    (dict(status="archived"), "status", "未知的状态：archived"),
    (dict(category="disco"), "category", "未知的类别：disco"),
    (dict(registration_url="ftp://x.cn/a"), "registration_url", "报名链接必须是以 http:// 或 https:// 开头的完整网址"),
    (dict(timezone="Asia/Shanghai\x00"), "timezone", "未知的时区"),
    (dict(timezone="Mars/Olympus"), "timezone", "未知的时区：Mars/Olympus（请使用 IANA 名称，如 Asia/Shanghai）"),
    (dict(timezone="X" * 100), "timezone", "未知的时区：" + "X" * 64 + "（请使用 IANA 名称"),
    (dict(timezone=None), "timezone", "未知的时区：None（请使用 IANA 名称"),
    (dict(ends_local=datetime(2026, 12, 5, 19)), "ends_local", "结束时间必须晚于开始时间：2026-12-05T19:00 → 2026-12-05T19:00"),
    (dict(is_all_day=True, starts_local=date(2026, 12, 5), ends_local=date(2026, 12, 5)), "ends_local",
     "结束日期必须晚于开始日期（全天活动的结束日期不含当天）：2026-12-05 → 2026-12-05"),
    (dict(ends_local=datetime(2027, 1, 5, 19, 1)), "ends_local", "单次活动最长 31 天；更长的活动请设为重复活动"),
    (dict(rdates=["2026-12-12", "12/19"]), "rdates", "附加日期格式不正确：12/19"),
    (dict(exdates=["next week"]), "exdates", "排除日期格式不正确：next week"),
    (dict(program_id=999999), "program_id", "活动品牌不存在：999999"),
    (dict(capacity=1.5), "capacity", "容量必须是整数"),
])
def test_malformed_input_is_refused_naming_the_field(db, town, overrides, field, message):
    _refused(db, lambda: create_event(_data(town, **overrides), now=NOW), field, message)


def test_extra_and_excluded_dates_are_stored_once_each_in_order(db, town):
    event, _ = create_event(_data(town, rrule="FREQ=WEEKLY;COUNT=3",
                                  rdates=["2026-12-24T19:00", datetime(2026, 12, 8, 19), "2026-12-24T19:00"],
                                  exdates=[datetime(2026, 12, 19, 19), "2026-12-12T19:00", "2026-12-19T19:00"]), now=NOW)
    assert event.rdates == ["2026-12-08T19:00", "2026-12-24T19:00"]
    assert event.exdates == ["2026-12-12T19:00", "2026-12-19T19:00"]
    stored = db.session.scalars(select(Occurrence.starts_at).where(Occurrence.event_id == event.id)
                                .order_by(Occurrence.starts_at)).all()
    assert [t.astimezone(timezone(timedelta(hours=8))).date() for t in stored] == [
        date(2026, 12, 5), date(2026, 12, 8), date(2026, 12, 24)]


@pytest.mark.parametrize(("rrule", "lunar_rule"), [("  ", None), (None, " \t "), ("", "")])
def test_blank_rules_mean_a_single_event(db, town, rrule, lunar_rule):
    event, _ = create_event(_data(town, rrule=rrule, lunar_rule=lunar_rule), now=NOW)
    assert (event.rrule, event.lunar_rule) == (None, None)
    assert _only_occurrence(db, event).starts_at == datetime(2026, 12, 5, 11, tzinfo=timezone.utc)


def test_rules_are_stored_trimmed_and_in_their_written_out_form(db, town):
    event, _ = create_event(_data(town, rrule=" freq=weekly;count=2 "), now=NOW)
    assert event.rrule == "FREQ=WEEKLY;COUNT=2"
    lunar, _ = create_event(_data(town, starts_local=datetime(2027, 2, 20, 19), ends_local=datetime(2027, 2, 20, 21),
                                  lunar_rule=" FESTIVAL=元宵节;COUNT=2 "), now=NOW)
    assert lunar.lunar_rule == "FESTIVAL=元宵节;COUNT=2"


def test_an_extra_date_already_on_the_rule_and_an_excluded_date_off_it_are_each_warned_about(db, town):
    _, warnings = create_event(_data(town, rrule="FREQ=WEEKLY;COUNT=3", rdates=["2026-12-12T19:00"],
                                     exdates=["2026-12-13T19:00"]), now=NOW)
    assert warnings == ["追加日期 2026-12-12 19:00 本来就是规则内的活动，无需追加",
                        "排除日期 2026-12-13 19:00 不是本系列的活动，已忽略"]


def test_a_utc_until_is_read_in_the_events_own_zone(db, town):
    # 19:00 on 2 December 2090 in New York is 00:00 UTC on the 3rd: an UNTIL one second earlier ends the
    # rule before its first start (in Beijing that UNTIL would be 07:59:59 on the 3rd, after it).
    data = dict(timezone="America/New_York", starts_local=datetime(2090, 12, 2, 19), ends_local=datetime(2090, 12, 2, 21))
    _refused(db, lambda: create_event(_data(town, rrule="FREQ=WEEKLY;UNTIL=20901202T235959Z", **data), now=NOW),
             "rrule", "UNTIL 早于开始时间")
    event, _ = create_event(_data(town, rrule="FREQ=WEEKLY;UNTIL=20901203T000000Z", **data), now=NOW)
    assert _only_occurrence(db, event).starts_at == datetime(2090, 12, 3, 0, tzinfo=timezone.utc)


def test_the_occurrence_limit_counts_up_to_exactly_eighteen_months_after_a_future_start(app, db, town, monkeypatch,
                                                                                         server_in_london):
    # Daily at 19:00 in Beijing from 5 January 2090: 18 months on is 2091-07-05 19:00 there (546 days later),
    # so 547 starts count; an extra start at 19:30 that day is past the horizon. The server's zone (London:
    # summer time on the horizon day, not on the first) changes nothing.
    data = dict(rrule="FREQ=DAILY", rdates=["2091-07-05T19:30"], starts_local=datetime(2090, 1, 5, 19),
                ends_local=datetime(2090, 1, 5, 19, 20))
    monkeypatch.setitem(app.config, "MAX_OCCURRENCES_PER_SERIES", 546)
    _refused(db, lambda: create_event(_data(town, **data), now=NOW), "rrule",
             "重复次数过多：到 2091-07-05 为止超过 546 次活动，请缩短重复范围或减少频率")
    monkeypatch.setitem(app.config, "MAX_OCCURRENCES_PER_SERIES", 547)
    event, _ = create_event(_data(town, **data), now=NOW)
    # Stored are the starts before the horizon instant: the one exactly at it comes with the daily horizon job.
    assert db.session.scalar(select(func.count()).select_from(Occurrence).where(Occurrence.event_id == event.id)) == 546


def test_the_occurrence_limit_counts_to_the_horizon_the_series_is_stored_to_not_the_wall_clocks(app, db, town,
                                                                                                monkeypatch):
    # An evening series from 5 December 2026 with no end, created as of 1 June 2029 (a demo or a replayed
    # request): it is stored up to 1 December 2030, 18 months after that "now" (1,457 evenings). The limit
    # must count to the same horizon, not to 18 months after today's real date (about 560 evenings).
    later = datetime(2029, 6, 1, 2, 0, tzinfo=timezone.utc)
    monkeypatch.setitem(app.config, "MAX_OCCURRENCES_PER_SERIES", 1000)
    _refused(db, lambda: create_event(_data(town, rrule="FREQ=DAILY"), now=later), "rrule",
             "重复次数过多：到 2030-12-01 为止超过 1000 次活动，请缩短重复范围或减少频率")


def test_an_edition_alone_files_the_event_under_its_programme_and_its_dates_bound_no_warning(db, town):
    programme = f.program(town)
    edition = f.edition(programme, starts_on=date(2026, 12, 5), ends_on=date(2026, 12, 31))
    db.session.commit()
    event, warnings = create_event(_data(town, edition_id=edition.id), now=NOW)
    assert (event.program_id, event.edition_id, warnings) == (programme.id, edition.id, [])
    _, warnings = create_event(_data(town, program_id=programme.id, edition_id=edition.id,
                                     starts_local=datetime(2026, 12, 31, 19), ends_local=datetime(2026, 12, 31, 21)), now=NOW)
    assert warnings == []
    _, warnings = create_event(_data(town, edition_id=edition.id, starts_local=datetime(2026, 12, 4, 19),
                                     ends_local=datetime(2026, 12, 4, 21)), now=NOW)
    assert warnings == ["开始日期 2026-12-04 不在届次「2026戏曲进乡村」的日期范围内（2026-12-05 至 2026-12-31）"]
    _, warnings = create_event(_data(town, edition_id=edition.id, is_all_day=True, starts_local=date(2027, 1, 1),
                                     ends_local=date(2027, 1, 2)), now=NOW)
    assert warnings == ["开始日期 2027-01-01 不在届次「2026戏曲进乡村」的日期范围内（2026-12-05 至 2026-12-31）"]


def test_an_edition_of_another_programme_is_refused_by_name(db, town):
    edition = f.edition(f.program(town, slug="xiqu"))
    other = f.program(town, name="村晚", slug="cunwan")
    db.session.commit()
    _refused(db, lambda: create_event(_data(town, program_id=other.id, edition_id=edition.id), now=NOW), "edition_id",
             "届次「2026戏曲进乡村」不属于所选活动品牌")


TEXT_FIELDS = [("title", "标题", 200), ("description", "简介", 20000), ("organiser", "主办单位", 200),
               ("contact", "联系方式", 200)]


@pytest.mark.parametrize(("field", "label", "limit"), TEXT_FIELDS)
def test_each_text_field_is_stored_cleaned_and_takes_exactly_its_limit(db, town, field, label, limit):
    # Outer spaces and a control character are dropped before counting: what is left is exactly the limit.
    event, _ = create_event(_data(town, **{field: "  村" + "晚" * (limit - 1) + "\x00 "}), now=NOW)
    assert getattr(event, field) == "村" + "晚" * (limit - 1)


@pytest.mark.parametrize(("field", "label", "limit"), TEXT_FIELDS)
def test_each_text_field_refuses_one_character_more_naming_itself(db, town, field, label, limit):
    _refused(db, lambda: create_event(_data(town, **{field: "晚" * (limit + 1)}), now=NOW), field,
             f"{label}过长：最多 {limit} 个字符，当前 {limit + 1} 个")


@pytest.mark.parametrize(("field", "label", "limit"), TEXT_FIELDS)
def test_each_text_field_refuses_a_value_that_is_not_text_naming_itself(db, town, field, label, limit):
    _refused(db, lambda: create_event(_data(town, **{field: 42}), now=NOW), field, f"{label}必须是文本")


def test_the_first_and_last_supported_days_are_accepted(db, town):
    create_event(_data(town, starts_local=datetime(1901, 1, 1, 9), ends_local=datetime(1901, 1, 1, 10)), now=NOW)
    create_event(_data(town, starts_local=datetime(2099, 12, 31, 9), ends_local=datetime(2099, 12, 31, 23, 59)),
                 now=NOW)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 2


@pytest.mark.parametrize(("url", "stored"), [("https://x.cn/a", "https://x.cn/a"), ("HTTP://X.CN/A", "HTTP://X.CN/A"),
                                           ("http://x.cn", "http://x.cn"), ("  https://x.cn/a\t", "https://x.cn/a")])
def test_web_registration_links_are_accepted_without_surrounding_blanks(db, town, url, stored):
    event, _ = create_event(_data(town, is_free=False, registration_url=url), now=NOW)
    assert event.registration_url == stored


# --- attendance


@pytest.fixture
def held(db, town):
    """An occurrence that started at NOW (19:00 on 2026-11-21 would be later: this one is at 10:00)."""
    event, _ = create_event(_data(town, starts_local=datetime(2026, 11, 21, 10), ends_local=datetime(2026, 11, 21, 12)),
                            now=NOW - timedelta(days=7))
    db.session.commit()
    return _only_occurrence(db, event)


@pytest.mark.parametrize("attendance", [0, 1, 10_000_000])
def test_attendance_from_zero_to_ten_million_is_recorded(db, held, attendance):
    report_attendance(held, attendance, now=NOW)
    assert (held.attendance, held.attendance_reported_at) == (attendance, NOW)


@pytest.mark.parametrize(("attendance", "message"), [
    (-1, "人次不能为负数（当前 -1）"), (10_000_001, "人次超出合理范围"), (True, "人次必须是整数"), (12.0, "人次必须是整数"),
])
def test_attendance_out_of_range_or_not_an_integer_is_refused(db, held, attendance, message):
    with pytest.raises(ValidationError) as refused:
        report_attendance(held, attendance, now=NOW)
    assert (refused.value.message, refused.value.field) == (message, "attendance")
    assert held.attendance is None


def test_attendance_may_be_reported_from_the_minute_an_occurrence_starts(db, held):
    with pytest.raises(ValidationError) as refused:
        report_attendance(held, 50, now=NOW - timedelta(seconds=1))
    assert (refused.value.message, refused.value.field) == ("活动尚未开始，不能填报人次", "attendance")
    report_attendance(held, 50, now=NOW)
    assert held.attendance == 50


def test_attendance_of_a_cancelled_occurrence_is_refused(db, held):
    edit_occurrence(held, cancelled=True, reason="雨", now=NOW)
    with pytest.raises(ValidationError) as refused:
        report_attendance(held, 50, now=NOW)
    assert (refused.value.message, refused.value.field) == ("已取消的场次不能填报人次", "attendance")
    assert held.attendance is None


# --- status and single-occurrence edits


def test_unknown_status_is_refused_and_the_same_status_changes_nothing(db, town):
    event, _ = create_event(_data(town), now=NOW)
    db.session.commit()
    sequence = event.sequence
    with pytest.raises(ValidationError, match="未知的状态：done"):
        set_status(event, "done", now=NOW)
    set_status(event, "published", now=NOW + timedelta(hours=1))
    assert event.sequence == sequence and event.revised_at == NOW
    set_status(event, "cancelled", now=NOW + timedelta(hours=1))
    assert event.sequence == sequence + 1 and event.revised_at == NOW + timedelta(hours=1)
    assert not _only_occurrence(db, event).is_public


def test_an_occurrence_edit_needs_aware_times_in_range_and_an_end_after_the_start(db, town):
    event, _ = create_event(_data(town), now=NOW)
    occurrence = _only_occurrence(db, event)
    start = occurrence.starts_at
    for kwargs, message in [
        (dict(starts_at=datetime(2026, 12, 6, 19)), "时间必须带时区"),
        (dict(ends_at=datetime(2026, 12, 6, 19)), "时间必须带时区"),
        (dict(starts_at=datetime(2100, 1, 1, tzinfo=timezone.utc)), "日期超出支持范围"),
        (dict(ends_at=start), "结束时间必须晚于开始时间"),
    ]:
        with pytest.raises(ValidationError, match=message):
            edit_occurrence(occurrence, now=NOW, **kwargs)
    assert occurrence.starts_at == start and occurrence.status == "scheduled"


def test_moving_an_occurrence_back_to_its_original_time_makes_it_scheduled_again(db, town):
    event, _ = create_event(_data(town), now=NOW)
    occurrence = _only_occurrence(db, event)
    original = occurrence.starts_at
    edit_occurrence(occurrence, starts_at=original + timedelta(hours=1), reason="推迟", now=NOW)
    assert occurrence.status == "moved" and occurrence.ends_at == original + timedelta(hours=3)
    edit_occurrence(occurrence, starts_at=original, now=NOW)
    assert occurrence.status == "scheduled" and occurrence.ends_at == original + timedelta(hours=2)
    edit_occurrence(occurrence, cancelled=True, now=NOW)
    assert occurrence.status == "cancelled"
    edit_occurrence(occurrence, cancelled=False, now=NOW)
    assert occurrence.status == "scheduled"


def test_an_edit_that_changes_nothing_does_not_bump_the_series(db, town):
    event, _ = create_event(_data(town), now=NOW)
    db.session.commit()
    sequence = event.sequence
    occurrence = _only_occurrence(db, event)
    edit_occurrence(occurrence, starts_at=occurrence.starts_at, cancelled=False, now=NOW + timedelta(hours=1))
    assert event.sequence == sequence and not occurrence.is_detached


def test_splitting_with_an_occurrence_of_another_event_is_refused(db, town):
    one, _ = create_event(_data(town, rrule="FREQ=WEEKLY;COUNT=3"), now=NOW)
    other, _ = create_event(_data(town, title="另一个"), now=NOW)
    with pytest.raises(ValidationError, match="该场次不属于此活动") as excinfo:
        split_series(one, _only_occurrence(db, other), EventData.from_event(one), now=NOW)
    assert excinfo.value.field == "occurrence_id"
